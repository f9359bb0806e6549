"""Shared fixtures: TensorFlow imported quietly, small configs for fast runs."""

import pathlib
import sys

import pytest

import sac_tf  # noqa: F401  (imports TensorFlow quietly first)
from sac_tf.config import load_config

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


def small_pendulum_config(**overrides):
    """The shipped Pendulum config with a short schedule and small networks."""
    config = load_config(str(REPO_ROOT / "configs" / "sac_pendulum.py"))
    config.sac.hidden_sizes = (32, 32)
    config.update(dict(num_steps=600, learning_starts=200, eval_interval=300, eval_episodes=2,
                       log_interval=100, checkpoint_interval=300, batch_size=32))
    config.update(overrides)
    return config


@pytest.fixture
def python():
    return sys.executable


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A 300-step Pendulum run (32×32 nets): its root dir, with `policy/` exported at the end."""
    from sac_tf.training import run_training

    root_dir = tmp_path_factory.mktemp("tiny_run")
    run_training(small_pendulum_config(num_steps=300, learning_starts=100, eval_interval=150,
                                       checkpoint_interval=300, eval_episodes=1), root_dir)
    return root_dir
