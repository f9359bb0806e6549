"""Checking the numpy arrays a user hands the Python API, and turning them into agent units."""

from collections.abc import Mapping

import numpy as np
import tensorflow as tf

from sac_tf.core import nests
from sac_tf.core.specs import EnvSpec
from sac_tf.core.types import Transition
from sac_tf.errors import UserError


def checked_rows(name: str, value, row_shape: tuple) -> tuple:
    """`value` as float32 `[B, *row_shape]`, and whether it was one row.

    Raises:
      UserError: for another shape, a non-numeric value, NaN or infinity.
    """
    try:
        array = np.asarray(value, np.float32)
    except (TypeError, ValueError):
        raise UserError(f"{name} must be numeric, got {type(value).__name__}") from None
    single = array.shape == row_shape
    if single:
        array = array[None]
    if array.shape[1:] != row_shape or array.ndim != len(row_shape) + 1:
        expected = f"{row_shape} or (batch, {', '.join(map(str, row_shape))})".replace(", )", ")")
        raise UserError(f"{name} has shape {array.shape}; expected {expected}")
    if not np.all(np.isfinite(array)):
        raise UserError(f"{name} contains NaN or infinity")
    return array, single


def checked_observation(spec: EnvSpec, name: str, value) -> tuple:
    """An observation (flat: `[obs_dim]` or `[B, obs_dim]`; nested: a dict/tuple of such
    leaves, as the env gives it) as float32 rows, and whether it was one row.

    Raises:
      UserError: for a missing or extra key, a wrong structure, or a bad leaf (`checked_rows`).
    """
    if not spec.is_nested:
        return checked_rows(name, value, spec.observation_shape)
    checked = _checked_nest(spec.observation_nest, value, name)
    singles = {single for _, single in checked}
    if len(singles) != 1:
        raise UserError(f"{name} mixes single rows and batches across its leaves")
    arrays = [array for array, _ in checked]
    if len({len(array) for array in arrays}) != 1:
        raise UserError(f"{name}: its leaves have different batch sizes")
    return tf.nest.pack_sequence_as(spec.observation_nest, arrays), singles.pop()


def _checked_nest(nest, value, name: str) -> list:
    """(array, single) per leaf of `value` in `tf.nest` order, checked against `nest`."""
    if isinstance(nest, dict):
        if not isinstance(value, Mapping):
            raise UserError(f"{name} must be a dict with keys {sorted(nest)}, got "
                            f"{type(value).__name__}")
        missing, extra = sorted(set(nest) - set(value)), sorted(set(value) - set(nest), key=str)
        if missing or extra:
            raise UserError(f"{name} has keys {sorted(value, key=str)}; expected {sorted(nest)}"
                            f"{f' (missing {missing})' if missing else ''}"
                            f"{f' (unknown {extra})' if extra else ''}")
        return [part for key in sorted(nest) for part in
                _checked_nest(nest[key], value[key], f"{name}[{key!r}]")]
    if isinstance(nest, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(nest):
            raise UserError(f"{name} must be a tuple of {len(nest)} parts")
        return [part for index, (sub, item) in enumerate(zip(nest, value))
                for part in _checked_nest(sub, item, f"{name}[{index}]")]
    if nest.dtype == tf.uint8:  # an image: bytes as the env gives them, not rescaled floats
        if np.asarray(value).dtype != np.uint8:
            raise UserError(f"{name} must be uint8 (pixel values 0–255, as the env gives "
                            f"them), got {np.asarray(value).dtype}")
        array, single = checked_rows(name, value, tuple(nest.shape))
        return [(array.astype(np.uint8), single)]
    return [checked_rows(name, value, tuple(nest.shape))]


def checked_transition(spec: EnvSpec, named_values: list) -> tuple:
    """User arrays in env units → a `Transition` in agent units.

    Args:
      spec: the agent's spec.
      named_values: `(name, value)` pairs in `Transition` order (observation,
        action in env units, reward, next observation, terminated), optionally
        followed by more `[B]` flags that are only checked (truncated). Each
        is one row or a batch `[B, ...]`; all must agree.

    Returns:
      (`Transition` with actions in agent units (`EnvSpec.agent_action`: clipped into
      [-1, 1], or one-hot categories) and terminated as 0/1,
      batch size `B`, whether the input was one row).

    Raises:
      UserError: naming the first array of a wrong shape, with NaN or
        infinity, or whose batch size differs from the others.
    """
    row_shapes = (None, spec.env_action_shape, (), None)
    arrays, single = [], None
    for index, (name, value) in enumerate(named_values):
        if index in (0, 3):
            array, single_row = checked_observation(spec, name, value)
        else:
            array, single_row = checked_rows(name, value, row_shapes[index] if index < 4 else ())
        single = single_row if single is None else single
        if single_row != single:
            raise UserError(f"{name} is {'one row' if single_row else 'a batch'} but "
                            f"{named_values[0][0]} is {'one row' if single else 'a batch'}")
        arrays.append(array)
    sizes = {name: nests.batch_size(array) for (name, _), array in zip(named_values, arrays)}
    if len(set(sizes.values())) != 1:
        raise UserError(f"batch sizes differ: {sizes}")
    observation, action, reward, next_observation, terminated = arrays[:5]
    transition = Transition(observation, spec.agent_action(action), reward, next_observation,
                            (terminated != 0).astype(np.float32))
    return transition, nests.batch_size(arrays[0]), single
