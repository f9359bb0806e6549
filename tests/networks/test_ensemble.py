"""Ensemble layers: per-member layer norm, and member subsets of an ensemble network."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sac_tf.networks import EnsembleDense, EnsembleLayerNorm
from sac_tf.networks.ensemble import call_ensemble


def test_ensemble_layer_norm_normalises_each_member_with_its_own_scale():
    layer = EnsembleLayerNorm(num_members=2, epsilon=0.0)
    x = np.random.randn(2, 5, 6).astype(np.float32) * 3.0 + 1.0
    layer.build(x.shape)
    layer.scale.assign(np.array([1.0, 2.0], np.float32).reshape(2, 1, 1) * np.ones((2, 1, 6)))
    y = layer(x).numpy()
    normalised = (x - x.mean(-1, keepdims=True)) / x.std(-1, keepdims=True)
    np.testing.assert_allclose(y[0], normalised[0], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(y[1], 2.0 * normalised[1], rtol=1e-4, atol=1e-4)


def test_a_subset_of_members_refuses_layers_that_hold_their_own_weights():
    network = keras.Sequential([EnsembleDense(3, 4), keras.layers.Dense(2)])
    network(tf.zeros((1, 5)))
    with pytest.raises(TypeError, match="cannot compute a subset"):
        call_ensemble(network, tf.zeros((1, 5)), members=tf.constant([0]))


def test_kernel_inits_have_one_members_fans():
    """Each member's kernel has Glorot's U(±√(6/(in+out))) or LeCun's std 1/√in, not the
    smaller ones Keras would give a [members, in, out] kernel (it counts members in)."""
    tf.keras.utils.set_random_seed(0)
    glorot = EnsembleDense(4, 300)
    glorot(tf.zeros((1, 200)))
    limit = np.sqrt(6.0 / 500)
    kernel = glorot.kernel.numpy()
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.99 * limit
    lecun = EnsembleDense(4, 300, "lecun_normal")
    lecun(tf.zeros((1, 200)))
    kernel = lecun.kernel.numpy()
    np.testing.assert_allclose(kernel.std(axis=(1, 2)), 1 / np.sqrt(200), rtol=0.02)
    assert np.abs(kernel).max() <= 2.0 * 1.0 / np.sqrt(200) / 0.8796 + 1e-6  # truncated at 2σ
    with pytest.raises(ValueError, match="kernel_init must be one of"):
        EnsembleDense(2, 3, "he_uniform")
