"""Headless MuJoCo rendering that survives TensorFlow in the same process.

MuJoCo renders off-screen through EGL (`MUJOCO_GL=egl`) or OSMesa
(`MUJOCO_GL=osmesa`). With Mesa's software renderer that segfaults once
TensorFlow is loaded: Mesa resolves LLVM symbols from libtensorflow_framework
instead of its own LLVM. Loading Mesa's driver first with `RTLD_DEEPBIND`
makes it prefer its own symbols. Debian packages: `libegl1 libgl1
libgl1-mesa-dri` (EGL) or `libosmesa6` (OSMesa).

Pygame-rendered environments (Pendulum) only need SDL's dummy video driver
without a display, or SDL prints an `XDG_RUNTIME_DIR` error on stderr.
"""

import ctypes
import ctypes.util
import glob
import os

import gymnasium as gym

from sac_tf.errors import UserError

#: Where Mesa's DRI drivers live on common Linux layouts; `LIBGL_DRIVERS_PATH` comes first.
_DRI_PATTERNS = ("/usr/lib/*/dri", "/usr/lib64/dri", "/usr/lib/dri", "/usr/local/lib/*/dri")


def is_mujoco_env(env_id: str) -> bool:
    """Whether gymnasium's registry builds `env_id` from its MuJoCo environments."""
    try:
        entry_point = gym.spec(env_id).entry_point
    except gym.error.Error:
        return False
    return "mujoco" in str(entry_point)


def find_mesa_driver(backend: str) -> str:
    """The library to deep-bind for `backend` (`"egl"` or `"osmesa"`), or raises `UserError`."""
    if backend == "osmesa":
        found = ctypes.util.find_library("OSMesa")
        if found:
            return found
        raise UserError("MUJOCO_GL=osmesa needs libOSMesa (Debian: apt-get install libosmesa6)")
    directories = [d for d in os.environ.get("LIBGL_DRIVERS_PATH", "").split(":") if d]
    for pattern in _DRI_PATTERNS:
        directories += sorted(glob.glob(pattern))
    for directory in directories:
        path = os.path.join(directory, "swrast_dri.so")
        if os.path.exists(path):
            return path
    raise UserError("MUJOCO_GL=egl needs Mesa's swrast_dri.so (Debian: apt-get install "
                    "libegl1 libgl1 libgl1-mesa-dri)")


def prepare_rendering(env_id: str) -> None:
    """Call before making `env_id` with `render_mode="rgb_array"` in a process with TensorFlow.

    Without a display: `SDL_VIDEODRIVER=dummy` (pygame) and, for MuJoCo envs,
    `MUJOCO_GL=egl`, unless already set. For MuJoCo envs with an `egl` or
    `osmesa` backend, loads the Mesa driver with `RTLD_DEEPBIND`.
    """
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    if not is_mujoco_env(env_id):
        return
    if headless:
        os.environ.setdefault("MUJOCO_GL", "egl")
    backend = os.environ.get("MUJOCO_GL", "").lower()
    if backend in ("egl", "osmesa"):
        ctypes.CDLL(find_mesa_driver(backend), mode=os.RTLD_NOW | os.RTLD_DEEPBIND)
