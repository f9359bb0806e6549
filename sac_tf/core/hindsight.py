"""Hindsight experience replay (Andrychowicz et al. 2017), the "future" strategy.

Goal-conditioned envs (gymnasium-robotics' `GoalEnv` convention) observe a `Dict` with
`observation`, `achieved_goal` and `desired_goal` and pay `compute_reward(achieved,
desired, info)`. `HindsightWriter` is the replay writer of such a run: it writes every
real transition as `StagedWriter` does (with n-step windows, when its episode ends) and
keeps each env's episode in progress; when an
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

With n-step returns (`n_step = n > 1`, which SB3 and SBX refuse with `Dict` observations)
the writer computes every window itself, for the real transitions and for each relabelled
goal g: the window of step t runs over m ≤ n steps of the episode under the same g,

    reward = Σ_{j<m} γ^j r(t+j; g),   discount = γ^m (1 − terminated_{t+m−1}(g)),

cut at the episode's last step (a truncation bootstraps from its final observation) or at
the first step terminated under g; it bootstraps from s'_{t+m−1} with goal g. Real
transitions are then written when their episode ends (with their relabelled copies), and
each row stores one more float32, its `discount` (`ReplayBuffer(stored_windows=True)`).

`HindsightState` holds what a resumed run needs: the rows of the episodes in progress
and the generator that draws `t'`; both are checkpointed.
"""

from typing import Callable, Optional

import numpy as np
import tensorflow as tf

