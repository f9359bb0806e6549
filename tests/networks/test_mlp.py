"""Torso options of the MLPs: NormFormer's extra layer norm sits after each activation."""

import numpy as np
import pytest

from sac_tf.networks.mlp import ensemble_mlp, mlp
from sac_tf.networks.residual import residual_mlp


def layer_norm(x, epsilon=1e-3):
    mean = x.mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(x.var(-1, keepdims=True) + epsilon)


def dense_weights(layer):
    return [w.numpy() for w in layer.weights]


def test_extra_layer_norm_follows_each_activation_of_a_plain_torso():
    torso = mlp((8, 6), activation="relu2", extra_layer_norm=True)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    out = torso(x).numpy()
    names = [type(layer).__name__ for layer in torso.layers]
    assert names == ["Dense", "Activation", "LayerNormalization"] * 2
    h = x
    for dense in (torso.layers[0], torso.layers[3]):
        kernel, bias = dense_weights(dense)
        h = layer_norm(np.maximum(h @ kernel + bias, 0.0) ** 2)  # scale 1, offset 0 at init
    np.testing.assert_allclose(out, h, rtol=1e-4, atol=1e-5)


def test_ensemble_extra_layer_norm_after_droq_pre_activation_norm():
    torso = ensemble_mlp(2, (8,), 1, layer_norm=True, extra_layer_norm=True)
    torso(np.zeros((1, 3), np.float32))
    names = [type(layer).__name__ for layer in torso.layers]
    assert names == ["EnsembleDense", "EnsembleLayerNorm", "Activation", "EnsembleLayerNorm",
                     "EnsembleDense"]


def test_residual_block_extra_layer_norm_normalises_the_activation():
    """h + W₂ LayerNorm(relu(W₁ LayerNorm(h)))."""
    torso = residual_mlp(width=4, num_blocks=1, extra_layer_norm=True)
    x = np.random.default_rng(1).normal(size=(3, 5)).astype(np.float32)
    out = torso(x).numpy()
    project_in, block, final_norm = torso.layers
    kernel, bias = dense_weights(project_in)
    h = x @ kernel + bias
    w1, b1 = dense_weights(block.expand)
    w2, b2 = dense_weights(block.project)
    h = h + layer_norm(np.maximum(layer_norm(h) @ w1 + b1, 0.0)) @ w2 + b2
    np.testing.assert_allclose(out, layer_norm(h), rtol=1e-4, atol=1e-5)


def test_a_soft_moe_replaces_the_last_hidden_layer():
    torso = mlp((8, 6), moe=dict(num_experts=2, slots_per_expert=1, num_tokens=4))
    assert torso(np.zeros((5, 3), np.float32)).shape == (5, 8)  # keeps the width before it
    assert [type(layer).__name__ for layer in torso.layers] == ["Dense", "SoftMoE"]
    with pytest.raises(ValueError, match="at least two hidden layers"):
        mlp((8,), moe=dict(num_experts=2, slots_per_expert=1, num_tokens=4))
    # checked when the torso is made (Keras would wrap a build-time error in its own text);
    # CReLU doubles the 8 features the tokens split
    with pytest.raises(ValueError, match="^Soft MoE: the 16 input features do not split into 3"):
        mlp((8, 6), activation="crelu", moe=dict(num_experts=2, slots_per_expert=1, num_tokens=3))


def test_kernel_init_reaches_every_dense_layer_of_actor_and_critics():
    from sac_tf.agents.sac_options import torso_options
    from sac_tf.networks import CriticEnsemble, GaussianActor
    import tensorflow as tf

    critic_options, actor_options = torso_options("relu", False, 0, 2, 8, False, "lecun_normal")
    tf.keras.utils.set_random_seed(1)
    critics = CriticEnsemble(2, (400, 400), **critic_options)
    critics(tf.zeros((1, 17)), tf.zeros((1, 6)))
    actor = GaussianActor(6, (400, 400), torso_options=actor_options)
    actor(tf.zeros((1, 17)))
    kernels = [w.numpy() for w in critics.weights + actor.weights if "kernel" in w.path]
    assert len(kernels) == 6
    for kernel in kernels:  # LeCun: std 1/√fan_in, fan_in the second-to-last axis
        fan_in = kernel.shape[-2]
        np.testing.assert_allclose(kernel.std(), 1 / np.sqrt(fan_in), rtol=0.1)
    with pytest.raises(ValueError, match="kernel_init must be one of"):
        mlp((8,), kernel_init="orthogonal")
