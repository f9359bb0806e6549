"""Distributional critics with truncated quantile mixtures (TQC, Kuznetsov et al. 2020).

Each of N critics outputs K quantiles of the return at the midpoint fractions
τ_k = (2k + 1) / 2K. The target pools the N·K target quantiles, sorts them and
drops the top `drop_per_critic · N` (the overestimation control of TQC); every
critic's quantiles regress on every kept atom with the quantile Huber loss
(Dabney et al. 2018).
"""

import tensorflow as tf


def quantile_fractions(num_quantiles: int) -> tf.Tensor:
    """Midpoint fractions τ_k = (2k + 1) / 2K, `[K]`."""
    return (tf.range(num_quantiles, dtype=tf.float32) + 0.5) / num_quantiles


def truncated_atoms(quantiles: tf.Tensor, drop_per_critic: int) -> tf.Tensor:
    """Pools `[N, B, K]` quantiles, sorts them and drops the largest `drop_per_critic · N`.

    Returns:
      `[B, N·K − drop_per_critic·N]`, ascending along the last axis.
    """
    num_critics, _, num_quantiles = quantiles.shape
    pooled = tf.reshape(tf.transpose(quantiles, [1, 0, 2]), [-1, num_critics * num_quantiles])
    kept = num_critics * (num_quantiles - drop_per_critic)
    return tf.sort(pooled, axis=-1)[:, :kept]


def quantile_huber_loss(quantiles: tf.Tensor, target_atoms: tf.Tensor,
                        kappa: float = 1.0) -> tf.Tensor:
    """Quantile Huber loss of `[N, B, K]` predicted quantiles against `[B, M]` target atoms.

    ρ_τ(u) = |τ − 1{u < 0}| · H_κ(u) / κ with u = atom − quantile, averaged over
    the batch, quantiles and atoms, and summed over critics (as the squared
    loss of `OffPolicyAgent.train_critics` sums over critics).

    Returns:
      A float32 scalar.
    """
    fractions = quantile_fractions(quantiles.shape[-1])[None, None, :, None]   # [1,1,K,1]
    errors = target_atoms[None, :, None, :] - quantiles[..., None]            # [N,B,K,M]
    absolute = tf.abs(errors)
    huber = tf.where(absolute <= kappa, 0.5 * tf.square(errors), kappa * (absolute - 0.5 * kappa))
    weight = tf.abs(fractions - tf.cast(errors < 0.0, tf.float32))
    return tf.reduce_sum(tf.reduce_mean(weight * huber / kappa, axis=[1, 2, 3]))
