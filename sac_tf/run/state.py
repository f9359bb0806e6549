"""A run's trainable state: the one object the command line and the Python API train.

`RunState.create(config, spec)` seeds the process and makes the agent, replay
buffer, learner and counters; `RunState.restore(root_dir)` rebuilds them from a
run directory (`sac_tf.run.run_dir`) at its newest checkpoint; `save` writes a
checkpoint (`sac_tf.deploy.run_policy` exports the policy).
"""

import contextlib
import pathlib
from typing import NamedTuple, Optional

import keras
import ml_collections
import tensorflow as tf

from sac_tf.agents import make_agent
from sac_tf.agents.base import OffPolicyAgent
from sac_tf.core import nests
from sac_tf.core.augmentation import RandomShift
from sac_tf.core.frames import FrameReplayBuffer
from sac_tf.core.hindsight import GOAL_KEYS, HindsightState, HindsightWriter
from sac_tf.core.learner import Learner
from sac_tf.core.memory import require_free_memory
from sac_tf.core.precision import compile_choice, fuses_elementwise
from sac_tf.core.replay_buffer import ReplayBuffer, StagedWriter
from sac_tf.core.specs import EnvSpec
from sac_tf.errors import UserError
from sac_tf.run.checkpoints import Checkpointer
from sac_tf.run.run_dir import (CHECKPOINT_DIR, read_run_config, read_run_spec,
                                write_run_files)


