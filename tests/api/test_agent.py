"""The Python API (`sac_tf.api`): shapes, learning calls, save/load, evaluation, errors."""

import gymnasium as gym
import ml_collections
import numpy as np
import pytest
import tensorflow as tf

import sac_tf
from sac_tf.config import env_kwargs
from sac_tf.run.logs import read_csv
from tests.conftest import REPO_ROOT, run_train


#: Small, quickly built agents for every test here.
SMALL = dict(hidden_sizes=(16, 16), batch_size=8, buffer_capacity=1_000,
             learner_compile="graph")


OBSERVATION_SPACE = gym.spaces.Box(-np.inf, np.inf, (3,), np.float32)


#: Asymmetric bounds, so action scaling is visible.
ACTION_SPACE = gym.spaces.Box(np.array([0.0, -2.0], np.float32),
                              np.array([10.0, 2.0], np.float32))


def small_agent(**overrides):
    return sac_tf.SAC(OBSERVATION_SPACE, ACTION_SPACE, seed=0, **{**SMALL, **overrides})


@pytest.fixture(scope="module")
def agent():
    """A shared agent for tests that do not change it."""
    return small_agent()


def random_transitions(count, seed=0):
    rng = np.random.default_rng(seed)
    return dict(obs=rng.normal(size=(count, 3)),
                action=rng.uniform(ACTION_SPACE.low, ACTION_SPACE.high, (count, 2)),
                reward=rng.normal(size=count), next_obs=rng.normal(size=(count, 3)),
                terminated=rng.random(count) < 0.1, truncated=np.zeros(count, bool))


def filled_agent(count=32, **overrides):
    agent = small_agent(**overrides)
    agent.replay_buffer.add(**random_transitions(count))
    return agent


def actor_weights(agent):
    return [variable.numpy().copy() for variable in agent.tf_agent.actor.variables]


def test_select_action_single_and_batch_shapes_within_bounds(agent):
    observations = np.random.default_rng(1).normal(size=(64, 3)) * 10
    for deterministic in (False, True):
        single = agent.select_action(observations[0], deterministic=deterministic)
        batch = agent.select_action(observations, deterministic=deterministic)
        assert single.shape == (2,) and batch.shape == (64, 2)
        assert np.all(batch >= ACTION_SPACE.low) and np.all(batch <= ACTION_SPACE.high)
    # the first action dimension spans [0, 10], not [-1, 1]
    assert batch[:, 0].max() > 1.0


def test_deterministic_actions_repeat_and_sampled_ones_vary(agent):
    observation = np.array([0.3, -0.2, 0.5])
    np.testing.assert_array_equal(agent.select_action(observation, deterministic=True),
                                  agent.select_action(observation, deterministic=True))
    batch = agent.select_action(np.tile(observation, (16, 1)), deterministic=True)
    np.testing.assert_allclose(batch, np.tile(batch[0], (16, 1)), rtol=1e-6)
    samples = agent.select_action(np.tile(observation, (16, 1)))
    assert len(np.unique(samples[:, 0])) > 1


def test_learn_moves_the_weights_and_reports_floats():
    agent = filled_agent()
    before = actor_weights(agent)
    losses = agent.learn(num_updates=3)
    assert {"loss", "critic_loss", "actor_loss", "alpha_loss", "alpha"} <= set(losses)
    assert all(isinstance(value, float) and np.isfinite(value) for value in losses.values())
    assert any(not np.array_equal(a, b) for a, b in zip(before, actor_weights(agent)))


def test_train_on_batch_learns_from_user_tensors_without_the_buffer():
    agent = small_agent()
    batch = random_transitions(16)
    before = actor_weights(agent)
    losses = agent.train_on_batch(batch["obs"], batch["action"], batch["reward"],
                                  batch["next_obs"], batch["terminated"])
    assert np.isfinite(losses["critic_loss"]) and losses["alpha"] > 0
    assert any(not np.array_equal(a, b) for a, b in zip(before, actor_weights(agent)))
    assert len(agent.replay_buffer) == 0


def test_export_writes_the_savedmodel_of_the_command_line(agent, tmp_path):
    from sac_tf.deploy.saved_policy import load_policy_metadata

    path = agent.export(tmp_path / "policy")
    metadata = load_policy_metadata(path)
    assert metadata["agent"] == "sac" and metadata["action_low"] == [0.0, -2.0]
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    observations = np.random.default_rng(3).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_allclose(serve(observation=tf.constant(observations))["action"].numpy(),
                               agent.select_action(observations, deterministic=True),
                               rtol=1e-5, atol=1e-5)


