"""Actor networks: observation → action distribution or action in [-1, 1]."""

from typing import Sequence

import keras
import tensorflow as tf

from sac_tf.distributions import HybridPolicy, TanhNormal
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
        return squashed_gaussian(self.head(self.torso(observation)), self.log_std_min,
                                 self.log_std_max)


def squashed_gaussian(outputs, log_std_min: float, log_std_max: float) -> TanhNormal:
    """`TanhNormal` from head outputs `[B, 2·act_dim]`: loc, then a raw log std
    squashed by tanh into `[log_std_min, log_std_max]`."""
    loc, raw_log_std = tf.split(outputs, 2, axis=-1)
    log_std = log_std_min + 0.5 * (log_std_max - log_std_min) * (tf.tanh(raw_log_std) + 1.0)
    return TanhNormal(loc, tf.exp(log_std))


class HybridActor(keras.Model):
    """Observation `[B, obs_dim]` → `HybridPolicy`: a `TanhNormal` over `action_dim`
    continuous actions and a categorical over each of `discrete_sizes`, from one torso.
    """

    def __init__(self, action_dim: int, discrete_sizes: Sequence[int],
                 hidden_sizes: Sequence[int], log_std_min: float = -5.0,
                 log_std_max: float = 2.0, residual_blocks: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.action_dim = action_dim
        self.discrete_sizes = tuple(discrete_sizes)
        self.torso = actor_torso(hidden_sizes, residual_blocks)
        self.head = keras.layers.Dense(2 * action_dim + sum(discrete_sizes), name="actor_head")
        self.log_std_min = log_std_min
        self.log_std_max = log_std_max

    def call(self, observation) -> HybridPolicy:
        outputs = self.head(self.torso(observation))
        continuous, *logits = tf.split(outputs, [2 * self.action_dim, *self.discrete_sizes],
                                       axis=-1)
        return HybridPolicy(squashed_gaussian(continuous, self.log_std_min, self.log_std_max),
                            logits)


class DeterministicActor(keras.Model):
    """Observation `[B, obs_dim]` → action `[B, act_dim]` in [-1, 1] (tanh output)."""

    def __init__(self, action_dim: int, hidden_sizes: Sequence[int], residual_blocks: int = 0,
                 **kwargs):
        super().__init__(**kwargs)
        self.torso = actor_torso(hidden_sizes, residual_blocks)
        self.head = keras.layers.Dense(action_dim, activation="tanh", name="actor_head")

    def call(self, observation):
        return self.head(self.torso(observation))
