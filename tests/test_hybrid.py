"""Hybrid (continuous + discrete) actions: the policy, the SAC losses and the shipped task."""

import gymnasium as gym
import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core.distributions import HybridPolicy, TanhNormal
from sac_tf.envs.making import env_spec, make_vector_env
from sac_tf.networks import HybridActor
from sac_tf.deploy.video import annotate
from tests.test_agents import fixed_batch, make_sac, perturb, upcoming_seed

HYBRID_ID = "sac_tf/HybridPointMass-v0"


def hybrid_policy():
    continuous = TanhNormal(tf.constant([[0.3, -0.2]]), tf.constant([[0.5, 1.5]]))
    logits = [tf.constant([[1.0, 2.0, 0.5]]), tf.constant([[-1.0, 0.0]])]
    return HybridPolicy(continuous, logits)


def hybrid_batch(size=64):
    """A fixed batch for the shipped task: observations `[size, 2]`, flat actions `[size, 3]`
    (the continuous part, then a one-hot of the 2-way direction)."""
    batch = fixed_batch(size=size)
    one_hot = np.eye(2, dtype=np.float32)[np.random.default_rng(0).integers(2, size=size)]
    return batch._replace(observation=batch.observation[:, :2],
                          next_observation=batch.next_observation[:, :2],
                          action=np.concatenate([batch.action, one_hot], axis=1))


def test_hybrid_log_prob_is_continuous_plus_discrete_parts():
    policy = hybrid_policy()
    action = tf.constant([[0.1, -0.7, 0.0, 1.0, 0.0, 1.0, 0.0]])
    expected = (policy.continuous.log_prob(action[:, :2])
                + tf.nn.log_softmax(policy.logits[0])[:, 1]
                + tf.nn.log_softmax(policy.logits[1])[:, 0])
    np.testing.assert_allclose(policy.log_prob(action).numpy(), expected.numpy(), rtol=1e-6)


def test_discrete_negative_entropy_matches_the_closed_form():
    policy = hybrid_policy()
    p1, p2 = np.exp([1.0, 2.0, 0.5]), np.exp([-1.0, 0.0])
    p1, p2 = p1 / p1.sum(), p2 / p2.sum()
    expected = np.sum(p1 * np.log(p1)) + np.sum(p2 * np.log(p2))
    np.testing.assert_allclose(policy.discrete_negative_entropy().numpy(), [expected], rtol=1e-5)


def test_samples_are_one_hot_with_the_categorical_frequencies_and_a_softmax_gradient():
    logits = tf.Variable([[0.0, np.log(3.0)]] * 4000, dtype=tf.float32)
    continuous = TanhNormal(tf.zeros((4000, 1)), tf.ones((4000, 1)))
    with tf.GradientTape() as tape:
        action, log_prob = HybridPolicy(continuous, [logits]).sample_and_log_prob(
            tf.constant([1, 2]))
        chosen = tf.reduce_sum(action[:, 2])
    one_hot = action[:, 1:].numpy()
    assert set(np.unique(one_hot)) == {0.0, 1.0}
    np.testing.assert_allclose(one_hot.mean(axis=0), [0.25, 0.75], atol=0.03)
    np.testing.assert_allclose(log_prob.numpy(), continuous.log_prob(action[:, :1]).numpy(),
                               rtol=1e-4, atol=1e-4)
    gradient = tape.gradient(chosen, logits).numpy()   # d softmax_2 / d logits = p2 (e2 − p)
    np.testing.assert_allclose(gradient[0], [-0.1875, 0.1875], atol=1e-5)


def test_mode_takes_each_heads_most_likely_category():
    np.testing.assert_allclose(hybrid_policy().mode().numpy()[0, 2:], [0, 1, 0, 0, 1])


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
    loss mean(α log π(ã_c|s) + α_d Σ p log p(s) − min Q(s, ã)), from the updates' own seeds."""
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
    q = agent.critics(batch.observation, action).numpy().min(axis=0)
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


