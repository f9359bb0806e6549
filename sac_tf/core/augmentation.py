"""DrQ's random shift (Kostrikov, Yarats, Fergus 2020), applied inside the fused learner.

Each image of a sampled batch is padded by `pad` pixels on every side, repeating its edge
pixels (DrQ's `replicate` padding), and cropped back to its size at an offset drawn
uniformly from {0, …, 2·pad}² per image: a shift by up to `pad` pixels in each direction.
Observations and next observations are shifted independently, one augmented copy of each
(K = M = 1, as DrQ-v2 does with bilinear sub-pixel shifts; DrQ's main results average the
target over K = 2 copies of the next observation and the critic loss over M = 2 copies).

The crop is a gather of clipped row and column indices, `out[i, j] = x[clip(i + dy − pad),
clip(j + dx − pad)]`, which equals pad-then-crop with edge padding and needs no padded copy.
"""

import tensorflow as tf

from sac_tf.core.types import Transition


def shift_images(images, offsets, pad: int):
    """Images `[B, H, W, C]` (any dtype) shifted by `offsets` int32 `[B, 2]` (dy, dx in
    {0, …, 2·pad}), edges repeated; same shape and dtype."""
    height, width = tf.shape(images)[1], tf.shape(images)[2]
    rows = tf.clip_by_value(tf.range(height)[None] + offsets[:, :1] - pad, 0, height - 1)
    columns = tf.clip_by_value(tf.range(width)[None] + offsets[:, 1:] - pad, 0, width - 1)
    shifted = tf.gather(images, rows, axis=1, batch_dims=1)  # [B, H, W, C]
    return tf.gather(shifted, columns, axis=2, batch_dims=1)


class RandomShift(tf.Module):
    """Shifts the image leaves of sampled transitions, with its own checkpointed generator.

    Args:
      image_leaves: the names of the observation leaves to shift (`tf.nest` order).
      leaf_names: every leaf's name, in `tf.nest` order.
      pad: the largest shift in pixels (DrQ: 4 for 84×84).
      seed: seed of the offset generator.
    """

    def __init__(self, image_leaves, leaf_names, pad: int, seed: int):
        super().__init__(name="random_shift")
        if pad < 0:
            raise ValueError(f"pad must be >= 0, got {pad}")
        self.pad = int(pad)
        self.shifted = [name in image_leaves for name in leaf_names]
        self.rng = tf.random.Generator.from_seed(seed)

    def _shift(self, observation):
        leaves = tf.nest.flatten(observation)
        out = []
        for shifted, leaf in zip(self.shifted, leaves):
            if shifted:
                offsets = self.rng.uniform([tf.shape(leaf)[0], 2], 0, 2 * self.pad + 1,
                                           dtype=tf.int32)
                leaf = shift_images(leaf, offsets, self.pad)
            out.append(leaf)
        return tf.nest.pack_sequence_as(observation, out)

    def __call__(self, batch: Transition):
        """The batch with its observations and next observations shifted (independently:
        the observations' offsets are drawn first)."""
        observation = self._shift(batch.observation)
        return batch._replace(observation=observation,
                              next_observation=self._shift(batch.next_observation))
