"""`soft_min` over critics against numpy: its value, its limits and its gradient."""

import numpy as np
import tensorflow as tf

from sac_tf.agents.sac_options import soft_min


def test_soft_min_lies_between_the_min_and_the_mean_and_tends_to_both():
    q = np.random.default_rng(0).normal(scale=3.0, size=(5, 100)).astype(np.float32)
    for temperature in (0.1, 1.0, 10.0):
        value = soft_min(tf.constant(q), temperature).numpy()
        scaled = np.exp(-(q - q.min(0)) / temperature)
        weights = scaled / scaled.sum(0)
        np.testing.assert_allclose(value, (weights * q).sum(0), rtol=1e-5, atol=1e-5)
        assert np.all(value >= q.min(0) - 1e-5) and np.all(value <= q.mean(0) + 1e-5)
    np.testing.assert_allclose(soft_min(tf.constant(q), 1e-3).numpy(), q.min(0), atol=1e-4)
    np.testing.assert_allclose(soft_min(tf.constant(q), 1e4).numpy(), q.mean(0), atol=1e-2)


def test_soft_min_gradient_is_a_convex_combination_of_the_critics_gradients():
    """With the weights held constant, d/dQ_i = w_i ≥ 0: no critic's value is pushed down
    (through the weights, Q = [0, 3] at β = 1 would give [1.09, −0.09])."""
    q = tf.Variable([[0.0], [3.0]])
    with tf.GradientTape() as tape:
        value = soft_min(q, 1.0)
    gradient = tape.gradient(value, q).numpy()[:, 0]
    weights = np.exp([0.0, -3.0]) / np.exp([0.0, -3.0]).sum()
    np.testing.assert_allclose(gradient, weights, rtol=1e-6)
