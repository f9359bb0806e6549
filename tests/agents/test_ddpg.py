"""DDPG and TD3 losses, noise and delayed updates, against what the papers prescribe."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.agents.ddpg import DdpgAgent
from sac_tf.config import ddpg_config, td3_config
from sac_tf.core.learner import Learner
from sac_tf.core.replay_buffer import ReplayBuffer
from sac_tf.run.checkpoints import Checkpointer
from tests.agents.test_sac import (SPEC, assert_critics_fit_a_fixed_terminal_batch, fixed_batch,
                                   perturb, upcoming_seed, values)


def make_agent_from(defaults, **overrides):
    kwargs = defaults.to_dict()
    kwargs.update(hidden_sizes=(32, 32), seed=0)
    kwargs.update(overrides)
    return DdpgAgent(SPEC, **kwargs)


def changed(before, variables):
    return [not np.allclose(old, variable.numpy()) for old, variable in zip(before, variables)]


def test_configs_are_ddpg_and_td3():
    td3 = make_agent_from(td3_config())
    assert (td3.critics.num_critics, td3.policy_delay, td3.target_noise) == (2, 2, 0.2)
    ddpg = make_agent_from(ddpg_config())
    assert (ddpg.critics.num_critics, ddpg.policy_delay, ddpg.target_noise) == (1, 1, 0.0)


def test_target_smoothing_noise_is_clipped():
    agent = make_agent_from(td3_config(), target_noise=10.0, target_noise_clip=0.3)
    observation = tf.random.normal((4096, 3))
    mean_action = agent.target_actor(observation).numpy()
    deviation = agent.smoothed_target_action(observation).numpy() - mean_action
    inside = np.abs(mean_action) < 0.7  # where clipping to [-1, 1] cannot interfere
    assert np.max(np.abs(deviation)) <= 0.3 + 1e-6
    # σ = 10 ≫ c: all but P(|ε| < 0.3) ≈ 2.4 % of the draws are clipped, to exactly ±c
    assert np.mean(np.isclose(np.abs(deviation[inside]), 0.3, atol=1e-5)) > 0.95
    assert np.mean(deviation[inside] > 0) == pytest.approx(0.5, abs=0.05)


def test_target_smoothing_keeps_actions_in_the_unit_box_and_ddpg_has_none():
    observation = tf.random.normal((512, 3))
    td3 = make_agent_from(td3_config(), target_noise=0.2, target_noise_clip=0.5)
    smoothed = td3.smoothed_target_action(observation).numpy()
    assert np.all(np.abs(smoothed) <= 1.0)
    assert not np.allclose(smoothed, td3.target_actor(observation).numpy())
    ddpg = make_agent_from(ddpg_config())
    np.testing.assert_array_equal(ddpg.smoothed_target_action(observation).numpy(),
                                  ddpg.target_actor(observation).numpy())


def test_actor_and_targets_update_only_every_policy_delay_critic_steps():
    agent = make_agent_from(td3_config(), policy_delay=3)
    train = tf.function(agent.train)
    batch = fixed_batch()
    for step in range(1, 7):
        actor = values(agent.actor.trainable_variables)
        target_actor = values(agent.target_actor.variables)
        target_critics = values(agent.target_critics.variables)
        critics = values(agent.critics.trainable_variables)
        train(batch)
        update = step % 3 == 0
        assert all(changed(critics, agent.critics.trainable_variables))
        assert all(changed(actor, agent.actor.trainable_variables)) == update, step
        assert any(changed(actor, agent.actor.trainable_variables)) == update, step
        assert all(changed(target_actor, agent.target_actor.variables)) == update, step
        assert any(changed(target_critics, agent.target_critics.variables)) == update, step
    assert int(agent.delayed_actor_update.calls.numpy()) == 6
    assert int(agent.actor_optimizer.iterations.numpy()) == 2
    assert int(agent.critic_optimizer.iterations.numpy()) == 6


def test_ddpg_step_moves_every_network_and_polyak_averages_targets():
    agent = make_agent_from(ddpg_config(), tau=0.1)
    actor, target_actor = values(agent.actor.variables), values(agent.target_actor.variables)
    critics = values(agent.critics.variables)
    info = tf.function(agent.train)(fixed_batch())
    assert all(changed(actor, agent.actor.trainable_variables))
    assert all(changed(critics, agent.critics.trainable_variables))
    for before, target, source in zip(target_actor, agent.target_actor.variables,
                                      agent.actor.variables):
        np.testing.assert_allclose(target.numpy(), 0.9 * before + 0.1 * source.numpy(),
                                   rtol=1e-5, atol=1e-6)
    assert set(info.extra) == set(DdpgAgent.metric_names)


def test_td3_critic_loss_bootstraps_from_the_min_of_the_target_critics():
    """½ Σ_i mean_b (Q_i(s, a) − (r + γ min_j Q'_j(s', ã')))², ã' the smoothed target action
    drawn from the update's own seed, Q' perturbed away from Q."""
    agent = make_agent_from(td3_config(), gamma=0.9)
    perturb(agent.target_critics.variables, seed=1)
    batch = fixed_batch(size=16, terminated=0.0)
    rng_state = agent.rng.state.numpy()
    next_action = agent.smoothed_target_action(batch.next_observation)
    agent.rng.reset(rng_state)
    next_q = agent.target_critics(batch.next_observation, next_action).numpy().min(axis=0)
    q = agent.critics(batch.observation, batch.action).numpy()
    expected = 0.5 * np.sum(np.mean((q - (batch.reward + 0.9 * next_q)) ** 2, axis=1))
    assert float(agent.train(batch).extra["critic_loss"]) == pytest.approx(expected, rel=1e-5)


def test_actor_loss_is_minus_the_first_online_critic_of_the_actors_action():
    agent = make_agent_from(td3_config())
    perturb(agent.target_critics.variables, seed=1)
    perturb(agent.target_actor.variables, seed=2)
    observation = fixed_batch(size=16).observation
    q = agent.critics(observation, agent.actor(observation)).numpy()
    assert float(agent.actor_loss(fixed_batch(size=16))) == pytest.approx(-q[0].mean(), rel=1e-5)


def test_ddpg_critic_fits_the_rewards_and_the_actor_climbs_q():
    """The fixed batch's reward r = s_0 − 2a is highest at a = −1."""
    agent = make_agent_from(ddpg_config(), critic_lr=1e-3, actor_lr=1e-3)
    batch = assert_critics_fit_a_fixed_terminal_batch(agent)
    assert np.mean(agent.greedy_action(batch.observation).numpy()) < -0.9


@pytest.mark.parametrize("noise_type", ["gaussian", "ornstein_uhlenbeck"])
def test_exploration_adds_noise_of_the_configured_scale(noise_type):
    agent = make_agent_from(ddpg_config(), noise_type=noise_type, exploration_noise=0.1,
                            ou_theta=0.15)
    observation = tf.zeros((1, 3))
    greedy = agent.greedy_action(observation).numpy()
    explore = tf.function(agent.explore_action)
    noise = np.array([explore(observation).numpy() - greedy for _ in range(600)])[100:, 0, 0]
    # stationary std: σ for Gaussian, σ / sqrt(1 − (1 − θ)²) ≈ 0.19 for OU
    expected = 0.1 if noise_type == "gaussian" else 0.1 / np.sqrt(1 - 0.85 ** 2)
    assert np.std(noise) == pytest.approx(expected, rel=0.25)
    lag_correlation = np.corrcoef(noise[:-1], noise[1:])[0, 1]
    assert (lag_correlation > 0.7) == (noise_type == "ornstein_uhlenbeck")


def test_ou_noise_is_one_process_per_env_restarted_at_its_episode_start():
    """Row i of the exploration batch is env i's process: the rows draw their own noise,
    and `restart_exploration` zeroes only the envs whose episode starts, so their next
    noise is one innovation σε, not (1 − θ)x + σε."""
    agent = make_agent_from(ddpg_config(), noise_type="ornstein_uhlenbeck",
                            exploration_noise=0.1, ou_theta=0.15, num_envs=3)
    assert agent.exploration_batch_size == 3
    explore = tf.function(agent.explore_action)
    observation = tf.zeros((3, 3))
    for _ in range(50):
        explore(observation)
    state = agent.ou_noise.numpy().copy()
    assert len({row.tobytes() for row in state}) == 3 and np.all(state != 0.0)
    agent.restart_exploration(np.array([False, True, False]))
    np.testing.assert_array_equal(agent.ou_noise.numpy()[[0, 2]], state[[0, 2]])
    np.testing.assert_array_equal(agent.ou_noise.numpy()[1], 0.0)

    epsilon = tf.random.stateless_normal((3, SPEC.action_dim), seed=upcoming_seed(agent)).numpy()
    explore(observation)
    expected = 0.85 * np.where([[0.0], [1.0], [0.0]], 0.0, state) + 0.1 * epsilon
    np.testing.assert_allclose(agent.ou_noise.numpy(), expected, rtol=1e-5, atol=1e-7)
    any_batch = tf.function(agent.explore_action).get_concrete_function(
        tf.TensorSpec([None, 3], tf.float32))
    with pytest.raises(tf.errors.InvalidArgumentError):  # not one row per env
        any_batch(tf.zeros((1, 3)))
    assert not hasattr(make_agent_from(ddpg_config()), "ou_noise")  # Gaussian: no OU state


def test_unknown_noise_type_and_bad_delay_are_rejected():
    with pytest.raises(ValueError, match="noise_type"):
        make_agent_from(ddpg_config(), noise_type="pink")
    with pytest.raises(ValueError, match="policy_delay"):
        make_agent_from(td3_config(), policy_delay=0)


def test_delay_counter_round_trips_through_a_checkpoint(tmp_path):
    agent = make_agent_from(td3_config())
    buffer = ReplayBuffer(3, 1, capacity=100, seed=0)
    buffer.add_batch(fixed_batch(size=50))
    Learner(agent, buffer, batch_size=16, jit_compile=False).run(3)
    Checkpointer(tmp_path, agent=agent).save(3)

    restored = make_agent_from(td3_config(), seed=1)
    assert Checkpointer(tmp_path, agent=restored).restore_latest()
    assert int(restored.delayed_actor_update.calls.numpy()) == 3
    # the next update (the 4th) is an actor update for d = 2, as in the original run
    actor = values(restored.actor.trainable_variables)
    tf.function(restored.train)(fixed_batch())
    assert all(changed(actor, restored.actor.trainable_variables))
