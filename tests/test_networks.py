import numpy as np
import tensorflow as tf

from sac_tf.distributions import TanhNormal
from sac_tf.networks import CriticEnsemble, DeterministicActor, GaussianActor


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
    layers = critics.body.layers
    for member in range(3):
        x = np.concatenate([observation, action], axis=1)
        for index, layer in enumerate(layers):
            x = x @ layer.kernel.numpy()[member] + layer.bias.numpy()[member]
            if index < len(layers) - 1:
                x = np.maximum(x, 0.0)
        np.testing.assert_allclose(q[member], x[:, 0], rtol=1e-4, atol=1e-5)
    assert not np.allclose(q[0], q[1])  # members are initialised independently
