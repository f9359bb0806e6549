"""The API's replay buffer (`agent.replay_buffer`): what `add` stores, and how much."""

import numpy as np
import pytest

from tests.api.test_agent import random_transitions, small_agent


def test_replay_buffer_add_stores_normalised_actions_and_terminated_only():
    agent = small_agent()
    # one transition: action at the bounds' corners, truncated (must still bootstrap)
    agent.replay_buffer.add(np.zeros(3), np.array([10.0, -2.0]), 1.5, np.ones(3),
                            terminated=False, truncated=True)
    # a batch of two, the second terminated
    agent.replay_buffer.add(np.zeros((2, 3)), np.array([[0.0, 2.0], [5.0, 0.0]]), [2.0, 3.0],
                            np.ones((2, 3)), [False, True], [False, False])
    assert len(agent.replay_buffer) == 3 and agent.env_step == 3
    stored = agent._state.replay_buffer.sample(200)
    by_reward = {float(reward): (action, float(terminated)) for reward, action, terminated in
                 zip(stored.reward.numpy(), stored.action.numpy(), stored.terminated.numpy())}
    assert set(by_reward) == {1.5, 2.0, 3.0}
    np.testing.assert_allclose(by_reward[1.5][0], [1.0, -1.0])
    np.testing.assert_allclose(by_reward[2.0][0], [-1.0, 1.0])
    np.testing.assert_allclose(by_reward[3.0][0], [0.0, 0.0])
    assert [by_reward[reward][1] for reward in (1.5, 2.0, 3.0)] == [0.0, 0.0, 1.0]


def test_replay_buffer_keeps_the_newest_capacity_transitions():
    agent = small_agent(buffer_capacity=50)
    transitions = random_transitions(120)
    for index in range(120):
        agent.replay_buffer.add(**{name: values[index] for name, values in transitions.items()})
    assert len(agent.replay_buffer) == 50 and agent.env_step == 120
    stored = agent._state.replay_buffer.sample(500).reward.numpy()
    assert set(stored) == set(transitions["reward"][70:].astype(np.float32))
    with pytest.raises(ValueError, match="does not fit the replay buffer's capacity of 50"):
        agent.replay_buffer.add(**random_transitions(51))


def test_with_n_step_add_passes_truncation_to_the_windows():
    agent = small_agent(n_step=3, gamma=0.5)
    rewards = [1.0, 2.0, 4.0, 8.0, 16.0]
    terminated = [False, False, False, True, False]
    truncated = [True, False, False, False, False]  # step 0 ends by a time limit
    for step, reward in enumerate(rewards):
        agent.replay_buffer.add(np.full(3, step), np.zeros(2), reward, np.full(3, step + 0.5),
                                terminated[step], truncated[step])
    with pytest.raises(Exception, match="one transition per env"):
        agent.replay_buffer.add(np.zeros((2, 3)), np.zeros((2, 2)), [0.0, 0.0], np.ones((2, 3)),
                                [False, False], [False, False])
    assert len(agent.replay_buffer) == 5
    batch = agent._state.replay_buffer.sample(300)
    # numpy reference of (reward sum, discount, step bootstrapped from) for each start
    expected = {0: (1.0, 0.5, 0), 1: (2 + 0.5 * 4 + 0.25 * 8, 0.0, 3), 2: (4 + 0.5 * 8, 0.0, 3),
                3: (8.0, 0.0, 3), 4: (16.0, 0.5, 4)}
    for start, reward, discount, next_obs in zip(
            batch.observation.numpy()[:, 0].astype(int), batch.reward.numpy(),
            batch.discount.numpy(), batch.next_observation.numpy()[:, 0]):
        want = expected[start]
        assert (reward, discount, next_obs) == pytest.approx((want[0], want[1], want[2] + 0.5))
    for step in range(5, 10):
        agent.replay_buffer.add(np.zeros(3), np.zeros(2), 0.0, np.zeros(3), False, False)
    assert np.isfinite(agent.learn(2)["critic_loss"])