def test_save_then_load_restores_weights_buffer_counters_and_random_state(tmp_path):
    agent = filled_agent(count=40)
    agent.learn(2)
    agent.save(tmp_path)
    loaded = sac_tf.SAC.load(tmp_path)
    assert loaded.env_step == 40 and len(loaded.replay_buffer) == 40
    assert loaded.config.sac.hidden_sizes == (16, 16)
    for saved, restored in zip(actor_weights(agent), actor_weights(loaded)):
        np.testing.assert_array_equal(saved, restored)
    observation = np.array([0.1, 0.2, 0.3])
    np.testing.assert_array_equal(agent.select_action(observation, deterministic=True),
                                  loaded.select_action(observation, deterministic=True))
    # same generators and buffer: the next update is the same update
    assert agent.learn(1) == loaded.learn(1)


def test_api_save_resumes_with_the_command_line(tmp_path):
    agent = sac_tf.SAC.from_env("Pendulum-v1", seed=0, **SMALL, learning_starts=100,
                                eval_episodes=1, eval_interval=300)
    rng = np.random.default_rng(0)
    agent.replay_buffer.add(rng.normal(size=(200, 3)), rng.uniform(-2, 2, (200, 1)),
                            rng.normal(size=200), rng.normal(size=(200, 3)), np.zeros(200),
                            np.zeros(200))
    agent.learn(5)
    agent.save(tmp_path)

    result = run_train(f"--root_dir={tmp_path}", "--num_steps=300")
    assert result.returncode == 0, result.stderr
    assert f"Using the config saved in {tmp_path / 'config.json'}" in result.stdout
    assert "Resuming from checkpoint" in result.stdout and "at env step 200" in result.stdout
    assert [row["env_step"] for row in read_csv(tmp_path / "eval.csv")] == [300]


def test_command_line_run_loads_into_the_api_and_keeps_learning(tmp_path):
    result = run_train(f"--root_dir={tmp_path}", "--num_steps=120",
                       "--config.learning_starts=60", "--config.sac.hidden_sizes=(16,)",
                       "--config.batch_size=8", "--config.eval_episodes=1",
                       "--config.learner_compile=graph")
    assert result.returncode == 0, result.stderr
    agent = sac_tf.SAC.load(tmp_path)
    assert agent.env_step == 120 and len(agent.replay_buffer) == 120
    before = actor_weights(agent)
    assert np.isfinite(agent.learn(4)["loss"])
    assert any(not np.array_equal(a, b) for a, b in zip(before, actor_weights(agent)))
    assert agent.evaluate(episodes=1)["episodes"] == 1


def test_evaluate_gives_the_same_returns_for_an_id_and_an_instance():
    agent = sac_tf.SAC.from_env("Pendulum-v1", **SMALL)
    by_id = agent.evaluate("Pendulum-v1", episodes=2, seed=7)
    by_instance = agent.evaluate(gym.make("Pendulum-v1"), episodes=2, seed=7)
    assert set(by_id) == {"return_mean", "return_std", "return_min", "return_max", "episodes"}
    assert by_id["episodes"] == 2
    assert by_id["return_min"] <= by_id["return_mean"] <= by_id["return_max"]
    assert by_id["return_mean"] == pytest.approx(by_instance["return_mean"], rel=1e-5)
    # and the seed matters: other initial states give other returns
    assert agent.evaluate("Pendulum-v1", episodes=2, seed=8)["return_mean"] != by_id["return_mean"]


def test_from_env_takes_the_default_config_of_the_env_and_overrides():
    agent = sac_tf.SAC.from_env("Pendulum-v1", seed=3, actor_lr=5e-4, batch_size=8,
                                hidden_sizes=(16,), learner_compile="graph")
    assert agent.config.env_id == "Pendulum-v1" and agent.config.seed == 3
    assert agent.config.learning_starts == 1_000  # from configs/sac_pendulum.py
    assert agent.config.sac.actor_lr == 5e-4 and agent.config.batch_size == 8


def test_an_env_instance_gives_its_id_and_the_kwargs_it_was_made_with():
    env = gym.make("Pendulum-v1", g=2.0, render_mode="rgb_array")
    agent = sac_tf.SAC.from_env(env, **SMALL)
    assert agent.config.env_id == "Pendulum-v1"
    assert env_kwargs(agent.config) == {"g": 2.0}


