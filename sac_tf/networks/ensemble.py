"""Layers of N independent networks computed in one batched call, whole or for a subset.

An ensemble's weights carry a leading members axis `[N, ...]`; its layers
take `members`, int32 indices `[M]`, to gather those members' weights and
compute only them. REDQ evaluates 2 of its 10 target critics this way.
"""

import math
from typing import Sequence

import keras
import tensorflow as tf

from sac_tf.core.precision import FULL_PRECISION


class EnsembleLayer(keras.layers.Layer):
    """A layer whose `call` takes `members`: `None` for every member of an
    ensemble, or int32 indices `[M]` to compute only those (outputs `[M, ...]`)."""


def select_members(weights: Sequence[tf.Variable], members=None) -> list:
    """`weights` `[num_members, ...]` each, or the rows `members` `[M]` of each."""
    return list(weights) if members is None else [tf.gather(w, members) for w in weights]


def call_ensemble(network: keras.layers.Layer, inputs: tf.Tensor, members=None,
                  training=None, seed=None) -> tf.Tensor:
    """`network(inputs)` for every member, or only for `members` `[M]` (int32 indices),
    with `seed` (int32 `[2]`) for its `StatelessDropout` layers.

    Keras' `Sequential` passes nothing but `training` on to its layers, so with
    `members` or `seed` the layers are walked here: `Sequential`s recursively
    (layer `i` gets the seed folded with `i`), `StatelessDropout` given the
    seed, `EnsembleLayer`s given `members`, any other layer without weights
    (activation) called as usual; a layer with weights of its own raises `TypeError`.
    """
    if members is None and seed is None:
        return network(inputs, training=training)
    if isinstance(network, keras.Sequential):
        for index, layer in enumerate(network.layers):
            layer_seed = (None if seed is None
                          else tf.random.experimental.stateless_fold_in(seed, index))
            inputs = call_ensemble(layer, inputs, members, training, layer_seed)
        return inputs
    if isinstance(network, StatelessDropout):
        return network(inputs, training=training, seed=seed)
    if isinstance(network, EnsembleLayer):
        return network(inputs, members=members)
    if network.weights:
        raise TypeError(f"{network.name} ({type(network).__name__}) has weights but no "
                        f"members argument: it cannot compute a subset of an ensemble")
    return network(inputs, training=training)


def lowbias32(x: tf.Tensor) -> tf.Tensor:
    """Chris Wellons' `lowbias32` integer hash (hash-prospector, 2018), elementwise on uint32:
    three xor-shifts and two multiplies, every output bit flipping with probability ≈ ½
    for any flipped input bit."""
    x = tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 16)) * tf.constant(0x7FEB352D,
                                                                              tf.uint32)
    x = tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 15)) * tf.constant(0x846CA68B,
                                                                              tf.uint32)
    return tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 16))


def hashed_bits(shape, seed: tf.Tensor) -> tf.Tensor:
    """Pseudo-random uint32 `shape`, a counter-based hash of each element's index keyed by
    the int32 `[2]` `seed`: lowbias32(lowbias32(index + seed[0]) xor seed[1]).

    Statistically fine for dropout masks and about 25× cheaper than Philox
    (`stateless_uniform`) under XLA on a CPU: 0.9 ms against 23 ms for six
    `[2, 256, 256]` masks, one thread. Not for anything that needs a
    cryptographic or Philox-grade generator.
    """
    key = tf.bitcast(tf.cast(seed, tf.int32), tf.uint32)
    index = tf.bitcast(tf.reshape(tf.range(tf.reduce_prod(shape), dtype=tf.int32), shape),
                       tf.uint32)
    return lowbias32(tf.bitwise.bitwise_xor(lowbias32(index + key[0]), key[1]))


class StatelessDropout(keras.layers.Layer):
    """Dropout whose mask is a function of the int32 `[2]` `seed` of each call (inside a
    compiled update the agent's generator gives it, so no random state of the layer's
    own is read or written; Keras' `Dropout` keeps one, which made a DroQ update several
    times as costly). The mask keeps a unit where `hashed_bits` ≥ rate · 2³²; Philox
    masks cost DroQ's 20 updates per env step 3× the same update without dropout.
    Active only with `training=True`. Float32 whatever the precision (`sac_tf.core.precision`)."""

    def __init__(self, rate: float, **kwargs):
        super().__init__(**{"dtype": FULL_PRECISION, **kwargs})  # float32 rescaling
        self.rate = rate

    def call(self, inputs, training=None, seed=None):
        if not training or self.rate == 0.0:
            return inputs
        if seed is None:
            raise ValueError(f"{self.name}: dropout in training mode needs a seed")
        threshold = tf.constant(min(round(self.rate * 2**32), 2**32 - 1), tf.uint32)
        keep = hashed_bits(tf.shape(inputs), seed) >= threshold
        return tf.where(keep, inputs / (1.0 - self.rate), tf.zeros_like(inputs))


