"""Observation/action specs from gymnasium spaces, and action scaling.

Agents only ever see actions in [-1, 1]; `ActionScaler` maps them to and from
the environment's bounds. A hybrid action space — a gymnasium `Dict` or `Tuple`
of one `Box` and one `Discrete`/`MultiDiscrete` — is flattened for the agent
and the replay buffer to `[continuous in [-1, 1], one-hot of each discrete
head]`, and a `Discrete`/`MultiDiscrete` space alone to its one-hots (no continuous
part); `EnvSpec.env_action` turns that back into the env's action.
"""

import dataclasses
import functools
from typing import Optional

import gymnasium as gym
import numpy as np
import tensorflow as tf

from sac_tf.core import nests
from sac_tf.errors import UserError


@dataclasses.dataclass(frozen=True)
class EnvSpec:
    """What an agent needs to know about an environment.

    Attributes:
      observation_shape: shape of one observation, e.g. `(17,)`.
      action_low: float32 `[continuous_dim]`, lower bounds of the continuous actions.
      action_high: float32 `[continuous_dim]`, their upper bounds.
      discrete_sizes: categories of each discrete head of a hybrid or discrete action
        space; empty for a `Box` action space.
      action_space: the env's action space when it is not a `Box`: a hybrid `Dict`/`Tuple`,
        or a `Discrete`/`MultiDiscrete` (then `action_low` and `action_high` are empty).
      observation_nest: for a `Dict`/`Tuple` observation space, its observation nest
        (`sac_tf.core.nests`: a row `tf.TensorSpec` per leaf); None for a flat `Box`.
        `observation_shape` is then the width of the flattened, concatenated leaves.
    """

    observation_shape: tuple
    action_low: np.ndarray
    action_high: np.ndarray
    discrete_sizes: tuple = ()
    action_space: Optional[gym.spaces.Space] = dataclasses.field(
        default=None, compare=False, repr=False)
    observation_nest: object = None

    @property
    def is_nested(self) -> bool:
        return self.observation_nest is not None

    @property
    def observation_specs(self):
        """What one batch of observations is: `tf.TensorSpec([None, obs_dim])` for a flat
        `Box`, else the nest of `[None, *leaf_shape]` specs named by leaf."""
        if not self.is_nested:
            return tf.TensorSpec([None, self.observation_dim], tf.float32, name="observation")
        return nests.batched_specs(self.observation_nest)

    @property
    def observation_dim(self) -> int:
        return int(np.prod(self.observation_shape))

    @property
    def continuous_dim(self) -> int:
        return int(self.action_low.shape[0])

    @property
    def action_dim(self) -> int:
        """Width of the flat action the agent emits: continuous + one-hot parts."""
        return self.continuous_dim + sum(self.discrete_sizes)

    @property
    def is_hybrid(self) -> bool:
        """Continuous and discrete actions together."""
        return bool(self.discrete_sizes) and self.continuous_dim > 0

    @property
    def is_discrete(self) -> bool:
        """Discrete actions alone (`Discrete` or `MultiDiscrete`)."""
        return bool(self.discrete_sizes) and self.continuous_dim == 0

    def to_dict(self) -> dict:
        """A JSON-serialisable description (used as SavedModel metadata)."""
        description = {
            "observation_shape": list(self.observation_shape),
            "action_low": self.action_low.tolist(),
            "action_high": self.action_high.tolist(),
        }
        if self.discrete_sizes:
            description["discrete_sizes"] = list(self.discrete_sizes)
        if self.is_discrete:
            multi = isinstance(self.action_space, gym.spaces.MultiDiscrete)
            description["discrete_space"] = "MultiDiscrete" if multi else "Discrete"
        if self.is_nested:
            description["observation_nest"] = nests.to_json(self.observation_nest)
        return description

    @classmethod
    def from_dict(cls, value: dict) -> "EnvSpec":
        """The inverse of `to_dict`; `action_space` is rebuilt for a discrete space (it is
        its sizes) and stays None for a hybrid one."""
        sizes = tuple(value.get("discrete_sizes", ()))
        kind = value.get("discrete_space")
        if kind not in (None, "Discrete", "MultiDiscrete"):
            raise UserError(f"unknown discrete_space {kind!r} in a saved spec")
        action_space = (gym.spaces.Discrete(sizes[0]) if kind == "Discrete" else
                        gym.spaces.MultiDiscrete(sizes) if kind == "MultiDiscrete" else None)
        return cls(tuple(value["observation_shape"]), np.asarray(value["action_low"], np.float32),
                   np.asarray(value["action_high"], np.float32), sizes, action_space,
                   observation_nest=(nests.from_json(value["observation_nest"])
                                     if "observation_nest" in value else None))

    def differences(self, other: "EnvSpec") -> list:
        """What differs between the spaces of this spec and `other`'s, one phrase per
        difference (observation shape, discrete heads, action shape or bounds); empty
        when an agent or policy of one can act in an env of the other."""
        found = []
        if self.observation_nest != other.observation_nest:
            found.append(f"observation nest {nests.to_json(self.observation_nest or {})} vs "
                         f"{nests.to_json(other.observation_nest or {})}")
        elif tuple(self.observation_shape) != tuple(other.observation_shape):
            found.append(f"observation shape {list(self.observation_shape)} vs "
                         f"{list(other.observation_shape)}")
        if tuple(self.discrete_sizes) != tuple(other.discrete_sizes):
            found.append(f"discrete action sizes {list(self.discrete_sizes)} vs "
                         f"{list(other.discrete_sizes)}")
        if self.continuous_dim != other.continuous_dim:
            found.append(f"action shape {[self.continuous_dim]} vs {[other.continuous_dim]}")
        elif not (np.allclose(self.action_low, other.action_low)
                  and np.allclose(self.action_high, other.action_high)):
            found.append(f"action bounds [{self.action_low.tolist()}, "
                         f"{self.action_high.tolist()}] vs [{other.action_low.tolist()}, "
                         f"{other.action_high.tolist()}]")
        return found

    def check_matches(self, other: "EnvSpec", mismatch: str) -> None:
        """Raises `UserError("{mismatch}: {differences}")` when `differences(other)` finds any."""
        differences = self.differences(other)
        if differences:
            raise UserError(f"{mismatch}: {'; '.join(differences)}")

    @property
    def env_action_shape(self) -> tuple:
        """The shape of one env action of a `Box` or discrete space: `(act_dim,)`, `()` for
        `Discrete`, `(heads,)` for `MultiDiscrete`."""
        if not self.is_discrete:
            return (self.continuous_dim,)
        discrete = isinstance(self.action_space, gym.spaces.Discrete)
        return () if discrete else (len(self.discrete_sizes),)

    def agent_action(self, action: np.ndarray) -> np.ndarray:
        """Env actions of a `Box` or discrete space, `[B, *env_action_shape]` → the agent's
        flat actions `[B, action_dim]`: a `Box` action into [-1, 1] (clipped), categories
        one-hot per head (the inverse of `env_action`).

        Raises:
          UserError: for a category that is not an integer in [0, size) of its head.
        """
        if not self.is_discrete:
            return np.clip(self.action_scaler.from_env(action), -1.0, 1.0).astype(np.float32)
        choices = np.asarray(action).reshape(len(action), -1)
        sizes = np.asarray(self.discrete_sizes)
        if np.any(choices != np.round(choices)) or np.any((choices < 0) | (choices >= sizes)):
            raise UserError(f"discrete actions must be integers in [0, n) for sizes "
                            f"{list(self.discrete_sizes)}, got {choices.tolist()[:4]}")
        choices = choices.astype(np.int64)
        return np.concatenate([np.eye(size, dtype=np.float32)[choices[:, head]]
                               for head, size in enumerate(self.discrete_sizes)], axis=1)

    @functools.cached_property
    def action_scaler(self) -> "ActionScaler":
        """Maps the continuous actions between [-1, 1] and `[action_low, action_high]`."""
        return ActionScaler(self.action_low, self.action_high)

    def env_action(self, action: np.ndarray):
        """Flat agent actions `[B, action_dim]` → what a vector env of this spec steps with.

        A `Box` space gets the continuous part in env units, `[B, continuous_dim]`;
        a discrete one the chosen categories (`[B]` for `Discrete`, `[B, heads]` for
        `MultiDiscrete`); a hybrid space a dict or tuple of the two, arranged as the space.
        """
        continuous = self.action_scaler.to_env(action[..., :self.continuous_dim])
        if not self.discrete_sizes:
            return continuous
        one_hots = np.split(action[..., self.continuous_dim:],
                            np.cumsum(self.discrete_sizes)[:-1], axis=-1)
        choices = np.stack([np.argmax(one_hot, axis=-1) for one_hot in one_hots], axis=-1)
        return self.env_action_from_parts(continuous, choices)

    def env_action_from_parts(self, continuous: Optional[np.ndarray], choices: np.ndarray):
        """The env's action from its parts: a discrete space's categories, or a hybrid
        space's dict or tuple arranged as the space.

        `continuous` is `[..., continuous_dim]` in env units (unused without a continuous
        part) and `choices` the category of each discrete head, `[..., heads]` (`...` is
        `[B]` for a vector env, empty for one env); a `Discrete` space or part gets `[...]`,
        a `MultiDiscrete` one `[..., heads]`. Needs `action_space`, which a spec made from
        the env's spaces has and `from_dict` restores for discrete spaces, not hybrid ones.
        """
        if self.action_space is None:
            raise ValueError("this EnvSpec has no action_space (EnvSpec.from_dict does not "
                             "restore a hybrid one): make the spec from the env's spaces")
        if self.is_discrete:
            discrete = isinstance(self.action_space, gym.spaces.Discrete)
            return choices[..., 0] if discrete else choices
        box_key, discrete_key = _hybrid_keys(self.action_space)
        if isinstance(self.action_space[discrete_key], gym.spaces.Discrete):
            choices = choices[..., 0]
        parts = {box_key: continuous, discrete_key: choices}
        if isinstance(self.action_space, gym.spaces.Dict):
            return parts
        return tuple(parts[index] for index in range(2))


