"""`SlowEnv` waits the given latency before each step and is otherwise its inner env."""

import numpy as np
import pytest

from sac_tf.envs import slow
from sac_tf.envs.making import check_env, make_env
from sac_tf.errors import UserError


def test_each_step_sleeps_the_latency_then_steps_the_inner_env(monkeypatch):
    sleeps = []
    monkeypatch.setattr(slow.time, "sleep", sleeps.append)
    env = make_env("sac_tf.envs.slow:SlowEnv", wrapped_env_id="Pendulum-v1",
                   step_latency_s=0.02)
    reference = make_env("Pendulum-v1")
    observation, _ = env.reset(seed=3)
    np.testing.assert_array_equal(observation, reference.reset(seed=3)[0])
    for _ in range(3):
        action = np.array([0.5], np.float32)
        np.testing.assert_array_equal(env.step(action)[0], reference.step(action)[0])
    assert sleeps == [0.02] * 3
    assert check_env("sac_tf.envs.slow:SlowEnv", {"step_latency_s": 0.0}).observation_dim == 3


def test_a_negative_latency_is_refused_in_one_line():
    with pytest.raises(UserError, match="step_latency_s must be >= 0 seconds, got -1"):
        make_env("sac_tf.envs.slow:SlowEnv", step_latency_s=-1)
