"""The training loop: collect → train → evaluate → checkpoint, resumable.

`run_training(config, root_dir)` is what `python -m sac_tf.train` runs; other
commands (`sac_tf.compare`) and tests call it directly.
"""

import contextlib
import math
import pathlib
import re
import time

import ml_collections
import numpy as np

from sac_tf.run.state import build_components, write_run_files
from sac_tf.config import env_kwargs
from sac_tf.core.drivers import EpisodeTracker, StepDriver, UniformRandomPolicy, run_episodes
from sac_tf.envs.making import check_env, env_spec, make_vector_env
from sac_tf.errors import UserError
from sac_tf.run.logs import CsvLog, TensorBoardLog, progress_bar, read_csv
from sac_tf.core.policies import numpy_policy
from sac_tf.core.replay_buffer import StagedWriter
from sac_tf.deploy.saved_policy import export_policy
from sac_tf.run.stop_requests import Interrupted, StopRequests

EVAL_FIELDS = ("env_step", "return_mean", "return_std", "return_min", "return_max", "wall_s")
TRAIN_FIELDS = ("env_step", "wall_s", "steps_per_s", "episode_return", "loss")

def validate(config: ml_collections.ConfigDict) -> None:
    """Raises `UserError` for settings that cannot run."""
    positive = ("num_steps", "num_envs", "train_every", "updates_per_step", "batch_size",
                "buffer_capacity", "eval_interval", "eval_episodes", "log_interval",
                "checkpoint_interval")
    for name in positive:
        if config[name] < 1:
            raise UserError(f"{name} must be at least 1, got {config[name]}")
    if config.learning_starts < 0:
        raise UserError(f"learning_starts must be >= 0, got {config.learning_starts}")
    if not 0 <= config.seed < 2**32:
        raise UserError(f"seed must be in [0, 2**32), got {config.seed}")
    section = config.get(config.agent, {})
    hidden_sizes = section.get("hidden_sizes")
    if "hidden_sizes" in section and not (
            isinstance(hidden_sizes, (tuple, list)) and hidden_sizes
            and all(isinstance(width, int) and width >= 1 for width in hidden_sizes)):
        raise UserError(f"{config.agent}.hidden_sizes must be a tuple of layer widths ≥ 1, "
                        f"such as (256, 256); got {hidden_sizes!r}")


def default_root_dir(config: ml_collections.ConfigDict) -> str:
    """`runs/{agent}_{env}_seed{seed}`, with any character of the env id other than
    letters, digits, `.` and `-` (the `/` of a namespace, the `:` of an import path)
    made `_`, so that the run is one folder."""
    env = re.sub(r"[^\w.-]", "_", config.env_id)
    return f"runs/{config.agent}_{env}_seed{config.seed}"


def crossed(interval: int, before: int, after: int) -> bool:
    """Whether a multiple of `interval` lies in `(before, after]`."""
    return after // interval > before // interval


