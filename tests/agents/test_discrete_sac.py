"""Discrete-action SAC: its three losses against numpy (Christodoulou 2019, eqs. 8-11), the
agents that refuse discrete actions, the options it refuses."""

import gymnasium as gym
import ml_collections
import numpy as np
import pytest
import tensorflow as tf

from sac_tf.agents import AGENTS, DISCRETE_AGENTS, make_agent
from sac_tf.agents.discrete_sac import DiscreteSacAgent
from sac_tf.config import sac_config
from sac_tf.core.specs import spec_from_spaces
from sac_tf.core.types import Transition
from sac_tf.errors import UserError
from tests.agents.test_sac import perturb, upcoming_seed
from tests.core.test_categorical import one_hots

OBSERVATIONS = gym.spaces.Box(-1.0, 1.0, (4,))


def make_discrete_sac(sizes=(3,), **overrides):
    space = gym.spaces.Discrete(sizes[0]) if len(sizes) == 1 else gym.spaces.MultiDiscrete(sizes)
    fields = dict(sac_config().to_dict(), hidden_sizes=(16, 16), seed=0)
    fields.update(overrides)
    return DiscreteSacAgent(spec_from_spaces(OBSERVATIONS, space), **fields)


def discrete_batch(sizes=(3,), size=32, terminated=0.0, seed=0):
    rng = np.random.default_rng(seed)
    choices = np.stack([rng.integers(n, size=size) for n in sizes], axis=1)
    return Transition(
        observation=rng.uniform(-1, 1, (size, 4)).astype(np.float32),
        action=one_hots(choices, sizes),
        reward=rng.normal(size=size).astype(np.float32),
        next_observation=rng.uniform(-1, 1, (size, 4)).astype(np.float32),
        terminated=np.full(size, terminated, np.float32)), choices


def numpy_policy(agent, observation):
    """(joint probabilities, joint log-probabilities) `[B, A]` computed in numpy from the
    actor's per-head logits."""
    logits = [head.numpy() for head in agent.actor(observation).logits]
    log_p = [head - np.log(np.exp(head).sum(axis=1, keepdims=True)) for head in logits]
    joint = log_p[0]
    for head in log_p[1:]:
        joint = (joint[:, :, None] + head[:, None, :]).reshape(len(joint), -1)
    return np.exp(joint), joint


@pytest.mark.parametrize("sizes", [(3,), (3, 2)], ids=["discrete", "multi_discrete"])
def test_critic_actor_and_alpha_losses_equal_their_numpy_expectations(sizes):
    agent = make_discrete_sac(sizes, gamma=0.9, initial_alpha=0.5,
                              discrete_target_entropy_scale=0.7)
    perturb(agent.target_critics.variables, seed=1)
    batch, choices = discrete_batch(sizes)
    num_actions = int(np.prod(sizes))
    assert agent.target_entropy == pytest.approx(0.7 * np.log(num_actions))

    # critic: ½ Σ_i mean_B (Q_i(s, a) − [r + γ Σ_a' π(a'|s') (min_j Q'_j(s', a') − α log π)])²
    p_next, log_p_next = numpy_policy(agent, batch.next_observation)
    target_q = agent.target_critics(batch.next_observation).numpy().min(axis=0)
    target = batch.reward + 0.9 * np.sum(p_next * (target_q - 0.5 * log_p_next), axis=1)
    taken = np.ravel_multi_index(choices.T, sizes)
    q = agent.critics(batch.observation).numpy()[:, np.arange(32), taken]
    critic_loss = 0.5 * np.sum(np.mean((q - target) ** 2, axis=1))

    # actor: mean_B Σ_a π(a|s) [α log π(a|s) − min_i Q_i(s, a)] with the critics after their step
    info = agent.train_critics(batch, agent.critic_target(batch, tf.constant(0.5)))
    assert float(info[0]) == pytest.approx(critic_loss, rel=1e-5)
    p, log_p = numpy_policy(agent, batch.observation)
    q_all = agent.critics(batch.observation).numpy().min(axis=0)
    actor_loss = np.mean(np.sum(p * (0.5 * log_p - q_all), axis=1))
    loss, negative_entropy = agent.actor_loss(batch, tf.constant(0.5))
    assert float(loss) == pytest.approx(actor_loss, rel=1e-5)
    np.testing.assert_allclose(negative_entropy, np.sum(p * log_p, axis=1), rtol=1e-5)


