"""Pixel envs at the command line: DeepMind Control ids without dm-control or without a
rendering backend, and image observations the pixel agent cannot take (one `error:` line)."""

import ctypes.util
import importlib.util
import os

import pytest

from tests.conftest import assert_one_line_error, run_train


@pytest.mark.parametrize("env, flags, message", [
    ("tests.fixtures.pixel_envs:tiny_pixels", [], "needs at least 15×15"),
    ("tests.fixtures.pixel_envs:float_pixels", ["--config=configs/sac_pixels.py"],
     "Box(0, 255, (H, W, C), uint8)"),
    ("tests.fixtures.pixel_envs:SquarePixels", ["--config.n_step=3"], "n_step=1"),
    ("tests.fixtures.pixel_envs:SquarePixels", ["--config.sac.normalize_observations=True"],
     "normalize_observations"),
])
def test_bad_pixel_input_is_one_error_line_and_writes_nothing(tmp_path, env, flags, message):
    root = tmp_path / "run"
    result = run_train(f"--env={env}", "--num_steps=100", f"--root_dir={root}", *flags)
    assert_one_line_error(result, message)
    assert result.returncode == 2
    assert not root.exists()


@pytest.mark.skipif(importlib.util.find_spec("dm_control") is not None,
                    reason="dm-control is installed here")
def test_a_dmc_task_without_dm_control_names_the_extra(tmp_path):
    result = run_train("--env=dmc/cartpole-swingup-v0", "--num_steps=100",
                       f"--root_dir={tmp_path / 'run'}")
    assert_one_line_error(result, 'pip install -e ".[dmc]"')


@pytest.mark.skipif(ctypes.util.find_library("OSMesa") is not None,
                    reason="libOSMesa is installed here")
def test_a_missing_rendering_backend_names_the_package(tmp_path):
    result = run_train("--env=dmc/cartpole-swingup-v0", "--num_steps=100",
                       f"--root_dir={tmp_path / 'run'}", env={**os.environ, "MUJOCO_GL": "osmesa"})
    assert_one_line_error(result, "libosmesa6")
    assert result.returncode == 2


def test_dmc_ids_register_lazily_with_drqs_camera():
    import gymnasium as gym

    from sac_tf.envs.dmc import register_dmc
    register_dmc("dmc/quadruped-walk-v0")
    register_dmc("dmc/walker-walk-v0")
    assert gym.spec("dmc/quadruped-walk-v0").kwargs == {"task": "quadruped-walk", "camera_id": 2}
    assert gym.spec("dmc/walker-walk-v0").kwargs == {"task": "walker-walk"}
