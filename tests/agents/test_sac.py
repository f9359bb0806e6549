import keras
import numpy as np
import pytest
import tensorflow as tf

from sac_tf.agents.base import polyak_update
from sac_tf.agents.sac import SacAgent
from sac_tf.config import sac_config
from sac_tf.core.learner import Learner
from sac_tf.networks import critic as critic_module
from sac_tf.networks.ensemble import call_ensemble
from sac_tf.core.replay_buffer import ReplayBuffer
from sac_tf.core.specs import EnvSpec
from sac_tf.core.types import LossInfo, Transition

SPEC = EnvSpec((3,), np.array([-2.0], np.float32), np.array([2.0], np.float32))


def make_sac(spec=SPEC, **overrides):
    kwargs = sac_config().to_dict()
    kwargs.update(hidden_sizes=(32, 32), seed=0)
    kwargs.update(overrides)
    return SacAgent(spec, **kwargs)


def fixed_batch(size=64, terminated=1.0, seed=0):
    rng = np.random.default_rng(seed)
    observation = rng.normal(size=(size, 3)).astype(np.float32)
    return Transition(observation, rng.uniform(-1, 1, (size, 1)).astype(np.float32),
                      rng.normal(size=size).astype(np.float32),
                      rng.normal(size=(size, 3)).astype(np.float32),
                      np.full(size, terminated, np.float32))


def values(variables):
    return [v.numpy().copy() for v in variables]


def test_polyak_update_arithmetic():
    target, source = tf.Variable([1.0, 2.0]), tf.Variable([3.0, -2.0])
    polyak_update([target], [source], tau=0.25)
    np.testing.assert_allclose(target.numpy(), [1.5, 1.0])


def test_td_target_bootstraps_only_without_termination():
    agent = make_sac(gamma=0.9)
    batch = Transition(None, None, tf.constant([1.0, 1.0]), None, tf.constant([0.0, 1.0]))
    target = agent.td_target(batch, tf.constant([10.0, 10.0]))
    np.testing.assert_allclose(target.numpy(), [10.0, 1.0])


def test_train_step_moves_every_network_and_polyak_averages_targets():
    agent = make_sac(tau=0.1)
    actor, critics = values(agent.actor.variables), values(agent.critics.variables)
    targets_before = values(agent.target_critics.variables)
    info = tf.function(agent.train)(fixed_batch())
    for before, variable in zip(actor, agent.actor.trainable_variables):
        assert not np.allclose(before, variable.numpy())
    for before, variable in zip(critics, agent.critics.trainable_variables):
        assert not np.allclose(before, variable.numpy())
    for before, target, critic in zip(targets_before, agent.target_critics.variables,
                                      agent.critics.variables):
        np.testing.assert_allclose(target.numpy(), 0.9 * before + 0.1 * critic.numpy(),
                                   rtol=1e-5, atol=1e-6)
    assert set(info.extra) == set(SacAgent.metric_names)
    assert np.isfinite(info.loss.numpy())


def assert_critics_fit_a_fixed_terminal_batch(agent, num_updates=300):
    """With terminated = 1 the Bellman target is the reward r = s_0 − 2a itself
    (for quantile critics: every target atom is, so their mean fits it).

    Returns the batch, for checks on the actor.
    """
    batch = fixed_batch(terminated=1.0)
    batch = batch._replace(reward=batch.observation[:, 0] - 2.0 * batch.action[:, 0])
    train = tf.function(agent.train)
    first = float(train(batch).extra["critic_loss"])
    for _ in range(num_updates):
        last = float(train(batch).extra["critic_loss"])
    assert last < 0.05 * first
    q = agent.critics(batch.observation, batch.action).numpy()
    if q.ndim == 3:  # [N, B, K] quantiles
        q = q.mean(axis=2)
    np.testing.assert_allclose(q, np.broadcast_to(batch.reward, q.shape), atol=0.3)
    return batch


def test_critics_fit_the_rewards_of_a_fixed_terminal_batch():
    assert_critics_fit_a_fixed_terminal_batch(make_sac(critic_lr=1e-3))


@pytest.mark.parametrize("target_entropy, direction", [(-5.0, -1), (5.0, +1)])
def test_temperature_moves_towards_the_entropy_target(target_entropy, direction):
    agent = make_sac(target_entropy=target_entropy, alpha_lr=1e-2)
    before = float(agent.log_alpha.numpy())
    tf.function(agent.train)(fixed_batch())
    assert np.sign(float(agent.log_alpha.numpy()) - before) == direction


