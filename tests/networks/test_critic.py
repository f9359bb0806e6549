"""`CriticEnsemble`: members, dropout, quantiles, subsets of members, refused options."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.networks import CriticEnsemble, EnsembleDense
from sac_tf.networks.ensemble import StatelessDropout, hashed_bits
from tests.agents.test_sac import make_sac


def test_critic_ensemble_equals_independent_mlps_computed_in_numpy():
    critics = CriticEnsemble(num_critics=3, hidden_sizes=(8, 8))
    observation, action = np.random.randn(5, 4).astype(np.float32), np.random.randn(5, 2).astype(
        np.float32)
    q = critics(observation, action).numpy()
    assert q.shape == (3, 5)
    layers = [layer for layer in critics.body.layers if isinstance(layer, EnsembleDense)]
    for member in range(3):
        x = np.concatenate([observation, action], axis=1)
        for index, layer in enumerate(layers):
            x = x @ layer.kernel.numpy()[member] + layer.bias.numpy()[member]
            if index < len(layers) - 1:
                x = np.maximum(x, 0.0)
        np.testing.assert_allclose(q[member], x[:, 0], rtol=1e-4, atol=1e-5)
    assert not np.allclose(q[0], q[1])  # members are initialised independently


def test_critic_dropout_is_active_in_training_only_and_its_masks_follow_the_seed():
    critics = CriticEnsemble(2, (64, 64), layer_norm=True, dropout_rate=0.5)
    observation, action = tf.random.normal((8, 3)), tf.random.normal((8, 1))
    inference = [critics(observation, action, seed=tf.constant([s, 0])).numpy()
                 for s in range(2)]
    training = [critics(observation, action, training=True, seed=tf.constant([s, 0])).numpy()
                for s in (0, 1, 0)]
    np.testing.assert_array_equal(inference[0], inference[1])
    assert not np.allclose(training[0], training[1])
    np.testing.assert_array_equal(training[0], training[2])  # stateless: the seed decides
    assert not np.allclose(training[0], inference[0])
    with pytest.raises(ValueError, match="needs a seed"):
        critics(observation, action, training=True)


def test_stateless_dropout_keeps_each_unit_with_probability_one_minus_rate_and_rescales():
    layer = StatelessDropout(0.25)
    outputs = layer(tf.ones((400, 100)), training=True, seed=tf.constant([3, 4])).numpy()
    assert set(np.unique(outputs)) == {0.0, np.float32(1 / 0.75)}
    assert abs((outputs > 0).mean() - 0.75) < 0.01  # 40,000 draws: σ ≈ 0.002


def test_hashed_bits_match_a_numpy_lowbias32_and_look_uniform():
    def lowbias32(x):
        x = np.uint32(x)
        x ^= x >> np.uint32(16); x *= np.uint32(0x7FEB352D)
        x ^= x >> np.uint32(15); x *= np.uint32(0x846CA68B)
        return x ^ (x >> np.uint32(16))

    seed = np.array([-7, 123456], np.int32)
    index = np.arange(12, dtype=np.uint32).reshape(3, 4)
    with np.errstate(over="ignore"):
        expected = lowbias32(lowbias32(index + seed.view(np.uint32)[0]) ^ seed.view(np.uint32)[1])
    np.testing.assert_array_equal(hashed_bits([3, 4], tf.constant(seed)).numpy(), expected)

    bits = hashed_bits([2, 256, 256], tf.constant([5, 6])).numpy().astype(np.float64) / 2**32
    assert abs(bits.mean() - 0.5) < 0.003 and abs(bits.var() - 1 / 12) < 0.002
    counts = np.histogram(bits, bins=16, range=(0, 1))[0]
    chi_square = np.sum((counts - bits.size / 16) ** 2 / (bits.size / 16))
    assert chi_square < 40  # 15 degrees of freedom: p ≈ 0.0005
    assert abs(np.corrcoef(bits.ravel()[:-1], bits.ravel()[1:])[0, 1]) < 0.01  # neighbours
    other = hashed_bits([2, 256, 256], tf.constant([5, 7])).numpy().astype(np.float64) / 2**32
    assert abs(np.corrcoef(bits.ravel(), other.ravel())[0, 1]) < 0.01  # seeds differ by 1


def test_quantile_critics_return_quantiles_per_member():
    critics = CriticEnsemble(num_critics=5, hidden_sizes=(16,), num_quantiles=25)
    assert critics(tf.zeros((3, 4)), tf.zeros((3, 2))).shape == (5, 3, 25)


def test_critics_computed_for_a_subset_of_members_equal_those_rows_of_the_whole():
    observation, action = tf.random.normal((6, 4)), tf.random.normal((6, 2))
    members = tf.constant([3, 0], tf.int32)
    for options in (dict(), dict(layer_norm=True, dropout_rate=0.5), dict(residual_blocks=2),
                    dict(num_quantiles=3)):
        critics = CriticEnsemble(num_critics=4, hidden_sizes=(16,), **options)
        critics(observation, action)
        for variable in critics.trainable_variables:  # distinct biases and norm scales too
            variable.assign(tf.random.normal(variable.shape, stddev=0.5))
        whole = critics(observation, action).numpy()
        subset = critics(observation, action, members=members).numpy()
        assert subset.shape == (2,) + whole.shape[1:], options
        np.testing.assert_allclose(subset, whole[[3, 0]], rtol=1e-5, atol=1e-5,
                                   err_msg=str(options))


def test_residual_critics_refuse_droq_options():
    with pytest.raises(ValueError, match="residual"):
        make_sac(hidden_sizes=(32,), residual_blocks=1, critic_dropout_rate=0.01)