def test_config_file_argument_and_config_dict_both_configure_the_agent():
    from_file = small_agent(config=str(REPO_ROOT / "configs" / "sac_pendulum.py"))
    assert from_file.config.env_id == "Pendulum-v1" and from_file.config.sac.actor_lr == 1e-3
    from_dict = small_agent(config=from_file.config, gamma=0.9)
    assert from_dict.config.sac.gamma == 0.9 and from_file.config.sac.gamma == 0.99


@pytest.mark.parametrize("call, message", [
    (lambda agent: agent.select_action(np.zeros(4)),
     r"obs has shape \(4,\); expected \(3,\) or \(batch, 3\)"),
    (lambda agent: agent.select_action(np.zeros((2, 2, 3))), r"obs has shape \(2, 2, 3\)"),
    (lambda agent: agent.select_action([np.nan, 0, 0]), "obs contains NaN"),
    (lambda agent: agent.select_action("abc"), "obs must be numeric"),
    (lambda agent: agent.replay_buffer.add(np.zeros(3), [np.nan, 0.0], 0.0, np.zeros(3),
                                           False, False), "action contains NaN"),
    (lambda agent: agent.replay_buffer.add(np.zeros(3), [1.0, 0.0], np.nan, np.zeros(3),
                                           False, False), "reward contains NaN"),
    (lambda agent: agent.replay_buffer.add(np.zeros(3), [1.0, 0.0, 0.0], 0.0, np.zeros(3),
                                           False, False), "action has shape"),
    (lambda agent: agent.replay_buffer.add(np.zeros(3), np.zeros((1, 2)), 0.0, np.zeros(3),
                                           False, False), "action is a batch but obs is one row"),
    (lambda agent: agent.replay_buffer.add(np.zeros((2, 3)), np.zeros((3, 2)), np.zeros(2),
                                           np.zeros((2, 3)), [0, 0], [0, 0]),
     "batch sizes differ"),
    (lambda agent: agent.learn(), r"learn\(\) needs at least batch_size=8 transitions .* holds 0"),
    (lambda agent: agent.learn(0), "num_updates must be a positive integer"),
    (lambda agent: agent.learn(2.5), "num_updates must be a positive integer"),
    (lambda agent: agent.train_on_batch(np.zeros((4, 3)), np.zeros((4, 3)), np.zeros(4),
                                        np.zeros((4, 3)), np.zeros(4)), "actions has shape"),
    (lambda agent: agent.train_on_batch(np.zeros((4, 3)), np.zeros((4, 2)), np.zeros(5),
                                        np.zeros((4, 3)), np.zeros(4)), "batch sizes differ"),
    (lambda agent: agent.evaluate("MountainCarContinuous-v0", episodes=1), "differ from the agent"),
    (lambda agent: agent.evaluate(episodes=0), "episodes must be at least 1"),
])
def test_bad_input_raises_a_value_error_naming_the_problem(agent, call, message):
    with pytest.raises(ValueError, match=message):
        call(agent)


def test_learn_on_a_too_small_buffer_raises():
    agent = filled_agent(count=5)
    with pytest.raises(ValueError, match="batch_size=8 transitions .* it holds 5"):
        agent.learn()


@pytest.mark.parametrize("make, message", [
    (lambda: small_agent(no_such_field=1), "unknown config field 'no_such_field'"),
    (lambda: small_agent(batch_size="many"), "bad value for config field 'batch_size'"),
    (lambda: small_agent(batch_size=0), "batch_size must be at least 1"),
    (lambda: sac_tf.SAC(gym.spaces.Discrete(3), ACTION_SPACE), "unsupported observation space"),
    (lambda: sac_tf.SAC(OBSERVATION_SPACE, gym.spaces.MultiBinary(2)), "unsupported action space"),
    (lambda: sac_tf.DDPG.from_env("CartPole-v1"), "agent 'ddpg' needs a continuous Box"),
    (lambda: small_agent(config="configs/no_such_config.py"), "no config file"),
    (lambda: small_agent(config=ml_collections.ConfigDict({"agent": "ddpg"})),
     "config is for agent 'ddpg', not 'sac'"),
    (lambda: sac_tf.SAC.from_env("tests.fixtures.user_envs:WrongDtypePointMass"),
     "env checker"),
])
def test_bad_construction_raises_a_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_run_without_an_env_id_asks_for_one(tmp_path):
    agent = small_agent()
    with pytest.raises(ValueError, match="names no environment"):
        agent.evaluate()
    agent.save(tmp_path)
    result = run_train(f"--root_dir={tmp_path}")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: the config names no environment: pass --env"]


