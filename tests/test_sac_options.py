"""SAC options from later papers: TQC, SimBa/BRO networks, observation normalisation, resets,
the delayed actor updates of REDQ and DroQ."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.agents import make_agent
from sac_tf.agents.quantiles import truncated_atoms
from sac_tf.config import CONFIG_DIR, load_config
from sac_tf.envs.making import env_spec, make_env
from tests.conftest import assert_same_checkpoint_values, checkpoint_values
from tests.test_agents import (assert_critics_fit_a_fixed_terminal_batch, fixed_batch, make_sac,
                               values)


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


def test_observations_and_next_observations_are_standardised_alike():
    agent = make_sac(normalize_observations=True)
    batch = fixed_batch()
    batch = batch._replace(observation=batch.observation * 100.0 + 50.0,
                           next_observation=batch.next_observation * 100.0 + 50.0)
    prepared = agent.prepare(batch)
    for raw, seen in ((batch.observation, prepared.observation),
                      (batch.next_observation, prepared.next_observation)):
        np.testing.assert_allclose(seen.numpy(), agent.normalize(tf.constant(raw)).numpy())
        assert np.abs(seen.numpy().mean(axis=0)).max() < 0.5  # standardised, not ≈ 50


def test_residual_networks_with_normalised_observations_train():
    agent = make_sac(hidden_sizes=(32,), residual_blocks=2, normalize_observations=True)
    batch = fixed_batch()
    batch = batch._replace(observation=batch.observation * 100.0 + 50.0)
    before = values(agent.actor.trainable_variables)
    info = tf.function(agent.train)(batch)
    assert np.isfinite(info.loss.numpy())
    assert not np.allclose(before[0], agent.actor.trainable_variables[0].numpy())
    normalizer = agent.observation_normalizer
    assert normalizer.count.numpy() == 64
    np.testing.assert_allclose(normalizer.mean.numpy(), batch.observation.mean(0), rtol=1e-4)
    # Acting sees the same standardised observations as training.
    raw = tf.constant(batch.observation[:4])
    np.testing.assert_allclose(agent.greedy_action(raw).numpy(),
                               agent.actor(agent.normalize(raw)).mode().numpy())


def test_periodic_reset_restores_initial_weights_and_optimiser_state():
    agent = make_sac(reset_interval=3)
    initial = values(agent.actor.variables + agent.critics.variables + [agent.log_alpha])
    train = tf.function(agent.train)
    batch = fixed_batch()
    train(batch)
    train(batch)
    moved = values(agent.actor.variables + agent.critics.variables + [agent.log_alpha])
    assert not all(np.allclose(a, b) for a, b in zip(initial, moved))
    assert int(agent.actor_optimizer.iterations) == 2
    train(batch)                             # the third update ends with a reset
    after = values(agent.actor.variables + agent.critics.variables + [agent.log_alpha])
    for start, now in zip(initial, after):
        np.testing.assert_array_equal(start, now)
    critic_count = len(agent.critics.variables)
    actor_count = len(agent.actor.variables)
    for start, target in zip(initial[actor_count:actor_count + critic_count],
                             values(agent.target_critics.variables)):
        np.testing.assert_array_equal(start, target)
    for optimizer in (agent.actor_optimizer, agent.critic_optimizer, agent.alpha_optimizer):
        assert int(optimizer.iterations) == 0
        moments = [v for v in optimizer.variables
                   if "momentum" in v.path or "velocity" in v.path]
        assert moments and all(not np.any(variable.numpy()) for variable in moments)
    train(batch)                             # and learning starts again
    assert int(agent.periodic_reset.calls) == 4
    relearned = values(agent.actor.variables + agent.critics.variables + [agent.log_alpha])
    assert not all(np.allclose(a, b) for a, b in zip(initial, relearned))


def test_dropout_seed_counters_are_neither_reset_nor_averaged():
    agent = make_sac(reset_interval=2, critic_dropout_rate=0.1, critic_layer_norm=True)
    train = tf.function(agent.train)
    batch = fixed_batch()
    seeds = [v for v in agent.critics.variables if not tf.as_dtype(v.dtype).is_floating]
    assert seeds
    before = values(seeds)
    train(batch)
    train(batch)                             # ends with a reset
    assert all(np.any(a != b) for a, b in zip(before, values(seeds)))


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


def test_residual_critics_refuse_droq_options():
    with pytest.raises(ValueError, match="residual"):
        make_sac(hidden_sizes=(32,), residual_blocks=1, critic_dropout_rate=0.01)


@pytest.mark.parametrize("options", [
    dict(num_critics=3, num_quantiles=5, quantiles_to_drop=1),
    dict(hidden_sizes=(32,), residual_blocks=1, normalize_observations=True),
    dict(reset_interval=5),
    dict(actor_update_interval=3),
], ids=["tqc", "simba", "resets", "delayed_actor"])
def test_option_trains_in_the_fused_xla_loop_and_round_trips_a_checkpoint(options, tmp_path):
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
