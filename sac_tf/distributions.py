"""`TanhNormal`: a diagonal Gaussian squashed by tanh, with stable log-probs.

This is the one place where the tanh math lives. Two numerical facts shape it
(see the project's stack notes):

* log(1 - tanh(u)^2) is computed as 2 * (log 2 - u - softplus(-2u)), which is
  exact for large |u| where the naive form underflows to log(0).
* In float32 many samples round to exactly +-1, where atanh is infinite and
  TFP's own `tfb.Tanh` gives a NaN log-prob. So `sample_and_log_prob` computes
  the log-prob from the pre-tanh sample, and `log_prob(action)` clips the action
  into the open interval (-1, 1) before inverting it.
"""

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

tfd = tfp.distributions
tfb = tfp.bijectors


def log1m_tanh_squared(u):
    """log(1 - tanh(u)^2), elementwise, finite for every finite u."""
    return 2.0 * (np.log(2.0) - u - tf.nn.softplus(-2.0 * u))


class _ClippedTanh(tfb.Tanh):
    """`tfb.Tanh` whose inverse first clips y into (-1, 1), so it stays finite."""

    def __init__(self, name="clipped_tanh"):
        super().__init__(name=name)

    def _inverse(self, y):
        bound = 1.0 - np.finfo(y.dtype.as_numpy_dtype).eps
        return tf.math.atanh(tf.clip_by_value(y, -bound, bound))

    def _forward_log_det_jacobian(self, x):
        return log1m_tanh_squared(x)


class TanhNormal(tfd.TransformedDistribution):
    """tanh(u) with u ~ Normal(loc, scale), independent over the last axis.

    Args:
      loc: float `[..., act_dim]`, mean of the pre-tanh Gaussian.
      scale: float `[..., act_dim]`, its standard deviation (> 0).

    Events are `[act_dim]` vectors in [-1, 1]; `log_prob` returns `[...]`.
    """

    def __init__(self, loc, scale, name="TanhNormal"):
        parameters = dict(locals())
        self._loc = tf.convert_to_tensor(loc)
        self._scale = tf.convert_to_tensor(scale)
        super().__init__(
            distribution=tfd.Independent(tfd.Normal(self._loc, self._scale),
                                         reinterpreted_batch_ndims=1),
            bijector=_ClippedTanh(),
            name=name)
        self._parameters = parameters

    @classmethod
    def _parameter_properties(cls, dtype, num_classes=None):
        return dict(
            loc=tfp.util.ParameterProperties(event_ndims=1),
            scale=tfp.util.ParameterProperties(
                event_ndims=1,
                default_constraining_bijector_fn=lambda: tfb.Softplus(low=np.finfo(np.float32).tiny)))

    @property
    def loc(self):
        return self._loc

    @property
    def scale(self):
        return self._scale

    def sample_and_log_prob(self, seed):
        """Draws one action per batch element and its exact log-density.

        Args:
          seed: int32 `[2]` stateless seed.

        Returns:
          action `[..., act_dim]` in [-1, 1] and log_prob `[...]` (nats), the
          latter computed from the pre-tanh value, so finite even where the
          action rounds to +-1.
        """
        u = self.distribution.sample(seed=seed)
        log_prob = self.distribution.log_prob(u) - tf.reduce_sum(log1m_tanh_squared(u), axis=-1)
        return tf.tanh(u), log_prob

    def _mode(self, **kwargs):
        return tf.tanh(self._loc)

    def _mean(self, **kwargs):
        raise NotImplementedError("TanhNormal has no closed-form mean; use mode() or samples")
