"""Multi-layer perceptron torsos, single and ensembled."""

from typing import Mapping, Optional, Sequence

import keras

from sac_tf.networks.batch_renorm import BatchRenorm
from sac_tf.networks.ensemble import EnsembleDense, EnsembleLayerNorm, StatelessDropout


def mlp(hidden_sizes: Sequence[int], name: str = "mlp",
        batch_renorm: Optional[Mapping] = None) -> keras.Sequential:
    """Dense layers `[..., in] → [..., hidden_sizes[-1]]`, each followed by a ReLU.

    With `batch_renorm` (`BatchRenorm` keyword arguments), the input and every
    hidden block's output are batch-renormalised: CrossQ's actor.
    """
    layers = [BatchRenorm(**batch_renorm)] if batch_renorm is not None else []
    for size in hidden_sizes:
        layers.append(keras.layers.Dense(size, activation="relu"))
        if batch_renorm is not None:
            layers.append(BatchRenorm(**batch_renorm))
    return keras.Sequential(layers, name=name)


def ensemble_mlp(num_members: int, hidden_sizes: Sequence[int], output_size: int,
                 layer_norm: bool = False, dropout_rate: float = 0.0,
                 batch_renorm: Optional[Mapping] = None,
                 name: str = "ensemble_mlp") -> keras.Sequential:
    """`num_members` MLPs `[B, in] → [num_members, B, output_size]`, batched.

    Each hidden block is dense → dropout (if `dropout_rate` > 0, active only
    when called with `training=True` and a seed) → layer norm (if `layer_norm`) →
    ReLU: the Q-function of DroQ (Hiraoka et al. 2021) when both are on. With
    `batch_renorm` (`BatchRenorm` keyword arguments), the input and every
    block's output are batch-renormalised per member: CrossQ's critics.
    """
    layers = []
    if batch_renorm is not None:
        layers.append(BatchRenorm(num_members, **batch_renorm))
    for size in hidden_sizes:
        layers.append(EnsembleDense(num_members, size))
        if dropout_rate > 0.0:
            layers.append(StatelessDropout(dropout_rate))
        if layer_norm:
            layers.append(EnsembleLayerNorm(num_members))
        layers.append(keras.layers.Activation("relu"))
        if batch_renorm is not None:
            layers.append(BatchRenorm(num_members, **batch_renorm))
    layers.append(EnsembleDense(num_members, output_size))
    return keras.Sequential(layers, name=name)
