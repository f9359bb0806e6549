"""`ObservationEncoder`: leaves flattened (as floats) and concatenated in `tf.nest` order."""

import numpy as np
import tensorflow as tf

from sac_tf.networks.encoders import ObservationEncoder


def test_uint8_leaves_that_are_no_images_are_flattened_as_floats():
    nest = {"counts": tf.TensorSpec((3,), tf.uint8, name="counts"),
            "position": tf.TensorSpec((2,), tf.float32, name="position")}
    encoder = ObservationEncoder(nest, {})
    features = encoder({"counts": tf.constant([[1, 2, 3]], tf.uint8),
                        "position": tf.constant([[0.5, -0.5]])})
    np.testing.assert_array_equal(features.numpy(), [[1, 2, 3, 0.5, -0.5]])
