"""Nested observations through the Python API: a goal-conditioned SAC + HER agent in the
user's own loop learns in the fused learner, saves, loads bit-exactly and exports a policy
that acts as trained; DDPG/TD3 take nested tuples; bad dicts are refused by name."""

import keras
import numpy as np
import pytest

import sac_tf
from sac_tf.deploy.onnx_policy import convert_to_onnx, load_onnx_policy
from sac_tf.deploy.saved_policy import load_policy, policy_inputs
from sac_tf.errors import UserError
from tests.conftest import assert_same_checkpoint_values, checkpoint_values
from tests.fixtures.goal_envs import GoalPointMass, TuplePointMass

SMALL = dict(hidden_sizes=(16, 16), batch_size=8, buffer_capacity=2_000,
             learner_compile="graph")


def collect(agent, env, episodes, seed=0):
    """The user's loop: act, step, add (one env)."""
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        done = False
        while not done:
            action = agent.select_action(obs)
            next_obs, reward, terminated, truncated, _ = env.step(action)
            agent.replay_buffer.add(obs, action, reward, next_obs, terminated, truncated)
            obs, done = next_obs, terminated or truncated


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A HER agent with its own Keras encoder for `observation`, trained for 40 updates."""
    env = GoalPointMass(max_steps=10)
    agent = sac_tf.SAC.from_env(env, seed=0, her=True, her_goals_per_transition=2,
                                normalize_observations=True, **SMALL,
                                preprocessing_layers={"observation": keras.layers.Dense(8)})
    collect(agent, env, episodes=3)
    losses = agent.learn(40)
    return agent, env, losses, tmp_path_factory.mktemp("nested")


def test_her_stores_k_relabelled_copies_and_learns_in_the_fused_learner(trained):
    agent, _, losses, _ = trained
    assert agent.env_step == 30
    assert len(agent.replay_buffer) == 30 * (1 + 2)
    assert np.isfinite(losses["loss"])
    encoders = [layer.name for layer in agent.tf_agent.actor.encoder.leaf_layers.values()]
    assert len(encoders) == 1  # the user's Dense, cloned into the actor ...
    assert agent.tf_agent.critics.encoder.leaf_layers["observation"] is not \
        agent.tf_agent.actor.encoder.leaf_layers["observation"]  # ... and into the critics
    assert agent.tf_agent.actor.encoder.leaf_layers["observation"].kernel.shape == (4, 8)


def test_save_load_restores_every_variable_and_continues_bit_exactly(trained):
    agent, _, _, root = trained
    prefix = agent.save(root / "run")
    loaded = sac_tf.SAC.load(root / "run", compute_reward=GoalPointMass().compute_reward,
                             preprocessing_layers={"observation": keras.layers.Dense(8)})
    saved = checkpoint_values(prefix)
    assert any("encoder_observation" in name and "kernel" in name for name in saved)
    assert_same_checkpoint_values(saved, checkpoint_values(loaded.save(root / "b")))
    assert loaded.learn(5) == agent.learn(5)  # same batches drawn, same updates


def test_the_export_acts_as_the_trained_policy_in_savedmodel_and_onnx(trained):
    agent, env, _, root = trained
    policy_dir = agent.export(root / "policy")
    rng = np.random.default_rng(1)
    obs = {key: rng.uniform(-1, 1, (5, *space.shape)).astype(np.float32)
           for key, space in env.observation_space.spaces.items()}
    expected = agent.select_action(obs, deterministic=True)
    metadata, loaded = load_policy(policy_dir)
    serve = loaded.signatures["serving_default"]
    assert sorted(serve.structured_input_signature[1]) == sorted(obs)
    np.testing.assert_allclose(serve(**policy_inputs(metadata, obs))["action"].numpy(), expected,
                               atol=1e-6)
    _, onnx_policy = load_onnx_policy(convert_to_onnx(policy_dir))
    np.testing.assert_allclose(onnx_policy(obs)["action"], expected, atol=1e-5)


@pytest.mark.parametrize("change, message", [
    (lambda obs: {k: v for k, v in obs.items() if k != "desired_goal"}, "missing"),
    (lambda obs: {**obs, "extra": np.zeros(2)}, "unknown"),
    (lambda obs: np.zeros(8), "must be a dict"),
    (lambda obs: {**obs, "observation": np.zeros(3)}, "shape"),
])
def test_a_bad_dict_is_refused_by_name(trained, change, message):
    agent, env, _, _ = trained
    obs, _ = env.reset(seed=0)
    with pytest.raises(UserError, match=message):
        agent.select_action(change(obs))


def test_train_on_batch_takes_dicts(trained):
    agent, env, _, _ = trained
    obs = {key: np.zeros((4, *space.shape), np.float32)
           for key, space in env.observation_space.spaces.items()}
    losses = agent.train_on_batch(obs, np.zeros((4, 2)), np.zeros(4), obs, np.zeros(4))
    assert np.isfinite(losses["critic_loss"])


@pytest.mark.parametrize("agent_class", [sac_tf.DDPG, sac_tf.TD3])
def test_deterministic_agents_take_nested_tuples(agent_class):
    env = TuplePointMass(max_steps=10)
    agent = agent_class.from_env(env, seed=0, **SMALL)
    collect(agent, env, episodes=2)
    assert np.isfinite(agent.learn(4)["critic_loss"])
    obs, _ = env.reset(seed=3)
    assert agent.select_action(obs, deterministic=True).shape == (2,)


def test_her_without_compute_reward_is_refused():
    from tests.fixtures.goal_envs import NoComputeReward
    with pytest.raises(UserError, match="compute_reward"):
        sac_tf.SAC.from_env(NoComputeReward(), her=True, **SMALL)


def test_a_loaded_her_n_step_agent_ends_the_saved_episode_where_it_was_cut(tmp_path):
    """Saved 4 steps into its second episode: the load writes that cut episode (4 real
    windows and their 2 × 4 relabelled ones), so the next episode does not extend it."""
    env = GoalPointMass(max_steps=10)
    agent = sac_tf.SAC.from_env(env, seed=0, her=True, her_goals_per_transition=2, n_step=3,
                                **SMALL)
    collect(agent, env, episodes=1)
    obs, _ = env.reset(seed=5)
    for _ in range(4):
        next_obs, reward, terminated, truncated, _ = env.step(agent.select_action(obs))
        agent.replay_buffer.add(obs, env.action_space.sample(), reward, next_obs, terminated,
                                truncated)
        obs = next_obs
    assert len(agent.replay_buffer) == 10 * 3  # the open episode's rows wait
    agent.save(tmp_path / "run")
    loaded = sac_tf.SAC.load(tmp_path / "run", compute_reward=env.compute_reward)
    assert len(loaded.replay_buffer) == 14 * 3
    collect(loaded, env, episodes=1, seed=9)
    assert len(loaded.replay_buffer) == 24 * 3
    assert np.isfinite(loaded.learn(3)["critic_loss"])
