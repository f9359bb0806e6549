"""Actors: the squashed Gaussian and the deterministic actor."""

import numpy as np
import tensorflow as tf

from sac_tf.core.distributions import TanhNormal
from sac_tf.networks import DeterministicActor, GaussianActor


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
