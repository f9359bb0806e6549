"""`SacAgent`: losses, temperatures, critic ensembles (REDQ, DroQ, TQC), delayed actor
updates and hybrid actions, against what the papers prescribe.

`make_sac`, `fixed_batch` and the other helpers here are shared by the agents' tests."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sac_tf.agents import make_agent
from sac_tf.agents.quantiles import truncated_atoms
from sac_tf.agents.sac import SacAgent
from sac_tf.config import CONFIG_DIR, load_config, sac_config
from sac_tf.core.learner import Learner
from sac_tf.core.replay_buffer import ReplayBuffer
from sac_tf.core.specs import EnvSpec
from sac_tf.core.types import Transition
from sac_tf.envs.making import env_spec, make_env, make_vector_env
from sac_tf.networks import HybridActor
from sac_tf.networks import critic as critic_module
from sac_tf.networks.ensemble import call_ensemble
from tests.conftest import assert_same_checkpoint_values, checkpoint_values


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

    def whole_ensemble_then_drawn_rows(network, inputs, members=None, training=None, seed=None):
        outputs = call_ensemble(network, inputs, training=training, seed=seed)
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


def test_tqc_critics_fit_quantiles_of_a_terminal_batch():
    """With terminated = 1 every target atom is the reward: all quantiles go to it."""
    agent = make_sac(num_critics=3, num_quantiles=5, quantiles_to_drop=2, critic_lr=1e-3)
    batch = assert_critics_fit_a_fixed_terminal_batch(agent)
    assert agent.critics(batch.observation, batch.action).shape == (3, 64, 5)


def test_tqc_target_keeps_n_times_k_minus_d_atoms_below_the_dropped_ones():
    agent = make_sac(num_critics=4, num_quantiles=6, quantiles_to_drop=2)
    target_q = tf.random.normal((4, 8, 6))
    penalty = tf.random.normal((8,))  # α log π(a'|s'), subtracted from every atom
    value = agent.soft_target_value(target_q, penalty).numpy()
    assert value.shape == (8, 4 * (6 - 2))
    expected = truncated_atoms(target_q, 2).numpy() - penalty.numpy()[:, None]
    np.testing.assert_allclose(value, expected, rtol=1e-6)


@pytest.mark.parametrize("options, message", [
    (dict(num_quantiles=5, quantiles_to_drop=5), "quantiles_to_drop"),
    (dict(num_quantiles=1, quantiles_to_drop=1), "quantiles_to_drop"),
    (dict(num_critics=5, target_subset_size=2, num_quantiles=5), "target_subset_size"),
    (dict(actor_update_interval=0), "actor_update_interval"),
    (dict(num_critics=5, target_subset_size=0), "target_subset_size"),
    (dict(num_critics=2, target_subset_size=3), "target_subset_size"),
    (dict(actor_q_reduction="max"), "actor_q_reduction"),
    (dict(num_critics=4, target_subset_size=2, target_networks=False), "target_subset_size"),
    (dict(batch_renorm=True, target_networks=False, critic_dropout_rate=0.01), "dropout"),
    (dict(batch_renorm=True, target_networks=False, residual_blocks=1), "residual"),
    (dict(batch_renorm=True), "target_networks=False"),
    (dict(batch_renorm=True, target_networks=False, reset_interval=5), "reset_interval"),
    (dict(target_q_reduction="mean"), "target_q_reduction"),
    (dict(num_quantiles=5, target_q_reduction="softmin"), "pool their target atoms"),
    (dict(actor_q_reduction="softmin", softmin_temperature=0.0), "softmin_temperature"),
    (dict(moe_in_actor=True), "moe_in_actor needs moe_experts"),
    (dict(moe_experts=2, hidden_sizes=(32,)), "at least two hidden layers"),
    (dict(moe_experts=2, hidden_sizes=(32,), residual_blocks=1), "residual_blocks at 0"),
    (dict(moe_experts=2, moe_tokens=5), "do not split into 5 tokens"),
    (dict(activation="tanh"), "activation must be one of"),
    (dict(regen_rate=-1.0), "regen_rate"),
    (dict(regen_rate=float("nan")), "regen_rate"),
])
def test_inconsistent_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        make_sac(**options)


@pytest.mark.parametrize("option_config", ["sac_redq", "sac_droq", "sac_tqc"])
def test_redq_droq_and_tqc_actors_maximise_the_critics_mean(option_config):
    """REDQ (Chen et al. 2021, Algorithm 1), DroQ (Hiraoka et al. 2021, Algorithm 2,
    line 10) and TQC (Kuznetsov et al. 2020, eq. 13) average their critics for the actor."""
    config = load_config(f"{CONFIG_DIR / option_config}.py:Pendulum-v1")
    agent = make_agent(config, env_spec(make_env("Pendulum-v1")))
    n, k = agent.critics.num_critics, agent.critics.num_quantiles
    q = tf.range(n, dtype=tf.float32)[:, None]  # [N, B=1]: critic i says i
    if k > 1:
        q = tf.repeat(q[..., None], k, axis=-1)  # [N, 1, K]
    np.testing.assert_allclose(agent.actor_value(q).numpy(), [(n - 1) / 2])


def test_residual_networks_with_normalised_observations_train():
    agent = make_sac(hidden_sizes=(32,), residual_blocks=2, normalize_observations=True)
    batch = fixed_batch()
    batch = batch._replace(observation=batch.observation * 100.0 + 50.0)
    before = values(agent.actor.trainable_variables)
    info = tf.function(agent.train)(batch)
    assert np.isfinite(info.loss.numpy())
    assert not np.allclose(before[0], agent.actor.trainable_variables[0].numpy())
    normalizer = agent.observation_normalizer
    assert normalizer.count.numpy() == 0  # statistics come from collection, not from updates
    agent.record_collected(batch)
    assert normalizer.count.numpy() == 64
    np.testing.assert_allclose(normalizer.mean.numpy(), batch.observation.mean(0), rtol=1e-4)
    # Acting sees the same standardised observations as training.
    raw = tf.constant(batch.observation[:4])
    np.testing.assert_allclose(agent.greedy_action(raw).numpy(),
                               agent.actor(agent.normalize(raw)).mode().numpy())


def test_the_actor_and_alpha_update_on_every_interval_th_critic_update():
    agent = make_sac(actor_update_interval=3)
    train = tf.function(agent.train)
    batch = fixed_batch()

    def actor_and_alpha():
        return values(agent.actor.variables + [agent.log_alpha])

    start, critics = actor_and_alpha(), values(agent.critics.variables)
    train(batch)
    train(batch)
    assert all(np.array_equal(a, b) for a, b in zip(start, actor_and_alpha()))
    assert not all(np.allclose(a, b) for a, b in zip(critics, values(agent.critics.variables)))
    assert (int(agent.critic_optimizer.iterations), int(agent.actor_optimizer.iterations)) == (2, 0)
    third = train(batch)
    assert int(agent.actor_optimizer.iterations) == int(agent.alpha_optimizer.iterations) == 1
    assert not any(np.array_equal(a, b) for a, b in zip(start, actor_and_alpha()))
    fourth = train(batch)                    # skipped: reports the third update's actor metrics
    for name in ("actor_loss", "alpha_loss", "entropy"):
        assert float(fourth.extra[name]) == float(third.extra[name])
    assert float(third.extra["actor_loss"]) != 0.0  # α's loss is 0 at log α = 0
    assert float(fourth.extra["critic_loss"]) != float(third.extra["critic_loss"])


#: The network toolbox's options, every part in one of three agents (each part's math has
#: its own unit test; these check that they train, checkpoint and export together).
NETWORK_TOOLBOX = {
    "crelu_norm_moe_regen_resets_softmin": dict(
        activation="crelu", extra_layer_norm=True, critic_layer_norm=True, moe_experts=3,
        moe_slots=2, moe_tokens=4, moe_in_actor=True, regen_rate=1e-2, reset_interval=4,
        actor_q_reduction="softmin", target_q_reduction="softmin", softmin_temperature=0.5),
    "residual_relu2_norm_regen": dict(hidden_sizes=(32,), residual_blocks=1, activation="relu2",
                                      extra_layer_norm=True, regen_rate=1e-2),
    "moe_redq_subset_softmin_target": dict(moe_experts=2, moe_tokens=4, num_critics=4,
                                           target_subset_size=2, target_q_reduction="softmin"),
}


@pytest.mark.parametrize("options", [
    dict(num_critics=3, num_quantiles=5, quantiles_to_drop=1),
    dict(hidden_sizes=(32,), residual_blocks=1, normalize_observations=True),
    dict(reset_interval=5),
    dict(actor_update_interval=3),
    dict(batch_renorm=True, target_networks=False, critic_hidden_sizes=(64, 64),
         adam_beta_1=0.5, actor_update_interval=3, batch_renorm_warmup=3),
    dict(target_networks=False, critic_dropout_rate=0.01, critic_layer_norm=True),
    *NETWORK_TOOLBOX.values(),
], ids=["tqc", "simba", "resets", "delayed_actor", "crossq", "joint_batch_dropout",
        *NETWORK_TOOLBOX])
def test_option_trains_in_the_fused_xla_loop_and_round_trips_a_checkpoint(options, tmp_path):
    """Every option trains in the compiled learner and its state survives a checkpoint."""
    from sac_tf.run.checkpoints import Checkpointer
    from sac_tf.core.learner import Learner
    from sac_tf.core.replay_buffer import ReplayBuffer

    agent = make_sac(**options)
    buffer = ReplayBuffer(3, 1, capacity=100, seed=0)
    buffer.add_batch(fixed_batch(size=50))
    info = Learner(agent, buffer, batch_size=16, jit_compile=True).run(7)
    assert np.isfinite(info.loss.numpy())
    saved = Checkpointer(tmp_path / "saved", agent=agent).save(7)
    restored = make_sac(**options)  # its optimisers have taken no step
    assert Checkpointer(tmp_path / "saved", agent=restored).restore_latest()
    resaved = Checkpointer(tmp_path / "resaved", agent=restored).save(7)
    # every network, target, optimiser slot, temperature, counter and generator state
    assert_same_checkpoint_values(checkpoint_values(saved), checkpoint_values(resaved))


HYBRID_ID = "sac_tf/HybridPointMass-v0"


def hybrid_batch(size=64):
    """A fixed batch for the shipped task: observations `[size, 2]`, flat actions `[size, 3]`
    (the continuous part, then a one-hot of the 2-way direction)."""
    batch = fixed_batch(size=size)
    one_hot = np.eye(2, dtype=np.float32)[np.random.default_rng(0).integers(2, size=size)]
    return batch._replace(observation=batch.observation[:, :2],
                          next_observation=batch.next_observation[:, :2],
                          action=np.concatenate([batch.action, one_hot], axis=1))


def hybrid_spec():
    """The shipped task's spec: 2-D observations, 1 continuous dim and a 2-way head."""
    spec = env_spec(make_vector_env(HYBRID_ID, 1))
    assert spec.is_hybrid and spec.continuous_dim == 1 and spec.discrete_sizes == (2,)
    return spec


