"""Records that flow between the driver, the replay buffer and the agents."""

from typing import Mapping, NamedTuple

import tensorflow as tf


class Transition(NamedTuple):
    """A batch of environment transitions, leading dimension `[B]`.

    Attributes:
      observation: float32 `[B, obs_dim]`, as the environment gave it.
      action: float32 `[B, act_dim]`, normalised to [-1, 1].
      reward: float32 `[B]`.
      next_observation: float32 `[B, obs_dim]`; on the last step of an episode
        the real final observation, not the one after the reset.
      terminated: float32 `[B]`, 1.0 where the episode ended in a terminal state
        (no bootstrapping); time-limit truncations are 0.0.
    """

    observation: tf.Tensor
    action: tf.Tensor
    reward: tf.Tensor
    next_observation: tf.Tensor
    terminated: tf.Tensor


class LossInfo(NamedTuple):
    """What one training update reports.

    Attributes:
      loss: float32 scalar, the sum of the losses that were minimised.
      extra: name → float32 scalar: each loss and statistics such as alpha.
    """

    loss: tf.Tensor
    extra: Mapping[str, tf.Tensor]


class NStepTransition(NamedTuple):
    """A sampled batch of n-step windows (`ReplayBuffer` with `n_step > 1`), `[B]` leading.

    The fields of `Transition`, with `reward` the window's discounted reward sum
    Σ_{k<m} γ^k r_{t+k}, `next_observation` the state after its last step s_{t+m},
    `terminated` that step's flag, and `discount` = γ^m (1 − terminated): what
    `OffPolicyAgent.td_target` multiplies the next state's value by.
    """

    observation: tf.Tensor
    action: tf.Tensor
    reward: tf.Tensor
    next_observation: tf.Tensor
    terminated: tf.Tensor
    discount: tf.Tensor
