"""Observation/action specs from gymnasium spaces, and action scaling.

Agents only ever see actions in [-1, 1]; `ActionScaler` maps them to and from
the environment's bounds.
"""

import dataclasses

import gymnasium as gym
import numpy as np

from sac_tf.errors import UserError


@dataclasses.dataclass(frozen=True)
class EnvSpec:
    """What an agent needs to know about an environment.

    Attributes:
      observation_shape: shape of one observation, e.g. `(17,)`.
      action_low: float32 `[act_dim]`, lower action bounds in env units.
      action_high: float32 `[act_dim]`, upper action bounds in env units.
    """

    observation_shape: tuple
    action_low: np.ndarray
    action_high: np.ndarray

    @property
    def observation_dim(self) -> int:
        return int(np.prod(self.observation_shape))

    @property
    def action_dim(self) -> int:
        return int(self.action_low.shape[0])

    def to_dict(self) -> dict:
        """A JSON-serialisable description (used as SavedModel metadata)."""
        return {
            "observation_shape": list(self.observation_shape),
            "action_low": self.action_low.tolist(),
            "action_high": self.action_high.tolist(),
        }

    @classmethod
    def from_dict(cls, value: dict) -> "EnvSpec":
        """The inverse of `to_dict`."""
        return cls(tuple(value["observation_shape"]), np.asarray(value["action_low"], np.float32),
                   np.asarray(value["action_high"], np.float32))


def spec_from_spaces(observation_space: gym.Space, action_space: gym.Space) -> EnvSpec:
    """Checks that the spaces are supported and returns their `EnvSpec`.

    Raises:
      UserError: for anything but a 1-D float `Box` observation and a 1-D `Box`
        action space with finite bounds.
    """
    if not isinstance(action_space, gym.spaces.Box):
        raise UserError(
            f"unsupported action space {action_space}: sac_tf agents need a continuous "
            "gymnasium.spaces.Box action space")
    if len(action_space.shape) != 1:
        raise UserError(f"unsupported action space shape {action_space.shape}: need 1-D actions")
    low = np.asarray(action_space.low, np.float32)
    high = np.asarray(action_space.high, np.float32)
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and np.all(low < high)):
        raise UserError(f"action space {action_space} needs finite bounds with low < high")
    if not isinstance(observation_space, gym.spaces.Box) or len(observation_space.shape) != 1:
        raise UserError(
            f"unsupported observation space {observation_space}: need a 1-D gymnasium.spaces.Box")
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
