"""The small parts SAC's options add to its losses, and the checks of their settings.

REDQ's random subset of target critics (Chen et al. 2021), TQC's truncated
mixture of quantiles (Kuznetsov et al. 2020), the actor's min or mean over
critics (`actor_q_reduction`), and the discrete heads of hybrid action spaces.
"""

from typing import Optional

import tensorflow as tf

from sac_tf.agents.quantiles import truncated_atoms

#: How the actor loss may combine the critics' Q(s, ã).
ACTOR_Q_REDUCTIONS = ("min", "mean")


def checked_target_subset_size(target_subset_size: Optional[int], num_critics: int,
                               num_quantiles: int, quantiles_to_drop: int,
                               target_networks: bool) -> int:
    """M, the target critics the target takes the min over (None: all N), after checking
    it and TQC's settings against each other.

    Raises:
      ValueError: for M outside [1, N], a subset with quantile critics or without
        target networks, or `quantiles_to_drop` outside [0, num_quantiles).
    """
    if not target_networks and target_subset_size not in (None, num_critics):
        raise ValueError("without target networks every critic bootstraps from the joint "
                         "batch: leave target_subset_size unset")
    subset = num_critics if target_subset_size is None else target_subset_size
    if not 1 <= subset <= num_critics:
        raise ValueError(f"target_subset_size must be in [1, num_critics={num_critics}], "
                         f"got {target_subset_size}")
    if num_quantiles > 1 and subset < num_critics:
        raise ValueError("quantile critics (TQC) pool every critic: leave "
                         "target_subset_size unset")
    if not 0 <= quantiles_to_drop < num_quantiles:
        raise ValueError(f"quantiles_to_drop must be in [0, num_quantiles) with quantile "
                         f"critics, got {quantiles_to_drop} of {num_quantiles}")
    return subset


class SacOptionParts:
    """Methods of `SacAgent` for its options; they read `spec`, `critics`,
    `target_subset_size`, `quantiles_to_drop`, `actor_q_reduction`, `log_alpha_discrete`."""

    def discrete_alpha(self):
        """α_d, the temperature of the discrete heads; 0 without them."""
        return tf.exp(self.log_alpha_discrete) if self.spec.is_hybrid else 0.0

    def discrete_negative_entropy(self, policy):
        """Σ_heads Σ_k p_k log p_k of the discrete heads, `[B]`; 0 without them."""
        return policy.discrete_negative_entropy() if self.spec.is_hybrid else 0.0

    def soft_target_value(self, target_q, penalty):
        """V(s') = Q'(s', a') − penalty(π|s'), with `penalty` `[B]` (α log π(a'|s'), plus
        the discrete part for hybrid actions).

        `target_q` is `[M, B]`, the target critics of `target_subset` (min taken), or
        `[N, B, K]` quantiles (TQC). Returns `[B]`, or `[B, kept atoms]` for TQC.
        """
        if self.critics.num_quantiles > 1:
            return truncated_atoms(target_q, self.quantiles_to_drop) - penalty[:, None]
        return tf.reduce_min(target_q, axis=0) - penalty

    def target_subset(self):
        """The target critics to take the min over: `None` for all of them, or REDQ's
        random `target_subset_size` distinct indices `[M]` (int32), fresh per call.

        Only these are computed (`CriticEnsemble` `members`), so REDQ's target
        forward pass evaluates 2 critics, not 10.
        """
        if self.target_subset_size == self.critics.num_critics:
            return None
        draw = tf.random.stateless_uniform([self.critics.num_critics], seed=self.next_seed())
        return tf.argsort(draw)[:self.target_subset_size]

    def policy_value(self, observation, policy, action):
        """The value the actor maximises at `[B, obs_dim]` observations and its sampled
        `action` `[B, act_dim]`: `actor_value` of the critics, `[B]`; for hybrid actions
        in exact expectation over each discrete head (`HybridPolicy.expected_value`).

        Batch-renormalised critics (CrossQ) judge the actor with their running statistics.
        """
        def value(observations, actions):
            return self.actor_value(self.critics(observations, actions,
                                                 training=not self.critics.batch_renorm,
                                                 seed=self.dropout_seed()))

        if not self.spec.is_hybrid:
            return value(observation, action)

        def candidates_value(candidates):  # [C, B, act_dim] → [C, B]
            count = tf.shape(candidates)[0]
            return tf.reshape(value(tf.tile(observation, [count, 1]),
                                    tf.reshape(candidates, [-1, self.spec.action_dim])),
                              [count, -1])

        return policy.expected_value(action, candidates_value)

    def actor_value(self, q):
        """The value the actor maximises, `[B]`: the min or mean (`actor_q_reduction`)
        over critics of `[N, B]` Q's, or of `[N, B, K]` quantiles' per-critic means."""
        if self.critics.num_quantiles > 1:
            q = tf.reduce_mean(q, axis=2)
        if self.actor_q_reduction == "min":
            return tf.reduce_min(q, axis=0)
        return tf.reduce_mean(q, axis=0)