@pytest.mark.parametrize("target_scale, alpha_rises", [(0.0, False), (1.0, True)])
def test_alpha_follows_the_entropy_target_and_every_network_moves(target_scale, alpha_rises):
    """Scale 1 asks for log |A|, the most there is: α rises; 0 asks for none: α falls."""
    agent = make_discrete_sac((3, 2), discrete_target_entropy_scale=target_scale,
                              initial_alpha=0.2)
    # the networks' own lists: `tf.Module.trainable_variables` does not reach into Keras 3 layers
    learned = [*agent.actor.trainable_variables, *agent.critics.trainable_variables,
               agent.log_alpha]
    before = [variable.numpy().copy() for variable in learned]
    batch, _ = discrete_batch((3, 2))
    train = tf.function(agent.train, jit_compile=True)
    for _ in range(5):
        info = train(batch)
    assert set(info.extra) == set(agent.metric_names)
    assert (float(agent.log_alpha) > np.log(0.2)) == alpha_rises
    assert all(not np.array_equal(old, new.numpy())
               for old, new in zip(before, learned))


def test_greedy_and_explore_actions_are_one_hots_per_head():
    agent = make_discrete_sac((3, 2))
    observation = tf.random.uniform((6, 4), -1, 1, seed=0)
    for action in (agent.greedy_action(observation), agent.explore_action(observation)):
        assert action.shape == (6, 5)
        np.testing.assert_array_equal(tf.reduce_sum(action, axis=1), 2.0)
    np.testing.assert_array_equal(agent.greedy_action(observation),
                                  agent.greedy_action(observation))


def test_the_explore_action_draws_with_the_agents_own_seed():
    agent = make_discrete_sac((4,))
    observation = tf.zeros((3, 4))
    seed = upcoming_seed(agent)
    np.testing.assert_array_equal(agent.explore_action(observation),
                                  agent.actor(observation).sample(seed))


@pytest.mark.parametrize("options, message", [
    (dict(num_quantiles=5), "num_quantiles=5 is not available with discrete actions"),
    (dict(batch_renorm=True, target_networks=False), "batch_renorm=True is not available"),
    (dict(actor_update_interval=3), "actor_update_interval=3 is not available"),
])
def test_continuous_only_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        make_discrete_sac(**options)


def test_too_many_joint_actions_are_refused():
    with pytest.raises(ValueError, match="100,000 joint actions"):
        make_discrete_sac((10,) * 5)


def test_make_agent_picks_discrete_sac_and_ddpg_td3_refuse_discrete_actions():
    spec = spec_from_spaces(OBSERVATIONS, gym.spaces.Discrete(2))
    config = ml_collections.ConfigDict(dict(agent="sac", seed=0, sac=sac_config(), num_steps=100,
                                            learning_starts=0, updates_per_step=1))
    assert isinstance(make_agent(config, spec), DISCRETE_AGENTS["sac"])
    for name in AGENTS:
        if name not in DISCRETE_AGENTS:
            config = ml_collections.ConfigDict(dict(agent=name, seed=0, **{name: {}}))
            with pytest.raises(UserError, match=f"agent '{name}' needs a continuous Box"):
                make_agent(config, spec)


def test_on_a_bandit_the_policy_learns_the_paying_action():
    """Three arms, the middle one pays 1 and ends the episode: the critics learn Q(s, ·) ≈
    (0, 1, 0) and the actor's exact-expectation gradient moves the policy onto arm 1 (a
    gradient lost in the actor loss, e.g. through π held fixed, leaves it uniform)."""
    agent = make_discrete_sac((3,), initial_alpha=0.05, actor_lr=3e-3, critic_lr=3e-3,
                              discrete_target_entropy_scale=0.1)
    batch, choices = discrete_batch((3,), size=96, terminated=1.0)
    batch = batch._replace(reward=(choices[:, 0] == 1).astype(np.float32))
    train = tf.function(agent.train, jit_compile=True)
    for _ in range(300):
        train(batch)
    q = agent.critics(batch.observation).numpy().mean(axis=(0, 1))
    np.testing.assert_allclose(q, [0.0, 1.0, 0.0], atol=0.15)
    p, _ = numpy_policy(agent, batch.observation)
    assert p[:, 1].mean() > 0.9
    np.testing.assert_array_equal(agent.greedy_action(batch.observation).numpy().argmax(axis=1), 1)
