"""Goal env checks, the mujoco 4 joint shim for gymnasium-robotics, and bad nested input at
the command line (one `error:` line, exit 2, nothing written)."""

import types

import numpy as np
import pytest

from sac_tf.envs import goals
from sac_tf.errors import UserError
from tests.conftest import assert_one_line_error, run_train
from tests.fixtures.goal_envs import GoalPointMass, NoComputeReward, TuplePointMass


def test_goal_functions_are_the_envs_own():
    env = GoalPointMass()
    compute_reward, compute_terminated = goals.goal_functions(env)
    assert compute_reward(np.zeros((3, 2)), np.ones((3, 2)), None).tolist() == [-1, -1, -1]
    assert compute_terminated is None


@pytest.mark.parametrize("env, message", [(NoComputeReward(), "compute_reward"),
                                          (TuplePointMass(), "needs a Dict observation")])
def test_goal_functions_refuse_envs_hindsight_cannot_relabel(env, message):
    with pytest.raises(UserError, match=message):
        goals.goal_functions(env)


class FakeJoint:
    """An enum member that compares like mujoco 4's: never equal to a numpy int."""

    def __init__(self, value):
        self.value = value

    def __int__(self):
        return self.value

    def __eq__(self, other):
        return isinstance(other, FakeJoint) and other.value == self.value

    __hash__ = object.__hash__


def fake_mujoco(broken: bool):
    joint = type("mjtJoint", (), {"mjJNT_HINGE": FakeJoint(3), "mjJNT_SLIDE": FakeJoint(2)}
                 if broken else {"mjJNT_HINGE": 3, "mjJNT_SLIDE": 2})
    return types.SimpleNamespace(mjtJoint=joint, MjModel="the real MjModel")


def test_the_shim_is_needed_only_where_enums_do_not_equal_numpy_ints():
    assert goals.mujoco4_joint_shim_needed(fake_mujoco(broken=True))
    assert not goals.mujoco4_joint_shim_needed(fake_mujoco(broken=False))  # fixed upstream


def test_the_stand_in_has_int_enums_and_the_rest_of_mujoco():
    stand_in = goals.int_enum_mujoco(fake_mujoco(broken=True))
    assert np.int32(2) in (stand_in.mjtJoint.mjJNT_HINGE, stand_in.mjtJoint.mjJNT_SLIDE)
    assert stand_in.MjModel == "the real MjModel"


def test_fetch_reach_makes_and_steps_with_the_shim():
    pytest.importorskip("gymnasium_robotics")
    from sac_tf.envs.making import make_env
    env = make_env("FetchReach-v4")
    obs, _ = env.reset(seed=0)
    obs, reward, *_ = env.step(env.action_space.sample())
    assert sorted(obs) == ["achieved_goal", "desired_goal", "observation"]
    batch = env.unwrapped.compute_reward(np.zeros((4, 3)), np.ones((4, 3)), None)
    assert batch.shape == (4,) and reward in (0.0, -1.0)


@pytest.mark.parametrize("env, flags, message", [
    ("tests.fixtures.goal_envs:DiscreteLeaf", [], "unsupported observation leaf 'mode'"),
    ("tests.fixtures.goal_envs:NoComputeReward", ["--config.her=True"], "compute_reward"),
    ("Pendulum-v1", ["--config.her=True"], "needs a Dict observation"),
])
def test_bad_nested_input_is_one_error_line_and_writes_nothing(tmp_path, env, flags, message):
    root = tmp_path / "run"
    result = run_train(f"--env={env}", "--num_steps=100", f"--root_dir={root}", *flags)
    assert_one_line_error(result, message)
    assert result.returncode == 2 and not root.exists()

