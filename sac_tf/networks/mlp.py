"""Multi-layer perceptron torsos, single and ensembled."""

from typing import Sequence

import keras

from sac_tf.networks.ensemble import EnsembleDense, EnsembleLayerNorm


def mlp(hidden_sizes: Sequence[int], name: str = "mlp") -> keras.Sequential:
    """Dense layers `[..., in] → [..., hidden_sizes[-1]]`, each followed by a ReLU."""
    return keras.Sequential(
        [keras.layers.Dense(size, activation="relu") for size in hidden_sizes], name=name)


def ensemble_mlp(num_members: int, hidden_sizes: Sequence[int], output_size: int,
                 layer_norm: bool = False, dropout_rate: float = 0.0,
                 name: str = "ensemble_mlp") -> keras.Sequential:
    """`num_members` MLPs `[B, in] → [num_members, B, output_size]`, batched.

    Each hidden block is dense → dropout (if `dropout_rate` > 0, active only
    when called with `training=True`) → layer norm (if `layer_norm`) →
    ReLU: the Q-function of DroQ (Hiraoka et al. 2021) when both are on.
    """
    layers = []
    for size in hidden_sizes:
        layers.append(EnsembleDense(num_members, size))
        if dropout_rate > 0.0:
            layers.append(keras.layers.Dropout(dropout_rate))
        if layer_norm:
            layers.append(EnsembleLayerNorm(num_members))
        layers.append(keras.layers.Activation("relu"))
    layers.append(EnsembleDense(num_members, output_size))
    return keras.Sequential(layers, name=name)