def test_agents_without_hybrid_support_refuse_hybrid_spaces():
    import ml_collections

    from sac_tf.agents import AGENTS, make_agent
    from sac_tf.errors import UserError

    spec = env_spec(make_vector_env(HYBRID_ID, 1))
    for name, agent_class in AGENTS.items():
        if not agent_class.supports_hybrid_actions:
            config = ml_collections.ConfigDict(dict(agent=name, seed=0, **{name: {}}))
            with pytest.raises(UserError, match="hybrid"):
                make_agent(config, spec)


def test_hybrid_env_passes_the_gymnasium_checker():
    from gymnasium.utils.env_checker import check_env

    check_env(gym.make(HYBRID_ID).unwrapped)


def test_hybrid_env_renders_the_goal_and_the_point_where_they_are():
    env = gym.make(HYBRID_ID, render_mode="rgb_array")
    (position, goal), _ = env.reset(seed=3)
    frame = env.render()
    assert frame.shape == (128, 320, 3) and frame.dtype == np.uint8
    row = frame[96]
    for x, colour in ((goal, (40, 170, 60)), (position, (40, 90, 220))):
        column = int(round((x + 1.0) / 2.0 * 319))
        assert tuple(row[column]) == colour
        assert tuple(frame[96 - 6, column]) == tuple(frame[96 + 6, column]) == colour  # centred
    # the text box of evaluate's video leaves the track, goal and point in sight
    annotated = annotate(frame, ["episode 1/1  step 50", "reward -0.123", "return -12.34"])
    np.testing.assert_array_equal(annotated[80:], frame[80:])


def test_training_on_the_hybrid_task_end_to_end(tmp_path):
    from sac_tf.run.loop import run_training
    from tests.conftest import small_pendulum_config

    config = small_pendulum_config(env_id=HYBRID_ID, num_steps=400)
    row = run_training(config, tmp_path)
    assert row["env_step"] == 400 and np.isfinite(row["return_mean"])
    assert "entropy_discrete" in (tmp_path / "train.csv").read_text().splitlines()[0]

    # The exported policy returns the speed in its bounds and the direction's index.
    serve = tf.saved_model.load(str(tmp_path / "policy")).signatures["serving_default"]
    outputs = serve(observation=tf.constant([[0.5, -0.5], [-0.5, 0.5]]))
    assert outputs["action"].shape == (2, 1) and outputs["discrete_action"].shape == (2, 1)
    assert np.all((outputs["action"].numpy() >= 0.0) & (outputs["action"].numpy() <= 1.0))
    assert set(outputs["discrete_action"].numpy().ravel()) <= {0, 1}

    # sac_tf.evaluate steps the env with the Dict action the SavedModel's outputs make.
    from sac_tf.deploy.evaluation import evaluate_policy
    env, expected = gym.make(HYBRID_ID), []
    for episode in range(2):
        observation, _ = env.reset(seed=7 + episode)
        episode_return, done = 0.0, False
        while not done:
            outputs = serve(observation=tf.constant(observation[None]))
            action = {"speed": outputs["action"].numpy()[0],
                      "direction": int(outputs["discrete_action"].numpy()[0, 0])}
            observation, reward, terminated, truncated, _ = env.step(action)
            episode_return, done = episode_return + reward, terminated or truncated
        expected.append(episode_return)
    result = evaluate_policy(tmp_path / "policy", episodes=2, seed=7)
    np.testing.assert_allclose(result["returns"], expected, rtol=1e-5)
    filmed = evaluate_policy(tmp_path / "policy", episodes=1, seed=7, video=tmp_path / "h.mp4")
    assert filmed["video_frames"] == 50 and filmed["returns"][0] == pytest.approx(expected[0])


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sac_learns_the_hybrid_task(seed, tmp_path):
    from sac_tf.config import CONFIG_DIR, load_config
    from sac_tf.run.loop import run_training

    config = load_config(str(CONFIG_DIR / "sac_hybrid.py"))
    config.seed = seed
    assert run_training(config, tmp_path)["return_mean"] >= -10.0
