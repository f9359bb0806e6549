"""Hidden-layer activations: ReLU and two variants that keep deep RL networks trainable.

| name | f(x) | output width | from |
|---|---|---|---|
| `"relu"` | max(x, 0) | width | SAC |
| `"crelu"` | [max(x, 0), max(−x, 0)] | 2 × width | Shang et al. 2016; Abbas et al. 2023 |
| `"relu2"` | max(x, 0)² | width | So et al. 2021 (Primer); Zhang et al. 2024 |

Concatenated ReLU (CReLU) passes the negative part on too, so every
pre-activation passes gradient through one of its two halves for any input (a
ReLU unit whose input stays negative stops learning): Abbas et al. (2023, "Loss
of Plasticity in Continual Deep Reinforcement Learning") find it keeps networks
plastic. It doubles the width the next layer sees (and so that layer's
weights), not the layer's own.
Squared ReLU is "ReLU²" of Zhang et al. (2024, "ReLU² Wins"), sparser and
smoother at 0.
"""

import keras
import tensorflow as tf

#: The `activation` settings of the networks.
ACTIVATIONS = ("relu", "crelu", "relu2")


def concatenated_relu(x: tf.Tensor) -> tf.Tensor:
    """`[..., F]` → `[..., 2F]`: relu(x), then relu(−x), along the last axis."""
    return tf.concat([tf.nn.relu(x), tf.nn.relu(-x)], axis=-1)


def squared_relu(x: tf.Tensor) -> tf.Tensor:
    """relu(x)², elementwise."""
    return tf.square(tf.nn.relu(x))


#: `activation` setting → the function.
ACTIVATION_FUNCTIONS = {"relu": tf.nn.relu, "crelu": concatenated_relu, "relu2": squared_relu}


def activation_function(name: str):
    """The activation `name` (one of `ACTIVATIONS`) as a tensor → tensor function."""
    if name not in ACTIVATION_FUNCTIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")
    return ACTIVATION_FUNCTIONS[name]


def activation_width(name: str, width: int) -> int:
    """The width the activation `name` outputs for `width` inputs (CReLU doubles it)."""
    return 2 * width if name == "crelu" else width


class ConcatenatedReLU(keras.layers.Layer):
    """`concatenated_relu` as a layer: it tells Keras that it doubles the last axis
    (`keras.layers.Activation` assumes the shape is kept)."""

    def call(self, inputs):
        return concatenated_relu(inputs)

    def compute_output_shape(self, input_shape):
        width = input_shape[-1]
        return (*input_shape[:-1], None if width is None else activation_width("crelu", width))


def activation_layer(name: str) -> keras.layers.Layer:
    """A weightless layer applying the activation `name` (one of `ACTIVATIONS`)."""
    if name == "crelu":
        return ConcatenatedReLU()
    return keras.layers.Activation("relu" if name == "relu" else activation_function(name))
