"""Multi-layer perceptron torsos, single and ensembled.

Every hidden block is dense → activation (`activation`: ReLU, CReLU or ReLU²,
see `sac_tf.networks.activations`), optionally followed by a layer norm
(`extra_layer_norm`: NormFormer's post-activation norm, Shleifer et al. 2021),
and with `moe` (`SoftMoE` keyword arguments less `units`) the last hidden block
is a Soft MoE layer of that width (Obando-Ceron et al. 2024), which gets no
extra layer norm (its output is linear, as in the authors' code).
"""

from typing import Mapping, Optional, Sequence

import keras

from sac_tf.core.precision import FULL_PRECISION
from sac_tf.networks.activations import activation_layer, activation_width
from sac_tf.networks.batch_renorm import BatchRenorm
from sac_tf.networks.ensemble import (EnsembleDense, EnsembleLayerNorm, StatelessDropout,
                                     check_kernel_init)
from sac_tf.networks.soft_moe import EnsembleSoftMoE, SoftMoE, check_token_split


def check_moe_torso(hidden_sizes: Sequence[int], moe: Optional[Mapping],
                    batch_renorm: Optional[Mapping], activation: str) -> list:
    """The widths of the dense hidden blocks: all of `hidden_sizes`, or with `moe` all but
    the last, which the Soft MoE layer replaces.

    Raises:
      ValueError: for a Soft MoE after fewer than two hidden layers (its tokens are the
        previous layer's features), whose tokens do not divide that layer's output, or
        with batch renormalisation. Checked here, before Keras builds the layer (which
        would wrap the message in its own).
    """
    if moe is None:
        return list(hidden_sizes)
    if len(hidden_sizes) < 2:
        raise ValueError(f"a Soft MoE replaces the penultimate dense layer and splits the "
                         f"layer before it into tokens: it needs at least two hidden "
                         f"layers, got hidden_sizes={tuple(hidden_sizes)}")
    if batch_renorm is not None:
        raise ValueError("a Soft MoE layer does not combine with batch_renorm (CrossQ)")
    check_token_split(activation_width(activation, hidden_sizes[-2]), moe["num_tokens"])
    return list(hidden_sizes[:-1])


def mlp(hidden_sizes: Sequence[int], name: str = "mlp",
        batch_renorm: Optional[Mapping] = None, activation: str = "relu",
        extra_layer_norm: bool = False, moe: Optional[Mapping] = None,
        kernel_init: str = "glorot_uniform") -> keras.Sequential:
    """Hidden blocks `[..., in] → [..., out]`: dense → activation (→ layer norm), the dense
    kernels initialised as `kernel_init` names it (`KERNEL_INITS`).

    `out` is `hidden_sizes[-1]`, doubled by CReLU; with `moe` it is the width of the
    layer before the Soft MoE (which keeps its input's width). With `batch_renorm`
    (`BatchRenorm` keyword arguments), the input and every hidden block's output are
    batch-renormalised: CrossQ's actor.
    """
    widths = check_moe_torso(hidden_sizes, moe, batch_renorm, activation)
    check_kernel_init(kernel_init)
    layers = [BatchRenorm(**batch_renorm)] if batch_renorm is not None else []
    for size in widths:
        if activation == "relu" and not extra_layer_norm:
            layers.append(keras.layers.Dense(size, activation="relu",
                                             kernel_initializer=kernel_init))
        else:
            layers += [keras.layers.Dense(size, kernel_initializer=kernel_init),
                       activation_layer(activation)]
            if extra_layer_norm:
                layers.append(keras.layers.LayerNormalization(epsilon=1e-3))
        if batch_renorm is not None:
            layers.append(BatchRenorm(**batch_renorm))
    if moe is not None:
        layers.append(SoftMoE(units=hidden_sizes[-1], activation=activation, **moe))
    return keras.Sequential(layers, name=name)


def ensemble_mlp(num_members: int, hidden_sizes: Sequence[int], output_size: int,
                 layer_norm: bool = False, dropout_rate: float = 0.0,
                 batch_renorm: Optional[Mapping] = None, activation: str = "relu",
                 extra_layer_norm: bool = False, moe: Optional[Mapping] = None,
                 kernel_init: str = "glorot_uniform",
                 name: str = "ensemble_mlp") -> keras.Sequential:
    """`num_members` MLPs `[B, in] → [num_members, B, output_size]`, batched.

    Each hidden block is dense → dropout (if `dropout_rate` > 0, active only
    when called with `training=True` and a seed) → layer norm (if `layer_norm`) →
    activation (→ layer norm if `extra_layer_norm`): the Q-function of DroQ
    (Hiraoka et al. 2021) with dropout and `layer_norm`. With `batch_renorm`
    (`BatchRenorm` keyword arguments), the input and every block's output are
    batch-renormalised per member: CrossQ's critics. With `moe` the last hidden
    block is a Soft MoE layer per member. Dense kernels start as `kernel_init` says.
    """
    widths = check_moe_torso(hidden_sizes, moe, batch_renorm, activation)
    layers = []
    if batch_renorm is not None:
        layers.append(BatchRenorm(num_members, **batch_renorm))
    for size in widths:
        layers.append(EnsembleDense(num_members, size, kernel_init))
        if dropout_rate > 0.0:
            layers.append(StatelessDropout(dropout_rate))
        if layer_norm:
            layers.append(EnsembleLayerNorm(num_members))
        layers.append(activation_layer(activation))
        if extra_layer_norm:
            layers.append(EnsembleLayerNorm(num_members))
        if batch_renorm is not None:
            layers.append(BatchRenorm(num_members, **batch_renorm))
    if moe is not None:
        layers.append(EnsembleSoftMoE(num_members, units=hidden_sizes[-1],
                                      activation=activation, **moe))
    layers.append(EnsembleDense(num_members, output_size, kernel_init, dtype=FULL_PRECISION))
    return keras.Sequential(layers, name=name)