def seed_globally(seed: int) -> None:
    """Seeds TensorFlow, Keras, Python and numpy, and makes TensorFlow's ops deterministic."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def n_step_settings(config: ml_collections.ConfigDict) -> dict:
    """The replay buffer's n-step arguments: `config.n_step`, the agent's γ and the rows per
    vector step (with `her`, windows stored by the hindsight writer); none for one-step
    runs (so they build today's buffer)."""
    n_step = config.get("n_step", 1)
    if n_step == 1:
        return {}
    return dict(n_step=n_step, gamma=config[config.agent].gamma, num_envs=config.num_envs,
                stored_windows=bool(config.get("her")))


@contextlib.contextmanager
def buffer_memory_errors(capacity: int):
    """Turns running out of memory for the replay buffer (`sac_tf.core.memory`'s check, or
    TensorFlow's allocator after it) into a `UserError` asking for a smaller capacity."""
    advice = "lower buffer_capacity (--config.buffer_capacity)"
    try:
        yield
    except MemoryError as error:
        raise UserError(f"{error}: {advice}") from None
    except tf.errors.ResourceExhaustedError:  # memory taken between the check and the zeros
        raise UserError(f"TensorFlow ran out of memory allocating the replay buffer "
                        f"({capacity:,} transitions): {advice}") from None


def make_replay_buffer(config: ml_collections.ConfigDict, spec: EnvSpec) -> ReplayBuffer:
    """The run's replay buffer: a `FrameReplayBuffer` for image observations (frames stored
    once, `config.frame_stack` per image), else a `ReplayBuffer` (n-step windows with
    `config.n_step > 1`).

    Raises:
      UserError: for image observations with `n_step > 1` or `her`, or a buffer larger
        than the free memory (`sac_tf.core.memory`).
    """
    images = nests.image_specs(spec.observation_nest)
    if images and (config.get("n_step", 1) > 1 or config.get("her")):
        raise UserError("image observations work with n_step=1 and without her")
    with buffer_memory_errors(config.buffer_capacity):
        if images:
            return FrameReplayBuffer(spec.observation_nest, spec.action_dim,
                                     config.buffer_capacity, seed=config.seed + 1,
                                     frame_stack=config.frame_stack, num_envs=config.num_envs)
        return ReplayBuffer(spec.observation_nest or spec.observation_dim, spec.action_dim,
                            config.buffer_capacity, seed=config.seed + 1,
                            **n_step_settings(config))


def image_augmentation(config: ml_collections.ConfigDict, spec: EnvSpec):
    """DrQ's random shift of the image leaves by up to `config.image_shift` pixels (seeded
    with `seed + 3`), or None (no shift, or no image leaf)."""
    images = [leaf.name for leaf in nests.image_specs(spec.observation_nest)]
    if not config.get("image_shift", 0) or not images:
        return None
    return RandomShift(images, nests.leaf_names(spec.observation_nest), config.image_shift,
                       seed=config.seed + 3)


class RunState(NamedTuple):
    """The trainable state of a run, with the config and spec it was built from.

    Attributes:
      config: the run's config.
      spec: the environment's `EnvSpec`.
      agent: the agent being trained.
      replay_buffer: its replay buffer (actions stored in [-1, 1]); None when
        restored for export only.
      learner: fused (sample, update) calls on the two; None without a buffer.
      env_step: int64 variable, env steps collected so far (transitions added).
      wall_s: float64 variable, seconds of training so far.
      hindsight: with `config.her`, the checkpointed part of hindsight relabelling (the
        episodes in progress, the goal generator); else None.
    """

    config: ml_collections.ConfigDict
    spec: EnvSpec
    agent: OffPolicyAgent
    replay_buffer: Optional[ReplayBuffer]
    learner: Optional[Learner]
    env_step: tf.Variable
    wall_s: tf.Variable
    hindsight: Optional[HindsightState] = None

    @classmethod
    def create(cls, config: ml_collections.ConfigDict, spec: EnvSpec,
               with_replay_buffer: bool = True, preprocessing_layers=None) -> "RunState":
        """Seeds the process with `config.seed` and builds a run's state at step 0
        (`preprocessing_layers`: the Python API's Keras encoders, see `make_agent`).

        Raises:
          UserError: with `config.her` for observations without `GOAL_KEYS`.
        """
        seed_globally(config.seed)
        hindsight = None
        if config.get("her"):
            if not (spec.is_nested and isinstance(spec.observation_nest, dict)
                    and set(GOAL_KEYS) <= set(spec.observation_nest)):
                raise UserError(f"hindsight relabelling (her) needs a Dict observation with "
                                f"keys {list(GOAL_KEYS)}")
            hindsight = HindsightState(spec.observation_nest, spec.action_dim, config.seed + 2)
        agent = make_agent(config, spec, preprocessing_layers)
        replay_buffer = learner = None
        if with_replay_buffer:
            replay_buffer = make_replay_buffer(config, spec)
            learner = Learner(agent, replay_buffer, config.batch_size,
                              compile_choice(config, spec)[0],
                              augment=image_augmentation(config, spec),
                              fuse_elementwise=fuses_elementwise(config))
        return cls(config, spec, agent, replay_buffer, learner,
                   env_step=tf.Variable(0, dtype=tf.int64, trainable=False, name="env_step"),
                   wall_s=tf.Variable(0.0, dtype=tf.float64, trainable=False, name="wall_s"),
                   hindsight=hindsight)

    @classmethod
    def restore(cls, root_dir, with_replay_buffer: bool = True) -> "RunState":
        """The run saved in `root_dir`, at its newest checkpoint.

        Raises:
          UserError: for a directory without a run or without a readable checkpoint.
        """
        config = read_run_config(root_dir)
        return cls.restore_from(root_dir, config, read_run_spec(root_dir, config),
                                with_replay_buffer)

    @classmethod
    def restore_from(cls, root_dir, config: ml_collections.ConfigDict, spec: EnvSpec,
                     with_replay_buffer: bool = True, preprocessing_layers=None) -> "RunState":
        """`restore` with the run's config and spec already read (`read_run_config`,
        `read_run_spec`), for a caller that checks them before anything is built."""
        state = cls.create(config, spec, with_replay_buffer, preprocessing_layers)
        if state.replay_buffer is not None:  # loading holds the saved values beside the buffer
            with buffer_memory_errors(config.buffer_capacity):
                require_free_memory(state.replay_buffer.storage_bytes,
                                    "loading the replay buffer from its checkpoint")
        checkpointer = state.checkpointer(root_dir)
        if not checkpointer.restore_latest():
            raise UserError(f"no checkpoint in {checkpointer.directory} to restore")
        if state.replay_buffer is not None:  # the restored run restarts its envs
            state.replay_buffer.end_newest_episodes()
        return state

    def staged_writer(self, goal_functions=None) -> StagedWriter:
        """A `StagedWriter` into the replay buffer that shows the agent what it writes
        (`OffPolicyAgent.record_collected`: the observation statistics); with `config.her`
        a `HindsightWriter` relabelling with `goal_functions`, the env's
        (compute_reward, compute_terminated) (`sac_tf.envs.goals.goal_functions`)."""
        if self.hindsight is None:
            return StagedWriter(self.replay_buffer, on_write=self.agent.record_collected)
        if goal_functions is None:
            raise UserError("hindsight relabelling (her) needs the env's compute_reward")
        compute_reward, compute_terminated = goal_functions
        return HindsightWriter(self.replay_buffer, self.hindsight, compute_reward,
                               self.config.her_goals_per_transition, self.config.num_envs,
                               on_write=self.agent.record_collected,
                               compute_terminated=compute_terminated)

    def checkpointer(self, root_dir) -> Checkpointer:
        """A `Checkpointer` of everything here under `ROOT/checkpoints/`."""
        items = dict(agent=self.agent, env_step=self.env_step, wall_s=self.wall_s)
        if self.replay_buffer is not None:
            items["replay_buffer"] = self.replay_buffer
            if self.learner.augment is not None:
                items["image_shift"] = self.learner.augment
            if self.hindsight is not None:
                items["hindsight"] = self.hindsight
        return Checkpointer(pathlib.Path(root_dir) / CHECKPOINT_DIR, **items)

    def save(self, root_dir) -> str:
        """Writes `config.json`, `env_spec.json` and a checkpoint numbered by the env step.

        Returns:
          The checkpoint's path prefix, `ROOT/checkpoints/ckpt-{env_step}`.
        """
        pathlib.Path(root_dir).mkdir(parents=True, exist_ok=True)
        write_run_files(root_dir, self.config, self.spec)
        return self.checkpointer(root_dir).save(int(self.env_step))
