"""`OffPolicyAgent`'s shared parts: Polyak averaging, TD targets, observation normalisation."""

import numpy as np
import tensorflow as tf

from sac_tf.agents.base import polyak_update
from sac_tf.core.types import NStepTransition, Transition
from tests.agents.test_sac import fixed_batch, make_sac


def test_polyak_update_arithmetic():
    target, source = tf.Variable([1.0, 2.0]), tf.Variable([3.0, -2.0])
    polyak_update([target], [source], tau=0.25)
    np.testing.assert_allclose(target.numpy(), [1.5, 1.0])


def test_td_target_bootstraps_only_without_termination():
    agent = make_sac(gamma=0.9)
    batch = Transition(None, None, tf.constant([1.0, 1.0]), None, tf.constant([0.0, 1.0]))
    target = agent.td_target(batch, tf.constant([10.0, 10.0]))
    np.testing.assert_allclose(target.numpy(), [10.0, 1.0])


def test_td_target_of_an_n_step_batch_uses_its_discount():
    agent = make_sac(gamma=0.99)
    batch = NStepTransition(*fixed_batch(size=3, terminated=0.0),
                            discount=np.array([0.5, 0.0, 0.25], np.float32))
    next_value = np.array([2.0, 3.0, -4.0], np.float32)
    np.testing.assert_allclose(agent.td_target(batch, tf.constant(next_value)).numpy(),
                               batch.reward + batch.discount * next_value, rtol=1e-6)
    atoms = np.ones((3, 2), np.float32)  # a distributional target broadcasts per row
    np.testing.assert_allclose(agent.td_target(batch, tf.constant(atoms)).numpy(),
                               (batch.reward + batch.discount)[:, None] * atoms, rtol=1e-6)


def test_observations_and_next_observations_are_standardised_alike():
    agent = make_sac(normalize_observations=True)
    batch = fixed_batch()
    batch = batch._replace(observation=batch.observation * 100.0 + 50.0,
                           next_observation=batch.next_observation * 100.0 + 50.0)
    agent.record_collected(batch)
    prepared = agent.normalize_batch(batch)
    for raw, seen in ((batch.observation, prepared.observation),
                      (batch.next_observation, prepared.next_observation)):
        np.testing.assert_allclose(seen.numpy(), agent.normalize(tf.constant(raw)).numpy())
        assert np.abs(seen.numpy().mean(axis=0)).max() < 0.5  # standardised, not ≈ 50