def _hybrid_keys(space: gym.spaces.Space) -> tuple:
    """(key of the Box, key of the discrete part) in a hybrid `Dict`/`Tuple` space."""
    keys = list(space.spaces) if isinstance(space, gym.spaces.Dict) else [0, 1]
    box_keys = [key for key in keys if isinstance(space[key], gym.spaces.Box)]
    discrete_keys = [key for key in keys if isinstance(
        space[key], (gym.spaces.Discrete, gym.spaces.MultiDiscrete))]
    return box_keys[0], discrete_keys[0]


def _is_hybrid_space(space: gym.spaces.Space) -> bool:
    if not isinstance(space, (gym.spaces.Dict, gym.spaces.Tuple)) or len(space.spaces) != 2:
        return False
    parts = [space[key] for key in (space.spaces if isinstance(space, gym.spaces.Dict)
                                    else range(2))]
    kinds = sorted(type(part).__name__ for part in parts)
    return kinds in (["Box", "Discrete"], ["Box", "MultiDiscrete"])


def _discrete_sizes(space: gym.spaces.Space) -> tuple:
    if isinstance(space, gym.spaces.Discrete):
        if space.start != 0:
            raise UserError(f"unsupported discrete action space {space}: categories must start at 0")
        return (int(space.n),)
    if space.nvec.ndim != 1 or np.any(space.start != 0):
        raise UserError(f"unsupported discrete action space {space}: need a 1-D MultiDiscrete "
                        "starting at 0")
    return tuple(int(n) for n in space.nvec)


