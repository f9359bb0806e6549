"""Soft Mixture of Experts (Puigcerver et al. 2023) in place of a network's penultimate layer,
as Obando-Ceron et al. (2024, "Mixtures of Experts Unlock Parameter Scaling for Deep RL") do.

The layer's input `[B, D]` is cut into m tokens of D/m features, X `[m, t]` per
sample. With slot parameters Φ `[t, E, S]` (E experts, S slots each):

  logits  = X Φ                                   `[m, E, S]`
  D       = softmax over the m tokens (dispatch)   each slot's weights sum to 1
  C       = softmax over the E·S slots (combine)   each token's weights sum to 1
  slot    = Σ_m D[m, e, s] X[m]                    `[E, S, t]`
  ỹ[e, s] = expert_e(slot[e, s]),   expert_e(x) = W₂ f(W₁ x + b₁) + b₂   (t → units → t)
  y[m]    = Σ_{e,s} C[m, e, s] ỹ[e, s]             `[m, t]`, flattened back to `[B, D]`

Every token reaches every expert through a convex mix, so the layer is dense
and differentiable (no routing choices, no load-balancing loss).

Where ours differs from the authors' code (Dopamine `labs/moes`, JAX): their
tokens are the spatial positions of a convolutional encoder's output; our
networks are MLPs over flat vectors, so a token is a contiguous chunk of the
previous layer's features (closest to their per-feature-map tokenisation).
As there, the experts' inner width is the replaced layer's width, their output
keeps the token's size (no activation after W₂) and the inputs are not
L2-normalised (their default). Φ is normal with standard deviation 1/√t; their
`lecun_normal` on Φ `[t, E, S]` takes E·t as its fan-in (a truncated normal of
standard deviation ≈ 1/√(E·t)), so our initial logits are √E times larger
(2× with 4 experts) — a difference we noticed after the runs in the README.
"""

import math

import keras
import tensorflow as tf

from sac_tf.networks.activations import activation_function, activation_width
from sac_tf.networks.ensemble import EnsembleLayer, glorot_uniform, select_members


def soft_moe_weights(tokens: tf.Tensor, phi: tf.Tensor) -> tuple:
    """Dispatch and combine weights of tokens `[N, B, m, t]` under slot parameters
    `[N, t, E, S]`: both `[N, B, m, E, S]`; dispatch sums to 1 over the m tokens of each
    slot, combine over the E·S slots of each token."""
    logits = tf.einsum("nbmt,ntes->nbmes", tokens, phi)
    dispatch = tf.nn.softmax(logits, axis=2)
    shape = tf.shape(logits)
    flat = tf.reshape(logits, tf.concat([shape[:3], [-1]], axis=0))
    combine = tf.reshape(tf.nn.softmax(flat, axis=-1), shape)
    return dispatch, combine


def check_token_split(width: int, num_tokens: int) -> None:
    """Raises `ValueError` unless `width` input features split into `num_tokens` tokens."""
    if width % num_tokens:
        raise ValueError(f"Soft MoE: the {width} input features do not split into "
                         f"{num_tokens} tokens; choose moe_tokens dividing {width}")


class EnsembleSoftMoE(EnsembleLayer):
    """`num_members` independent Soft MoE layers `[B, D]` or `[N, B, D]` → `[N, B, D]`
    (`[M, B, D]` with `members` `[M]`), computed in one batched call.

    Args:
      num_members: N, the ensemble size (1 for a single network, see `SoftMoE`).
      num_experts: E.
      slots_per_expert: S.
      num_tokens: m; D must be a multiple of it.
      units: the experts' inner width.
      activation: the experts' inner activation (`sac_tf.networks.activations`).
    """

    def __init__(self, num_members: int, num_experts: int, slots_per_expert: int,
                 num_tokens: int, units: int, activation: str = "relu", **kwargs):
        super().__init__(**kwargs)
        for name, value in (("num_experts", num_experts), ("slots_per_expert", slots_per_expert),
                            ("num_tokens", num_tokens), ("units", units)):
            if value < 1:
                raise ValueError(f"Soft MoE {name} must be at least 1, got {value}")
        self.num_members, self.num_experts = num_members, num_experts
        self.slots_per_expert, self.num_tokens, self.units = slots_per_expert, num_tokens, units
        self.activation = activation_function(activation)
        self.inner_width = activation_width(activation, units)

    def build(self, input_shape):
        width = int(input_shape[-1])
        check_token_split(width, self.num_tokens)
        token = width // self.num_tokens
        members, experts = self.num_members, self.num_experts
        self.phi = self.add_weight(
            shape=(members, token, experts, self.slots_per_expert), name="phi",
            initializer=keras.initializers.RandomNormal(stddev=1.0 / math.sqrt(token)))
        self.expert_kernel = self.add_weight(shape=(members, experts, token, self.units),
                                             name="expert_kernel",
                                             initializer=glorot_uniform(token, self.units))
        self.expert_bias = self.add_weight(shape=(members, experts, self.units),
                                           name="expert_bias", initializer="zeros")
        self.output_kernel = self.add_weight(shape=(members, experts, self.inner_width, token),
                                             name="output_kernel",
                                             initializer=glorot_uniform(self.inner_width, token))
        self.output_bias = self.add_weight(shape=(members, experts, token), name="output_bias",
                                           initializer="zeros")

    def call(self, inputs, members=None):
        phi, expert_kernel, expert_bias, output_kernel, output_bias = select_members(
            [self.phi, self.expert_kernel, self.expert_bias, self.output_kernel,
             self.output_bias], members)
        if len(inputs.shape) == 2:  # shared by every member
            inputs = tf.broadcast_to(inputs[None], tf.concat([tf.shape(phi)[:1],
                                                              tf.shape(inputs)], axis=0))
        shape = tf.shape(inputs)
        tokens = tf.reshape(inputs, tf.concat([shape[:2], [self.num_tokens, -1]], axis=0))
        dispatch, combine = soft_moe_weights(tokens, phi)
        slots = tf.einsum("nbmes,nbmt->nbest", dispatch, tokens)
        hidden = self.activation(tf.einsum("nbest,neth->nbesh", slots, expert_kernel)
                                 + expert_bias[:, None, :, None, :])
        expert_outputs = (tf.einsum("nbesh,neht->nbest", hidden, output_kernel)
                          + output_bias[:, None, :, None, :])
        outputs = tf.einsum("nbmes,nbest->nbmt", combine, expert_outputs)
        return tf.reshape(outputs, shape)


class SoftMoE(keras.layers.Layer):
    """A single network's Soft MoE layer, `[B, D]` → `[B, D]` (the actor's); arguments as
    `EnsembleSoftMoE`'s, without `num_members`."""

    def __init__(self, num_experts: int, slots_per_expert: int, num_tokens: int, units: int,
                 activation: str = "relu", **kwargs):
        super().__init__(**kwargs)
        self.moe = EnsembleSoftMoE(1, num_experts, slots_per_expert, num_tokens, units,
                                   activation)

    def call(self, inputs):
        return self.moe(inputs)[0]
