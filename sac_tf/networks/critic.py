"""Q critics, for an ensemble in one call: (observation, action) → Q value (or its
quantiles), or for discrete actions observation → the Q value of every action."""

from typing import Mapping, Optional, Sequence

import keras
import tensorflow as tf

from sac_tf.core.precision import FULL_PRECISION
from sac_tf.networks.ensemble import EnsembleDense, call_ensemble
from sac_tf.networks.mlp import ensemble_mlp
from sac_tf.networks.residual import (check_not_residual_moe, ensemble_residual_mlp,
                                      residual_width)


class CriticEnsemble(keras.Model):
    """`num_critics` independent Q(s, a) networks evaluated in one batched call.

    Call with observation `[B, obs_dim]` and action `[B, act_dim]` (in [-1, 1]);
    returns Q values `[num_critics, B]`, or with `num_quantiles` > 1 the
    quantiles of the return `[num_critics, B, num_quantiles]` (TQC). With
    `members`, int32 indices `[M]`, only those critics are computed and the
    leading axis is M (REDQ's target subset).
    `layer_norm` and `dropout_rate` give DroQ's critics (dropout is active only
    with `training=True`, its masks drawn from `seed`, int32 `[2]`); `residual_blocks` > 0 replaces the MLP by a SimBa
    residual torso of width `hidden_sizes[0]`; `batch_renorm` (`BatchRenorm`
    keyword arguments) gives CrossQ's critics, batch statistics with
    `training=True` and running statistics otherwise. `activation`,
    `extra_layer_norm`, `moe` (`EnsembleSoftMoE` keyword arguments less
    `num_members` and `units`) and `kernel_init` are the torso options of
    `sac_tf.networks.mlp`. With an `encoder` (`sac_tf.networks.encoders`, one for the
    ensemble) the observation is a nest it turns into `[B, features]`.
    """

    def __init__(self, num_critics: int, hidden_sizes: Sequence[int], layer_norm: bool = False,
                 dropout_rate: float = 0.0, num_quantiles: int = 1, residual_blocks: int = 0,
                 batch_renorm: Optional[Mapping] = None, activation: str = "relu",
                 extra_layer_norm: bool = False, moe: Optional[Mapping] = None,
                 kernel_init: str = "glorot_uniform", encoder=None, **kwargs):
        super().__init__(**{"dtype": FULL_PRECISION, **kwargs})  # layers cast their inputs
        self.encoder = encoder
        self.num_critics = num_critics
        self.num_quantiles = num_quantiles
        self.batch_renorm = batch_renorm is not None
        self.dropout_rate = dropout_rate
        if residual_blocks and (layer_norm or dropout_rate or self.batch_renorm):
            raise ValueError("residual critic torsos have their own layer norms and no dropout: "
                             "leave critic_layer_norm, critic_dropout_rate and batch_renorm off "
                             "with residual_blocks")
        if self.batch_renorm and dropout_rate:
            raise ValueError("batch-renormalised critics (CrossQ) take no dropout: the actor "
                             "loss evaluates them in inference mode")
        if residual_blocks:
            check_not_residual_moe(moe)
            self.body = keras.Sequential([
                ensemble_residual_mlp(num_critics, residual_width(hidden_sizes), residual_blocks,
                                      activation, extra_layer_norm, kernel_init=kernel_init),
                EnsembleDense(num_critics, num_quantiles, kernel_init, dtype=FULL_PRECISION)],
                name="critic_body")
        else:
            self.body = ensemble_mlp(num_critics, hidden_sizes, num_quantiles,
                                     layer_norm=layer_norm, dropout_rate=dropout_rate,
                                     batch_renorm=batch_renorm, activation=activation,
                                     extra_layer_norm=extra_layer_norm, moe=moe,
                                     kernel_init=kernel_init, name="critic_body")

    def call(self, observation, action, training=None, members=None, seed=None,
             detach_encoder=False):
        if self.encoder is not None:  # detached: the actor loss's Q(s, ã) (DrQ, SAC-AE)
            observation = self.encoder(observation, training=training)
            if detach_encoder:
                observation = tf.stop_gradient(observation)
        inputs = tf.concat([observation, action], axis=-1)
        outputs = call_ensemble(self.body, inputs, members, training, seed)
        return tf.squeeze(outputs, axis=-1) if self.num_quantiles == 1 else outputs


class ActionValueEnsemble(keras.Model):
    """`num_critics` independent Q(s, ·) networks with one output per action, evaluated in
    one batched call (discrete-action SAC, Christodoulou 2019).

    Call with observation `[B, obs_dim]` (a nest with an `encoder`); returns Q values
    `[num_critics, B, num_actions]`. `members`, `layer_norm`, `dropout_rate` (with `seed`),
    `activation`, `extra_layer_norm` and `kernel_init` as `CriticEnsemble`'s.
    """

    num_quantiles = 1
    batch_renorm = False

    def __init__(self, num_critics: int, hidden_sizes: Sequence[int], num_actions: int,
                 layer_norm: bool = False, dropout_rate: float = 0.0, activation: str = "relu",
                 extra_layer_norm: bool = False, kernel_init: str = "glorot_uniform",
                 encoder=None, **kwargs):
        super().__init__(**{"dtype": FULL_PRECISION, **kwargs})  # layers cast their inputs
        self.encoder = encoder
        self.num_critics = num_critics
        self.dropout_rate = dropout_rate
        self.body = ensemble_mlp(num_critics, hidden_sizes, num_actions, layer_norm=layer_norm,
                                 dropout_rate=dropout_rate, activation=activation,
                                 extra_layer_norm=extra_layer_norm, kernel_init=kernel_init,
                                 name="critic_body")

    def call(self, observation, training=None, members=None, seed=None):
        if self.encoder is not None:
            observation = self.encoder(observation, training=training)
        return call_ensemble(self.body, observation, members, training, seed)
