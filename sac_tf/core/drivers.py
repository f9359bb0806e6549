"""`StepDriver`: runs a policy in a vector env and hands each step to observers."""

from typing import Callable, Sequence

import gymnasium as gym
import numpy as np
import tensorflow as tf

from sac_tf.core import nests
from sac_tf.core.specs import EnvSpec
from sac_tf.core.types import Transition

#: observations `[n_envs, obs_dim]` (or a nest of `[n_envs, ...]` leaves) → flat agent actions `[n_envs, act_dim]` in [-1, 1]
#: (with one-hot discrete parts for hybrid action spaces, see `EnvSpec`).
AgentActFn = Callable[[np.ndarray], np.ndarray]
#: called with each step's `Transition` (numpy, `[n_envs]` leading) and its
#: `episode_end` mask `[n_envs]` (terminated or truncated).
Observer = Callable[[Transition, np.ndarray], None]


class UniformRandomPolicy:
    """Uniform actions in [-1, 1], from a seeded numpy generator.

    With `discrete_sizes` (hybrid action spaces) each discrete head gets a
    uniformly drawn category, one-hot, after the `continuous_dim` uniform values.
    """

    def __init__(self, continuous_dim: int, seed: int, discrete_sizes: Sequence[int] = ()):
        self.continuous_dim = continuous_dim
        self.discrete_sizes = tuple(discrete_sizes)
        self._rng = np.random.default_rng(seed)

    def __call__(self, observation: np.ndarray) -> np.ndarray:
        batch = nests.batch_size(observation)
        parts = [self._rng.uniform(-1.0, 1.0, (batch, self.continuous_dim))]
        parts += [np.eye(size)[self._rng.integers(size, size=batch)]
                  for size in self.discrete_sizes]
        return np.concatenate(parts, axis=-1).astype(np.float32)


class StepDriver:
    """Steps a same-step-autoreset vector env with `policy`, feeding observers.

    Time-limit truncation is not termination: a truncated step is stored with
    `terminated = 0` and its real final observation, so the agent bootstraps.
    Nested observations (`Dict`/`Tuple` spaces) pass through as nests of float32 leaves.

    Args:
      env: a `gym.vector.VectorEnv` with `AutoresetMode.SAME_STEP`.
      spec: its `EnvSpec` (for action scaling).
      policy: the policy to act with; replace `driver.policy` to switch.
      observers: called after every vector step.
      seed: seed of the first reset.
    """

    def __init__(self, env: gym.vector.VectorEnv, spec: EnvSpec, policy: AgentActFn,
                 observers: Sequence[Observer], seed: int):
        self.env = env
        self.policy = policy
        self.observers = list(observers)
        self._spec = spec
        self._observation, _ = env.reset(seed=seed)

    def run(self, num_steps: int) -> None:
        """Takes `num_steps` vector steps (`num_steps × num_envs` env steps)."""
        for _ in range(num_steps):
            observation = nests.as_leaf_dtypes(self._observation)
            action = np.asarray(self.policy(observation), np.float32)
            next_observation, reward, terminated, truncated, info = self.env.step(
                self._spec.env_action(action))
            episode_end = np.logical_or(terminated, truncated)
            stored_next = nests.as_leaf_dtypes(next_observation)
            if episode_end.any():
                stored_next = tf.nest.map_structure(np.copy, stored_next)
                nests.set_rows(stored_next, np.flatnonzero(episode_end), info["final_obs"])
            transition = Transition(observation, action, np.asarray(reward, np.float32),
                                    stored_next, np.asarray(terminated, np.float32))
            for observer in self.observers:
                observer(transition, episode_end)
            self._observation = next_observation


class EpisodeTracker:
    """Observer that accumulates per-env returns and records those of finished episodes."""

    def __init__(self, num_envs: int):
        self._returns = np.zeros(num_envs)
        self.completed_returns: list = []

    def __call__(self, transition: Transition, episode_end: np.ndarray) -> None:
        self._returns += transition.reward
        for index in np.flatnonzero(episode_end):
            self.completed_returns.append(float(self._returns[index]))
        self._returns[episode_end] = 0.0

