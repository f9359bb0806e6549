"""Goal-conditioned envs for hindsight relabelling, and gymnasium-robotics by id.

`goal_functions(env)` checks that an env can be relabelled (a `Dict` observation with
`observation`, `achieved_goal` and `desired_goal`, and a `compute_reward`) and returns the
functions `sac_tf.core.hindsight.HindsightWriter` calls.

`register_robotics()` makes gymnasium-robotics' tasks (`FetchReach-v4`,
`PointMaze_UMaze-v3`, ...) known to `gymnasium.make` (the optional extra
`pip install -e ".[robotics]"`; importing it needs PettingZoo). It applies
`mujoco4_joint_shim` first where it is needed.
"""

import contextlib
import io
import sys
import types

import gymnasium as gym
import numpy as np

from sac_tf.core.hindsight import GOAL_KEYS
from sac_tf.errors import UserError

#: Id prefixes of gymnasium-robotics' tasks (for the hint when it is not installed).
ROBOTICS_PREFIXES = ("Fetch", "PointMaze", "AntMaze", "HandManipulate", "HandReach",
                     "AdroitHand", "FrankaKitchen")


def goal_functions(env) -> tuple:
    """(compute_reward, compute_terminated or None) of a goal-conditioned env or vector env.

    Raises:
      UserError: when the observation is not a `Dict` with `GOAL_KEYS`, or the env has no
        callable `compute_reward`.
    """
    one = env.envs[0] if isinstance(env, gym.vector.VectorEnv) else env
    space = one.observation_space
    keys = sorted(space.spaces) if isinstance(space, gym.spaces.Dict) else None
    if keys is None or not set(GOAL_KEYS) <= set(keys):
        raise UserError(f"hindsight relabelling (her) needs a Dict observation with keys "
                        f"{list(GOAL_KEYS)}; this env observes {keys or type(space).__name__}")
    compute_reward = getattr(one.unwrapped, "compute_reward", None)
    if not callable(compute_reward):
        raise UserError("hindsight relabelling (her) needs the env's compute_reward("
                        "achieved_goal, desired_goal, info); this env has none")
    compute_terminated = getattr(one.unwrapped, "compute_terminated", None)
    return compute_reward, compute_terminated if callable(compute_terminated) else None


def mujoco4_joint_shim_needed(mujoco) -> bool:
    """Whether `mujoco`'s enums break gymnasium-robotics' joint checks.

    gymnasium-robotics 1.4.2 `utils/mujoco_utils.py` asserts `joint_type in
    (mjtJoint.mjJNT_HINGE, mjtJoint.mjJNT_SLIDE)` with `joint_type` a numpy int32; `in`
    compares `enum == int32`, which is False on mujoco 4 (the reverse is True), so every
    Fetch task fails in `gym.make`. False once either side is fixed.
    """
    slide = mujoco.mjtJoint.mjJNT_SLIDE
    return not (slide == np.int32(int(slide)))


def int_enum_mujoco(mujoco) -> types.ModuleType:
    """A stand-in for the `mujoco` module whose `mjt*` enums are namespaces of plain ints;
    everything else is the real module's."""
    stand_in = types.ModuleType("mujoco_int_enums")

    def attribute(name):
        value = getattr(mujoco, name)
        if name.startswith("mjt") and isinstance(value, type):
            return types.SimpleNamespace(**{member: int(getattr(value, member))
                                            for member in dir(value) if member.startswith("mj")})
        return value

    stand_in.__getattr__ = attribute
    return stand_in


def mujoco4_joint_shim() -> bool:
    """Gives gymnasium-robotics' `mujoco_utils` the `int_enum_mujoco` stand-in when
    `mujoco4_joint_shim_needed`; returns whether it did. Remove when upstream compares
    the other way round (or casts), which this check notices by itself."""
    import mujoco
    from gymnasium_robotics.utils import mujoco_utils

    if not mujoco4_joint_shim_needed(mujoco) or not hasattr(mujoco_utils, "mujoco"):
        return False
    if not isinstance(mujoco_utils.mujoco, types.ModuleType) or \
            mujoco_utils.mujoco.__name__ != "mujoco_int_enums":
        mujoco_utils.mujoco = int_enum_mujoco(mujoco)
    return True


def register_robotics(env_id: str) -> None:
    """Registers gymnasium-robotics' envs (with the shim) if `env_id` is not yet known.

    Raises:
      UserError: for a robotics id when gymnasium-robotics (or PettingZoo) is missing.
    """
    if env_id in gym.registry:
        if "gymnasium_robotics" in sys.modules:  # imported (and registered) elsewhere
            mujoco4_joint_shim()
        return
    try:
        # Its import prints a notice about Adroit envs' rewards (farama_notifications) to
        # stderr, which would bury our one-line errors: keep it off.
        with contextlib.redirect_stderr(io.StringIO()):
            import gymnasium_robotics
    except ImportError as error:
        if env_id.startswith(ROBOTICS_PREFIXES):
            raise UserError(f"environment {env_id!r} needs gymnasium-robotics: pip install -e "
                            f"\".[robotics]\" ({error})") from None
        return
    mujoco4_joint_shim()
    gym.register_envs(gymnasium_robotics)
