"""Quantile critics (TQC): fractions, truncation of the pooled atoms, the quantile Huber loss."""

import numpy as np
import tensorflow as tf

from sac_tf.agents.quantiles import quantile_fractions, quantile_huber_loss, truncated_atoms


def test_fractions_are_the_midpoints():
    np.testing.assert_allclose(quantile_fractions(4).numpy(), [0.125, 0.375, 0.625, 0.875])


def test_truncation_drops_the_largest_atoms_of_the_pooled_mixture():
    quantiles = np.random.randn(3, 5, 4).astype(np.float32)  # N=3 critics, B=5, K=4
    atoms = truncated_atoms(tf.constant(quantiles), drop_per_critic=1).numpy()
    assert atoms.shape == (5, 3 * (4 - 1))                   # N·K − d·N atoms kept
    pooled = np.sort(quantiles.transpose(1, 0, 2).reshape(5, 12), axis=-1)
    np.testing.assert_allclose(atoms, pooled[:, :9])
    assert np.all(atoms.max(axis=1) <= np.sort(pooled, axis=1)[:, 9])


def test_no_truncation_keeps_every_atom():
    quantiles = tf.random.normal((2, 3, 5))
    assert truncated_atoms(quantiles, drop_per_critic=0).shape == (3, 10)


def _numpy_quantile_huber(quantiles, atoms, kappa):
    num_critics, batch, num_quantiles = quantiles.shape
    taus = (np.arange(num_quantiles) + 0.5) / num_quantiles
    total = 0.0
    for n in range(num_critics):
        values = []
        for b in range(batch):
            for k in range(num_quantiles):
                for atom in atoms[b]:
                    u = atom - quantiles[n, b, k]
                    huber = 0.5 * u * u if abs(u) <= kappa else kappa * (abs(u) - 0.5 * kappa)
                    values.append(abs(taus[k] - (u < 0)) * huber / kappa)
        total += np.mean(values)
    return total


def test_quantile_huber_loss_matches_its_definition():
    quantiles = np.random.randn(2, 3, 4).astype(np.float32) * 2.0
    atoms = np.random.randn(3, 5).astype(np.float32) * 2.0
    for kappa in (1.0, 0.5):
        loss = quantile_huber_loss(tf.constant(quantiles), tf.constant(atoms), kappa).numpy()
        np.testing.assert_allclose(loss, _numpy_quantile_huber(quantiles, atoms, kappa),
                                   rtol=1e-5)


def test_minimising_the_loss_recovers_the_quantiles_of_the_atoms():
    atoms = tf.constant(np.linspace(0.0, 1.0, 401, dtype=np.float32)[None])  # Uniform(0, 1)
    quantiles = tf.Variable(tf.zeros((1, 1, 4)))

    @tf.function
    def descend():
        for _ in tf.range(3000):
            with tf.GradientTape() as tape:
                loss = quantile_huber_loss(quantiles, atoms, kappa=0.01)
            quantiles.assign_sub(0.5 * tape.gradient(loss, quantiles))

    descend()
    np.testing.assert_allclose(quantiles.numpy()[0, 0], [0.125, 0.375, 0.625, 0.875], atol=0.02)
