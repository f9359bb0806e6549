"""Soft MoE (Puigcerver et al. 2023) against a numpy reference, per sample and member."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.networks.soft_moe import EnsembleSoftMoE, SoftMoE, soft_moe_weights


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def numpy_soft_moe(x, phi, w1, b1, w2, b2, num_tokens, activation=lambda h: np.maximum(h, 0)):
    """One member, one sample: x `[D]`; phi `[t, E, S]`; experts' w1 `[E, t, H]` etc."""
    tokens = x.reshape(num_tokens, -1)                           # [m, t]
    logits = np.einsum("mt,tes->mes", tokens, phi)
    experts, slots = phi.shape[1:]
    dispatch = softmax(logits, axis=0)
    combine = softmax(logits.reshape(num_tokens, -1), axis=1).reshape(logits.shape)
    outputs = np.zeros_like(tokens)
    for e in range(experts):
        for s in range(slots):
            slot = dispatch[:, e, s] @ tokens                    # [t]
            y = activation(slot @ w1[e] + b1[e]) @ w2[e] + b2[e]
            outputs += combine[:, e, s][:, None] * y[None]
    return outputs.reshape(-1)


def randomise(layer, seed):
    rng = np.random.default_rng(seed)
    for weight in layer.weights:
        weight.assign(rng.normal(scale=0.5, size=weight.shape).astype(np.float32))


def test_ensemble_soft_moe_matches_numpy_for_every_member_and_sample():
    layer = EnsembleSoftMoE(num_members=3, num_experts=2, slots_per_expert=3, num_tokens=4,
                            units=5)
    x = np.random.default_rng(0).normal(size=(6, 8)).astype(np.float32)  # shared input
    layer(x)
    randomise(layer, 1)  # biases away from 0
    out = layer(x).numpy()
    assert out.shape == (3, 6, 8)
    weights = [w.numpy() for w in (layer.phi, layer.expert_kernel, layer.expert_bias,
                                   layer.output_kernel, layer.output_bias)]
    for n in range(3):
        for b in range(6):
            expected = numpy_soft_moe(x[b], *(w[n] for w in weights), num_tokens=4)
            np.testing.assert_allclose(out[n, b], expected, rtol=1e-4, atol=1e-5)
    # a per-member input, and a subset of members, give the same rows
    per_member = np.stack([x, 2 * x, -x])
    subset = layer(per_member[[2, 0]], members=tf.constant([2, 0])).numpy()
    np.testing.assert_allclose(subset, layer(per_member).numpy()[[2, 0]], rtol=1e-5, atol=1e-6)


def test_dispatch_sums_to_one_per_slot_and_combine_per_token():
    rng = np.random.default_rng(2)
    tokens = tf.constant(rng.normal(size=(2, 5, 4, 3)).astype(np.float32))  # [N, B, m, t]
    phi = tf.constant(rng.normal(size=(2, 3, 2, 3)).astype(np.float32))     # [N, t, E, S]
    dispatch, combine = (w.numpy() for w in soft_moe_weights(tokens, phi))
    assert dispatch.shape == combine.shape == (2, 5, 4, 2, 3)
    np.testing.assert_allclose(dispatch.sum(axis=2), 1.0, rtol=1e-6)        # over tokens
    np.testing.assert_allclose(combine.sum(axis=(3, 4)), 1.0, rtol=1e-6)    # over slots
    assert (dispatch > 0).all() and (combine > 0).all()


def test_single_network_soft_moe_with_crelu_experts():
    layer = SoftMoE(num_experts=2, slots_per_expert=1, num_tokens=2, units=3,
                    activation="crelu")
    x = np.random.default_rng(3).normal(size=(4, 6)).astype(np.float32)
    layer(x)
    randomise(layer, 4)
    moe = layer.moe
    assert moe.output_kernel.shape == (1, 2, 6, 3)  # CReLU doubles the experts' inner width
    weights = [w.numpy()[0] for w in (moe.phi, moe.expert_kernel, moe.expert_bias,
                                      moe.output_kernel, moe.output_bias)]

    def crelu(h):
        return np.concatenate([np.maximum(h, 0), np.maximum(-h, 0)], axis=-1)

    for b in range(4):
        np.testing.assert_allclose(layer(x).numpy()[b],
                                   numpy_soft_moe(x[b], *weights, num_tokens=2,
                                                  activation=crelu), rtol=1e-4, atol=1e-5)


def test_features_that_do_not_split_into_tokens_are_refused():
    with pytest.raises(ValueError, match="do not split into 3 tokens"):
        EnsembleSoftMoE(2, 2, 1, num_tokens=3, units=4)(np.zeros((1, 8), np.float32))
