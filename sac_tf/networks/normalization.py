"""Running observation normalisation, as SimBa's RSNorm uses it.

The statistics count every collected observation once (SimBa updates them as
it acts); the agent's `record_collected` feeds them from the replay writer.
"""

import numpy as np
import tensorflow as tf


class RunningNormalizer(tf.Module):
    """Per-feature running mean and variance, and `clip((x − μ) / σ)`.

    Statistics are tf.Variables (checkpointed with the agent) and are merged
    batch by batch with Chan et al.'s parallel formula, so updating with
    batches of any size gives the mean and (population) variance of every
    row seen so far.

    Args:
      size: number of features.
      clip: normalised values are clipped to [−clip, clip].
      epsilon: added to the variance before the square root.
    """

    def __init__(self, size: int, clip: float = 10.0, epsilon: float = 1e-8,
                 name: str = "normalizer"):
        super().__init__(name=name)
        self.count = tf.Variable(0.0, dtype=tf.float64, trainable=False, name="count")
        self.mean = tf.Variable(tf.zeros([size], tf.float64), trainable=False, name="mean")
        self.variance = tf.Variable(tf.ones([size], tf.float64), trainable=False,
                                    name="variance")
        self.clip = clip
        self.epsilon = epsilon
        self.update = tf.function(self._update, input_signature=[
            tf.TensorSpec([None, size], tf.float32)])

    def _update(self, batch: tf.Tensor):
        """`update`: merges the rows of `batch` float32 `[B, size]` into the statistics."""
        batch = tf.cast(batch, tf.float64)
        batch_count = tf.cast(tf.shape(batch)[0], tf.float64)
        batch_mean, batch_variance = tf.nn.moments(batch, axes=[0])
        total = self.count + batch_count
        delta = batch_mean - self.mean
        merged_m2 = (self.variance * self.count + batch_variance * batch_count
                     + tf.square(delta) * self.count * batch_count / total)
        self.mean.assign_add(delta * batch_count / total)
        self.variance.assign(merged_m2 / total)
        self.count.assign(total)

    def __call__(self, observation: tf.Tensor) -> tf.Tensor:
        """`[B, size]` float32 → normalised and clipped, float32."""
        scale = tf.cast(tf.math.rsqrt(self.variance + self.epsilon), tf.float32)
        normalised = (observation - tf.cast(self.mean, tf.float32)) * scale
        return tf.clip_by_value(normalised, -self.clip, self.clip)


class NestNormalizer(tf.Module):
    """A `RunningNormalizer` per leaf of an observation nest (`sac_tf.core.nests`).

    `update` and `__call__` take nests of `[B, *leaf_shape]` float32 leaves; each leaf's
    features (flattened) have their own statistics.

    Args:
      nest: the observation nest (one row `tf.TensorSpec` per leaf).
    """

    def __init__(self, nest, clip: float = 10.0, epsilon: float = 1e-8,
                 name: str = "normalizer"):
        super().__init__(name=name)
        self._nest = nest
        self._shapes = [tuple(spec.shape) for spec in tf.nest.flatten(nest)]
        self.leaves = [RunningNormalizer(int(np.prod(shape)), clip, epsilon,
                                         name=f"normalizer_{spec.name}")
                       for shape, spec in zip(self._shapes, tf.nest.flatten(nest))]

    @property
    def count(self) -> tf.Variable:
        """Rows counted so far (every leaf counts each observation once)."""
        return self.leaves[0].count

    def update(self, batch) -> None:
        """Merges the rows of an observation nest `[B, ...]` into every leaf's statistics."""
        for normalizer, leaf in zip(self.leaves, tf.nest.flatten(batch)):
            leaf = np.asarray(leaf, np.float32)
            normalizer.update(leaf.reshape(leaf.shape[0], -1))

    def __call__(self, observation):
        """An observation nest → the same nest, each leaf normalised and clipped."""
        leaves = [tf.reshape(normalizer(tf.reshape(leaf, [-1, int(np.prod(shape))])),
                             [-1, *shape])
                  for normalizer, leaf, shape in zip(self.leaves, tf.nest.flatten(observation),
                                                     self._shapes)]
        return tf.nest.pack_sequence_as(self._nest, leaves)
