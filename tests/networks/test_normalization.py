"""`RunningNormalizer`: running statistics, clipping, identity at the start."""

import numpy as np
import tensorflow as tf

from sac_tf.networks.normalization import RunningNormalizer


def test_normalizer_statistics_equal_those_of_all_rows_seen():
    normalizer = RunningNormalizer(3)
    data = np.random.randn(1000, 3) * [1.0, 5.0, 0.1] + [2.0, -3.0, 10.0]
    for chunk in np.array_split(data, [1, 10, 400, 401]):
        normalizer.update(tf.constant(chunk, tf.float32))
    assert normalizer.count.numpy() == 1000
    np.testing.assert_allclose(normalizer.mean.numpy(), data.mean(0), rtol=1e-5)
    np.testing.assert_allclose(normalizer.variance.numpy(), data.var(0), rtol=1e-4)
    normalised = normalizer(tf.constant(data, tf.float32)).numpy()
    np.testing.assert_allclose(normalised.mean(0), 0.0, atol=1e-3)
    np.testing.assert_allclose(normalised.std(0), 1.0, rtol=1e-3)


def test_normalizer_clips_and_starts_as_the_identity():
    normalizer = RunningNormalizer(2, clip=5.0)
    x = tf.constant([[1.0, -2.0], [100.0, -100.0]])
    np.testing.assert_allclose(normalizer(x).numpy(), [[1.0, -2.0], [5.0, -5.0]], rtol=1e-6)
