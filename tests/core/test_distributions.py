"""`TanhNormal` and the hybrid (continuous + discrete) `HybridPolicy`."""

import math

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core.distributions import HybridPolicy, TanhNormal, log1m_tanh_squared


def closed_form_log_prob(action, loc, scale):
    """log N(atanh a; loc, scale) − log(1 − a²), summed over the last axis (float64)."""
    u = np.arctanh(action)
    normal = -0.5 * ((u - loc) / scale) ** 2 - np.log(scale) - 0.5 * math.log(2 * math.pi)
    return np.sum(normal - np.log1p(-action ** 2), axis=-1)


def test_log_prob_matches_closed_form():
    rng = np.random.default_rng(0)
    loc = rng.normal(size=(64, 3))
    scale = rng.uniform(0.2, 2.0, size=(64, 3))
    action = rng.uniform(-0.95, 0.95, size=(64, 3))
    got = TanhNormal(loc.astype(np.float32), scale.astype(np.float32)).log_prob(
        action.astype(np.float32))
    np.testing.assert_allclose(got.numpy(), closed_form_log_prob(action, loc, scale),
                               rtol=1e-4, atol=1e-4)


def test_log1m_tanh_squared_is_exact_where_naive_form_underflows():
    u = np.array([0.0, 0.5, -3.0, 20.0, -60.0], np.float32)
    expected = np.log(4.0) - 2.0 * np.logaddexp(u.astype(np.float64), -u.astype(np.float64))
    np.testing.assert_allclose(log1m_tanh_squared(tf.constant(u)).numpy(), expected, rtol=1e-6)


def test_log_prob_is_finite_at_the_bounds():
    dist = TanhNormal(tf.zeros((2, 2)), tf.fill((2, 2), 5.0))
    log_prob = dist.log_prob(tf.constant([[1.0, -1.0], [-1.0, 1.0]]))
    assert np.all(np.isfinite(log_prob.numpy()))


def test_sample_and_log_prob_is_finite_for_saturated_samples_and_agrees_with_log_prob():
    dist = TanhNormal(tf.zeros((4096, 1)), tf.fill((4096, 1), 5.0))
    action, log_prob = dist.sample_and_log_prob(seed=tf.constant([1, 2]))
    action, log_prob = action.numpy(), log_prob.numpy()
    assert np.all(np.isfinite(log_prob))
    saturated = np.abs(action[:, 0]) == 1.0
    assert saturated.mean() > 0.05  # the case TFP's own Tanh bijector turns into NaN
    inside = np.abs(action[:, 0]) < 0.99
    np.testing.assert_allclose(dist.log_prob(action).numpy()[inside], log_prob[inside],
                               rtol=1e-3, atol=1e-3)


def test_samples_follow_the_squashed_normal():
    dist = TanhNormal(tf.fill((20000, 1), 0.3), tf.fill((20000, 1), 0.5))
    action = dist.sample(seed=(3, 4)).numpy()[:, 0]
    u = np.arctanh(np.clip(action, -1 + 1e-6, 1 - 1e-6))
    assert abs(u.mean() - 0.3) < 0.02 and abs(u.std() - 0.5) < 0.02


def test_mode_is_tanh_of_loc_and_shapes():
    loc = tf.constant([[0.0, 1.0, -2.0]])
    dist = TanhNormal(loc, tf.ones_like(loc))
    np.testing.assert_allclose(dist.mode().numpy(), np.tanh(loc.numpy()), rtol=1e-6)
    assert dist.event_shape == (3,) and dist.batch_shape == (1,)
    with pytest.raises(NotImplementedError):
        dist.mean()


def hybrid_policy():
    continuous = TanhNormal(tf.constant([[0.3, -0.2]]), tf.constant([[0.5, 1.5]]))
    logits = [tf.constant([[1.0, 2.0, 0.5]]), tf.constant([[-1.0, 0.0]])]
    return HybridPolicy(continuous, logits)


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


def test_samples_are_one_hot_with_the_categorical_frequencies_and_no_logit_gradient():
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
    assert tape.gradient(chosen, logits) is None  # the logits learn through expected_value


