"""The training loop: collect → train → log → evaluate → checkpoint, resumable.

`run_training(config, root_dir, export=...)` is what `python -m sac_tf.train` runs; other
commands (`sac_tf.compare`, `sac_tf.tune`) and tests call it directly.
"""

import contextlib
import pathlib
import sys
import time
from typing import Callable, Optional, Sequence

import ml_collections
import numpy as np

from sac_tf.config import env_kwargs, validate
from sac_tf.core.acting import CompiledActions
from sac_tf.core.episodes import return_statistics, run_episodes
from sac_tf.core.frames import FrameReplayBuffer
from sac_tf.core.hindsight import GOAL_KEYS
from sac_tf.core.precision import bfloat16_warning, compile_choice
from sac_tf.envs.goals import goal_functions
from sac_tf.envs.making import check_env, env_spec, make_vector_env
from sac_tf.errors import UserError
from sac_tf.run.callbacks import EvaluationCallback, config_callbacks
from sac_tf.run.collection import LocalCollection
from sac_tf.run.logs import CsvLog, LongRunNotice, TensorBoardLog, progress_bar, read_csv
from sac_tf.run.run_dir import EVAL_LOG, POLICY_DIR, TENSORBOARD_DIR, TRAIN_LOG, write_run_files
from sac_tf.run.state import RunState
from sac_tf.run.stop_requests import Interrupted, StopRequests

EVAL_FIELDS = ("env_step", "return_mean", "return_std", "return_min", "return_max", "wall_s")
TRAIN_FIELDS = ("env_step", "wall_s", "steps_per_s", "episode_return", "loss")
#: Seed offset of the evaluation episodes (episode i resets with config.seed + offset + i).
EVAL_SEED_OFFSET = 1_000_000
#: Writes a policy of a run's state to a directory (`sac_tf.deploy.run_policy`).
Export = Callable[[RunState, pathlib.Path], object]


def success_rate(final_infos) -> float:
    """Mean of `is_success` (Fetch) or `success` (PointMaze) over episodes' last infos; NaN
    where an env reports neither."""
    values = [info.get("is_success", info.get("success")) for info in final_infos]
    return float("nan") if None in values else float(np.mean(np.asarray(values, float)))


def crossed(interval: int, before: int, after: int) -> bool:
    """Whether a multiple of `interval` lies in `(before, after]`."""
    return after // interval > before // interval


def run_training(config: ml_collections.ConfigDict, root_dir, collectors=None,
                 callbacks: Sequence[EvaluationCallback] = (), export: Optional[Export] = None
                 ) -> dict:
    """Trains `config.agent` on `config.env_id`, resuming from `root_dir` if it holds a run.

    With `export` (the entry points pass `sac_tf.deploy.run_policy.export_run_policy`),
    writes the final policy to `root_dir/policy` and, with `keep_best`, the best one.

    Args:
      collectors: a source of remote collection to collect with instead of stepping the
        envs in this process (`sac_tf.distributed.collection.RayCollectionSource`: its
        `cluster()` is opened before anything is written, its `make(state, writer, step)`
        feeds the loop), or None.
      callbacks: called with each evaluation's row after the config's own (`keep_best`,
        `stop_at_return`); one returning False ends the run (`sac_tf.run.callbacks`).

    Returns:
      The last evaluation row (`eval.csv` columns), with `stopped_early: True` when a
      callback ended the run before `num_steps`.

    Raises:
      Interrupted: after a SIGINT or SIGTERM, once the step it landed in has written
        its logs and evaluation and a checkpoint is saved.
    """
    validate(config)
    if config.get("keep_best") and export is None:
        raise ValueError("keep_best exports the best policy: pass run_training an export")
    kwargs = env_kwargs(config)
    check_env(config.env_id, kwargs)
    env = make_vector_env(config.env_id, config.num_envs, kwargs) if collectors is None else None
    eval_env = make_vector_env(config.env_id, config.eval_episodes, kwargs)
    goals = goal_functions(eval_env) if config.get("her") else None
    if goals is not None and collectors is not None:
        raise UserError("hindsight relabelling (her) runs with local collection: drop "
                        "--collectors")
    state = RunState.create(config, env_spec(env or eval_env))
    if collectors is not None and isinstance(state.replay_buffer, FrameReplayBuffer):
        raise UserError("image observations run with local collection (their frame stacks "
                        "follow each env's steps): drop --collectors")
    with contextlib.ExitStack() as cluster:
        if collectors is not None:  # connected and checked before anything is written
            cluster.enter_context(collectors.cluster())
        root_dir = pathlib.Path(root_dir)
        root_dir.mkdir(parents=True, exist_ok=True)  # only once the run can start
        last_eval = TrainingLoop(state, env, eval_env, root_dir, collectors, goals,
                                 callbacks, export).run()
    if export is not None:
        export(state, root_dir / POLICY_DIR)
    return last_eval


