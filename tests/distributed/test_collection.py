"""Ray collectors feeding the learner: the update-to-data ratio, resumption, a crash."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.agents import make_agent
from sac_tf.distributed import CollectorSettings
from sac_tf.distributed.collection import (Collector, RayCollection, RayCollectionSource,
                                          collector_seed)
from sac_tf.errors import UserError
from sac_tf.envs.making import env_spec, make_env
from sac_tf.run.logs import read_csv
from sac_tf.run.state import RunState
from tests.agents.test_mixed_precision import compute_dtypes
from tests.conftest import run_training_with_export, small_pendulum_config

TWO_COLLECTORS = RayCollectionSource(
    CollectorSettings(num_collectors=2, address="local", cpus_per_collector=0.5))


def test_a_collector_acts_randomly_then_with_the_weights_it_was_sent():
    config = small_pendulum_config(num_envs=2)
    collector = Collector(config.to_dict(), seed=5)
    chunk, ends, returns = collector.collect(200, use_policy=False, policy_weights=None)
    assert chunk.observation.shape == (400, 3) and chunk.action.shape == (400, 1)
    # Pendulum truncates at step 200, the chunk's last vector step (also marked as its end)
    np.testing.assert_array_equal(np.flatnonzero(ends), [398, 399])
    assert returns and len(returns) == 2  # Pendulum's episodes end after 200 steps
    assert np.abs(chunk.action).max() <= 1.0 and chunk.action.std() > 0.5  # uniform in [-1, 1]

    learner_agent = make_agent(config, env_spec(make_env("Pendulum-v1")))
    weights = [variable.numpy() + 1.0 for variable in learner_agent.policy_variables()]
    chunk, ends, returns = collector.collect(3, use_policy=True, policy_weights=weights)
    assert chunk.reward.shape == (6,) and returns == []
    np.testing.assert_array_equal(ends, [0, 0, 0, 0, 1, 1])  # the chunk's end cuts windows
    for variable, value in zip(collector.agent.policy_variables(), weights):
        np.testing.assert_array_equal(variable.numpy(), value)
    np.testing.assert_array_equal(chunk.observation[2:], chunk.next_observation[:-2])


def test_a_collector_of_a_bfloat16_run_acts_in_float32_with_the_learners_weights():
    config = small_pendulum_config(num_envs=1, precision="mixed_bfloat16")
    collector = Collector(config.to_dict(), seed=5)
    learner_agent = make_agent(config, env_spec(make_env("Pendulum-v1")))
    for agent, dtypes in ((collector.agent, {"float32"}),
                          (learner_agent, {"float32", "bfloat16"})):
        assert compute_dtypes(agent.actor) == dtypes
    weights = [variable.numpy() for variable in learner_agent.policy_variables()]
    chunk, _, _ = collector.collect(3, use_policy=True, policy_weights=weights)
    assert chunk.action.dtype == np.float32 and np.isfinite(chunk.action).all()
    observation = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)
    np.testing.assert_allclose(collector.agent.greedy_action(observation),  # bfloat16 rounding
                               learner_agent.greedy_action(observation), atol=0.05)


def test_collector_seeds_differ_per_collector_restart_and_resumption():
    seeds = {collector_seed(0, index, incarnation, start)
             for index in range(8) for incarnation in range(3) for start in (0, 5000)}
    assert len(seeds) == 48 and all(0 <= seed < 2**31 for seed in seeds)


def updates_done(root_dir) -> int:
    state = RunState.restore(root_dir)
    return int(state.agent.critic_optimizer.iterations)


def test_collectors_feed_exactly_updates_per_step_and_a_run_resumes(tmp_path, local_ray,
                                                                     capfd):
    config = small_pendulum_config(num_steps=300, num_envs=2, learning_starts=200,
                                   train_every=10)
    run_training_with_export(config, tmp_path, TWO_COLLECTORS)
    config.num_steps = 600
    result = run_training_with_export(config, tmp_path, TWO_COLLECTORS)
    assert "Resuming from checkpoint" in capfd.readouterr().out
    assert result["env_step"] == 600
    assert [row["env_step"] for row in read_csv(tmp_path / "eval.csv")] == [300, 600]
    assert [row["env_step"] for row in read_csv(tmp_path / "train.csv")] == list(
        range(100, 601, 100))
    # chunks of 10 vector steps × 2 envs; the chunk reaching 200 steps and every one after
    # it train one update per env step: 600 − 180
    assert updates_done(tmp_path) == 420
    assert int(RunState.restore(tmp_path).replay_buffer.size) == 600
    assert (tmp_path / "policy" / "saved_model.pb").exists()


def test_a_collector_killed_mid_run_is_restarted_and_its_chunk_not_counted(tmp_path,
                                                                          local_ray, capfd):
    marker = tmp_path / "crashed"
    config = small_pendulum_config(num_steps=600, env_id="tests.fixtures.user_envs:"
                                   "CrashesOnceInACollector", learning_starts=200)
    config.env_kwargs = {"marker": str(marker), "crash_at_step": 150}
    result = run_training_with_export(config, tmp_path / "run", TWO_COLLECTORS)
    assert marker.exists()
    output = capfd.readouterr().out
    assert "died (ActorDiedError); restarted it (1 restart(s) in this run)" in output, output
    assert result["env_step"] == 600
    assert int(RunState.restore(tmp_path / "run").replay_buffer.size) == 600
    assert updates_done(tmp_path / "run") == 600 - 180


def test_a_collector_that_cannot_start_stops_the_run_with_its_reason(tmp_path, local_ray):
    config = small_pendulum_config(env_id="tests.fixtures.user_envs:FailsInACollector")
    with pytest.raises(UserError, match=r"^collector \d could not start: cannot make environment "
                                        r".*RuntimeError: no simulator licence on this node$"):
        run_training_with_export(config, tmp_path, TWO_COLLECTORS)


def test_collectors_act_with_the_weights_of_the_last_broadcast(local_ray):
    config = small_pendulum_config(learning_starts=0, num_steps=10**6)
    state = RunState.create(config, env_spec(make_env("Pendulum-v1")))
    settings = CollectorSettings(1, "local", cpus_per_collector=0.5, weight_sync_interval=2)
    collection = RayCollection(state, state.staged_writer(), 0, settings)
    collector = collection.collectors[0]

    def learner_weights():
        return [variable.numpy() for variable in state.agent.policy_variables()]

    def assert_collector_has(expected):
        for got, want in zip(local_ray.get(collector.policy_weights.remote()), expected):
            np.testing.assert_array_equal(got, want)

    def learn_and_collect():  # a learner call, then the chunk of the request in flight
        for variable in state.agent.actor.variables:  # and the one asked for after the call
            variable.assign_add(tf.ones_like(variable))
        collection.learner_called()
        step = collection.collect(0)
        return step + collection.collect(0)

    try:
        collection.collect(0)
        assert_collector_has(learner_weights())  # published before its first request
        learn_and_collect()  # learner call 1: broadcast
        assert_collector_has(learner_weights())
        broadcast = learner_weights()
        learn_and_collect()  # call 2: none (every second call)
        assert_collector_has(broadcast)
        learn_and_collect()  # call 3: broadcast
        assert_collector_has(learner_weights())
    finally:
        collection.close()
