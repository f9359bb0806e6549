"""Categorical heads over discrete actions, one-hot encoded.

A discrete action with heads of `sizes` (one head for `Discrete`, one per dimension for
`MultiDiscrete`) is a one-hot per head, concatenated: `[..., Σ sizes]` (`EnvSpec`). Its
joint index — which of the Π sizes joint actions it is — counts row-major over the heads
(the last head's stride is 1), as `np.ravel_multi_index` does.
"""

from typing import Sequence

import numpy as np
import tensorflow as tf


def sample_one_hots(logits: Sequence[tf.Tensor], seed: tf.Tensor) -> list:
    """One draw per head from its `[..., size]` unnormalised log-probabilities, one-hot, with
    the int32 `[2]` stateless `seed` (folded with the head's index)."""
    one_hots = []
    for head, head_logits in enumerate(logits):
        size = head_logits.shape[-1]
        head_seed = tf.random.experimental.stateless_fold_in(seed, head)
        draws = tf.random.stateless_categorical(tf.reshape(head_logits, [-1, size]), 1,
                                                head_seed)[:, 0]
        one_hots.append(tf.reshape(tf.one_hot(draws, size), tf.shape(head_logits)))
    return one_hots


def mode_one_hots(logits: Sequence[tf.Tensor]) -> list:
    """Each head's most likely category, one-hot."""
    return [tf.one_hot(tf.argmax(head_logits, axis=-1), head_logits.shape[-1])
            for head_logits in logits]


def joint_index(action: tf.Tensor, sizes: Sequence[int]) -> tf.Tensor:
    """The joint index, int32 `[B]`, of one-hot actions `[B, Σ sizes]`."""
    strides = np.cumprod([1, *sizes[:0:-1]])[::-1]  # row-major: the last head's stride is 1
    choices = [tf.argmax(one_hot, axis=-1, output_type=tf.int32)
               for one_hot in tf.split(action, list(sizes), axis=-1)]
    return tf.add_n([int(stride) * choice for stride, choice in zip(strides, choices)])


class CategoricalPolicy:
    """Independent categoricals over discrete heads, seen on their joint action space
    (discrete-action SAC, Christodoulou 2019, whose losses are exact expectations over it).

    Args:
      logits: one float `[B, size]` tensor of unnormalised log-probabilities per head.
    """

    def __init__(self, logits: Sequence[tf.Tensor]):
        self.logits = list(logits)
        self.sizes = tuple(int(head_logits.shape[-1]) for head_logits in self.logits)

    def joint_log_probs(self) -> tf.Tensor:
        """log π(a|s) of every joint action, `[B, Π sizes]`: the sum of its heads'
        log-probabilities, laid out as `joint_index` counts."""
        joint = tf.nn.log_softmax(self.logits[0])
        for head_logits in self.logits[1:]:
            log_p = tf.nn.log_softmax(head_logits)
            width = joint.shape[-1] * log_p.shape[-1]
            joint = tf.reshape(joint[:, :, None] + log_p[:, None, :], [-1, width])
        return joint

    def sample(self, seed: tf.Tensor) -> tf.Tensor:
        """A drawn action, one-hot per head, `[B, Σ sizes]`."""
        return tf.concat(sample_one_hots(self.logits, seed), axis=-1)

    def mode(self) -> tf.Tensor:
        """Each head's most likely category, one-hot, `[B, Σ sizes]`."""
        return tf.concat(mode_one_hots(self.logits), axis=-1)
