"""Where a training run's transitions come from: `LocalCollection` steps the run's vector env in
this process; `sac_tf.distributed.collection.RayCollection` gathers them from Ray actors.

Both stage what they collect into the run's `StagedWriter` and tell the loop how many env steps
that was; the loop then runs `updates_per_step` updates per staged env step.
"""

import math

import numpy as np

from sac_tf.core.acting import NumpyActFn
from sac_tf.core.drivers import EpisodeTracker, StepDriver, UniformRandomPolicy
from sac_tf.core.replay_buffer import StagedWriter


def block_vector_steps(config, step: int) -> int:
    """Vector steps of the block collected from env step `step` on: `config.train_every`,
    or fewer to end at the first multiple of `num_envs` at or past `num_steps`."""
    return min(config.train_every, math.ceil((config.num_steps - step) / config.num_envs))


class LocalCollection:
    """Collects blocks of `config.train_every` vector steps in this process.

    The block's policy is chosen at its start: uniform random before
    `config.learning_starts` env steps, the agent's exploration policy after.

    Args:
      state: the run's `RunState` (config, spec, agent).
      env: the run's vector env (`config.num_envs` copies).
      explore: the agent's compiled exploration actions.
      writer: the run's `StagedWriter` (any driver observer that keeps transitions).
      start_step: env steps already collected (0, or the checkpoint's on resume); seeds
        the env resets and the random policy, so a resumed run does not replay them.
    """

    def __init__(self, state, env, explore: NumpyActFn, writer: StagedWriter, start_step: int):
        config, spec = state.config, state.spec
        self.config, self.agent, self.explore = config, state.agent, explore
        self.random_policy = UniformRandomPolicy(spec.continuous_dim, seed=config.seed + start_step,
                                                 discrete_sizes=spec.discrete_sizes)
        self.episodes = EpisodeTracker(config.num_envs)
        self.driver = StepDriver(env, spec, self.random_policy,
                                 [writer, self.episodes, self.restart_exploration],
                                 seed=config.seed + start_step)
        self.agent.restart_exploration(np.ones(config.num_envs, bool))  # the driver reset every env

    @property
    def completed_returns(self) -> list:
        """Returns of the episodes finished so far, oldest first."""
        return self.episodes.completed_returns

    def collect(self, step: int) -> int:
        """Stages the next block, collected from env step `step` on; returns its env steps."""
        vector_steps = block_vector_steps(self.config, step)
        self.run_block(vector_steps, learning=step >= self.config.learning_starts)
        return vector_steps * self.config.num_envs

    def run_block(self, vector_steps: int, learning: bool) -> None:
        """Takes `vector_steps` steps with the exploration policy (`learning`) or the
        uniform random one."""
        self.driver.policy = self.explore if learning else self.random_policy
        self.driver.run(vector_steps)

    def restart_exploration(self, transition, episode_end: np.ndarray) -> None:
        """Driver observer: the envs whose episode ended start a new one (autoreset)."""
        if episode_end.any():
            self.agent.restart_exploration(episode_end)

    def learner_called(self) -> None:
        """The loop trained on what was staged; nothing to tell a local collection."""

    def close(self) -> None:
        """Nothing to release: the env belongs to the caller."""