def negative_entropy(logits):
    """Σ_k p_k log p_k of numpy `[B, n]` logits."""
    log_p = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    return np.sum(np.exp(log_p) * log_p, axis=-1)


@pytest.mark.parametrize("discrete_target_entropy, alpha_discrete_rises", [
    (0.0, False),         # below any 2-way categorical's entropy: α_d falls
    (np.log(2.0), True),  # the maximum, above any policy's: α_d rises
])
def test_hybrid_actor_and_sac_train_step_tune_both_temperatures(discrete_target_entropy,
                                                                   alpha_discrete_rises):
    spec = hybrid_spec()
    actor = HybridActor(spec.continuous_dim, spec.discrete_sizes, (16,))
    assert actor(tf.zeros((5, 2))).sample(tf.constant([0, 1])).shape == (5, 3)

    agent = make_sac(spec=spec, discrete_target_entropy=discrete_target_entropy)
    batch = hybrid_batch()
    train = tf.function(agent.train)
    for _ in range(20):
        info = train(batch)
    assert set(info.extra) == set(agent.metric_names) >= {"alpha_discrete", "entropy_discrete"}
    assert (float(agent.log_alpha_discrete) > 0.0) == alpha_discrete_rises
    assert np.isfinite(info.loss.numpy())


def test_hybrid_default_target_entropy_counts_the_continuous_dims_only():
    spec = hybrid_spec()
    agent = make_sac(spec=spec, target_entropy=None, discrete_target_entropy=None)
    assert agent.target_entropy == -1.0  # not −3, the width of the flat action
    assert agent.discrete_target_entropy == pytest.approx(0.5 * np.log(2.0))


