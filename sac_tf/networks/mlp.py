"""Multi-layer perceptron torsos, single and ensembled."""

import math
from typing import Sequence

import keras
import tensorflow as tf


def mlp(hidden_sizes: Sequence[int], activation: str = "relu", name: str = "mlp") -> keras.Sequential:
    """Dense layers `[..., in] → [..., hidden_sizes[-1]]` with `activation` after each."""
    return keras.Sequential(
        [keras.layers.Dense(size, activation=activation) for size in hidden_sizes], name=name)


class EnsembleDense(keras.layers.Layer):
    """`num_members` independent dense layers applied in one batched matmul.

    Input `[B, in]` (shared by every member) or `[num_members, B, in]`;
    output `[num_members, B, units]`. Each member's kernel is Glorot-uniform
    initialised and its bias zero, as `keras.layers.Dense` does.
    """

    def __init__(self, num_members: int, units: int, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.num_members = num_members
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        limit = math.sqrt(6.0 / (fan_in + self.units))
        self.kernel = self.add_weight(
            shape=(self.num_members, fan_in, self.units), name="kernel",
            initializer=keras.initializers.RandomUniform(-limit, limit))
        self.bias = self.add_weight(
            shape=(self.num_members, 1, self.units), name="bias", initializer="zeros")

    def call(self, inputs):
        equation = "bi,nio->nbo" if len(inputs.shape) == 2 else "nbi,nio->nbo"
        return self.activation(tf.einsum(equation, inputs, self.kernel) + self.bias)


def ensemble_mlp(num_members: int, hidden_sizes: Sequence[int], output_size: int,
                 activation: str = "relu", name: str = "ensemble_mlp") -> keras.Sequential:
    """`num_members` MLPs `[B, in] → [num_members, B, output_size]`, batched."""
    layers = [EnsembleDense(num_members, size, activation) for size in hidden_sizes]
    layers.append(EnsembleDense(num_members, output_size))
    return keras.Sequential(layers, name=name)
