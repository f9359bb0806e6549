"""Actor networks: observation → action distribution or action in [-1, 1]."""

from typing import Mapping, Optional, Sequence

import keras
import tensorflow as tf

from sac_tf.core.categorical import CategoricalPolicy
from sac_tf.core.distributions import HybridPolicy, TanhNormal
from sac_tf.core.precision import FULL_PRECISION
from sac_tf.networks.mlp import mlp
from sac_tf.networks.residual import check_not_residual_moe, residual_mlp, residual_width

#: How the Gaussian actors bound their log standard deviation, name → (low, high):
#: "tanh" squashes the head's output by tanh into [−5, 2] (CleanRL; σ ≈ e^−1.5 ≈ 0.22 for a
#: zero output), "clip" clips it into [−20, 2] (SB3 and SBX; σ ≈ 1 for a zero output).
LOG_STD_BOUNDS = {"tanh": (-5.0, 2.0), "clip": (-20.0, 2.0)}


def check_log_std(log_std: str) -> None:
    """Raises `ValueError` unless `log_std` names one of `LOG_STD_BOUNDS`."""
    if log_std not in LOG_STD_BOUNDS:
        raise ValueError(f"actor_log_std must be one of {sorted(LOG_STD_BOUNDS)}, got {log_std!r}")


def actor_torso(hidden_sizes: Sequence[int], residual_blocks: int,
                batch_renorm: Optional[Mapping] = None, activation: str = "relu",
                extra_layer_norm: bool = False, moe: Optional[Mapping] = None,
                kernel_init: str = "glorot_uniform") -> keras.Sequential:
    """An MLP of `hidden_sizes` (batch-renormalised with `batch_renorm`, CrossQ; its last
    hidden layer a Soft MoE with `moe`), or with `residual_blocks` > 0 a SimBa residual
    torso; `activation`, `extra_layer_norm` and `kernel_init` as in `sac_tf.networks.mlp`."""
    if residual_blocks:
        if batch_renorm is not None:
            raise ValueError("residual actor torsos have their own layer norms: leave "
                             "batch_renorm off with residual_blocks")
        check_not_residual_moe(moe)
        return residual_mlp(residual_width(hidden_sizes), residual_blocks, activation,
                            extra_layer_norm, name="actor_torso", kernel_init=kernel_init)
    return mlp(hidden_sizes, name="actor_torso", batch_renorm=batch_renorm,
               activation=activation, extra_layer_norm=extra_layer_norm, moe=moe,
               kernel_init=kernel_init)


def actor_head(units: int, torso_options: Optional[Mapping]) -> keras.layers.Dense:
    """The actor's output layer, its kernel initialised like the torso's; float32 whatever
    the precision (`sac_tf.core.precision`)."""
    kernel_init = (torso_options or {}).get("kernel_init", "glorot_uniform")
    return keras.layers.Dense(units, kernel_initializer=kernel_init, name="actor_head",
                              dtype=FULL_PRECISION)


class GaussianActor(keras.Model):
    """Observation `[B, obs_dim]` → `TanhNormal` over actions `[B, act_dim]`.

    The log standard deviation is bounded as `log_std` says (`LOG_STD_BOUNDS`), which
    keeps `exp` finite.
    `training` matters only with `batch_renorm` (batch statistics when true).
    `torso_options` (`activation`, `extra_layer_norm`, `moe`, `kernel_init`) go to
    `actor_torso` (`kernel_init` to the head too). With an `encoder`
    (`sac_tf.networks.encoders`) the observation is a nest it turns into `[B, features]`.
    """

    def __init__(self, action_dim: int, hidden_sizes: Sequence[int], residual_blocks: int = 0,
                 batch_renorm: Optional[Mapping] = None, torso_options: Mapping = None,
                 log_std: str = "tanh", encoder=None, **kwargs):
        super().__init__(**{"dtype": FULL_PRECISION, **kwargs})  # layers cast their inputs
        check_log_std(log_std)
        self.encoder = encoder
        self.log_std = log_std
        self.torso = actor_torso(hidden_sizes, residual_blocks, batch_renorm,
                                 **(torso_options or {}))
        self.head = actor_head(2 * action_dim, torso_options)

    def call(self, observation, training=None) -> TanhNormal:
        features = encode(self.encoder, observation, training)
        return squashed_gaussian(self.head(self.torso(features, training=training)),
                                 self.log_std)


