"""Batch renormalisation against a numpy transcription of Ioffe (2017) with CrossQ's warm-up."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.networks.batch_renorm import BatchRenorm

EPS, MOMENTUM, R_MAX, D_MAX = 1e-3, 0.9, 3.0, 5.0


class NumpyBatchRenorm:
    """Ioffe 2017, Algorithm 1: y = (x − μ_B)/σ_B · r + d (γ = 1, β = 0), running statistics
    updated after; r = 1, d = 0 (batch norm) for the first `warmup` training calls."""

    def __init__(self, features, warmup):
        self.mean, self.variance, self.steps, self.warmup = (np.zeros(features),
                                                             np.ones(features), 0, warmup)

    def train(self, x):
        mean, variance = x.mean(axis=0), x.var(axis=0)
        sigma_batch, sigma = np.sqrt(variance + EPS), np.sqrt(self.variance + EPS)
        if self.steps >= self.warmup:
            r = np.clip(sigma_batch / sigma, 1 / R_MAX, R_MAX)
            d = np.clip((mean - self.mean) / sigma, -D_MAX, D_MAX)
        else:
            r, d = 1.0, 0.0
        # The authors' form: a batch norm of mean μ_B − d·√σ²_B / r and variance σ²_B / r².
        y = (x - (mean - d * np.sqrt(variance) / r)) / np.sqrt(variance / r ** 2 + EPS)
        self.mean = MOMENTUM * self.mean + (1 - MOMENTUM) * mean
        self.variance = MOMENTUM * self.variance + (1 - MOMENTUM) * variance
        self.steps += 1
        return y, r, d

    def infer(self, x):
        return (x - self.mean) / np.sqrt(self.variance + EPS)


def batches(seed=0, count=6, size=64, features=3):
    rng = np.random.default_rng(seed)
    # Shifted and scaled so that r and d leave their clipping ranges now and then.
    return [(rng.normal(size=(size, features)) * rng.uniform(0.05, 8.0, features)
             + rng.uniform(-20, 20, features)).astype(np.float32) for _ in range(count)]


def test_training_outputs_running_statistics_and_inference_match_numpy():
    layer = BatchRenorm(momentum=MOMENTUM, epsilon=EPS, r_max=R_MAX, d_max=D_MAX, warmup_steps=2)
    reference = NumpyBatchRenorm(3, warmup=2)
    clipped = False
    for x in batches():
        expected, r, d = reference.train(x.astype(np.float64))
        np.testing.assert_allclose(layer(x, training=True), expected, rtol=2e-4, atol=2e-4)
        clipped |= bool(np.any(np.abs(d) == D_MAX) or np.any(r == R_MAX) or np.any(r == 1 / R_MAX))
    assert clipped, "the batches should exercise the clipping of r or d"
    np.testing.assert_allclose(layer.moving_mean, reference.mean, rtol=1e-4)
    np.testing.assert_allclose(layer.moving_variance, reference.variance, rtol=1e-4)
    assert int(layer.steps) == 6
    x = batches(seed=1, count=1)[0]
    np.testing.assert_allclose(layer(x), reference.infer(x), rtol=2e-4, atol=2e-4)
    np.testing.assert_allclose(layer(x, training=False), reference.infer(x), rtol=2e-4, atol=2e-4)


def test_warm_up_is_plain_batch_norm_then_renorm_differs():
    x0, x1 = batches(count=2)
    layer = BatchRenorm(momentum=MOMENTUM, epsilon=EPS, warmup_steps=1)
    batch_norm = (x0 - x0.mean(0)) / np.sqrt(x0.var(0) + EPS)
    np.testing.assert_allclose(layer(x0, training=True), batch_norm, rtol=1e-4, atol=1e-4)
    plain = (x1 - x1.mean(0)) / np.sqrt(x1.var(0) + EPS)
    assert np.abs(layer(x1, training=True).numpy() - plain).max() > 0.1  # r, d ≠ 1, 0 now


def test_inference_neither_uses_nor_updates_batch_statistics():
    layer = BatchRenorm(warmup_steps=0)
    x = batches(count=1)[0]
    np.testing.assert_allclose(layer(x), (x - 0.0) / np.sqrt(1.0 + 1e-3), rtol=1e-5)
    assert int(layer.steps) == 0 and np.all(layer.moving_mean.numpy() == 0.0)


def test_no_gradient_flows_through_r_and_d():
    layer = BatchRenorm(warmup_steps=0, momentum=0.0)  # running stats = last batch's
    x0, x1 = (tf.constant(x) for x in batches(count=2))
    layer(x0, training=True)
    with tf.GradientTape() as tape:
        tape.watch(x1)
        y = tf.reduce_sum(layer(x1, training=True) * tf.range(64.0)[:, None])
    gradient = tape.gradient(y, x1).numpy()
    # Reference: r and d held constant, so y = ((x − μ_B)/σ_B)·r + d with r, d fixed.
    x = tf.Variable(x1)
    mean0, var0 = x0.numpy().mean(0), x0.numpy().var(0)
    with tf.GradientTape() as tape:
        mean, variance = tf.nn.moments(x, axes=[0])
        sigma = tf.sqrt(var0 + 1e-3)
        r = tf.clip_by_value(tf.sqrt(variance + 1e-3) / sigma, 1 / 3, 3.0)
        d = tf.clip_by_value((mean - mean0) / sigma, -5.0, 5.0)
        r, d = tf.stop_gradient(r), tf.stop_gradient(d)
        y_ref = (x - (mean - d * tf.sqrt(variance) / r)) * tf.math.rsqrt(variance / r ** 2 + 1e-3)
        total = tf.reduce_sum(y_ref * tf.range(64.0)[:, None])
    np.testing.assert_allclose(gradient, tape.gradient(total, x).numpy(), rtol=1e-3, atol=1e-4)


def test_ensemble_members_keep_their_own_statistics_and_broadcast_a_shared_input():
    layer = BatchRenorm(num_members=2, momentum=MOMENTUM, warmup_steps=0)
    x0, x1 = batches(count=2)
    stacked = np.stack([x0, x1])                     # member 0 sees x0, member 1 sees x1
    single = [BatchRenorm(momentum=MOMENTUM, warmup_steps=0) for _ in range(2)]
    for _ in range(3):
        out = layer(stacked, training=True).numpy()
        for member, (sub, x) in enumerate(zip(single, (x0, x1))):
            np.testing.assert_allclose(out[member], sub(x, training=True), rtol=1e-4, atol=1e-4)
    assert layer.moving_mean.shape == (2, 1, 3)
    assert layer(x0).shape == (2, 64, 3)             # a [B, F] input goes to both members
    with pytest.raises(ValueError, match="subset"):
        layer(x0, members=tf.constant([0]))
