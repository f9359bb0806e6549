"""Residual (SimBa/BRO) torsos: blocks, shapes, and their use in actors and critics."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.networks import CriticEnsemble, GaussianActor
from sac_tf.networks.ensemble import EnsembleDense
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


def test_residual_torsos_in_actor_and_critics():
    actor = GaussianActor(action_dim=2, hidden_sizes=(32,), residual_blocks=2)
    assert actor(tf.zeros((3, 4))).batch_shape == (3,)
    assert sum(isinstance(layer, ResidualBlock) for layer in actor.torso.layers) == 2
    critics = CriticEnsemble(num_critics=2, hidden_sizes=(32,), residual_blocks=1)
    assert critics(tf.zeros((3, 4)), tf.zeros((3, 2))).shape == (2, 3)
    with pytest.raises(ValueError, match="one width"):
        GaussianActor(2, (32, 32), residual_blocks=1)
