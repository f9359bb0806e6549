import gymnasium as gym
import numpy as np
import pytest

from sac_tf.errors import UserError
from sac_tf.specs import ActionScaler, spec_from_spaces


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
    gym.spaces.Discrete(3),
    gym.spaces.Box(-np.inf, np.inf, (2,)),
    gym.spaces.Box(-1, 1, (2, 2)),
])
def test_unsupported_action_spaces_raise_user_error(action_space):
    with pytest.raises(UserError, match="action space"):
        spec_from_spaces(gym.spaces.Box(-1, 1, (3,)), action_space)