from sac_tf.core.replay_buffer import ReplayBuffer, StagedWriter, concatenate
from sac_tf.core.types import NStepTransition, Transition

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
      replay_buffer: where the transitions go (with `n_step > 1`, `stored_windows`).
      state: the run's `HindsightState` (restored from a checkpoint or new).
      compute_reward: the env's `compute_reward(achieved_goal [N, g], desired_goal [N, g],
        info [N])` → rewards `[N]`.
      goals_per_transition: k.
      num_envs: envs stepped in lockstep (rows per call).
      on_write: called with the real transitions written (the observation statistics);
        relabelled ones are not counted.
      compute_terminated: the env's `compute_terminated(achieved, desired, info)` → bool
        for one row, or None (relabelled transitions then keep the stored flag).

    The windows are the buffer's: n-step (its `n_step`, `gamma`) with `stored_windows`,
    else one-step rows.
    """

    def __init__(self, replay_buffer: ReplayBuffer, state: HindsightState,
                 compute_reward: Callable, goals_per_transition: int, num_envs: int,
                 on_write=None, compute_terminated: Optional[Callable] = None):
        super().__init__(replay_buffer, on_write)
        if goals_per_transition < 0:
            raise ValueError(f"her_goals_per_transition must be >= 0, got {goals_per_transition}")
        if replay_buffer.n_step > 1 and not replay_buffer.stored_windows:
            raise ValueError("n-step hindsight windows need ReplayBuffer(stored_windows=True)")
        self.state, self.k, self.num_envs = state, int(goals_per_transition), num_envs
        self.n_step = replay_buffer.n_step if replay_buffer.stored_windows else 1
        self.gamma = replay_buffer.gamma
        self.compute_reward, self.compute_terminated = compute_reward, compute_terminated
        self._episodes = state.read(num_envs)  # per env: list of one-step rows
        self._episodes = [[] if episode is None else [episode] for episode in self._episodes]
        self._finished: list = []  # rows of finished episodes: relabelled (and n-step real)
        self._finished_real: list = []  # with n_step > 1, their real transitions

    def __call__(self, transition: Transition, episode_end=None) -> None:
        batch = len(transition.reward)
        if batch != self.num_envs:
            raise ValueError(f"hindsight relabelling takes one transition per env: "
                             f"{self.num_envs} rows, got {batch}")
        if self.n_step == 1:  # n-step real rows wait for their episode's next steps
            self._staged.append(transition)
        for env in range(self.num_envs):
            self._episodes[env].append(
                tf.nest.map_structure(lambda column: column[env:env + 1], transition))
        ended = np.zeros(batch, bool) if episode_end is None else np.asarray(episode_end, bool)
        for env in np.flatnonzero(ended):
            self.end_episode(env)

    def end_episode(self, env: int) -> None:
        """Relabels env `env`'s episode (if it has steps) and starts a new one."""
        if self._episodes[env]:
            episode = concatenate(self._episodes[env])
            if self.n_step > 1:
                self._finished_real.append(episode)
                self._finished.append(self.windows(episode, np.arange(len(episode.reward))))
            if self.k:
                self._finished.append(self.relabel(episode))
        self._episodes[env] = []

    def end_all_episodes(self) -> None:
        """Every env restarts (a resumed run resets its envs): the episodes in progress end
        where they were cut and are relabelled as they stand."""
        for env in range(self.num_envs):
            self.end_episode(env)

    def relabel(self, episode: Transition):
        """`k` relabelled copies of each of an episode's `[T]` transitions, `[T · k]`,
        step by step (the k copies of step 0 first); n-step windows with `n_step > 1`."""
        steps, future = self.state.draw_future_steps(len(episode.reward), self.k)
        return self.windows(episode, steps, episode.next_observation["achieved_goal"][future])

    def windows(self, episode: Transition, steps, goals=None):
        """The windows of `episode` (`[T]` leading) that start at `steps` `[R]`, under the
        goals `[R, g]` (None: the episode's own goals, rewards and flags); module docstring.

        Returns:
          With `n_step == 1` the one-step `Transition`s `[R]`, else `NStepTransition`s.
        """
        length, n = len(episode.reward), self.n_step
        rows = np.minimum(steps[:, None] + np.arange(n), length - 1)  # [R, n]
        inside = steps[:, None] + np.arange(n) < length
        if goals is None:
            reward, terminated = episode.reward[rows], episode.terminated[rows]
        else:
            achieved = episode.next_observation["achieved_goal"][rows.reshape(-1)]
            goal_rows = np.repeat(goals, n, axis=0)
            infos = np.array([{} for _ in goal_rows])
            reward = np.asarray(self.compute_reward(achieved, goal_rows, infos),
                                np.float32).reshape(rows.shape)
            terminated = episode.terminated[rows]  # SB3 keeps the stored flag
            if self.compute_terminated is not None:
                terminated = np.array([float(bool(self.compute_terminated(a, g, {})))
                                       for a, g in zip(achieved, goal_rows)],
                                      np.float32).reshape(rows.shape)
        ended_before = (np.cumsum(terminated, axis=1) - terminated) > 0
        alive = inside & ~ended_before  # [R, n]; offset 0 always
        length_m = alive.sum(axis=1)
        last = steps + length_m - 1
        chosen = lambda column: column[np.arange(len(steps)), length_m - 1]
        window = Transition(
            tf.nest.map_structure(lambda column: column[steps], episode.observation),
            episode.action[steps],
            np.sum(np.where(alive, reward * self.gamma ** np.arange(n), 0.0),
                   axis=1).astype(np.float32) if n > 1 else reward[:, 0],
            tf.nest.map_structure(lambda column: column[last], episode.next_observation),
            chosen(terminated).astype(np.float32))
        if goals is not None:
            window = window._replace(
                observation={**window.observation, "desired_goal": goals},
                next_observation={**window.next_observation, "desired_goal": goals})
        if n == 1:
            return window
        discount = (self.gamma ** length_m * (1.0 - window.terminated)).astype(np.float32)
        return NStepTransition(*window, discount=discount)

    def flush(self) -> None:
        """Writes the staged real transitions, then the rows of finished episodes, and
        stores the episodes in progress in `state` (so a checkpoint has them)."""
        real = self._staged if self.n_step == 1 else self._finished_real
        if self._staged or self._finished:
            self.replay_buffer.add_batch(concatenate(self._staged + self._finished))
        if real and self.on_write is not None:
            self.on_write(concatenate(real))
        self._staged, self._finished, self._finished_real = [], [], []
        self.state.write([concatenate(episode) if episode else None
                          for episode in self._episodes])
