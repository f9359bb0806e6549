"""Observation nests: `Dict`/`Tuple` observation spaces of `Box` leaves, TF-Agents' way.

An observation is a nest (`tf.nest`: dicts, tuples) of float32 leaves, or uint8 ones
for a `Box` of dtype uint8 (images: stored, sampled and exported as bytes). A flat
`Box` is a nest of one leaf, a bare array, so every `tf.nest` operation on it
is the identity and a flat task builds exactly the graph it always did. The
structure of a nested observation is described by an *observation nest*: the
same dicts and tuples with a `tf.TensorSpec` of one row per leaf (no batch
axis), named by the leaf's path (`desired_goal`, `0_pixels`).

Leaves are flattened in `tf.nest` order (dict keys sorted), which fixes the
order of replay columns, encoder inputs, normaliser statistics and exported
inputs alike.
"""

import re

import gymnasium as gym
import numpy as np
import tensorflow as tf

from sac_tf.errors import UserError


def leaf_name(path: tuple) -> str:
    """A leaf's name from its path of keys/indices: `("a", 0)` → `a_0`; a path that starts
    with a digit gets an `observation_` prefix (a SavedModel input name is made of it)."""
    name = "_".join(str(part) for part in path)
    return f"observation_{name}" if not name or name[0].isdigit() else name


def nest_from_space(space: gym.Space, path: tuple = ()):
    """The observation nest of a `Dict`/`Tuple` space of `Box` leaves.

    Raises:
      UserError: for any leaf that is not a `Box` (`Discrete`, `Text`, ...), naming it.
    """
    if isinstance(space, gym.spaces.Dict):
        return {key: nest_from_space(sub, path + (key,)) for key, sub in space.spaces.items()}
    if isinstance(space, gym.spaces.Tuple):
        return tuple(nest_from_space(sub, path + (index,)) for index, sub in enumerate(space))
    name = leaf_name(path)
    if not isinstance(space, gym.spaces.Box) or not space.shape:
        raise UserError(f"unsupported observation leaf {'/'.join(map(str, path))!r}: {space}; "
                        "nested observations need Box leaves of at least one dimension")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise UserError(f"observation key {name!r}: keys must be letters, digits and _")
    return tf.TensorSpec(tuple(space.shape), leaf_dtype(space.dtype), name=name)


def leaf_dtype(dtype) -> tf.DType:
    """A leaf's dtype as sac_tf keeps it: uint8 stays uint8 (images), the rest float32."""
    return tf.uint8 if np.dtype(dtype) == np.uint8 else tf.float32


def is_image(spec: tf.TensorSpec) -> bool:
    """Whether a leaf spec is an image: uint8 of shape (H, W, C)."""
    return spec.dtype == tf.uint8 and len(spec.shape) == 3


def image_specs(nest) -> list:
    """The image leaves' specs in `tf.nest` order; none for a flat `Box` (`nest` None)."""
    return [] if nest is None else [spec for spec in leaf_specs(nest) if is_image(spec)]


def leaf_specs(nest) -> list:
    """The leaves' row specs, in `tf.nest` order."""
    return tf.nest.flatten(nest)


def leaf_names(nest) -> list:
    return [spec.name for spec in leaf_specs(nest)]


def batched_specs(nest):
    """The nest with each leaf's spec given a leading `None` batch axis."""
    return tf.nest.map_structure(
        lambda spec: tf.TensorSpec([None, *spec.shape], spec.dtype, name=spec.name), nest)


def flat_width(nest) -> int:
    """Σ over leaves of their flattened sizes: the width flatten + concatenate gives."""
    return int(sum(np.prod(spec.shape) for spec in leaf_specs(nest)))


def to_json(nest):
    """A JSON-serialisable form: `{"dict": {...}}`, `{"tuple": [...]}`, `{"box": shape}`
    (with `"dtype": "uint8"` for a uint8 leaf)."""
    if isinstance(nest, dict):
        return {"dict": {key: to_json(value) for key, value in nest.items()}}
    if isinstance(nest, tuple):
        return {"tuple": [to_json(value) for value in nest]}
    return {"box": list(nest.shape), **({"dtype": "uint8"} if nest.dtype == tf.uint8 else {})}


def from_json(value, path: tuple = ()):
    """The inverse of `to_json`."""
    if "dict" in value:
        return {key: from_json(item, path + (key,)) for key, item in value["dict"].items()}
    if "tuple" in value:
        return tuple(from_json(item, path + (index,)) for index, item in enumerate(value["tuple"]))
    return tf.TensorSpec(tuple(value["box"]), leaf_dtype(value.get("dtype", "float32")),
                         name=leaf_name(path))


def as_leaf_dtypes(observation):
    """Every leaf of a numpy observation (nest) as float32, but uint8 leaves of a nest
    (images), which stay bytes."""
    if not isinstance(observation, (dict, tuple)):
        return np.asarray(observation, np.float32)
    return tf.nest.map_structure(
        lambda leaf: np.asarray(leaf, leaf_dtype(np.asarray(leaf).dtype).as_numpy_dtype),
        observation)


def batch_size(observation) -> int:
    """The leading dimension of an observation nest's leaves."""
    return int(np.shape(tf.nest.flatten(observation)[0])[0])


def concat_rows(first, second):
    """Two observation nests `[B1, ...]`, `[B2, ...]` → one `[B1 + B2, ...]` (tensors)."""
    return tf.nest.map_structure(lambda a, b: tf.concat([a, b], axis=0), first, second)


def zeros(nest, rows: int = 1):
    """A tensor nest of `rows` zero rows of `nest`'s leaves (of their dtypes)."""
    return tf.nest.map_structure(lambda spec: tf.zeros((rows, *spec.shape), spec.dtype), nest)


def set_rows(target, indices, source_rows) -> None:
    """`target`'s leaves (numpy `[B, ...]`) at each of `indices` ← the matching row nest
    in `source_rows` (one nest per index; a vector env's `final_obs` entries)."""
    target_leaves = tf.nest.flatten(target)
    for index in indices:
        for leaf, value in zip(target_leaves, tf.nest.flatten(source_rows[index])):
            leaf[index] = value
