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
