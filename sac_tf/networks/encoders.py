"""Observation encoders: per-leaf preprocessing layers and a combiner, TF-Agents' way.

An `ObservationEncoder` maps an observation nest (`sac_tf.core.nests`) to one
feature matrix `[B, features]`: each leaf goes through its preprocessing layer
(default: flatten), and the results are concatenated in `tf.nest` order (the
`preprocessing_combiner`). Each network (actor, critics, their targets) owns its
own encoder, so a user's layer is cloned for each of them.

Encoders are named per leaf in a mapping (`config.observation_encoders`, or the
Python API's `preprocessing_layers`): a Keras layer, or a string —
`"flatten"`, `"dense:64"` (one ReLU layer), `"mlp:64,64"`, `"conv"`/`"conv:50"` (the
pixel encoder of `sac_tf.networks.conv`; its conv stack can be shared with another
network's encoder, detached).
"""

from typing import Mapping, Optional

import keras
import numpy as np
import tensorflow as tf

from sac_tf.core import nests
from sac_tf.core.precision import FULL_PRECISION
from sac_tf.networks.conv import ConvStack, PixelEncoder, conv_feature_dim

#: The name of a flat `Box` observation's one leaf (as in exported signatures).
FLAT_LEAF = "observation"


def preprocessing_layer(value, name: str, shared_conv: Optional[ConvStack] = None):
    """A fresh Keras layer for one leaf from a string spec or a layer (cloned); a pixel
    encoder on `shared_conv` (detached) when one is given.

    Raises:
      ValueError: for a string that names no encoder, or a value that is no layer.
    """
    feature_dim = None if isinstance(value, keras.layers.Layer) else conv_feature_dim(value)
    if feature_dim is not None:
        return PixelEncoder(feature_dim, conv=shared_conv, detach_conv=shared_conv is not None,
                            name=f"{name}_pixels")
    if isinstance(value, keras.Model):
        return keras.models.clone_model(value)
    if isinstance(value, keras.layers.Layer):
        return value.__class__.from_config(value.get_config())
    kind, _, widths = str(value).partition(":")
    if kind == "flatten" and not widths:
        return None
    try:
        sizes = [int(width) for width in widths.split(",")] if widths else []
    except ValueError:
        sizes = []
    if kind in ("dense", "mlp") and sizes and all(size > 0 for size in sizes) and (
            kind == "mlp" or len(sizes) == 1):
        return keras.Sequential([keras.layers.Dense(size, activation="relu")
                                 for size in sizes], name=f"{name}_preprocessing")
    raise ValueError(f"encoder of {name!r} must be a Keras layer, 'flatten', 'dense:N', "
                     f"'mlp:N,M,...' or 'conv[:N]', got {value!r}")


class ObservationEncoder(keras.layers.Layer):
    """Observation nest → float32 `[B, features]`: per-leaf layers (each casting its input to
    its own compute dtype, `sac_tf.core.precision`), flattened, concatenated.

    Args:
      nest: the observation nest (row specs per leaf), or None for a flat `Box` of
        width `flat_dim`.
      encoders: leaf name → preprocessing (see `preprocessing_layer`); leaves not named
        are flattened.
      shared_convs: leaf name → another encoder's conv stack that this one's pixel
        encoder of that leaf uses, detached (`ObservationEncoder.conv_stacks`).
    """

    def __init__(self, nest, encoders: Mapping, flat_dim: Optional[int] = None,
                 shared_convs: Optional[Mapping] = None, **kwargs):
        super().__init__(**{"dtype": FULL_PRECISION, **kwargs})  # layers cast their inputs
        self.nest = nest
        specs = (nests.leaf_specs(nest) if nest is not None
                 else [tf.TensorSpec((flat_dim,), tf.float32, name=FLAT_LEAF)])
        names = [spec.name for spec in specs]
        unknown = sorted(set(encoders) - set(names))
        if unknown:
            raise ValueError(f"encoders for unknown observation leaves {unknown}; the leaves "
                             f"are {names}")
        self.leaf_sizes = [int(np.prod(spec.shape)) for spec in specs]
        self.leaf_names = names
        self.encoded_leaves = []
        for name in names:
            layer = (preprocessing_layer(encoders[name], name, (shared_convs or {}).get(name))
                     if name in encoders else None)
            if layer is not None:  # an attribute each, so checkpoints track its variables
                setattr(self, f"encoder_{name}", layer)
                self.encoded_leaves.append(name)

    @property
    def leaf_layers(self) -> dict:
        """Leaf name → its preprocessing layer (leaves that are only flattened: absent)."""
        return {name: getattr(self, f"encoder_{name}") for name in self.encoded_leaves}

    @property
    def conv_stacks(self) -> dict:
        """Leaf name → the conv stack of its pixel encoder (leaves without one: absent)."""
        return {name: layer.conv for name, layer in self.leaf_layers.items()
                if isinstance(layer, PixelEncoder)}

    def call(self, observation, training=None):
        features, layers = [], self.leaf_layers
        for name, size, leaf in zip(self.leaf_names, self.leaf_sizes,
                                    tf.nest.flatten(observation)):
            layer = layers.get(name)
            if not isinstance(layer, PixelEncoder):  # uint8 leaves other than images: floats
                leaf = tf.cast(leaf, tf.float32)
            if layer is not None:  # float32 features whatever the layer computes in
                leaf = tf.cast(layer(leaf, training=training), tf.float32)
            features.append(tf.reshape(leaf, [tf.shape(leaf)[0], -1]) if layer is not None
                            else tf.reshape(leaf, [-1, size]))
        return features[0] if len(features) == 1 else tf.concat(features, axis=-1)


def make_encoder(nest, encoders: Optional[Mapping], flat_dim: int, name: str,
                 shared_convs: Optional[Mapping] = None) -> Optional[ObservationEncoder]:
    """The encoder a network owns: None for a flat `Box` with no encoder named (the
    network sees the observation as it is: today's networks), else an `ObservationEncoder`
    (`shared_convs`: see there)."""
    encoders = dict(encoders or {})
    if nest is None and not encoders:
        return None
    return ObservationEncoder(nest, encoders, flat_dim=flat_dim, shared_convs=shared_convs,
                              name=name)