def spec_from_spaces(observation_space: gym.Space, action_space: gym.Space) -> EnvSpec:
    """Checks that the spaces are supported and returns their `EnvSpec`.

    Raises:
      UserError: for anything but a 1-D float `Box` observation (or a `Dict`/`Tuple` of
        `Box` leaves) and a 1-D `Box` action space with finite bounds, a `Discrete` or
        1-D `MultiDiscrete` one, or a hybrid `Dict`/`Tuple` of such a `Box` and a
        `Discrete`/`MultiDiscrete`.
    """
    if _is_hybrid_space(action_space):
        box_key, discrete_key = _hybrid_keys(action_space)
        spec = spec_from_spaces(observation_space, action_space[box_key])
        return dataclasses.replace(spec, discrete_sizes=_discrete_sizes(action_space[discrete_key]),
                                   action_space=action_space)
    if isinstance(action_space, (gym.spaces.Discrete, gym.spaces.MultiDiscrete)):
        spec = spec_from_spaces(observation_space, gym.spaces.Box(-1.0, 1.0, (0,)))
        return dataclasses.replace(spec, discrete_sizes=_discrete_sizes(action_space),
                                   action_space=action_space)
    if not isinstance(action_space, gym.spaces.Box):
        raise UserError(
            f"unsupported action space {action_space}: sac_tf agents need a continuous "
            "gymnasium.spaces.Box action space, a Discrete/MultiDiscrete one (SAC only) or "
            "a Dict/Tuple of a Box and a Discrete/MultiDiscrete (hybrid actions, SAC only)")
    if len(action_space.shape) != 1:
        raise UserError(f"unsupported action space shape {action_space.shape}: need 1-D actions")
    low = np.asarray(action_space.low, np.float32)
    high = np.asarray(action_space.high, np.float32)
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and np.all(low < high)):
        raise UserError(f"action space {action_space} needs finite bounds with low < high")
    if isinstance(observation_space, (gym.spaces.Dict, gym.spaces.Tuple)):
        nest = nests.nest_from_space(observation_space)
        return EnvSpec((nests.flat_width(nest),), low, high, observation_nest=nest)
    if not isinstance(observation_space, gym.spaces.Box) or len(observation_space.shape) != 1:
        raise UserError(
            f"unsupported observation space {observation_space}: need a 1-D gymnasium.spaces.Box, "
            "or a Dict/Tuple of Box leaves")
    return EnvSpec(tuple(observation_space.shape), low, high)


class ActionScaler:
    """Affine map between [-1, 1] and the box `[low, high]` (numpy or TF tensors)."""

    def __init__(self, low: np.ndarray, high: np.ndarray):
        self._center = (np.asarray(high, np.float32) + np.asarray(low, np.float32)) / 2.0
        self._half_range = (np.asarray(high, np.float32) - np.asarray(low, np.float32)) / 2.0

    def to_env(self, action):
        """`[..., act_dim]` in [-1, 1] → env units."""
        return self._center + self._half_range * action

    def from_env(self, action):
        """`[..., act_dim]` in env units → [-1, 1]."""
        return (action - self._center) / self._half_range
