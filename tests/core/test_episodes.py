"""`run_episodes`: whole episodes of a policy in a vector env."""

import gymnasium as gym
import numpy as np

from sac_tf.core.episodes import run_episodes
from sac_tf.envs.making import env_spec
from tests.fixtures.counting_env import CountingEnv


def test_run_episodes_returns_one_return_per_sub_env():
    env = gym.vector.SyncVectorEnv(
        [lambda: CountingEnv(terminate_at=2), lambda: CountingEnv(terminate_at=4)],
        autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    spec = env_spec(env)
    returns = run_episodes(env, lambda obs: spec.env_action(np.zeros((len(obs), 1), np.float32)),
                           seed=0)
    np.testing.assert_array_equal(returns, [2.0, 4.0])