def encode(encoder, observation, training=None):
    """`observation` through `encoder`, or as it is without one (a flat `Box`)."""
    return observation if encoder is None else encoder(observation, training=training)


def squashed_gaussian(outputs, log_std: str = "tanh") -> TanhNormal:
    """`TanhNormal` from head outputs `[B, 2·act_dim]`: loc, then a raw log std bounded
    as `log_std` names it (`LOG_STD_BOUNDS`): squashed by tanh or clipped."""
    loc, raw_log_std = tf.split(outputs, 2, axis=-1)
    low, high = LOG_STD_BOUNDS[log_std]
    if log_std == "tanh":
        bounded = low + 0.5 * (high - low) * (tf.tanh(raw_log_std) + 1.0)
    else:
        bounded = tf.clip_by_value(raw_log_std, low, high)
    return TanhNormal(loc, tf.exp(bounded))


class HybridActor(keras.Model):
    """Observation `[B, obs_dim]` → `HybridPolicy`: a `TanhNormal` over `action_dim`
    continuous actions and a categorical over each of `discrete_sizes`, from one torso
    (`torso_options` and `encoder` as `GaussianActor`'s).
    """

    def __init__(self, action_dim: int, discrete_sizes: Sequence[int],
                 hidden_sizes: Sequence[int], residual_blocks: int = 0,
                 batch_renorm: Optional[Mapping] = None, torso_options: Mapping = None,
                 log_std: str = "tanh", encoder=None, **kwargs):
        super().__init__(**{"dtype": FULL_PRECISION, **kwargs})  # layers cast their inputs
        self.encoder = encoder
        check_log_std(log_std)
        self.log_std = log_std
        self.action_dim = action_dim
        self.discrete_sizes = tuple(discrete_sizes)
        self.torso = actor_torso(hidden_sizes, residual_blocks, batch_renorm,
                                 **(torso_options or {}))
        self.head = actor_head(2 * action_dim + sum(discrete_sizes), torso_options)

    def call(self, observation, training=None) -> HybridPolicy:
        outputs = self.head(self.torso(encode(self.encoder, observation, training),
                                       training=training))
        continuous, *logits = tf.split(outputs, [2 * self.action_dim, *self.discrete_sizes],
                                       axis=-1)
        return HybridPolicy(squashed_gaussian(continuous, self.log_std), logits)


class CategoricalActor(keras.Model):
    """Observation `[B, obs_dim]` → `CategoricalPolicy`, a categorical over each of
    `discrete_sizes` from one torso (`torso_options` and `encoder` as `GaussianActor`'s);
    discrete-action SAC's actor."""

    def __init__(self, discrete_sizes: Sequence[int], hidden_sizes: Sequence[int],
                 torso_options: Mapping = None, encoder=None, **kwargs):
        super().__init__(**{"dtype": FULL_PRECISION, **kwargs})  # layers cast their inputs
        self.encoder = encoder
        self.discrete_sizes = tuple(discrete_sizes)
        self.torso = actor_torso(hidden_sizes, 0, **(torso_options or {}))
        self.head = actor_head(sum(discrete_sizes), torso_options)

    def call(self, observation, training=None) -> CategoricalPolicy:
        outputs = self.head(self.torso(encode(self.encoder, observation, training),
                                       training=training))
        return CategoricalPolicy(tf.split(outputs, list(self.discrete_sizes), axis=-1))


class DeterministicActor(keras.Model):
    """Observation `[B, obs_dim]` → action `[B, act_dim]` in [-1, 1] (tanh output);
    `encoder` as `GaussianActor`'s."""

    def __init__(self, action_dim: int, hidden_sizes: Sequence[int], encoder=None, **kwargs):
        super().__init__(**{"dtype": FULL_PRECISION, **kwargs})  # layers cast their inputs
        self.encoder = encoder
        self.torso = mlp(hidden_sizes, name="actor_torso")
        self.head = keras.layers.Dense(action_dim, activation="tanh", name="actor_head",
                                       dtype=FULL_PRECISION)

    def call(self, observation):
        return self.head(self.torso(encode(self.encoder, observation)))
