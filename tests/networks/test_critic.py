import keras
import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core.distributions import TanhNormal
from sac_tf.networks import (CriticEnsemble, DeterministicActor, EnsembleDense, EnsembleLayerNorm,
                             GaussianActor)
from sac_tf.networks.ensemble import call_ensemble
from sac_tf.networks.residual import ResidualBlock


def test_gaussian_actor_gives_a_bounded_tanh_normal():
    actor = GaussianActor(action_dim=2, hidden_sizes=(16, 16))
    dist = actor(tf.random.normal((5, 4)) * 100.0)
    assert isinstance(dist, TanhNormal)
    assert dist.batch_shape == (5,) and dist.event_shape == (2,)
    scale = dist.scale.numpy()
    assert np.all(scale >= np.exp(-5.0) * 0.999) and np.all(scale <= np.exp(2.0) * 1.001)


def test_deterministic_actor_outputs_unit_box_actions():
    action = DeterministicActor(3, (16,))(tf.random.normal((7, 4)) * 100.0).numpy()
    assert action.shape == (7, 3) and np.all(np.abs(action) <= 1.0)


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


def test_ensemble_layer_norm_normalises_each_member_with_its_own_scale():
    layer = EnsembleLayerNorm(num_members=2, epsilon=0.0)
    x = np.random.randn(2, 5, 6).astype(np.float32) * 3.0 + 1.0
    layer.build(x.shape)
    layer.scale.assign(np.array([1.0, 2.0], np.float32).reshape(2, 1, 1) * np.ones((2, 1, 6)))
    y = layer(x).numpy()
    normalised = (x - x.mean(-1, keepdims=True)) / x.std(-1, keepdims=True)
    np.testing.assert_allclose(y[0], normalised[0], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(y[1], 2.0 * normalised[1], rtol=1e-4, atol=1e-4)


def test_critic_dropout_is_active_in_training_only():
    critics = CriticEnsemble(2, (64, 64), layer_norm=True, dropout_rate=0.5)
    observation, action = tf.random.normal((8, 3)), tf.random.normal((8, 1))
    inference = [critics(observation, action).numpy() for _ in range(2)]
    training = [critics(observation, action, training=True).numpy() for _ in range(2)]
    np.testing.assert_array_equal(inference[0], inference[1])
    assert not np.allclose(training[0], training[1])
    assert not np.allclose(training[0], inference[0])


def test_quantile_critics_return_quantiles_per_member():
    critics = CriticEnsemble(num_critics=5, hidden_sizes=(16,), num_quantiles=25)
    assert critics(tf.zeros((3, 4)), tf.zeros((3, 2))).shape == (5, 3, 25)


def test_residual_torsos_in_actor_and_critics():
    actor = GaussianActor(action_dim=2, hidden_sizes=(32,), residual_blocks=2)
    assert actor(tf.zeros((3, 4))).batch_shape == (3,)
    assert sum(isinstance(layer, ResidualBlock) for layer in actor.torso.layers) == 2
    critics = CriticEnsemble(num_critics=2, hidden_sizes=(32,), residual_blocks=1)
    assert critics(tf.zeros((3, 4)), tf.zeros((3, 2))).shape == (2, 3)
    with pytest.raises(ValueError, match="one width"):
        GaussianActor(2, (32, 32), residual_blocks=1)


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


def test_a_subset_of_members_refuses_layers_that_hold_their_own_weights():
    network = keras.Sequential([EnsembleDense(3, 4), keras.layers.Dense(2)])
    network(tf.zeros((1, 5)))
    with pytest.raises(TypeError, match="cannot compute a subset"):
        call_ensemble(network, tf.zeros((1, 5)), members=tf.constant([0]))