class TrainingLoop:
    """One run's loop over blocks of collected env steps.

    Each block: collect (`LocalCollection`: `config.train_every` vector steps
    with the random policy before `learning_starts`, the exploration policy
    after; or a chunk from a Ray collector), then `updates_per_step` fused
    learner updates per env step collected; then the block's train.csv row,
    evaluation and checkpoint when their intervals are crossed. Restores the
    newest checkpoint under `root_dir` first.

    Args:
      env: the vector env to collect in, or None with `collectors`.
      collectors: a remote collection source (see `run_training`), or None to collect
        locally.
      goals: with `config.her`, the env's (compute_reward, compute_terminated).
      callbacks: evaluation callbacks after the config's own (see `run_training`).
      export: writes a policy of `state` to a directory (`keep_best`'s), or None.
    """

    def __init__(self, state: RunState, env, eval_env, root_dir: pathlib.Path, collectors=None,
                 goals=None, callbacks: Sequence[EvaluationCallback] = (),
                 export: Optional[Export] = None):
        self.state, self.config, self.root_dir = state, state.config, root_dir
        self.export = export
        self.eval_env = eval_env
        self.checkpointer = state.checkpointer(root_dir)
        if self.checkpointer.restore_latest():
            print(f"Resuming from checkpoint {self.checkpointer.latest} at env step "
                  f"{int(state.env_step)}.", flush=True)
            state.replay_buffer.end_newest_episodes()  # the collection restarts every env
        write_run_files(root_dir, state.config, state.spec)
        config, spec, agent = self.config, state.spec, state.agent
        self.step = int(state.env_step)
        self.train_log = CsvLog(root_dir / TRAIN_LOG, TRAIN_FIELDS + agent.metric_names,
                                self.step)
        # goal-conditioned envs report info["is_success"]: its rate gets its own column
        self.goal_task = spec.is_nested and set(GOAL_KEYS) <= set(spec.observation_nest)
        self.eval_log = CsvLog(root_dir / EVAL_LOG,
                               EVAL_FIELDS + ("success_rate",) * self.goal_task, self.step)
        self.tensorboard = TensorBoardLog(root_dir / TENSORBOARD_DIR)
        xla, why = compile_choice(config, spec)
        precision = config.get("precision", "float32")
        print(f"Learner and policy compiled {'with XLA' if xla else 'as TensorFlow graphs'} "
              f"({why}); networks compute in {precision}.", flush=True)
        if warning := bfloat16_warning(precision, xla):
            print(f"warning: {warning}.", file=sys.stderr, flush=True)
        self.actions = CompiledActions.of(agent, spec.observation_specs, xla)
        self.writer = state.staged_writer(goals)
        if collectors is None:
            self.collection = LocalCollection(state, env, self.actions.explore, self.writer,
                                              self.step)
            if goals is not None:  # the collection reset every env: episodes cut there end
                self.writer.end_all_episodes()
        else:
            self.collection = collectors.make(state, self.writer, self.step)
        self.elapsed_s = float(state.wall_s.numpy())
        earlier = [row["return_mean"] for row in read_csv(root_dir / EVAL_LOG)
                   if row["env_step"] <= self.step] if (root_dir / EVAL_LOG).exists() else []
        self.callbacks = config_callbacks(config, root_dir, self.export_policy, earlier)
        self.callbacks += list(callbacks)
        self.stopped = self.step < config.num_steps and any(
            getattr(callback, "reached", lambda: False)() for callback in self.callbacks)

    def run(self) -> dict:
        """Trains to `config.num_steps`; returns the last evaluation row."""
        config = self.config
        last_eval = None
        clock = time.perf_counter()
        self.interval_start = (clock, self.step)
        bar = progress_bar(config.num_steps, self.step, f"{config.agent} {config.env_id}")
        self.notice = LongRunNotice(config, self.step,
                                    lambda line: bar.write(line, file=sys.stdout))
        with StopRequests() as stop, contextlib.closing(bar), \
                contextlib.closing(self.collection):
            while self.step < config.num_steps and not self.stopped:
                before = self.step
                info = self.collect_and_train()
                now = time.perf_counter()
                self.elapsed_s += now - clock
                clock = now
                bar.update(self.step - before)
                if crossed(config.log_interval, before, self.step):
                    self.log_training(info, now, bar)
                finished = self.step >= config.num_steps  # a last vector step may pass it
                if crossed(config.eval_interval, before, self.step) or finished:
                    last_eval = self.evaluate()
                    bar.set_postfix(eval=f"{last_eval['return_mean']:.1f}")
                    self.stopped = self.call_back(last_eval) and not finished
                if (crossed(config.checkpoint_interval, before, self.step) or finished
                        or stop.requested or self.stopped):
                    self.save()
                if stop.requested and not finished:
                    raise Interrupted(f"interrupted at env step {self.step}; its checkpoint is "
                                      f"saved: rerun the same command to resume", stop.requested)
        if self.stopped:
            print(f"Stopped early at env step {self.step:,} of {config.num_steps:,}: an "
                  f"evaluation callback ended the run.", flush=True)
            return {**(last_eval or self.final_evaluation_of_a_finished_run()),
                    "stopped_early": True}
        return last_eval or self.final_evaluation_of_a_finished_run()

    def call_back(self, row: dict) -> bool:
        """Calls every evaluation callback with `row`; whether one asked to stop."""
        answers = [callback(dict(row)) for callback in self.callbacks]
        return any(answer is False for answer in answers)

    def export_policy(self, output_dir: pathlib.Path) -> None:
        """Exports the current policy to `output_dir`, with the current env step."""
        self.state.env_step.assign(self.step)
        self.export(self.state, output_dir)

    def collect_and_train(self):
        """One block of env steps, then its updates; returns their last `LossInfo` or None."""
        added = self.collection.collect(self.step)
        self.step += added
        if self.step < self.config.learning_starts:
            return None
        self.writer.flush()
        if int(self.state.replay_buffer.size) == 0:  # HER n-step: rows wait for episode ends
            return None
        info = self.state.learner.run(added * self.config.updates_per_step)
        self.collection.learner_called()
        self.check_finite(info.loss.numpy())
        return info

    def check_finite(self, loss) -> None:
        """Raises `UserError` for a non-finite loss, naming the checkpoint that is kept."""
        if np.isfinite(loss):
            return
        latest = self.checkpointer.latest
        kept = (f"the last checkpoint ({latest}) is kept" if latest
                else "no checkpoint had been written yet")
        raise UserError(f"training diverged: non-finite loss at env step {self.step}; "
                        f"{kept}; lower the learning rates")

    def log_training(self, info, now: float, bar) -> None:
        """Writes a train.csv and TensorBoard row: speed, last episode return, losses."""
        steps_per_s = (self.step - self.interval_start[1]) / max(now - self.interval_start[0],
                                                                 1e-9)
        self.interval_start = (now, self.step)
        completed = self.collection.completed_returns
        row = dict(env_step=self.step, wall_s=self.elapsed_s, steps_per_s=steps_per_s,
                   episode_return=completed[-1] if completed else None)
        if info is not None:
            self.notice.measured(self.step, steps_per_s)
            row["loss"] = float(info.loss)
            row.update({name: float(value) for name, value in info.extra.items()})
        self.train_log.write(row)
        self.tensorboard.write("train", self.step, {**row, **self.state.agent.learning_rates()})
        bar.set_postfix(sps=f"{steps_per_s:.0f}", ret=row["episode_return"])

    def evaluate(self) -> dict:
        """Runs `eval_episodes` deterministic episodes; writes and returns their eval.csv row."""
        spec, greedy = self.state.spec, self.actions.greedy
        def act(observation):
            return spec.env_action(np.asarray(greedy(observation), np.float32))

        final_infos = [] if self.goal_task else None
        returns = run_episodes(self.eval_env, act, seed=self.config.seed + EVAL_SEED_OFFSET,
                               final_infos=final_infos)
        row = dict(env_step=self.step, **return_statistics(returns), wall_s=self.elapsed_s)
        if self.goal_task:
            row["success_rate"] = success_rate(final_infos)
        self.eval_log.write(row)
        self.tensorboard.write("eval", self.step, row)
        return row

    def save(self) -> None:
        """Writes staged transitions, the counters and a checkpoint."""
        self.writer.flush()
        self.state.env_step.assign(self.step)
        self.state.wall_s.assign(self.elapsed_s)
        self.checkpointer.save(self.step)

    def final_evaluation_of_a_finished_run(self) -> dict:
        """A rerun of a run that had already finished: its last evaluation stands."""
        path = self.root_dir / EVAL_LOG
        rows = read_csv(path) if path.exists() else []
        if rows and rows[-1]["env_step"] == self.step:
            return {**rows[-1], "env_step": self.step}
        return self.evaluate()
