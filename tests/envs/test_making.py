"""Environments by id or import path, with kwargs, checked by gymnasium's env checker."""

import numpy as np
import pytest

from sac_tf.envs.making import check_env, is_import_path, make_env, make_vector_env
from sac_tf.errors import UserError
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