def test_default_target_entropy_is_minus_action_dim():
    assert make_sac(target_entropy=None).target_entropy == -1.0


def test_actions_are_in_unit_box_and_greedy_is_deterministic():
    agent = make_sac()
    observation = tf.random.normal((16, 3))
    explore = agent.explore_action(observation).numpy()
    assert explore.shape == (16, 1) and np.all(np.abs(explore) <= 1.0)
    np.testing.assert_array_equal(agent.greedy_action(observation).numpy(),
                                  agent.greedy_action(observation).numpy())


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


def test_target_subset_is_m_distinct_critics_drawn_uniformly():
    agent = make_sac(num_critics=5, target_subset_size=2, actor_q_reduction="mean")
    subsets = [tuple(sorted(agent.target_subset().numpy())) for _ in range(3000)]
    assert all(len(set(subset)) == 2 and set(subset) <= set(range(5)) for subset in subsets)
    # 10 unordered pairs of 5 critics, each with probability 1/10
    pairs, counts = np.unique(subsets, axis=0, return_counts=True)
    assert len(pairs) == 10
    np.testing.assert_allclose(counts / len(subsets), 0.1, atol=0.025)
    q = tf.constant([[5.0], [1.0], [4.0], [2.0], [3.0]])
    zero_penalty = tf.zeros(1)
    draws = np.array([float(agent.soft_target_value(tf.gather(q, agent.target_subset()),
                                                    zero_penalty)[0]) for _ in range(2000)])
    # min of 2 distinct draws from {1..5}: P(min = k) = (5 - k) / 10, so 5 never occurs
    assert set(draws) == {1.0, 2.0, 3.0, 4.0}
    np.testing.assert_allclose([np.mean(draws == k) for k in (1, 2, 3, 4)],
                               [0.4, 0.3, 0.2, 0.1], atol=0.04)
    np.testing.assert_allclose(agent.actor_value(q).numpy(), [3.0])  # REDQ: the ensemble mean


def test_redq_updates_from_only_the_drawn_target_critics_match_the_whole_ensemble(monkeypatch):
    drawn_shapes = []

    def whole_ensemble_then_drawn_rows(network, inputs, members=None, training=None):
        outputs = call_ensemble(network, inputs, training=training)
        if members is None:
            return outputs
        drawn_shapes.append(tuple(members.shape))
        return tf.gather(outputs, members)

    weights = []
    for reference in (False, True):
        with monkeypatch.context() as patch:
            if reference:
                patch.setattr(critic_module, "call_ensemble", whole_ensemble_then_drawn_rows)
            keras.utils.set_random_seed(0)
            agent = make_sac(num_critics=5, target_subset_size=2)
            buffer = ReplayBuffer(3, 1, capacity=100, seed=0)
            buffer.add_batch(fixed_batch(size=50, terminated=0.0))
            Learner(agent, buffer, batch_size=16, jit_compile=True).run(5)
        weights.append(values(agent.critics.variables))
    assert drawn_shapes and set(drawn_shapes) == {(2,)}  # the update asked for 2 of 5
    for computed, reference in zip(*weights):
        np.testing.assert_allclose(computed, reference, rtol=1e-5, atol=1e-6)


def test_two_of_two_critics_is_plain_sac():
    agent = make_sac(num_critics=2, target_subset_size=2)
    assert agent.target_subset() is None  # the whole ensemble, no draw
    q = tf.constant([[3.0, -1.0], [2.0, 0.0]])
    penalty = tf.constant([0.5, -1.0])  # α log π(a'|s'), subtracted
    np.testing.assert_allclose(agent.soft_target_value(q, penalty).numpy(), [1.5, 0.0])
    np.testing.assert_allclose(agent.actor_value(q).numpy(), [2.0, -1.0])


@pytest.mark.parametrize("reduction, expected", [("min", [1.0, -2.0]), ("mean", [2.0, 1.0])])
def test_actor_value_is_the_min_or_the_mean_over_critics(reduction, expected):
    q = tf.constant([[3.0, -2.0], [1.0, 4.0], [2.0, 1.0]])  # [N=3, B=2]
    agent = make_sac(num_critics=3, actor_q_reduction=reduction)
    np.testing.assert_allclose(agent.actor_value(q).numpy(), expected)
    # quantile critics [N, B, K]: each critic's Q is the mean of its atoms
    quantiles = tf.stack([q - 1.0, q + 1.0, q + 3.0], axis=-1)  # atom means q + 1
    agent = make_sac(num_critics=3, num_quantiles=3, actor_q_reduction=reduction)
    np.testing.assert_allclose(agent.actor_value(quantiles).numpy(), np.add(expected, 1.0))


