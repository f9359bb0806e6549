"""`EnvSpec` and `spec_from_spaces`: action scaling, Box, discrete and hybrid action spaces."""

import gymnasium as gym
import numpy as np
import pytest

from sac_tf.core.specs import ActionScaler, spec_from_spaces
from sac_tf.errors import UserError


def test_action_scaling_maps_unit_box_to_bounds_and_back():
    scaler = ActionScaler(np.array([-2.0, 0.0]), np.array([2.0, 10.0]))
    unit = np.array([[-1.0, -1.0], [0.0, 0.0], [1.0, 1.0], [0.5, -0.5]], np.float32)
    env = scaler.to_env(unit)
    np.testing.assert_allclose(env, [[-2, 0], [0, 5], [2, 10], [1, 2.5]])
    np.testing.assert_allclose(scaler.from_env(env), unit, atol=1e-6)


def test_spec_from_box_spaces():
    spec = spec_from_spaces(gym.spaces.Box(-np.inf, np.inf, (5,)), gym.spaces.Box(-1, 3, (2,)))
    assert spec.observation_dim == 5 and spec.action_dim == 2
    np.testing.assert_array_equal(spec.action_high, [3, 3])


@pytest.mark.parametrize("action_space", [
    gym.spaces.MultiBinary(3),
    gym.spaces.Discrete(3, start=1),
    gym.spaces.MultiDiscrete([[2, 2], [2, 2]]),
    gym.spaces.Box(-np.inf, np.inf, (2,)),
    gym.spaces.Box(-1, 1, (2, 2)),
])
def test_unsupported_action_spaces_raise_user_error(action_space):
    with pytest.raises(UserError, match="action space"):
        spec_from_spaces(gym.spaces.Box(-1, 1, (3,)), action_space)


@pytest.mark.parametrize("container", ["dict", "tuple"])
def test_hybrid_spaces_flatten_to_continuous_plus_one_hots(container):
    box, discrete = gym.spaces.Box(0.0, 2.0, (2,)), gym.spaces.MultiDiscrete([3, 2])
    space = (gym.spaces.Dict({"discrete": discrete, "move": box}) if container == "dict"
             else gym.spaces.Tuple((box, discrete)))
    spec = spec_from_spaces(gym.spaces.Box(-1, 1, (4,)), space)
    assert spec.is_hybrid and spec.continuous_dim == 2 and spec.discrete_sizes == (3, 2)
    assert spec.action_dim == 2 + 3 + 2
    flat = np.array([[-1.0, 1.0, 0, 0, 1, 1, 0], [0.0, 0.5, 1, 0, 0, 0, 1]], np.float32)
    action = spec.env_action(flat)
    continuous, choices = ((action["move"], action["discrete"]) if container == "dict"
                           else action)
    np.testing.assert_allclose(continuous, [[0.0, 2.0], [1.0, 1.5]])
    np.testing.assert_array_equal(choices, [[2, 0], [0, 1]])


def test_hybrid_with_a_single_discrete_head_gives_category_indices():
    space = gym.spaces.Dict({"gear": gym.spaces.Discrete(3), "force": gym.spaces.Box(-1, 1, (1,))})
    spec = spec_from_spaces(gym.spaces.Box(-1, 1, (2,)), space)
    action = spec.env_action(np.array([[0.5, 0, 0, 1]], np.float32))
    np.testing.assert_array_equal(action["gear"], [2])
    assert spec.to_dict()["discrete_sizes"] == [3]


@pytest.mark.parametrize("space, flat, expected", [
    (gym.spaces.Discrete(3), [[0, 0, 1], [1, 0, 0]], [2, 0]),
    (gym.spaces.MultiDiscrete([3, 2]), [[0, 0, 1, 1, 0], [0, 1, 0, 0, 1]], [[2, 0], [1, 1]]),
], ids=["discrete", "multi_discrete"])
def test_discrete_spaces_are_one_hots_alone_and_step_with_categories(space, flat, expected):
    spec = spec_from_spaces(gym.spaces.Box(-1, 1, (4,)), space)
    assert spec.is_discrete and not spec.is_hybrid and spec.continuous_dim == 0
    assert spec.action_dim == sum(spec.discrete_sizes) == len(flat[0])
    action = spec.env_action(np.array(flat, np.float32))
    np.testing.assert_array_equal(action, expected)
    assert all(space.contains(row) for row in action)
    restored = type(spec).from_dict(spec.to_dict())
    assert restored.is_discrete and not restored.differences(spec)
