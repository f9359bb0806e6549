"""An agents × seeds grid on Ray gives the files of the same grid trained in turn."""

import functools
import pathlib

import numpy as np
import pytest

from sac_tf.deploy.saved_policy import load_policy
from sac_tf.distributed.grid import train_on_ray
from sac_tf.errors import UserError
from sac_tf.experiments import comparison
from sac_tf.run.logs import read_csv
from tests.conftest import assert_same_checkpoint_values, checkpoint_values
from tests.experiments.test_comparison import tiny_config

TIMING_COLUMNS = ("wall_s", "steps_per_s")
WALL_TIME_VARIABLE = "wall_s/.ATTRIBUTES/VARIABLE_VALUE"


def run_files(out: pathlib.Path) -> list:
    """Every file under `out/runs`, relative, TensorBoard's timestamped event files left out."""
    return sorted(str(path.relative_to(out)) for path in (out / "runs").rglob("*")
                  if path.is_file() and "tensorboard" not in path.parts)


def assert_same_rows(expected_csv, actual_csv):
    """The same rows and columns, timings aside (they differ from run to run)."""
    expected, actual = read_csv(expected_csv), read_csv(actual_csv)
    assert len(actual) == len(expected) > 0
    for want, got in zip(expected, actual):
        assert want.keys() == got.keys()
        for column in want.keys() - set(TIMING_COLUMNS):
            np.testing.assert_equal(got[column], want[column], err_msg=column)


def policy_actions(policy_dir, observations) -> np.ndarray:
    """The exported policy's deterministic actions (its SavedModel orders variables by the
    names Keras gave them, which differ between processes: compare what it computes)."""
    _, loaded = load_policy(policy_dir)
    return loaded.signatures["serving_default"](observation=observations)["action"].numpy()


def test_a_grid_on_ray_writes_what_the_grid_in_turn_writes(tmp_path, local_ray):
    grid = dict(env_id="Pendulum-v1", agents=["sac", "ddpg"], seeds=[0], num_steps=200,
                make_config=tiny_config)  # the 2 × 2 grid of the CLI measured in the README
    in_turn, on_ray = tmp_path / "in_turn", tmp_path / "on_ray"
    comparison.train_missing(out=in_turn, log=print, **grid)
    messages = []
    curves = comparison.train_missing(
        out=on_ray, log=messages.append,
        train_jobs=functools.partial(train_on_ray, address="local"), **grid)

    assert sum("(Ray task)" in message for message in messages) == 2
    assert sum("final return" in message for message in messages) == 2
    assert run_files(on_ray) == run_files(in_turn)
    for name in run_files(in_turn):
        if name.endswith(".csv"):
            assert_same_rows(in_turn / name, on_ray / name)
        elif name.endswith(".index") and "checkpoints" in name:  # the same values, wall time aside
            prefix = name[:-len(".index")]
            expected, actual = (checkpoint_values(root / prefix) for root in (in_turn, on_ray))
            for values in (expected, actual):
                del values[WALL_TIME_VARIABLE]
            assert_same_checkpoint_values(expected, actual)
    observations = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
    for run in ("sac_seed0", "ddpg_seed0"):
        np.testing.assert_array_equal(*(policy_actions(root / "runs" / run / "policy",
                                                       observations)
                                        for root in (in_turn, on_ray)))
    assert [curve.returns[-1] for curve in curves] == [
        read_csv(in_turn / "runs" / f"{agent}_seed{seed}" / "eval.csv")[-1]["return_mean"]
        for agent, seed in (("sac", 0), ("ddpg", 0))]

    messages.clear()  # a rerun skips every finished run and starts no task
    comparison.train_missing(out=on_ray, log=messages.append,
                             train_jobs=functools.partial(train_on_ray, address="local"), **grid)
    assert sum("skipped" in message for message in messages) == 2


def test_a_failing_run_is_reported_in_one_line_with_its_label(tmp_path, local_ray):
    config = tiny_config("sac", "Pendulum-v1", 0, 200)
    config.env_id = "NoSuchEnv-v0"  # fails inside the task, as a UserError
    job = comparison.GridJob("[1/1] sac seed 0", config, tmp_path / "runs" / "sac_seed0")
    with pytest.raises(UserError, match=r"^\[1/1\] sac seed 0 failed: unknown environment "
                                        r"'NoSuchEnv-v0'"):
        train_on_ray([job], print, address="local")


@pytest.mark.parametrize("resources, message", [
    (dict(cpus_per_run=4), "needs 4 CPUs and the Ray cluster has 2"),
    (dict(gpus_per_run=1), "needs 1 GPUs and the Ray cluster has 0"),
])
def test_more_than_the_cluster_has_is_refused(resources, message, tmp_path, local_ray):
    job = comparison.GridJob("[1/1] sac seed 0", tiny_config("sac", "Pendulum-v1", 0, 200),
                             tmp_path / "runs" / "sac_seed0")
    with pytest.raises(UserError, match=message):
        train_on_ray([job], print, address="local", **resources)
