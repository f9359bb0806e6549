"""`sac_tf.core.categorical`: joint indices and joint log-probabilities against numpy."""

import numpy as np
import tensorflow as tf

from sac_tf.core.categorical import CategoricalPolicy, joint_index

SIZES = (3, 2, 4)


def one_hots(choices, sizes=SIZES):
    """`[B, Σ sizes]` one-hots of integer choices `[B, heads]`."""
    return np.concatenate([np.eye(size, dtype=np.float32)[choices[:, head]]
                           for head, size in enumerate(sizes)], axis=1)


def test_joint_index_counts_row_major_like_numpy():
    choices = np.stack(np.unravel_index(np.arange(24), SIZES), axis=1)
    index = joint_index(tf.constant(one_hots(choices)), SIZES).numpy()
    np.testing.assert_array_equal(index, np.ravel_multi_index(choices.T, SIZES))
    assert index.dtype == np.int32


def test_joint_log_probs_are_the_products_of_the_heads_probabilities():
    rng = np.random.default_rng(0)
    logits = [rng.normal(size=(5, size)).astype(np.float32) for size in SIZES]
    joint = CategoricalPolicy([tf.constant(head) for head in logits]).joint_log_probs().numpy()
    probs = [np.exp(head) / np.exp(head).sum(axis=1, keepdims=True) for head in logits]
    expected = np.einsum("bi,bj,bk->bijk", *probs).reshape(5, -1)
    np.testing.assert_allclose(np.exp(joint), expected, rtol=1e-5)
    np.testing.assert_allclose(np.exp(joint).sum(axis=1), 1.0, rtol=1e-5)


def test_samples_follow_the_probabilities_and_the_mode_is_the_argmax():
    logits = [tf.math.log(tf.constant([[0.7, 0.2, 0.1]] * 20_000)), tf.constant([[0.0, 3.0]] * 20_000)]
    policy = CategoricalPolicy(logits)
    sample = policy.sample(tf.constant([1, 2])).numpy()
    np.testing.assert_array_equal(sample, policy.sample(tf.constant([1, 2])).numpy())  # seeded
    np.testing.assert_array_equal(sample.sum(axis=1), 2.0)  # one category per head
    np.testing.assert_allclose(sample[:, :3].mean(axis=0), [0.7, 0.2, 0.1], atol=0.015)
    np.testing.assert_array_equal(policy.mode().numpy()[0], [1, 0, 0, 0, 1])
