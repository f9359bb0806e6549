"""Actor networks: observation → action distribution or action in [-1, 1]."""

from typing import Sequence

import keras
import tensorflow as tf

from sac_tf.distributions import TanhNormal
from sac_tf.networks.mlp import mlp
from sac_tf.networks.residual import residual_mlp, residual_width


def actor_torso(hidden_sizes: Sequence[int], residual_blocks: int) -> keras.Sequential:
    """An MLP of `hidden_sizes`, or with `residual_blocks` > 0 a SimBa/BRO residual torso."""
    if residual_blocks:
        return residual_mlp(residual_width(hidden_sizes), residual_blocks, name="actor_torso")
    return mlp(hidden_sizes, name="actor_torso")


class GaussianActor(keras.Model):
    """Observation `[B, obs_dim]` → `TanhNormal` over actions `[B, act_dim]`.

    The log standard deviation is squashed by tanh into
    `[log_std_min, log_std_max]` (as CleanRL does), which keeps `exp` finite.
    """

    def __init__(self, action_dim: int, hidden_sizes: Sequence[int],
                 log_std_min: float = -5.0, log_std_max: float = 2.0, residual_blocks: int = 0,
                 **kwargs):
        super().__init__(**kwargs)
        self.torso = actor_torso(hidden_sizes, residual_blocks)
        self.head = keras.layers.Dense(2 * action_dim, name="actor_head")
        self.log_std_min = log_std_min
        self.log_std_max = log_std_max

    def call(self, observation) -> TanhNormal:
        loc, raw_log_std = tf.split(self.head(self.torso(observation)), 2, axis=-1)
        log_std = self.log_std_min + 0.5 * (self.log_std_max - self.log_std_min) * (
            tf.tanh(raw_log_std) + 1.0)
        return TanhNormal(loc, tf.exp(log_std))


class DeterministicActor(keras.Model):
    """Observation `[B, obs_dim]` → action `[B, act_dim]` in [-1, 1] (tanh output)."""

    def __init__(self, action_dim: int, hidden_sizes: Sequence[int], residual_blocks: int = 0,
                 **kwargs):
        super().__init__(**kwargs)
        self.torso = actor_torso(hidden_sizes, residual_blocks)
        self.head = keras.layers.Dense(action_dim, activation="tanh", name="actor_head")

    def call(self, observation):
        return self.head(self.torso(observation))
