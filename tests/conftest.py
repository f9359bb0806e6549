"""Shared fixtures: TensorFlow imported quietly, small configs for fast runs, the
`sac_tf.train` command and its one-line errors."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

import sac_tf  # noqa: F401  (imports TensorFlow quietly first)
from sac_tf.config import load_config

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


def run_train(*args, env=None) -> subprocess.CompletedProcess:
    """`python -m sac_tf.train ARGS` from the repository root, output captured (`env`: the
    process's environment variables, by default this one's)."""
    return subprocess.run([sys.executable, "-m", "sac_tf.train", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300, env=env)


def assert_one_line_error(result: subprocess.CompletedProcess, message: str):
    """A non-zero exit whose whole stderr is `error: …` holding `message`."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()  # nothing after it either (TF warnings)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and message in lines[0], lines[0]


def small_pendulum_config(**overrides):
    """The shipped Pendulum config with a short schedule and small networks."""
    config = load_config(str(REPO_ROOT / "configs" / "sac_pendulum.py"))
    config.sac.hidden_sizes = (32, 32)
    config.update(dict(num_steps=600, learning_starts=200, eval_interval=300, eval_episodes=2,
                       log_interval=100, checkpoint_interval=300, batch_size=32))
    config.update(overrides)
    return config


def checkpoint_values(prefix) -> dict:
    """Every variable a checkpoint holds, by name, its save counter left out."""
    import tensorflow as tf

    skipped = ("_CHECKPOINTABLE_OBJECT_GRAPH", "save_counter/.ATTRIBUTES/VARIABLE_VALUE")
    return {name: tf.train.load_variable(str(prefix), name)
            for name, _ in tf.train.list_variables(str(prefix)) if name not in skipped}


def assert_same_checkpoint_values(expected: dict, actual: dict):
    assert sorted(actual) == sorted(expected)
    for name, value in expected.items():
        assert np.array_equal(actual[name], value), name


@pytest.fixture
def python():
    return sys.executable


def run_training_with_export(config, root_dir, *args, **kwargs) -> dict:
    """`sac_tf.run.loop.run_training` with the policy export the entry points pass it."""
    from sac_tf.deploy.run_policy import export_run_policy
    from sac_tf.run.loop import run_training

    return run_training(config, root_dir, *args, export=export_run_policy, **kwargs)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A 300-step Pendulum run (32×32 nets): its root dir, with `policy/` exported at the end."""
    root_dir = tmp_path_factory.mktemp("tiny_run")
    config = small_pendulum_config(num_steps=300, learning_starts=100, eval_interval=150,
                                   checkpoint_interval=300, eval_episodes=1)
    run_training_with_export(config, root_dir)
    return root_dir
