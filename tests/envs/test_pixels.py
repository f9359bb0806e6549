"""Pixel envs at the command line: DeepMind Control ids without dm-control or without a
rendering backend, and image observations the pixel agent cannot take (one `error:` line);
the DeepMind Control wrapper's frame stacking and action repeat on a stand-in suite."""

import ctypes.util
import importlib.util
import os
from types import SimpleNamespace

import numpy as np
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


class FakeSuite:
    """dm_control.suite's surface that `DmcPixels` uses: a task whose physics renders frame
    number n (all pixels n) after n physics steps, pays reward 1 + n/10 for the step that
    reaches n, and ends its episode after 10 physics steps (discount 1: a time limit)."""

    ALL_TASKS = (("toy", "reach"),)

    class Env:
        def __init__(self):
            self.steps = 0
            self.physics = SimpleNamespace(render=lambda height, width, camera_id: np.full(
                (height, width, 3), self.steps, np.uint8))
            self.task = SimpleNamespace(random=np.random.RandomState(0))

        def action_spec(self):
            return SimpleNamespace(minimum=np.array([-1.0]), maximum=np.array([1.0]))

        def reset(self):
            self.steps = 0

        def step(self, action):
            self.steps += 1
            return SimpleNamespace(reward=1 + self.steps / 10, discount=1.0,
                                   last=lambda: self.steps == 10)

    @staticmethod
    def load(domain, task, task_kwargs):
        return FakeSuite.Env()


def test_dmc_pixels_repeats_actions_summing_rewards_and_stacks_frames(monkeypatch):
    """A reset's stack repeats its first frame; a step repeats the action `action_repeat`
    times, sums their rewards, appends the last frame; the time limit truncates."""
    from sac_tf.envs import dmc

    monkeypatch.setattr(dmc, "load_suite", lambda: FakeSuite)
    env = dmc.DmcPixels("toy-reach", size=4, frame_stack=3, action_repeat=4)
    observation, _ = env.reset(seed=1)
    frames = lambda obs: obs["pixels"][0, 0, ::3].tolist()  # each stacked frame's number
    assert observation["pixels"].shape == (4, 4, 9) and frames(observation) == [0, 0, 0]
    observation, reward, terminated, truncated, _ = env.step(np.zeros(1, np.float32))
    assert frames(observation) == [0, 0, 4] and reward == pytest.approx(4 + 1.0)
    assert not (terminated or truncated)
    observation, reward, *_ = env.step(np.zeros(1, np.float32))
    assert frames(observation) == [0, 4, 8] and reward == pytest.approx(4 + 2.6)
    observation, reward, terminated, truncated, _ = env.step(np.zeros(1, np.float32))
    assert frames(observation) == [4, 8, 10] and reward == pytest.approx(2 + 1.9)
    assert truncated and not terminated
