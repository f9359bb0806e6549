"""`StepDriver`, `EpisodeTracker` and `UniformRandomPolicy`: collecting transitions."""

import gymnasium as gym
import numpy as np

from sac_tf.core.drivers import EpisodeTracker, StepDriver
from sac_tf.envs.making import env_spec
from tests.fixtures.counting_env import CountingEnv


def vector_env(make):
    return gym.vector.SyncVectorEnv([make], autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)


def collect(env, num_steps, action=1.0):
    recorded = []
    tracker = EpisodeTracker(1)
    driver = StepDriver(env, env_spec(env), lambda obs: np.full((len(obs), 1), action),
                        [lambda t, end: recorded.append((t, end)), tracker], seed=0)
    driver.run(num_steps)
    return recorded, tracker


def test_truncation_keeps_bootstrapping_and_stores_the_real_final_observation():
    env = vector_env(lambda: gym.wrappers.TimeLimit(CountingEnv(), max_episode_steps=3))
    recorded, tracker = collect(env, 5)
    observations = [t.observation[0, 0] for t, _ in recorded]
    next_observations = [t.next_observation[0, 0] for t, _ in recorded]
    assert observations == [0, 1, 2, 0, 1]
    assert next_observations == [1, 2, 3, 1, 2]  # 3 is the final obs, not the reset's 0
    assert [t.terminated[0] for t, _ in recorded] == [0, 0, 0, 0, 0]
    assert [bool(end[0]) for _, end in recorded] == [False, False, True, False, False]
    assert tracker.completed_returns == [3.0]


def test_termination_stops_bootstrapping():
    env = vector_env(lambda: CountingEnv(terminate_at=2))
    recorded, _ = collect(env, 4)
    assert [t.terminated[0] for t, _ in recorded] == [0, 1, 0, 1]
    assert [t.next_observation[0, 0] for t, _ in recorded] == [1, 2, 1, 2]


def test_actions_are_scaled_from_unit_box_to_env_bounds():
    env = vector_env(lambda: CountingEnv())
    recorded, _ = collect(env, 2, action=0.5)
    assert env.envs[0].actions == [7.5, 7.5]  # [-1, 1] → [0, 10]
    assert recorded[0][0].action[0, 0] == 0.5  # the buffer keeps the normalised action


def test_uniform_random_policy_draws_one_hot_discrete_heads():
    from sac_tf.core.drivers import UniformRandomPolicy

    action = UniformRandomPolicy(2, seed=0, discrete_sizes=(3, 2))(np.zeros((500, 4)))
    assert action.shape == (500, 7)
    assert np.all(np.abs(action[:, :2]) <= 1.0)
    for one_hot in (action[:, 2:5], action[:, 5:]):
        assert set(np.unique(one_hot)) == {0.0, 1.0}
        np.testing.assert_array_equal(one_hot.sum(axis=1), 1.0)
        assert np.all(one_hot.mean(axis=0) > 0.25)   # every category is drawn
