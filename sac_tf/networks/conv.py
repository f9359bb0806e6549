"""The pixel encoder of DrQ (Kostrikov, Yarats, Fergus 2020) and SAC-AE (Yarats et al. 2019).

`ConvStack`: uint8 images `[B, H, W, C]` → /255 → 4 × (conv 3×3, 32 channels, ReLU), the
first with stride 2 → flattened `[B, 32 · H' · W']` (84×84: H' = W' = 35, 39,200 features).
`PixelEncoder`: a `ConvStack` → Dense(`feature_dim`, 50) → LayerNorm → tanh.

The critics own the encoder they share (one conv stack, updated by the critic loss); the
actor has a projection of its own on top of the *same* conv stack, with the gradient stopped
at its output (`detach_conv`), so the actor loss does not train the convolutions (DrQ's
`detach_encoder`, SAC-AE's convention; DrQ-v2 keeps the same split). Orthogonal weights
(convolutions with gain √2) as the authors' code, which uses delta-orthogonal convolutions;
biases zero.
"""

from typing import Optional

import keras
import numpy as np
import tensorflow as tf

#: The smallest image side the conv stack takes: 15 → 7 (stride 2) → 5 → 3 → 1.
MIN_IMAGE_SIZE = 15
#: The string that names the pixel encoder in `config.observation_encoders` (`conv`,
#: `conv:FEATURES`).
CONV = "conv"


class ConvStack(keras.layers.Layer):
    """DrQ's convolutions: uint8 `[B, H, W, C]` → float32 `[B, features]` (module docstring).

    Args:
      filters: channels of each conv layer (DrQ: 32).
      layers: conv layers (DrQ: 4; the first has stride 2).
    """

    def __init__(self, filters: int = 32, layers: int = 4, **kwargs):
        super().__init__(**kwargs)
        init = keras.initializers.Orthogonal(gain=float(np.sqrt(2.0)))
        self.layer_count = int(layers)
        for index in range(layers):  # an attribute each, so checkpoints track its variables
            setattr(self, f"conv_{index}", keras.layers.Conv2D(
                filters, 3, strides=2 if index == 0 else 1, activation="relu",
                kernel_initializer=init, name=f"conv_{index}"))

    def call(self, images):
        features = tf.cast(images, tf.float32) / 255.0
        for index in range(self.layer_count):
            features = getattr(self, f"conv_{index}")(features)
        return tf.reshape(features, [tf.shape(features)[0], -1])


class PixelEncoder(keras.layers.Layer):
    """Images → `[B, feature_dim]` in (−1, 1): conv stack, Dense, LayerNorm, tanh.

    Args:
      feature_dim: width of the projection (DrQ: 50).
      conv: the conv stack to use (another network's, shared), or None for a new one.
      detach_conv: stop the gradient at the conv stack's output (the actor's encoder).
    """

    def __init__(self, feature_dim: int = 50, conv: Optional[ConvStack] = None,
                 detach_conv: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.feature_dim, self.detach_conv = int(feature_dim), bool(detach_conv)
        self.conv = conv if conv is not None else ConvStack(name="conv_stack")
        self.projection = keras.layers.Dense(
            self.feature_dim, kernel_initializer=keras.initializers.Orthogonal(),
            name="projection")
        self.norm = keras.layers.LayerNormalization(epsilon=1e-5, name="norm")

    def call(self, images, training=None):
        features = self.conv(images)
        if self.detach_conv:
            features = tf.stop_gradient(features)
        return tf.tanh(self.norm(self.projection(features)))

    def get_config(self):
        return {**super().get_config(), "feature_dim": self.feature_dim}


def conv_feature_dim(value: str) -> Optional[int]:
    """`"conv"` → 50, `"conv:N"` → N (N > 0); None for a string that names no pixel encoder.

    Raises:
      ValueError: for `conv:` followed by anything but a positive integer.
    """
    kind, colon, width = str(value).partition(":")
    if kind != CONV:
        return None
    if not colon:
        return 50
    if not width.isdigit() or int(width) < 1:
        raise ValueError(f"pixel encoder must be 'conv' or 'conv:N' with N > 0, got {value!r}")
    return int(width)


def variables_without(network, conv_stacks) -> list:
    """`network`'s trainable variables except those of `conv_stacks` (an actor that uses the
    critics' conv stack detached must not step it); all of them when there is none."""
    shared = {id(variable) for conv in conv_stacks for variable in conv.trainable_variables}
    return [variable for variable in network.trainable_variables if id(variable) not in shared]
