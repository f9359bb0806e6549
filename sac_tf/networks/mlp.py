"""Multi-layer perceptron torsos, single and ensembled."""

from typing import Sequence

import keras

from sac_tf.networks.ensemble import EnsembleDense, EnsembleLayerNorm


def mlp(hidden_sizes: Sequence[int], activation: str = "relu", name: str = "mlp") -> keras.Sequential:
    """Dense layers `[..., in] → [..., hidden_sizes[-1]]` with `activation` after each."""
    return keras.Sequential(
        [keras.layers.Dense(size, activation=activation) for size in hidden_sizes], name=name)


def ensemble_mlp(num_members: int, hidden_sizes: Sequence[int], output_size: int,
                 activation: str = "relu", layer_norm: bool = False, dropout_rate: float = 0.0,
                 name: str = "ensemble_mlp") -> keras.Sequential:
    """`num_members` MLPs `[B, in] → [num_members, B, output_size]`, batched.

    Each hidden block is dense → dropout (if `dropout_rate` > 0, active only
    when called with `training=True`) → layer norm (if `layer_norm`) →
    activation: the Q-function of DroQ (Hiraoka et al. 2021) when both are on.
    """
    layers = []
    for size in hidden_sizes:
        layers.append(EnsembleDense(num_members, size))
        if dropout_rate > 0.0:
            layers.append(keras.layers.Dropout(dropout_rate))
        if layer_norm:
            layers.append(EnsembleLayerNorm(num_members))
        layers.append(keras.layers.Activation(activation))
    layers.append(EnsembleDense(num_members, output_size))
    return keras.Sequential(layers, name=name)
