"""Q critics: (observation, action) → Q value, for an ensemble in one call."""

from typing import Sequence

import keras
import tensorflow as tf

from sac_tf.networks.mlp import ensemble_mlp


class CriticEnsemble(keras.Model):
    """`num_critics` independent Q(s, a) networks evaluated in one batched call.

    Call with observation `[B, obs_dim]` and action `[B, act_dim]` (in [-1, 1]);
    returns Q values `[num_critics, B]`. `layer_norm` and `dropout_rate` give
    DroQ's critics (dropout is active only with `training=True`).
    """

    def __init__(self, num_critics: int, hidden_sizes: Sequence[int], layer_norm: bool = False,
                 dropout_rate: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.num_critics = num_critics
        self.body = ensemble_mlp(num_critics, hidden_sizes, 1, layer_norm=layer_norm,
                                 dropout_rate=dropout_rate, name="critic_body")

    def call(self, observation, action, training=None):
        inputs = tf.concat([observation, action], axis=-1)
        return tf.squeeze(self.body(inputs, training=training), axis=-1)
