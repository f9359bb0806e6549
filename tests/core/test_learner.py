"""`Learner`: fused (sample, update) calls on an agent and its replay buffer."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core.learner import Learner
from sac_tf.core.replay_buffer import ReplayBuffer
from sac_tf.core.types import LossInfo
from tests.agents.test_sac import fixed_batch, make_sac


class RewardRecorder:
    """An agent stand-in whose `train` records each batch's rewards `[updates, batch]`."""

    def __init__(self, updates, batch_size):
        self.rewards = tf.Variable(tf.zeros([updates, batch_size]))
        self.calls = tf.Variable(0)

    def zero_loss_info(self):
        return LossInfo(tf.constant(0.0), {})

    def train(self, batch):
        self.rewards.scatter_nd_update([[self.calls]], [batch.reward])
        self.calls.assign_add(1)
        return LossInfo(tf.constant(0.0), {})


def test_each_fused_update_samples_a_batch_of_its_own():
    buffer = ReplayBuffer(3, 1, capacity=100, seed=0)
    buffer.add_batch(fixed_batch(size=50))  # 50 distinct rewards
    recorder = RewardRecorder(updates=4, batch_size=16)
    Learner(recorder, buffer, batch_size=16, jit_compile=True).run(4)
    assert int(recorder.calls) == 4
    batches = {tuple(np.sort(row)) for row in recorder.rewards.numpy()}
    assert len(batches) == 4


def test_learner_fuses_the_requested_number_of_updates():
    agent = make_sac()
    buffer = ReplayBuffer(3, 1, capacity=100, seed=0)
    learner = Learner(agent, buffer, batch_size=16, jit_compile=True)
    with pytest.raises(ValueError, match="empty"):
        learner.run(1)
    buffer.add_batch(fixed_batch(size=50))
    learner.run(7)
    assert int(agent.critic_optimizer.iterations.numpy()) == 7
    assert int(agent.actor_optimizer.iterations.numpy()) == 7


@pytest.mark.parametrize("agent_name", ["sac", "ddpg", "td3"])
def test_agents_train_on_n_step_windows_in_the_fused_call(agent_name):
    from sac_tf.agents import make_agent
    from sac_tf.core.types import NStepTransition
    from sac_tf.run.state import n_step_settings
    from tests.agents.test_sac import SPEC
    from tests.conftest import small_pendulum_config

    config = small_pendulum_config(agent=agent_name, n_step=3, num_envs=2)
    if agent_name != "sac":
        from sac_tf.config import ddpg_config, td3_config
        config[agent_name] = (td3_config if agent_name == "td3" else ddpg_config)()
        config[agent_name].hidden_sizes = (32, 32)
    agent = make_agent(config, SPEC)
    buffer = ReplayBuffer(3, 1, capacity=100, seed=0, **n_step_settings(config))
    assert buffer.n_step == 3 and buffer.num_envs == 2
    buffer.add_batch(fixed_batch(size=50, terminated=0.0), np.arange(50) % 7 == 0)
    assert isinstance(buffer.sample(4), NStepTransition)
    before = [v.numpy().copy() for v in agent.critics.trainable_variables]
    info = Learner(agent, buffer, batch_size=16, jit_compile=True).run(3)
    assert np.isfinite(info.loss.numpy())
    assert int(agent.critic_optimizer.iterations.numpy()) == 3
    assert any(not np.array_equal(b, v.numpy())
               for b, v in zip(before, agent.critics.trainable_variables))
