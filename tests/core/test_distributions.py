import math

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core.distributions import TanhNormal, log1m_tanh_squared


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