def test_hybrid_losses_carry_the_discrete_entropy_with_its_own_temperature():
    """Critic target r + γ (min Q'(s', a') − α log π(a'_c|s') − α_d Σ p log p(s')), and actor
    loss mean(α log π(ã_c|s) + α_d Σ p log p(s) − Σ_k p_k min Q(s, ã_c, e_k)), from the
    updates' own seeds."""
    agent = make_sac(spec=hybrid_spec(), gamma=0.9, initial_alpha=2.0)
    agent.log_alpha_discrete.assign(np.log(3.0))
    perturb(agent.target_critics.variables, seed=1)
    batch = hybrid_batch(size=16)._replace(terminated=np.zeros(16, np.float32))

    next_policy = agent.actor(batch.next_observation)
    next_action, next_log_prob = next_policy.sample_and_log_prob(upcoming_seed(agent))
    next_value = (agent.target_critics(batch.next_observation, next_action).numpy().min(axis=0)
                  - 2.0 * next_log_prob.numpy()
                  - 3.0 * negative_entropy(next_policy.logits[0].numpy()))
    q = agent.critics(batch.observation, batch.action).numpy()
    critic_loss = 0.5 * np.sum(np.mean((q - (batch.reward + 0.9 * next_value)) ** 2, axis=1))
    assert float(agent.train(batch).extra["critic_loss"]) == pytest.approx(critic_loss, rel=1e-5)

    alpha_discrete = float(tf.exp(agent.log_alpha_discrete))  # moved by that update
    policy = agent.actor(batch.observation)
    action, log_prob = policy.sample_and_log_prob(upcoming_seed(agent))
    p = tf.nn.softmax(policy.logits[0]).numpy()
    q = 0.0  # in expectation over the direction head (one head: exact)
    for category in range(2):
        one_hot = np.zeros_like(action.numpy()[:, 1:])
        one_hot[:, category] = 1.0
        candidate = np.concatenate([action.numpy()[:, :1], one_hot], axis=-1)
        q += p[:, category] * agent.critics(batch.observation, candidate).numpy().min(axis=0)
    actor_loss = np.mean(2.0 * log_prob.numpy()
                         + alpha_discrete * negative_entropy(policy.logits[0].numpy()) - q)
    metrics = agent.train_actor_and_temperatures(batch, tf.constant(2.0))
    assert float(metrics["actor_loss"]) == pytest.approx(actor_loss, rel=1e-5)


