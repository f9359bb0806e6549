"""Actor networks: observation → action distribution or action in [-1, 1]."""

from typing import Sequence

import keras
import tensorflow as tf

from sac_tf.distributions import TanhNormal
from sac_tf.networks.mlp import mlp


class GaussianActor(keras.Model):
    """Observation `[B, obs_dim]` → `TanhNormal` over actions `[B, act_dim]`.

    The log standard deviation is squashed by tanh into
    `[log_std_min, log_std_max]` (as CleanRL does), which keeps `exp` finite.
    """

    def __init__(self, action_dim: int, hidden_sizes: Sequence[int],
                 log_std_min: float = -5.0, log_std_max: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        self.torso = mlp(hidden_sizes, name="actor_torso")
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

    def __init__(self, action_dim: int, hidden_sizes: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        self.torso = mlp(hidden_sizes, name="actor_torso")
        self.head = keras.layers.Dense(action_dim, activation="tanh", name="actor_head")

    def call(self, observation):
        return self.head(self.torso(observation))
