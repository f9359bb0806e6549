"""Connecting to Ray, and what every Ray worker of sac_tf is started with.

`address` is `local` (a new Ray instance on this machine, shut down afterwards),
`auto` (the cluster this machine belongs to) or a cluster's `host:port`.
"""

import contextlib
import logging
import re
from typing import NamedTuple, Optional

from sac_tf.errors import UserError, first_line

#: A local Ray instance's settings: workers at normal CPU priority (Ray's default niceness of 15
#: lets any other process on the machine, another training run say, starve them).
LOCAL_SYSTEM_CONFIG = {"worker_niceness": 0}

#: How to get Ray, in the one-line message of a command that needs it.
INSTALL_HINT = 'pip install -e ".[ray]" (Ray is an optional extra)'


class CollectorSettings(NamedTuple):
    """How `python -m sac_tf.train --collectors=K` collects.

    Attributes:
      num_collectors: K, Ray actors each stepping its own `config.num_envs` envs.
      address: the Ray cluster (see the module docstring).
      cpus_per_collector: CPUs each collector reserves on the cluster (fractions allowed:
        a collector waiting on a slow simulator needs little CPU).
      weight_sync_interval: learner calls between two broadcasts of the actor's weights.
    """

    num_collectors: int
    address: str = "local"
    cpus_per_collector: float = 1.0
    weight_sync_interval: int = 1

    def validate(self) -> None:
        """Raises `UserError` for settings that cannot run."""
        if self.num_collectors < 1:
            raise UserError(f"--collectors must be at least 1, got {self.num_collectors}")
        if not self.cpus_per_collector > 0:
            raise UserError(f"--collector_cpus must be positive, got {self.cpus_per_collector}")
        if self.weight_sync_interval < 1:
            raise UserError(f"--weight_sync_interval must be at least 1, got "
                            f"{self.weight_sync_interval}")


def import_ray(what: str):
    """The `ray` module; `UserError` naming `what` needs it and how to install it, if missing."""
    try:
        import ray
    except ImportError:
        raise UserError(f"{what} needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


@contextlib.contextmanager
def ray_session(address: str, what: str, runtime_env: Optional[dict] = None):
    """Connected to Ray at `address` inside the block (`what`: the flag that asked, for
    messages), with `runtime_env` for every worker if given. A session that was already
    connected (tests, a user's own script) is used as it is and left open; one started
    here is shut down at the end."""
    ray = import_ray(what)
    if ray.is_initialized():
        yield ray
        return
    options = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                   runtime_env=runtime_env)
    try:
        if address == "local":
            ray.init(**options, _system_config=LOCAL_SYSTEM_CONFIG)
        else:
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise UserError(f"cannot connect to the Ray cluster at {address!r} ({what}): "
                        f"{first_line(error)}") from None
    try:
        yield ray
    finally:
        ray.shutdown()


def worker_runtime_env(cpus: float, gpus: float = 0.0) -> dict:
    """The `runtime_env` of a worker that reserves `cpus` CPUs and `gpus` GPUs: TensorFlow's
    thread pools sized to the CPUs (it would otherwise start one thread per core of the node
    per worker), its native start-up logs off, and the GPUs hidden from a worker that
    reserved none (Ray 2.60 no longer does that, and TensorFlow takes a visible GPU's whole
    memory) or grown on demand when it reserved a share of one."""
    env_vars = {"TF_NUM_INTRAOP_THREADS": str(max(1, int(cpus))), "TF_NUM_INTEROP_THREADS": "1",
                "TF_CPP_MIN_LOG_LEVEL": "1"}
    if gpus == 0:
        env_vars["CUDA_VISIBLE_DEVICES"] = ""
    elif gpus < 1:
        env_vars["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
    return {"env_vars": env_vars}


def check_resources(ray, cpus: float, gpus: float, advice: str) -> None:
    """Raises `UserError` when the cluster has fewer than `cpus` CPUs or `gpus` GPUs in all
    (Ray would wait for them forever, silently); `advice` says which flags to lower."""
    resources = ray.cluster_resources()
    for name, needed in (("CPU", cpus), ("GPU", gpus)):
        available = resources.get(name, 0.0)
        if needed > available:
            raise UserError(f"this needs {needed:g} {name}s and the Ray cluster has "
                            f"{available:g}: {advice}")


def cause_of(error: BaseException) -> BaseException:
    """The exception a Ray task or actor raised, from the `RayTaskError` that carries it."""
    return getattr(error, "cause", None) or error


ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
#: The last line of a Python traceback: `module.Name(Error|Exception): message`.
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception)\b.*")


def failure_message(error: BaseException) -> str:
    """One line for what a Ray task or actor raised: a `UserError`'s message as it is,
    another exception's type and first line; for an actor whose `__init__` failed (Ray
    keeps only the text of it), the traceback's last exception line. Ray's terminal
    colours are taken out."""
    cause = cause_of(error)
    if getattr(cause, "actor_init_failed", False):
        lines = [line.strip() for line in ANSI_COLOUR.sub("", str(cause)).splitlines()]
        raised = [line for line in lines if EXCEPTION_LINE.match(line)]
        text = raised[-1] if raised else first_line(cause)
        text = text.removeprefix(f"{UserError.__module__}.{UserError.__name__}: ")
    elif isinstance(cause, UserError):
        text = str(cause)
    else:
        text = f"{type(cause).__name__}: {first_line(cause)}"
    return ANSI_COLOUR.sub("", text)