def test_the_alpha_loss_metric_adds_the_discrete_temperature_loss(monkeypatch):
    from sac_tf.agents.sac import SacAgent

    losses = iter([1.0, 10.0])  # the continuous α's loss, then α_d's
    monkeypatch.setattr(SacAgent, "tune_temperature",
                        staticmethod(lambda *args: tf.constant(next(losses))))
    agent = make_sac(spec=env_spec(make_vector_env(HYBRID_ID, 1)))
    assert float(agent.train(hybrid_batch()).extra["alpha_loss"]) == 11.0


CROSSQ = dict(batch_renorm=True, target_networks=False, critic_hidden_sizes=(64, 64),
              adam_beta_1=0.5, actor_update_interval=3)


def test_crossq_critic_statistics_cover_the_joint_batch_of_s_and_s_prime():
    """Bhatt et al. 2024, eq. 6: (s, a) and (s', a') pass through the critics together, so the
    first batch-renorm layer's running mean moves towards the mean of both halves."""
    agent = make_sac(**CROSSQ)
    batch = fixed_batch()
    batch = batch._replace(next_observation=batch.next_observation + 10.0)  # halves differ
    tf.function(agent.train)(batch)
    first = agent.critics.body.layers[0]
    joint = np.concatenate([batch.observation, batch.next_observation]).mean(axis=0)
    for member in range(2):
        np.testing.assert_allclose(first.moving_mean.numpy()[member, 0, :3], 0.01 * joint,
                                   rtol=1e-4)
    assert int(first.steps) == 1  # one training-mode pass per update