def one_head_policy(p_first: float, batch: int = 1):
    """A policy of one continuous dim and one two-category head with p = (p_first, 1 − p)."""
    logits = tf.Variable([[np.log(p_first), np.log(1.0 - p_first)]] * batch, dtype=tf.float32)
    return HybridPolicy(TanhNormal(tf.zeros((batch, 1)), tf.ones((batch, 1))), [logits]), logits


def absolute_difference(candidates):
    """Q = |x0 − x1| of the one-hot (equal, 1, for both categories): `[C, B, 3]` → `[C, B]`."""
    return tf.abs(candidates[..., 1] - candidates[..., 2])


def test_expected_value_gives_the_exact_zero_gradient_where_straight_through_does_not():
    """Q = |x0 − x1| takes the same value at both one-hots, so ∇ E[Q] = 0 in the logits.
    The expectation over the head gives exactly 0; a straight-through one-hot
    (hard forward, softmax backward) gives ±p(1 − p)(2p − 1)·2 = ±0.168 at p = 0.7."""
    policy, logits = one_head_policy(0.7)
    with tf.GradientTape() as tape:
        action, _ = policy.sample_and_log_prob(tf.constant([3, 4]))
        value = policy.expected_value(action, absolute_difference)
    np.testing.assert_allclose(value.numpy(), [1.0], rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(value, logits).numpy(), [[0.0, 0.0]], atol=1e-7)

    batch = 20_000
    policy, logits = one_head_policy(0.7, batch)
    with tf.GradientTape() as tape:
        action, _ = policy.sample_and_log_prob(tf.constant([3, 4]))
        soft = tf.nn.softmax(logits)
        straight_through = tf.concat(
            [action[:, :1], action[:, 1:] + soft - tf.stop_gradient(soft)], axis=-1)
        value = tf.reduce_mean(absolute_difference(straight_through[None])[0])
    gradient = tape.gradient(value, logits).numpy().sum(axis=0)
    np.testing.assert_allclose(gradient, [0.168, -0.168], atol=0.01)


def test_expected_value_gradients_match_the_closed_form_with_two_heads():
    """Values additive over the parts, V = c·x_c + a·x1 + b·x2: every head's logit gradient is
    the closed form ∇ Σ_k p_k a_k = p ⊙ (a − p·a) whatever the other head's sample, the
    value is the mean over heads of (its expectation + the other's sampled value), and the
    continuous part's gradient is c·dtanh(u)/du through the sample."""
    a, b = np.array([1.0, 3.0, 0.5], np.float32), np.array([-2.0, 1.0], np.float32)
    loc = tf.Variable([[0.3]])
    logits = [tf.Variable([[1.0, 2.0, 0.5]]), tf.Variable([[-1.0, 0.0]])]

    def additive(candidates):
        return (2.0 * candidates[..., 0] + tf.reduce_sum(candidates[..., 1:4] * a, axis=-1)
                + tf.reduce_sum(candidates[..., 4:] * b, axis=-1))

    with tf.GradientTape() as tape:
        policy = HybridPolicy(TanhNormal(loc, tf.constant([[0.5]])), logits)
        action, _ = policy.sample_and_log_prob(tf.constant([5, 6]))
        value = policy.expected_value(action, additive)
    gradients = tape.gradient(value, logits + [loc])
    x = action.numpy()[0]
    p1, p2 = (tf.nn.softmax(logits[0]).numpy()[0], tf.nn.softmax(logits[1]).numpy()[0])
    expected_value = 2.0 * x[0] + 0.5 * ((p1 @ a + x[4:] @ b) + (x[1:4] @ a + p2 @ b))
    np.testing.assert_allclose(value.numpy(), [expected_value], rtol=1e-5)
    np.testing.assert_allclose(gradients[0].numpy()[0], p1 * (a - p1 @ a), rtol=1e-5)
    np.testing.assert_allclose(gradients[1].numpy()[0], p2 * (b - p2 @ b), rtol=1e-5)
    np.testing.assert_allclose(gradients[2].numpy()[0], [2.0 * (1.0 - x[0] ** 2)], rtol=1e-4)


def test_mode_takes_each_heads_most_likely_category():
    np.testing.assert_allclose(hybrid_policy().mode().numpy()[0, 2:], [0, 1, 0, 0, 1])
