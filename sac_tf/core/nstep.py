"""n-step windows of a ring replay buffer (SB3 ≥ 2.7 / SBX `n_steps` convention).

A vector step of `num_envs` envs is written as `num_envs` consecutive rows, so the
transition after row i in the same env is row (i + num_envs) mod capacity. The window of
a sampled row t runs over m ≤ n such rows and stops early at the first row whose episode
ended (terminated: no bootstrap; truncated: bootstrap from its stored final observation)
and at the newest rows, whose successors are not written yet. Only rewards are summed:

    reward = Σ_{k<m} γ^k r_{t+k},   discount = γ^m (1 − terminated_{t+m−1}),

and the agent bootstraps from `next_observation` of row t+m−1 (`OffPolicyAgent.td_target`).
"""

import tensorflow as tf


def window_rows(indices, n_step: int, num_envs: int, newest, capacity: int, reward,
                terminated, episode_end, gamma: float) -> tuple:
    """The n-step windows that start at `indices` (int64 `[B]`), inside a compiled call.

    Args:
      newest: int64 scalar, the row written last.
      reward, terminated, episode_end: the buffer's `[capacity]` columns.

    Returns:
      (row of each window's last step `[B]`, reward sum `[B]`, its `terminated` `[B]`,
      discount γ^m (1 − terminated) `[B]`).
    """
    age = (newest - indices) % capacity  # 0 for the newest row
    alive = tf.ones_like(indices, tf.bool)
    last = indices
    total = tf.zeros(tf.shape(indices), reward.dtype)
    ended_terminated = tf.zeros_like(total)
    power = tf.ones_like(total)  # γ^k while alive, γ^m after the window ends
    for k in range(n_step):
        rows = (indices + k * num_envs) % capacity
        total = tf.where(alive, total + power * tf.gather(reward, rows), total)
        ended_terminated = tf.where(alive, tf.gather(terminated, rows), ended_terminated)
        last = tf.where(alive, rows, last)
        power = tf.where(alive, power * gamma, power)
        cut = (tf.gather(episode_end, rows) > 0) | (age < (k + 1) * num_envs)
        alive = alive & ~cut
    return last, total, ended_terminated, power * (1.0 - ended_terminated)