def test_load_without_a_run_raises(tmp_path):
    with pytest.raises(ValueError, match="config.json"):
        sac_tf.SAC.load(tmp_path)


@pytest.mark.parametrize("agent_class", [sac_tf.DDPG, sac_tf.TD3], ids=["ddpg", "td3"])
def test_ddpg_and_td3_share_the_api(agent_class, tmp_path):
    agent = agent_class(OBSERVATION_SPACE, ACTION_SPACE, seed=0, **SMALL)
    agent.replay_buffer.add(**random_transitions(32))
    before = actor_weights(agent)
    assert np.isfinite(agent.learn(num_updates=4)["critic_loss"])
    assert any(not np.array_equal(a, b) for a, b in zip(before, actor_weights(agent)))
    action = agent.select_action(np.zeros(3), deterministic=True)
    assert action.shape == (2,) and ACTION_SPACE.contains(action.astype(np.float32))
    agent.save(tmp_path)
    loaded = agent_class.load(tmp_path)
    np.testing.assert_array_equal(loaded.select_action(np.zeros(3), deterministic=True), action)
    with pytest.raises(ValueError, match="'sac'"):
        sac_tf.SAC.load(tmp_path)


def test_ou_exploration_takes_one_row_per_env_and_restarts_with_its_episode():
    agent = sac_tf.DDPG(OBSERVATION_SPACE, ACTION_SPACE, seed=0, num_envs=2,
                        noise_type="ornstein_uhlenbeck", **SMALL)
    assert agent.select_action(np.zeros((2, 3))).shape == (2, 2)
    with pytest.raises(ValueError, match="pass 2 observations"):
        agent.select_action(np.zeros(3))
    noise = agent.tf_agent.ou_noise
    assert np.all(noise.numpy() != 0.0)
    transitions = random_transitions(2)
    transitions.update(terminated=np.array([False, False]), truncated=np.array([False, True]))
    agent.replay_buffer.add(**transitions)  # env 1's episode ends (time limit)
    assert np.all(noise.numpy()[0] != 0.0) and np.all(noise.numpy()[1] == 0.0)


def test_train_on_batch_needs_collected_observations_for_the_observation_statistics():
    agent = small_agent(normalize_observations=True)
    batch = random_transitions(8)
    arrays = (batch["obs"], batch["action"], batch["reward"], batch["next_obs"],
              batch["terminated"])
    with pytest.raises(ValueError, match="add transitions with replay_buffer.add first"):
        agent.train_on_batch(*arrays)
    agent.replay_buffer.add(**batch)
    assert np.isfinite(agent.train_on_batch(*arrays)["critic_loss"])
    assert int(agent.tf_agent.observation_normalizer.count) == 8  # train_on_batch adds none


@pytest.mark.parametrize("action_space, action_shape", [
    (gym.spaces.Discrete(3), ()), (gym.spaces.MultiDiscrete([3, 2]), (2,))],
    ids=["discrete", "multi_discrete"])
def test_discrete_actions_are_categories_in_and_out(action_space, action_shape, tmp_path):
    agent = sac_tf.SAC(OBSERVATION_SPACE, action_space, seed=0, **SMALL)
    rng = np.random.default_rng(0)
    observation = rng.normal(size=(5, 3))
    actions = agent.select_action(observation)
    assert actions.shape == (5, *action_shape) and all(map(action_space.contains, actions))
    assert action_space.contains(agent.select_action(observation[0], deterministic=True))
    stored = np.stack([action_space.sample() for _ in range(32)])
    agent.replay_buffer.add(obs=rng.normal(size=(32, 3)), action=stored,
                            reward=rng.normal(size=32), next_obs=rng.normal(size=(32, 3)),
                            terminated=np.zeros(32, bool), truncated=np.zeros(32, bool))
    assert np.isfinite(agent.learn(3)["critic_loss"])
    agent.save(tmp_path / "saved")
    loaded = sac_tf.SAC.load(tmp_path / "saved")
    np.testing.assert_array_equal(loaded.select_action(observation, deterministic=True),
                                  agent.select_action(observation, deterministic=True))
    with pytest.raises(ValueError, match=r"discrete actions must be integers in \[0, n\)"):
        agent.replay_buffer.add(obs=observation[0], action=np.full(action_shape, 7), reward=0.0,
                                next_obs=observation[0], terminated=False, truncated=False)
