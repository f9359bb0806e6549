"""Actor networks: observation → action distribution or action in [-1, 1]."""

from typing import Mapping, Optional, Sequence

import keras
import tensorflow as tf

from sac_tf.core.distributions import HybridPolicy, TanhNormal
from sac_tf.networks.mlp import mlp
from sac_tf.networks.residual import check_not_residual_moe, residual_mlp, residual_width

#: Bounds of the actors' log standard deviation (CleanRL's): σ in [e^-5, e^2].
LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0


def actor_torso(hidden_sizes: Sequence[int], residual_blocks: int,
                batch_renorm: Optional[Mapping] = None, activation: str = "relu",
                extra_layer_norm: bool = False, moe: Optional[Mapping] = None) -> keras.Sequential:
    """An MLP of `hidden_sizes` (batch-renormalised with `batch_renorm`, CrossQ; its last
    hidden layer a Soft MoE with `moe`), or with `residual_blocks` > 0 a SimBa residual
    torso; `activation` and `extra_layer_norm` as in `sac_tf.networks.mlp`."""
    if residual_blocks:
        if batch_renorm is not None:
            raise ValueError("residual actor torsos have their own layer norms: leave "
                             "batch_renorm off with residual_blocks")
        check_not_residual_moe(moe)
        return residual_mlp(residual_width(hidden_sizes), residual_blocks, activation,
                            extra_layer_norm, name="actor_torso")
    return mlp(hidden_sizes, name="actor_torso", batch_renorm=batch_renorm,
               activation=activation, extra_layer_norm=extra_layer_norm, moe=moe)


class GaussianActor(keras.Model):
    """Observation `[B, obs_dim]` → `TanhNormal` over actions `[B, act_dim]`.

    The log standard deviation is squashed by tanh into
    `[LOG_STD_MIN, LOG_STD_MAX]` (as CleanRL does), which keeps `exp` finite.
    `training` matters only with `batch_renorm` (batch statistics when true).
    `torso_options` (`activation`, `extra_layer_norm`, `moe`) go to `actor_torso`.
    """

    def __init__(self, action_dim: int, hidden_sizes: Sequence[int], residual_blocks: int = 0,
                 batch_renorm: Optional[Mapping] = None, torso_options: Mapping = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.torso = actor_torso(hidden_sizes, residual_blocks, batch_renorm,
                                 **(torso_options or {}))
        self.head = keras.layers.Dense(2 * action_dim, name="actor_head")

    def call(self, observation, training=None) -> TanhNormal:
        return squashed_gaussian(self.head(self.torso(observation, training=training)))


def squashed_gaussian(outputs) -> TanhNormal:
    """`TanhNormal` from head outputs `[B, 2·act_dim]`: loc, then a raw log std
    squashed by tanh into `[LOG_STD_MIN, LOG_STD_MAX]`."""
    loc, raw_log_std = tf.split(outputs, 2, axis=-1)
    log_std = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (tf.tanh(raw_log_std) + 1.0)
    return TanhNormal(loc, tf.exp(log_std))


class HybridActor(keras.Model):
    """Observation `[B, obs_dim]` → `HybridPolicy`: a `TanhNormal` over `action_dim`
    continuous actions and a categorical over each of `discrete_sizes`, from one torso
    (`torso_options` as `GaussianActor`'s).
    """

    def __init__(self, action_dim: int, discrete_sizes: Sequence[int],
                 hidden_sizes: Sequence[int], residual_blocks: int = 0,
                 batch_renorm: Optional[Mapping] = None, torso_options: Mapping = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.action_dim = action_dim
        self.discrete_sizes = tuple(discrete_sizes)
        self.torso = actor_torso(hidden_sizes, residual_blocks, batch_renorm,
                                 **(torso_options or {}))
        self.head = keras.layers.Dense(2 * action_dim + sum(discrete_sizes), name="actor_head")

    def call(self, observation, training=None) -> HybridPolicy:
        outputs = self.head(self.torso(observation, training=training))
        continuous, *logits = tf.split(outputs, [2 * self.action_dim, *self.discrete_sizes],
                                       axis=-1)
        return HybridPolicy(squashed_gaussian(continuous), logits)


class DeterministicActor(keras.Model):
    """Observation `[B, obs_dim]` → action `[B, act_dim]` in [-1, 1] (tanh output)."""

    def __init__(self, action_dim: int, hidden_sizes: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        self.torso = mlp(hidden_sizes, name="actor_torso")
        self.head = keras.layers.Dense(action_dim, activation="tanh", name="actor_head")

    def call(self, observation):
        return self.head(self.torso(observation))
