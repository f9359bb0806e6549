"""Hindsight experience replay (Andrychowicz et al. 2017), the "future" strategy.

Goal-conditioned envs (gymnasium-robotics' `GoalEnv` convention) observe a `Dict` with
`observation`, `achieved_goal` and `desired_goal` and pay `compute_reward(achieved,
desired, info)`. `HindsightWriter` is the replay writer of such a run: it writes every
real transition as `StagedWriter` does and keeps each env's episode in progress; when an
episode ends (terminated or truncated) it adds `k` relabelled copies of each of its
transitions: for transition `t` of an episode of `T`, `k` times a step `t' ~ U{t, …, T−1}`
is drawn and the copy gets `desired_goal ← achieved_goal` of `s'_{t'}` (in `s` and `s'`),
reward `compute_reward(achieved_goal of s'_t, new goal)` (the env's own, one vectorised
call per episode) and `terminated` from the env's `compute_terminated` per row (False
for Fetch and continuing mazes; 0 for an env without it).

Relabelling happens at episode end, on the host, into the ring buffer: the env's
`compute_reward` is Python, so it cannot run inside the fused XLA learner, which keeps
sampling uniformly from `tf.Variable`s exactly as without HER (SB3's
`online_sampling=False`). Each env step stores `1 + k` rows of
`4 · (2 · obs_width + act_dim + 2)` bytes (FetchReach, k = 4: 5 × 152 B = 760 B).

`HindsightState` holds what a resumed run needs: the rows of the episodes in progress
and the generator that draws `t'`; both are checkpointed.
"""

from typing import Callable, Optional

import numpy as np
import tensorflow as tf

from sac_tf.core.replay_buffer import ReplayBuffer, StagedWriter, concatenate
from sac_tf.core.types import Transition

#: The keys of a goal-conditioned observation.
GOAL_KEYS = ("achieved_goal", "desired_goal", "observation")


class HindsightState(tf.Module):
    """The checkpointed part of HER: episodes in progress and the goal-drawing generator.

    Args:
      nest: the observation nest (a dict with `GOAL_KEYS`).
      action_dim: width of the stored actions.
      seed: seed of the generator that draws the future steps.
    """

    def __init__(self, nest, action_dim: int, seed: int):
        super().__init__(name="hindsight")
        self.rng = tf.random.Generator.from_seed(seed)

        def rows(*shape):  # any number of rows: the in-progress episodes, env by env
            return tf.Variable(tf.zeros((0, *shape)), shape=tf.TensorShape([None, *shape]),
                               trainable=False)

        observations = lambda: tf.nest.map_structure(lambda spec: rows(*spec.shape), nest)
        self.rows = Transition(observations(), rows(action_dim), rows(), observations(), rows())
        self.env_of_row = tf.Variable(tf.zeros([0], tf.int32), shape=tf.TensorShape([None]),
                                      trainable=False)

    def read(self, num_envs: int) -> list:
        """Per env, its episode in progress as a numpy `Transition` (`[T_i]` leading) or None."""
        env_of_row = self.env_of_row.numpy()
        rows = tf.nest.map_structure(lambda variable: variable.numpy(), self.rows)
        return [tf.nest.map_structure(lambda column: column[env_of_row == env], rows)
                if np.any(env_of_row == env) else None for env in range(num_envs)]

    def write(self, episodes: list) -> None:
        """Stores the episodes in progress (per env a `Transition` or None)."""
        kept = [(env, episode) for env, episode in enumerate(episodes) if episode is not None]
        if kept:
            rows = concatenate([episode for _, episode in kept])
            env_of_row = np.concatenate([np.full(len(episode.reward), env, np.int32)
                                         for env, episode in kept])
        else:
            rows = tf.nest.map_structure(lambda v: np.zeros([0, *v.shape[1:]], np.float32),
                                         self.rows)
            env_of_row = np.zeros([0], np.int32)
        for variable, value in zip(tf.nest.flatten(self.rows), tf.nest.flatten(rows)):
            variable.assign(value)
        self.env_of_row.assign(env_of_row)

    def draw_future_steps(self, length: int, goals_per_transition: int) -> tuple:
        """For an episode of `length` steps: (t `[length · k]`, each repeated k times;
        t' `[length · k]`, uniform in {t, …, length − 1})."""
        steps = np.repeat(np.arange(length), goals_per_transition)
        draws = self.rng.uniform([len(steps)], dtype=tf.float64).numpy()
        future = steps + np.floor(draws * (length - steps)).astype(np.int64)
        return steps, np.minimum(future, length - 1)


