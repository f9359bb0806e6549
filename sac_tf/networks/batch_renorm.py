"""Batch Renormalization (Ioffe 2017), per ensemble member, as CrossQ uses it.

In training mode a batch `x` with mean μ_B and variance σ²_B (over its batch
axis) is normalised as

    r = clip(σ_B / σ, 1/r_max, r_max),   d = clip((μ_B − μ) / σ, −d_max, d_max)   (no gradient)
    y = γ · ((x − μ_B) / σ_B · r + d) + β,

σ_B = √(σ²_B + ε), σ = √(running variance + ε), and the running statistics move
towards the batch's with `momentum`. During the first `warmup_steps` training
calls r = 1 and d = 0 (plain batch normalisation) while the running statistics
build up; then r and d are clipped at r_max = 3 and d_max = 5 at once. That
switch is CrossQ's authors' code (Bhatt et al. 2024, with its BatchRenorm from
SBX); Ioffe relaxes r_max and d_max gradually instead. In inference mode
(`training` false or None) y = γ (x − μ) / σ + β with the running statistics.

As in the authors' code, the renormalised batch is written as a batch-norm of
mean μ_B − d σ_B' / r and variance σ²_B / r² (σ_B' = √σ²_B, without ε).
"""

from typing import Optional

import tensorflow as tf

from sac_tf.core.precision import FULL_PRECISION
from sac_tf.networks.ensemble import EnsembleLayer


class BatchRenorm(EnsembleLayer):
    """Batch renormalisation over the batch axis of `[B, F]` or `[N, B, F]` inputs.

    With `num_members` N, statistics, scale γ and offset β are per member,
    `[N, 1, F]`, and a shared `[B, F]` input is broadcast to every member (an
    ensemble's first layer); without, they are `[F]` (the actor).

    Args:
      num_members: ensemble size, or None for a single network.
      momentum: running statistics ← momentum · running + (1 − momentum) · batch.
      epsilon: ε added to variances.
      r_max, d_max: clipping of r and d after the warm-up.
      warmup_steps: training calls with plain batch normalisation first.

    Statistics and output are float32 whatever the precision (`sac_tf.core.precision`).
    """

    def __init__(self, num_members: Optional[int] = None, momentum: float = 0.99,
                 epsilon: float = 1e-3, r_max: float = 3.0, d_max: float = 5.0,
                 warmup_steps: int = 100_000, **kwargs):
        super().__init__(**{"dtype": FULL_PRECISION, **kwargs})
        self.num_members = num_members
        self.momentum, self.epsilon = momentum, epsilon
        self.r_max, self.d_max, self.warmup_steps = r_max, d_max, warmup_steps

    def build(self, input_shape):
        features = int(input_shape[-1])
        shape = (features,) if self.num_members is None else (self.num_members, 1, features)
        self.scale = self.add_weight(shape=shape, name="scale", initializer="ones")
        self.offset = self.add_weight(shape=shape, name="offset", initializer="zeros")
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean", initializer="zeros",
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer="ones", trainable=False)
        self.steps = self.add_weight(shape=(), name="steps", initializer="zeros",
                                     dtype="int64", trainable=False)

    def call(self, inputs, training=None, members=None):
        if members is not None:
            raise ValueError("batch renormalisation keeps statistics for every member: it "
                             "cannot compute a subset of the ensemble")
        if self.num_members is not None and len(inputs.shape) == 2:
            inputs = tf.broadcast_to(inputs, [self.num_members, *tf.unstack(tf.shape(inputs))])
        if not training:
            return self._normalize(inputs, self.moving_mean, self.moving_variance)
        mean, variance = tf.nn.moments(inputs, axes=[-2], keepdims=self.num_members is not None)
        moving_std = tf.sqrt(self.moving_variance + self.epsilon)
        r = tf.stop_gradient(tf.clip_by_value(tf.sqrt(variance + self.epsilon) / moving_std,
                                              1.0 / self.r_max, self.r_max))
        d = tf.stop_gradient(tf.clip_by_value((mean - self.moving_mean) / moving_std,
                                              -self.d_max, self.d_max))
        warmed_up = tf.cast(self.steps >= self.warmup_steps, inputs.dtype)
        used_mean = mean - warmed_up * d * tf.sqrt(variance) / r
        used_variance = variance / (warmed_up * (tf.square(r) - 1.0) + 1.0)
        self.moving_mean.assign(self.momentum * self.moving_mean + (1.0 - self.momentum) * mean)
        self.moving_variance.assign(self.momentum * self.moving_variance
                                    + (1.0 - self.momentum) * variance)
        self.steps.assign_add(1)
        return self._normalize(inputs, used_mean, used_variance)

    def _normalize(self, inputs, mean, variance):
        return (inputs - mean) * tf.math.rsqrt(variance + self.epsilon) * self.scale + self.offset
