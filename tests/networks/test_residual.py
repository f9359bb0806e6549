import numpy as np
import tensorflow as tf

from sac_tf.networks.ensemble import EnsembleDense
from sac_tf.networks.normalization import RunningNormalizer
from sac_tf.networks.residual import ResidualBlock, ensemble_residual_mlp, residual_mlp


def _layer_norm(x, epsilon=1e-3):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + epsilon)


def test_residual_mlp_shapes_and_block_count():
    torso = residual_mlp(width=16, num_blocks=3)
    assert torso(tf.random.normal((7, 4))).shape == (7, 16)
    assert sum(isinstance(layer, ResidualBlock) for layer in torso.layers) == 3


def test_ensemble_residual_member_matches_its_numpy_computation():
    torso = ensemble_residual_mlp(num_members=3, width=8, num_blocks=2)
    x = np.random.randn(5, 4).astype(np.float32)
    out = torso(x).numpy()
    assert out.shape == (3, 5, 8)

    def dense(layer, value, member):
        return value @ layer.kernel.numpy()[member] + layer.bias.numpy()[member]

    first, *blocks, final_norm = torso.layers
    for member in range(3):
        h = dense(first, x, member)
        for block in blocks:
            # Fresh EnsembleLayerNorms have scale 1 and offset 0.
            inner = np.maximum(dense(block.expand, _layer_norm(h), member), 0.0)
            h = h + dense(block.project, inner, member)
        np.testing.assert_allclose(out[member], _layer_norm(h), rtol=1e-4, atol=1e-4)
    assert isinstance(first, EnsembleDense)


def test_residual_block_is_the_identity_when_its_projection_is_zero():
    torso = residual_mlp(width=8, num_blocks=1)
    x = tf.random.normal((4, 3))
    torso(x)
    block = torso.layers[1]
    block.project.kernel.assign(tf.zeros_like(block.project.kernel))
    h = torso.layers[0](x)
    np.testing.assert_allclose(block(h).numpy(), h.numpy(), atol=1e-6)


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
