"""Adam optimisers and gradient steps, with loss scaling where the precision needs it
(`sac_tf.core.precision`)."""

from typing import Sequence

import keras
import tensorflow as tf

from sac_tf.core.precision import scales_loss


def built_adam(variables: Sequence[tf.Variable], learning_rate: float, name: str,
               beta_1: float = 0.9, epsilon: float = 1e-7) -> keras.optimizers.Adam:
    """An Adam optimiser with its slots already created for `variables` (so it checkpoints),
    wrapped in dynamic loss scaling where the precision needs it (`scales_loss`).
    `epsilon` is Adam's ε (Keras' default 1e-7; PyTorch and optax use 1e-8)."""
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1, epsilon=epsilon, name=name)
    if scales_loss():
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer, name=f"{name}_scaled")
    optimizer.build(variables)
    return optimizer


def minimize(optimizer: keras.optimizers.Optimizer, tape: tf.GradientTape, loss: tf.Tensor,
             variables: Sequence[tf.Variable]) -> None:
    """One `optimizer` step on `loss`, recorded on `tape`, over `variables`; the gradients
    are those of the loss scaled by the optimiser's `scale_loss` (1 without loss scaling)."""
    scale = optimizer.scale_loss(tf.ones_like(loss))
    optimizer.apply_gradients(zip(tape.gradient(loss, variables, output_gradients=scale),
                                  variables))