def test_crossq_has_no_target_critics_in_its_checkpoint(tmp_path):
    names = {}
    for label, options in (("sac", {}), ("crossq", CROSSQ)):
        path = tf.train.Checkpoint(agent=make_sac(**options)).save(str(tmp_path / label))
        names[label] = [name for name, _ in tf.train.list_variables(path)]
    assert any("target_critics" in name for name in names["sac"])
    assert not any("target_critics" in name for name in names["crossq"])
    assert any("moving_variance" in name for name in names["crossq"])


def test_crossq_actor_acts_and_exports_with_its_running_statistics(tmp_path):
    from sac_tf.deploy.saved_policy import export_policy, load_policy

    agent = make_sac(**CROSSQ)
    train = tf.function(agent.train)
    for seed in range(4):  # running statistics away from their initial 0 and 1
        train(fixed_batch(seed=seed))
    observation = fixed_batch(size=5, seed=9).observation * 3.0 + 1.0
    inference = agent.actor(observation, training=False).mode().numpy()
    np.testing.assert_array_equal(agent.greedy_action(observation).numpy(), inference)
    steps = int(agent.actor.torso.layers[0].steps)
    batch_statistics = agent.actor(observation, training=True).mode().numpy()
    assert np.abs(batch_statistics - inference).max() > 1e-3  # the mode matters
    inference = agent.greedy_action(observation).numpy()  # statistics moved by that call
    _, loaded = load_policy(export_policy(agent, SPEC, tmp_path / "policy", env_id="Pendulum-v1",
                                          agent_name="sac", train_step=0))
    served = loaded.signatures["serving_default"](observation=tf.constant(observation))["action"]
    np.testing.assert_allclose(served.numpy(), SPEC.action_scaler.to_env(inference), rtol=1e-5,
                               atol=1e-6)
    assert int(agent.actor.torso.layers[0].steps) == steps + 1  # acting updated nothing


@pytest.mark.parametrize("options", NETWORK_TOOLBOX.values(), ids=NETWORK_TOOLBOX.keys())
def test_network_toolbox_policies_export_and_act_as_trained(options, tmp_path):
    from sac_tf.deploy.saved_policy import export_policy, load_policy

    agent = make_sac(**options)
    tf.function(agent.train)(fixed_batch())
    observation = fixed_batch(size=5, seed=9).observation
    greedy = agent.greedy_action(observation).numpy()
    _, loaded = load_policy(export_policy(agent, SPEC, tmp_path / "policy", env_id="Pendulum-v1",
                                          agent_name="sac", train_step=0))
    served = loaded.signatures["serving_default"](observation=tf.constant(observation))["action"]
    np.testing.assert_allclose(served.numpy(), SPEC.action_scaler.to_env(greedy), rtol=1e-5,
                               atol=1e-6)


def test_softmin_reduces_the_actor_value_and_the_target():
    q = tf.constant([[3.0, -2.0], [1.0, 4.0]])  # [N=2, B=2]
    agent = make_sac(actor_q_reduction="softmin", target_q_reduction="softmin",
                     softmin_temperature=2.0)
    w = np.exp(-q.numpy() / 2.0) / np.exp(-q.numpy() / 2.0).sum(0)
    expected = (w * q.numpy()).sum(0)
    np.testing.assert_allclose(agent.actor_value(q).numpy(), expected, rtol=1e-6)
    penalty = tf.constant([0.5, -1.0])
    np.testing.assert_allclose(agent.soft_target_value(q, penalty).numpy(),
                               expected - penalty.numpy(), rtol=1e-6)
    plain = make_sac()  # the hard min by default
    np.testing.assert_allclose(plain.soft_target_value(q, penalty).numpy(), [0.5, -1.0])


def test_adam_epsilon_reaches_every_optimiser_and_must_be_positive():
    agent = make_sac(adam_epsilon=1e-8)
    optimizers = (agent.actor_optimizer, agent.critic_optimizer, agent.alpha_optimizer)
    assert [optimizer.epsilon for optimizer in optimizers] == [1e-8] * 3
    assert make_sac().critic_optimizer.epsilon == 1e-7  # Keras' default stays the default
    with pytest.raises(ValueError, match="adam_epsilon must be > 0"):
        make_sac(adam_epsilon=0.0)
