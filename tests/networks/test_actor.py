"""Actors: the squashed Gaussian and the deterministic actor."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core.distributions import TanhNormal
from sac_tf.networks import DeterministicActor, GaussianActor
from sac_tf.networks.actor import squashed_gaussian


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


def test_the_log_std_is_squashed_by_tanh_or_clipped_as_asked():
    raw = np.array([[0.0, -30.0, 0.0, 5.0]], np.float32)  # loc (0, −30), raw log std (0, 5)
    tanh_scale = squashed_gaussian(tf.constant(raw), "tanh").scale.numpy()
    np.testing.assert_allclose(tanh_scale, np.exp(-5.0 + 3.5 * (np.tanh([[0.0, 5.0]]) + 1.0)),
                               rtol=1e-6)
    clip_scale = squashed_gaussian(tf.constant(raw), "clip").scale.numpy()
    np.testing.assert_allclose(clip_scale, np.exp([[0.0, 2.0]]), rtol=1e-6)
    low = squashed_gaussian(tf.constant([[0.0, -30.0]]), "clip").scale.numpy()
    np.testing.assert_allclose(low, np.exp([[-20.0]]), rtol=1e-6)


def test_a_clipped_log_std_starts_near_one_and_an_unknown_bound_is_refused():
    tf.keras.utils.set_random_seed(0)
    actor = GaussianActor(action_dim=3, hidden_sizes=(64, 64), log_std="clip")
    scale = actor(tf.random.normal((256, 5))).scale.numpy()
    assert 0.5 < np.median(scale) < 2.0  # the head's output is near 0: σ ≈ e^0
    with pytest.raises(ValueError, match="actor_log_std must be one of"):
        GaussianActor(action_dim=3, hidden_sizes=(8,), log_std="softplus")
