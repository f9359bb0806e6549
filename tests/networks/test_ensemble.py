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
