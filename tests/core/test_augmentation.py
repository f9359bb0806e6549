"""DrQ's random shift against a numpy pad-then-crop reference, with the same offsets."""

import numpy as np
import tensorflow as tf

from sac_tf.core.augmentation import RandomShift, shift_images
from sac_tf.core.types import Transition


def reference_shift(images, offsets, pad):
    """np.pad with edge values, then the crop at (dy, dx) of each image."""
    height, width = images.shape[1:3]
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="edge")
    return np.stack([padded[b, dy:dy + height, dx:dx + width]
                     for b, (dy, dx) in enumerate(offsets)])


def test_shift_equals_edge_pad_then_crop_for_every_offset():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (81, 7, 9, 2), dtype=np.uint8)
    offsets = np.array([(dy, dx) for dy in range(9) for dx in range(9)], np.int32)  # pad 4
    got = shift_images(tf.constant(images), tf.constant(offsets), pad=4).numpy()
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, reference_shift(images, offsets, 4))
    centre = offsets.tolist().index([4, 4])
    np.testing.assert_array_equal(got[centre], images[centre])  # offset (pad, pad): unshifted


def test_random_shift_draws_its_offsets_from_its_seed_obs_first_then_next_obs():
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (5, 12, 12, 3), dtype=np.uint8)
    next_pixels = rng.integers(0, 256, (5, 12, 12, 3), dtype=np.uint8)
    vector = rng.normal(size=(5, 2)).astype(np.float32)
    batch = Transition({"pixels": pixels, "state": vector}, np.zeros((5, 1), np.float32),
                       np.zeros(5, np.float32), {"pixels": next_pixels, "state": vector},
                       np.zeros(5, np.float32))
    shift = RandomShift(["pixels"], ["pixels", "state"], pad=2, seed=7)
    out = shift(tf.nest.map_structure(tf.constant, batch))

    generator = tf.random.Generator.from_seed(7)
    first = generator.uniform([5, 2], 0, 5, dtype=tf.int32).numpy()
    second = generator.uniform([5, 2], 0, 5, dtype=tf.int32).numpy()
    np.testing.assert_array_equal(out.observation["pixels"].numpy(),
                                  reference_shift(pixels, first, 2))
    np.testing.assert_array_equal(out.next_observation["pixels"].numpy(),
                                  reference_shift(next_pixels, second, 2))
    np.testing.assert_array_equal(out.observation["state"].numpy(), vector)  # not an image
    assert not np.array_equal(first, second)