class HindsightWriter(StagedWriter):
    """`StagedWriter` that adds `goals_per_transition` relabelled copies of every transition
    of each finished episode (module docstring). Call with one row per env.

    Args:
      replay_buffer: where the transitions go.
      state: the run's `HindsightState` (restored from a checkpoint or new).
      compute_reward: the env's `compute_reward(achieved_goal [N, g], desired_goal [N, g],
        info [N])` → rewards `[N]`.
      goals_per_transition: k.
      num_envs: envs stepped in lockstep (rows per call).
      on_write: called with the real transitions written (the observation statistics);
        relabelled ones are not counted.
      compute_terminated: the env's `compute_terminated(achieved, desired, info)` → bool
        for one row, or None (relabelled transitions are then never terminal).
    """

    def __init__(self, replay_buffer: ReplayBuffer, state: HindsightState,
                 compute_reward: Callable, goals_per_transition: int, num_envs: int,
                 on_write=None, compute_terminated: Optional[Callable] = None):
        super().__init__(replay_buffer, on_write)
        if goals_per_transition < 0:
            raise ValueError(f"her_goals_per_transition must be >= 0, got {goals_per_transition}")
        self.state, self.k, self.num_envs = state, int(goals_per_transition), num_envs
        self.compute_reward, self.compute_terminated = compute_reward, compute_terminated
        self._episodes = state.read(num_envs)  # per env: list of one-step rows
        self._episodes = [[] if episode is None else [episode] for episode in self._episodes]
        self._relabelled: list = []

    def __call__(self, transition: Transition, episode_end=None) -> None:
        batch = len(transition.reward)
        if batch != self.num_envs:
            raise ValueError(f"hindsight relabelling takes one transition per env: "
                             f"{self.num_envs} rows, got {batch}")
        self._staged.append(transition)
        for env in range(self.num_envs):
            self._episodes[env].append(
                tf.nest.map_structure(lambda column: column[env:env + 1], transition))
        ended = np.zeros(batch, bool) if episode_end is None else np.asarray(episode_end, bool)
        for env in np.flatnonzero(ended):
            self.end_episode(env)

    def end_episode(self, env: int) -> None:
        """Relabels env `env`'s episode (if it has steps) and starts a new one."""
        if self._episodes[env] and self.k:
            self._relabelled.append(self.relabel(concatenate(self._episodes[env])))
        self._episodes[env] = []

    def end_all_episodes(self) -> None:
        """Every env restarts (a resumed run resets its envs): the episodes in progress end
        where they were cut and are relabelled as they stand."""
        for env in range(self.num_envs):
            self.end_episode(env)

    def relabel(self, episode: Transition) -> Transition:
        """`k` relabelled copies of each of an episode's `[T]` transitions, `[T · k]`,
        step by step (the k copies of step 0 first)."""
        steps, future = self.state.draw_future_steps(len(episode.reward), self.k)
        copies = tf.nest.map_structure(lambda column: column[steps], episode)
        goals = episode.next_observation["achieved_goal"][future]
        achieved = copies.next_observation["achieved_goal"]
        infos = np.array([{} for _ in steps])
        reward = np.asarray(self.compute_reward(achieved, goals, infos), np.float32)
        terminated = np.asarray(copies.terminated, np.float32)  # SB3 keeps the stored flag
        if self.compute_terminated is not None:
            terminated = np.array([float(bool(self.compute_terminated(a, g, {})))
                                   for a, g in zip(achieved, goals)], np.float32)
        return copies._replace(
            observation={**copies.observation, "desired_goal": goals},
            next_observation={**copies.next_observation, "desired_goal": goals},
            reward=reward.reshape(len(steps)), terminated=terminated)

    def flush(self) -> None:
        """Writes the staged real transitions, then the relabelled ones, and stores the
        episodes in progress in `state` (so a checkpoint has them)."""
        if self._staged or self._relabelled:
            real = concatenate(self._staged) if self._staged else None
            self.replay_buffer.add_batch(concatenate(self._staged + self._relabelled))
            if real is not None and self.on_write is not None:
                self.on_write(real)
            self._staged, self._relabelled = [], []
        self.state.write([concatenate(episode) if episode else None
                          for episode in self._episodes])
