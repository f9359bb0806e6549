"""The runs of an agents × seeds grid as Ray tasks (`python -m sac_tf.compare --ray_address`).

Each run is one task in a fresh worker process (`max_calls=1`: TensorFlow's memory goes back
with the process), reserving `cpus_per_run` CPUs and `gpus_per_run` GPUs, and writes its run
directory itself, exactly as `sac_tf.experiments.comparison.train_in_turn` would. On a
multi-node cluster `--out` must therefore be a path that every node mounts (NFS, a cloud file
system): the runs' checkpoints stay where a rerun looks for them, which is what lets an
interrupted grid resume, and nothing large travels through the driver.
"""

import pathlib
import socket
import time
from typing import Callable, Sequence

from sac_tf.distributed.ray_session import (check_resources, failure_message, ray_session,
                                            worker_runtime_env)
from sac_tf.errors import UserError
from sac_tf.run.jobs import GridJob, finished_message


def train_job(job: GridJob) -> tuple:
    """What a Ray task runs: `run_training` of one job; returns (last eval row, seconds)."""
    from sac_tf import tf_setup

    tf_setup.import_tensorflow_quietly()
    from sac_tf.deploy.run_policy import export_run_policy
    from sac_tf.run.loop import run_training

    runs = pathlib.Path(job.directory).parent
    if not runs.is_dir():
        raise UserError(f"{runs} does not exist on {socket.gethostname()}: a grid on a "
                        f"multi-node cluster needs --out on a file system every node mounts")
    start = time.perf_counter()
    result = run_training(job.config, job.directory, export=export_run_policy)
    return result, time.perf_counter() - start


def train_on_ray(jobs: Sequence[GridJob], log: Callable[[str], None], address: str,
                 cpus_per_run: float = 1.0, gpus_per_run: float = 0.0) -> None:
    """Trains `jobs` as parallel Ray tasks at `address`; logs each as it starts and ends.

    The first run that fails cancels the others (their checkpoints stay, so a rerun
    resumes them) and is raised as a `UserError` naming it. So does Ctrl-C, which ends
    the Ray session: unlike a run in turn, which saves a checkpoint where it was stopped,
    a run stopped here resumes from its last checkpoint (`compare` writes one at every
    evaluation).
    """
    if cpus_per_run <= 0 or gpus_per_run < 0:
        raise UserError(f"--ray_cpus_per_run must be positive and --ray_gpus_per_run not "
                        f"negative, got {cpus_per_run} and {gpus_per_run}")
    for job in jobs:  # on the driver: a node that cannot see them says so (`train_job`)
        pathlib.Path(job.directory).parent.mkdir(parents=True, exist_ok=True)
    with ray_session(address, "--ray_address") as ray:
        check_resources(ray, cpus_per_run, gpus_per_run,
                        "lower --ray_cpus_per_run or --ray_gpus_per_run")
        task = ray.remote(max_calls=1)(train_job).options(
            num_cpus=cpus_per_run, num_gpus=gpus_per_run, max_retries=0,
            runtime_env=worker_runtime_env(cpus_per_run, gpus_per_run))
        pending = {}
        for job in jobs:
            log(f"{job.label}: training to {job.config.num_steps:,} env steps in "
                f"{job.directory} (Ray task)")
            pending[task.remote(job)] = job
        while pending:
            (ready,), _ = ray.wait(list(pending), num_returns=1)
            job = pending.pop(ready)
            try:
                result, seconds = ray.get(ready)
            except ray.exceptions.RayError as error:
                for ref in pending:
                    ray.cancel(ref, force=True)
                raise UserError(f"{job.label} failed: {failure_message(error)}") from None
            log(finished_message(job, result, seconds))