def run_training(config: ml_collections.ConfigDict, root_dir) -> dict:
    """Trains `config.agent` on `config.env_id`, resuming from `root_dir` if it holds a run.

    Exports the final policy to `root_dir/policy` (see `sac_tf.deploy.saved_policy`).

    Returns:
      The last evaluation row (`eval.csv` columns).

    Raises:
      Interrupted: after a SIGINT or SIGTERM, once the step it landed in has written
        its logs and evaluation and a checkpoint is saved.
    """
    validate(config)
    kwargs = env_kwargs(config)
    check_env(config.env_id, kwargs)
    env = make_vector_env(config.env_id, config.num_envs, kwargs)
    eval_env = make_vector_env(config.env_id, config.eval_episodes, kwargs)
    spec = env_spec(env)
    components = build_components(config, spec)
    agent, replay_buffer, learner, env_step, wall_s = components
    root_dir = pathlib.Path(root_dir)
    root_dir.mkdir(parents=True, exist_ok=True)  # only once the run can start
    checkpointer = components.checkpointer(root_dir)
    if checkpointer.restore_latest():
        print(f"Resuming from checkpoint {checkpointer.latest} at env step {int(env_step)}.",
              flush=True)
    write_run_files(root_dir, config, spec)

    step = int(env_step)
    train_log = CsvLog(root_dir / "train.csv", TRAIN_FIELDS + agent.metric_names, step)
    eval_log = CsvLog(root_dir / "eval.csv", EVAL_FIELDS, step)
    tensorboard = TensorBoardLog(root_dir / "tensorboard")

    explore = numpy_policy(agent.explore_action, spec.observation_dim, config.jit_compile)
    greedy = numpy_policy(agent.greedy_action, spec.observation_dim, config.jit_compile)
    random_policy = UniformRandomPolicy(spec.continuous_dim, seed=config.seed + step,
                                        discrete_sizes=spec.discrete_sizes)
    episodes = EpisodeTracker(config.num_envs)
    writer = StagedWriter(replay_buffer)
    driver = StepDriver(env, spec, random_policy, [writer, episodes],
                        seed=config.seed + step)

    def evaluate() -> dict:
        returns = run_episodes(eval_env, spec, greedy,
                               seed=config.seed + 1_000_000)
        row = dict(env_step=step, return_mean=float(np.mean(returns)),
                   return_std=float(np.std(returns)), return_min=float(np.min(returns)),
                   return_max=float(np.max(returns)), wall_s=elapsed_s)
        eval_log.write(row)
        tensorboard.write("eval", step, row)
        return row

    def save():
        writer.flush()
        env_step.assign(step)
        wall_s.assign(elapsed_s)
        checkpointer.save(step)

    last_eval = None
    elapsed_s = float(wall_s.numpy())
    clock = time.perf_counter()
    interval_start = (clock, step)
    bar = progress_bar(config.num_steps, step, f"{config.agent} {config.env_id}")
    with StopRequests() as stop, contextlib.closing(bar):
        while step < config.num_steps:
            vector_steps = min(config.train_every,
                               math.ceil((config.num_steps - step) / config.num_envs))
            driver.policy = random_policy if step < config.learning_starts else explore
            driver.run(vector_steps)
            before, step = step, step + vector_steps * config.num_envs
            info = None
            if step >= config.learning_starts:
                writer.flush()
                info = learner.run(vector_steps * config.num_envs * config.updates_per_step)
                if not np.isfinite(info.loss.numpy()):
                    kept = (f"the last checkpoint ({checkpointer.latest}) is kept"
                            if checkpointer.latest else "no checkpoint had been written yet")
                    raise UserError(f"training diverged: non-finite loss at env step {step}; "
                                    f"{kept}; lower the learning rates")
            now = time.perf_counter()
            elapsed_s += now - clock
            clock = now
            bar.update(step - before)

            if crossed(config.log_interval, before, step):
                steps_per_s = (step - interval_start[1]) / max(now - interval_start[0], 1e-9)
                interval_start = (now, step)
                row = dict(env_step=step, wall_s=elapsed_s, steps_per_s=steps_per_s,
                           episode_return=(episodes.completed_returns[-1]
                                           if episodes.completed_returns else None))
                if info is not None:
                    row["loss"] = float(info.loss)
                    row.update({name: float(value) for name, value in info.extra.items()})
                train_log.write(row)
                tensorboard.write("train", step, row)
                bar.set_postfix(sps=f"{steps_per_s:.0f}", ret=row["episode_return"])
            finished = step >= config.num_steps  # a last vector step may pass num_steps
            if crossed(config.eval_interval, before, step) or finished:
                last_eval = evaluate()
                bar.set_postfix(eval=f"{last_eval['return_mean']:.1f}")
            if crossed(config.checkpoint_interval, before, step) or finished or stop.requested:
                save()
            if stop.requested and not finished:
                raise Interrupted(f"interrupted at env step {step}; its checkpoint is saved: "
                                  f"rerun the same command to resume", stop.requested)
    if last_eval is None:  # resumed a run that had already finished: its evaluation stands
        rows = read_csv(root_dir / "eval.csv") if (root_dir / "eval.csv").exists() else []
        last_eval = ({**rows[-1], "env_step": step} if rows and rows[-1]["env_step"] == step
                     else evaluate())
    export_policy(agent, spec, root_dir / "policy", env_id=config.env_id,
                  agent_name=config.agent, train_step=step, env_kwargs=kwargs)
    return last_eval


