"""Environments by id or import path, with kwargs, checked by gymnasium's env checker."""

import json

import numpy as np
import pytest

from sac_tf.envs.making import check_env, is_import_path, make_env, make_vector_env
from sac_tf.errors import UserError
from sac_tf.run.logs import read_csv
from sac_tf.deploy.evaluation import evaluate_policy
from tests.conftest import assert_one_line_error, run_train
from tests.fixtures.user_envs import PointMass

POINT_MASS = "tests.fixtures.user_envs:PointMass"
BROKEN = "tests.fixtures.user_envs:WrongDtypePointMass"


@pytest.mark.parametrize("env_id, expected", [
    ("Pendulum-v1", False), (POINT_MASS, True), ("tests.fixtures.user_envs:make_point_mass", True),
    ("gymnasium.envs.classic_control:Pendulum-v1", False), (":PointMass", False)])
def test_import_paths_are_told_from_registered_ids(env_id, expected):
    assert is_import_path(env_id) == expected


def test_import_path_env_takes_kwargs_from_a_class_or_a_factory():
    for env_id in (POINT_MASS, "tests.fixtures.user_envs:make_point_mass"):
        env = make_env(env_id, max_steps=3, step_size=0.5)
        assert isinstance(env, PointMass) and env.max_steps == 3 and env.step_size == 0.5
    vector_env = make_vector_env(POINT_MASS, 2, {"max_steps": 3})
    assert [env.max_steps for env in vector_env.envs] == [3, 3]


def test_registered_env_takes_kwargs():
    assert make_env("Pendulum-v1", g=3.0).unwrapped.g == 3.0


def test_check_env_returns_the_spec_of_a_good_env():
    spec = check_env(POINT_MASS, {"size": 2.0})
    assert spec.observation_shape == (4,)
    np.testing.assert_array_equal(spec.action_low, [-1.0, -1.0])


@pytest.mark.parametrize("env_id, kwargs, message", [
    (BROKEN, {}, "fails gymnasium's env checker: The first element returned by `env.reset()` is "
                 "not within the observation space. (reset() gives float64 [5], the observation "
                 "space is float32 [4])"),
    ("no_such_module:Env", {}, "cannot import 'no_such_module'"),
    ("tests.fixtures.user_envs:NoSuchEnv", {}, "has no 'NoSuchEnv'"),
    ("builtins:dict", {}, "made a dict, not a gymnasium.Env"),
    (POINT_MASS, {"bogus": 1}, "unexpected keyword argument 'bogus'"),
    ("Pendulum-v1", {"bogus": 1}, "unexpected keyword argument 'bogus'"),
    (POINT_MASS, {"max_steps": "x"}, "cannot make environment 'tests.fixtures.user_envs:PointMass'"
                                     " with env_kwargs {'max_steps': 'x'}: ValueError: invalid "
                                     "literal for int()"),
    ("Pendulum-v1", {"g": "x"}, "fails gymnasium's env checker: TypeError: unsupported operand"),
])
def test_bad_envs_raise_user_errors(env_id, kwargs, message):
    with pytest.raises(UserError) as error:
        check_env(env_id, kwargs)
    assert message in str(error.value)


def test_command_line_trains_a_user_env_from_an_import_path_with_kwargs(tmp_path):
    result = run_train("--env=tests.fixtures.user_envs:make_point_mass",
                       '--env_kwargs={"max_steps": 25, "size": 0.5}', f"--root_dir={tmp_path}",
                       "--num_steps=300", "--config.learning_starts=100",
                       "--config.sac.hidden_sizes=(16,)", "--config.batch_size=16",
                       "--config.eval_episodes=2", "--config.eval_interval=300",
                       "--config.jit_compile=false")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["env_step"] == 300
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["env_kwargs"] == {"max_steps": 25, "size": 0.5}
    rows = read_csv(tmp_path / "eval.csv")
    assert [row["env_step"] for row in rows] == [300]
    # the exported policy evaluates in the same env (kwargs kept, no render_mode passed)
    evaluated = evaluate_policy(tmp_path / "policy", episodes=2, seed=1_000_000)
    assert evaluated["return_mean"] == pytest.approx(rows[0]["return_mean"], abs=1e-4)


@pytest.mark.parametrize("args, message", [
    ([f"--env={BROKEN}"], "fails gymnasium's env checker: The first element returned by "
                          "`env.reset()` is not within the observation space."),
    ([f"--env={POINT_MASS}", "--env_kwargs=[1"], "--env_kwargs is not valid JSON"),
    (["--env=Pendulum-v1", '--env_kwargs={"g": "x"}'], "fails gymnasium's env checker: "
                                                       "TypeError: unsupported operand"),
])
def test_command_line_rejects_a_broken_env_in_one_line(tmp_path, args, message):
    assert_one_line_error(run_train(f"--root_dir={tmp_path / 'run'}", *args), message)
    assert not (tmp_path / "run").exists()
