"""`TanhNormal`: a diagonal Gaussian squashed by tanh, with stable log-probs.

This is the one place where the tanh math lives. Two numerical facts shape it:

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

from sac_tf.core.categorical import mode_one_hots, sample_one_hots

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
    Training uses `sample_and_log_prob`, exact for every sample. `log_prob` of an
    action that rounds to ±1 in float32 is finite but not its density: the
    action is clipped to ±(1 − eps) first, losing where on the plateau it lay.
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


class HybridPolicy:
    """A `TanhNormal` over continuous actions and independent categoricals over discrete heads.

    Actions are flat: `[..., continuous_dim + Σ sizes]`, the continuous part
    then a one-hot per head (see `sac_tf.core.specs.EnvSpec`). The log-probability
    of an action is the continuous log-density plus the log-probabilities of
    the chosen categories; SAC gives the two parts separate temperatures.

    Args:
      continuous: the `TanhNormal` of the continuous part.
      logits: one float `[..., size]` tensor of unnormalised log-probabilities per head.
    """

    def __init__(self, continuous: TanhNormal, logits):
        self.continuous = continuous
        self.logits = list(logits)
        self._continuous_dim = int(continuous.event_shape[-1])

    def _log_probabilities(self):
        return [tf.nn.log_softmax(logits) for logits in self.logits]

    def discrete_negative_entropy(self) -> tf.Tensor:
        """Σ_heads Σ_k p_k log p_k, `[...]` nats: exact and differentiable in the logits."""
        return tf.add_n([tf.reduce_sum(tf.exp(log_p) * log_p, axis=-1)
                         for log_p in self._log_probabilities()])

    def log_prob(self, action) -> tf.Tensor:
        """`[...]`: continuous log-density + Σ_heads log p(chosen category)."""
        continuous = self.continuous.log_prob(action[..., :self._continuous_dim])
        one_hots = tf.split(action[..., self._continuous_dim:],
                            [logits.shape[-1] for logits in self.logits], axis=-1)
        discrete = [tf.reduce_sum(one_hot * log_p, axis=-1)
                    for one_hot, log_p in zip(one_hots, self._log_probabilities())]
        return continuous + tf.add_n(discrete)

    def sample_and_log_prob(self, seed):
        """Draws flat actions and the continuous part's log-density `[...]`.

        The one-hots carry no gradient: the logits learn through `expected_value`.
        """
        continuous_seed, discrete_seed = tf.unstack(
            tf.random.experimental.stateless_split(seed, 2))
        continuous, log_prob = self.continuous.sample_and_log_prob(continuous_seed)
        one_hots = sample_one_hots(self.logits, discrete_seed)
        return tf.concat([continuous] + one_hots, axis=-1), log_prob

    @tf.autograph.experimental.do_not_convert  # Python loops over the static heads only
    def expected_value(self, action, value_fn):
        """The value of `action` `[B, act]` in expectation over each discrete head: `[B]`.

        For head h, V_h = Σ_k p_hk · value(action with head h's one-hot set to e_k), the
        continuous part and the other heads as sampled; the result is the mean of V_h
        over heads. So the gradient in head h's logits is exactly ∇ Σ_k p_hk V_hk (the
        discrete-SAC expectation, Christodoulou 2019, other heads sampled) — a
        straight-through one-hot's is biased wherever the value is not affine in the
        one-hot — and the continuous part's gradient flows through `value_fn` as the
        reparameterised sample's does.

        Args:
          action: flat actions `[B, continuous_dim + Σ sizes]` from `sample_and_log_prob`.
          value_fn: candidate actions `[C, B, act]` → their values `[C, B]`, C = Σ sizes.
        """
        sizes = [logits.shape[-1] for logits in self.logits]
        continuous, *one_hots = tf.split(action, [self._continuous_dim] + sizes, axis=-1)
        candidates = []
        for head, size in enumerate(sizes):
            for category in range(size):
                parts = list(one_hots)
                parts[head] = tf.one_hot(tf.fill(tf.shape(parts[head])[:-1], category), size)
                candidates.append(tf.concat([continuous] + parts, axis=-1))
        values = tf.split(value_fn(tf.stack(candidates)), sizes, axis=0)  # [size_h, B] each
        num_heads = len(sizes)
        total = 0.0
        for head_values, logits in zip(values, self.logits):
            p = tf.nn.softmax(logits)
            # Value Σ_k p_k V_k; gradient in the logits ×num_heads, undoing the mean below.
            weights = num_heads * p - (num_heads - 1) * tf.stop_gradient(p)
            total += tf.reduce_sum(weights * tf.transpose(head_values), axis=-1)
        return total / num_heads

    def sample(self, seed):
        return self.sample_and_log_prob(seed)[0]

    def mode(self):
        """The continuous mode and each head's most likely category, flat."""
        return tf.concat([self.continuous.mode()] + mode_one_hots(self.logits), axis=-1)
