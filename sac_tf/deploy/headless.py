"""Headless rendering of an env's videos in a process with TensorFlow.

MuJoCo envs (gymnasium's, and the DeepMind Control Suite's of `sac_tf.envs.dmc`) need
Mesa's driver deep-bound first (`sac_tf.envs.rendering`).

Pygame-rendered environments (Pendulum) only need SDL's dummy video driver
without a display, or SDL prints an `XDG_RUNTIME_DIR` error on stderr.
"""

import os

import gymnasium as gym

from sac_tf.envs.rendering import prepare_mujoco_rendering


def is_mujoco_env(env_id: str) -> bool:
    """Whether gymnasium's registry builds `env_id` from MuJoCo (its own MuJoCo envs or the
    DeepMind Control Suite's)."""
    try:
        entry_point = str(gym.spec(env_id).entry_point)
    except gym.error.Error:
        return False
    return "mujoco" in entry_point or "sac_tf.envs.dmc" in entry_point


def prepare_rendering(env_id: str) -> None:
    """Call before making `env_id` with `render_mode="rgb_array"` in a process with TensorFlow.

    Without a display: `SDL_VIDEODRIVER=dummy` (pygame) and, for MuJoCo envs,
    `MUJOCO_GL=egl`, unless already set. For MuJoCo envs with an `egl` or
    `osmesa` backend, loads the Mesa driver with `RTLD_DEEPBIND`.
    """
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    if is_mujoco_env(env_id):
        prepare_mujoco_rendering()