#: Dense kernels' initialisers, by their Keras names: "glorot_uniform" (Keras' default,
#: U(±√(6 / (fan_in + fan_out)))) and "lecun_normal" (flax's default, so SBX's: a normal of
#: std 1/√fan_in truncated at two std, rescaled to keep that std).
KERNEL_INITS = ("glorot_uniform", "lecun_normal")


def check_kernel_init(kernel_init: str) -> None:
    """Raises `ValueError` unless `kernel_init` is one of `KERNEL_INITS`."""
    if kernel_init not in KERNEL_INITS:
        raise ValueError(f"kernel_init must be one of {KERNEL_INITS}, got {kernel_init!r}")


def glorot_uniform(fan_in: int, fan_out: int) -> keras.initializers.Initializer:
    """Glorot-uniform for a kernel with these fans (what `keras.layers.Dense` uses), for
    weights whose leading axes (members, experts) are not part of the fans."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return keras.initializers.RandomUniform(-limit, limit)


def kernel_initializer(kernel_init: str, fan_in: int, fan_out: int
                       ) -> keras.initializers.Initializer:
    """`kernel_init` (`KERNEL_INITS`) for a kernel with these fans, for weights whose leading
    axes (members) are not part of the fans (Keras' own would count them in)."""
    check_kernel_init(kernel_init)
    if kernel_init == "glorot_uniform":
        return glorot_uniform(fan_in, fan_out)
    # Keras' and flax's truncated normal: std 1/√fan_in after truncation at ±2 std.
    return keras.initializers.TruncatedNormal(stddev=math.sqrt(1.0 / fan_in) / .87962566103423978)


class EnsembleDense(EnsembleLayer):
    """`num_members` independent linear (dense, no activation) layers in one batched matmul.

    Input `[B, in]` (shared by every member) or `[num_members, B, in]`;
    output `[num_members, B, units]`, or `[M, B, units]` with `members` `[M]`
    (an input with a members axis must then have M rows). Each member's kernel
    is initialised as `kernel_init` names it (`KERNEL_INITS`, with one member's fans) and
    its bias zero, as `keras.layers.Dense` does.
    """

    def __init__(self, num_members: int, units: int, kernel_init: str = "glorot_uniform",
                 **kwargs):
        super().__init__(**kwargs)
        check_kernel_init(kernel_init)
        self.num_members = num_members
        self.units = units
        self.kernel_init = kernel_init

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.kernel = self.add_weight(
            shape=(self.num_members, fan_in, self.units), name="kernel",
            initializer=kernel_initializer(self.kernel_init, fan_in, self.units))
        self.bias = self.add_weight(
            shape=(self.num_members, 1, self.units), name="bias", initializer="zeros")

    def call(self, inputs, members=None):
        kernel, bias = select_members([self.kernel, self.bias], members)
        equation = "bi,nio->nbo" if len(inputs.shape) == 2 else "nbi,nio->nbo"
        return tf.einsum(equation, inputs, kernel) + bias


class EnsembleLayerNorm(EnsembleLayer):
    """Layer normalisation over the last axis with a scale and offset per member.

    Input and output `[num_members, B, units]` (`[M, B, units]` with `members`), float32
    unless a `dtype` is given (`sac_tf.core.precision`);
    `keras.layers.LayerNormalization` would share its scale and offset across
    members, coupling them.
    """

    def __init__(self, num_members: int, epsilon: float = 1e-3, **kwargs):
        super().__init__(**{"dtype": FULL_PRECISION, **kwargs})
        self.num_members = num_members
        self.epsilon = epsilon

    def build(self, input_shape):
        shape = (self.num_members, 1, int(input_shape[-1]))
        self.scale = self.add_weight(shape=shape, name="scale", initializer="ones")
        self.offset = self.add_weight(shape=shape, name="offset", initializer="zeros")

    def call(self, inputs, members=None):
        scale, offset = select_members([self.scale, self.offset], members)
        mean, variance = tf.nn.moments(inputs, axes=[-1], keepdims=True)
        return (inputs - mean) * tf.math.rsqrt(variance + self.epsilon) * scale + offset