def perturb(variables, seed, scale=0.3):
    """Adds N(0, scale²) noise to each float variable, e.g. to tell target critics from
    the critics they were copied from."""
    rng = np.random.default_rng(seed)
    for variable in variables:
        if tf.as_dtype(variable.dtype).is_floating:
            variable.assign_add(rng.normal(scale=scale, size=variable.shape).astype(np.float32))


def upcoming_seed(agent):
    """The seed the agent's next draw will use; its generator is left as it was, so the
    update under test draws that same seed."""
    rng_state = agent.rng.state.numpy()
    seed = agent.next_seed()
    agent.rng.reset(rng_state)
    return seed


def test_critic_loss_is_the_soft_bellman_error_of_a_non_terminal_batch():
    """½ Σ_i mean_b (Q_i(s, a) − (r + γ (min_j Q'_j(s', a') − α log π(a'|s'))))², with a'
    drawn from the seed the update itself draws, and target critics Q' that differ from Q."""
    agent = make_sac(gamma=0.9, initial_alpha=2.0)
    perturb(agent.target_critics.variables, seed=1)
    batch = fixed_batch(size=16, terminated=0.0)
    next_action, next_log_prob = agent.actor(batch.next_observation).sample_and_log_prob(
        upcoming_seed(agent))
    next_q = agent.target_critics(batch.next_observation, next_action).numpy()
    target = batch.reward + 0.9 * (next_q.min(axis=0) - 2.0 * next_log_prob.numpy())
    q = agent.critics(batch.observation, batch.action).numpy()
    expected = 0.5 * np.sum(np.mean((q - target) ** 2, axis=1))
    assert float(agent.train(batch).extra["critic_loss"]) == pytest.approx(expected, rel=1e-5)


def test_first_actor_step_descends_alpha_log_pi_minus_the_min_q():
    """Adam's first step is −lr · sign(gradient): every clearly non-zero gradient entry of
    mean(α log π(ã|s) − min_i Q_i(s, ã)) (online critics, ã from the update's own seed)
    must move its weight the other way."""
    agent = make_sac(initial_alpha=0.5)
    perturb(agent.target_critics.variables, seed=2)  # the actor must not use these
    batch = fixed_batch(size=64)
    with tf.GradientTape() as tape:
        action, log_prob = agent.actor(batch.observation).sample_and_log_prob(
            upcoming_seed(agent))
        q = tf.reduce_min(agent.critics(batch.observation, action), axis=0)
        loss = tf.reduce_mean(0.5 * log_prob - q)
    gradients = tape.gradient(loss, agent.actor.trainable_variables)
    before = values(agent.actor.trainable_variables)
    agent.train_actor_and_temperatures(batch, tf.constant(0.5))
    for gradient, old, variable in zip(gradients, before, agent.actor.trainable_variables):
        clear = np.abs(gradient.numpy()) > 1e-5
        assert clear.any()
        np.testing.assert_array_equal(np.sign((variable.numpy() - old)[clear]),
                                      -np.sign(gradient.numpy()[clear]))


def test_droq_critic_regression_runs_its_critics_with_dropout():
    """A terminal batch's target is the reward; the loss the update reports is that of
    critics with dropout on, not of the same critics evaluated without it."""
    agent = make_sac(critic_layer_norm=True, critic_dropout_rate=0.5)
    batch = fixed_batch(size=64, terminated=1.0)
    q = agent.critics(batch.observation, batch.action, training=False).numpy()
    without_dropout = 0.5 * np.sum(np.mean((q - batch.reward) ** 2, axis=1))
    with_dropout = float(agent.train(batch).extra["critic_loss"])
    assert abs(with_dropout - without_dropout) > 1e-3 * without_dropout


def test_droq_agent_updates_its_critics_in_the_fused_xla_loop():
    agent = make_sac(critic_layer_norm=True, critic_dropout_rate=0.01)
    buffer = ReplayBuffer(3, 1, capacity=100, seed=0)
    buffer.add_batch(fixed_batch(size=50))
    critics = values(agent.critics.variables)
    info = Learner(agent, buffer, batch_size=16, jit_compile=True).run(3)
    assert np.isfinite(info.loss.numpy())
    assert int(agent.critic_optimizer.iterations) == 3
    assert not any(np.array_equal(a, b) for a, b in zip(critics, values(agent.critics.variables)))
