"""Headless MuJoCo rendering beside TensorFlow: Mesa's driver loaded with `RTLD_DEEPBIND`.

MuJoCo renders off-screen through EGL (`MUJOCO_GL=egl`) or OSMesa
(`MUJOCO_GL=osmesa`). With Mesa's software renderer that segfaults once
TensorFlow is loaded: Mesa resolves LLVM symbols from libtensorflow_framework
instead of its own LLVM. Loading Mesa's driver first with `RTLD_DEEPBIND`
makes it prefer its own symbols. Debian packages: `libegl1 libgl1
libgl1-mesa-dri` (EGL) or `libosmesa6` (OSMesa). Envs that render their
observations (`sac_tf.envs.dmc`) call `prepare_mujoco_rendering` before they render;
`sac_tf.deploy.headless` does it for videos.
"""

import ctypes
import ctypes.util
import glob
import os

from sac_tf.errors import UserError

#: Where Mesa's DRI drivers live on common Linux layouts; `LIBGL_DRIVERS_PATH` comes first.
_DRI_PATTERNS = ("/usr/lib/*/dri", "/usr/lib64/dri", "/usr/lib/dri", "/usr/local/lib/*/dri")


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


def prepare_mujoco_rendering() -> None:
    """Without a display, `MUJOCO_GL=egl` (unless set); for an `egl` or `osmesa` backend,
    loads Mesa's driver with `RTLD_DEEPBIND` (once per process; reloading is a no-op).

    Raises:
      UserError: when the backend's library is missing, naming the package to install.
    """
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("MUJOCO_GL", "egl")
    backend = os.environ.get("MUJOCO_GL", "").lower()
    if backend in ("egl", "osmesa"):
        ctypes.CDLL(find_mesa_driver(backend), mode=os.RTLD_NOW | os.RTLD_DEEPBIND)
