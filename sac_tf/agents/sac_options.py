"""The small parts SAC's options add to its losses, and the checks of their settings.

REDQ's random subset of target critics (Chen et al. 2021), TQC's truncated
mixture of quantiles (Kuznetsov et al. 2020), the actor's min, mean or soft-min
over critics (`actor_q_reduction`) and the target's min or soft-min
(`target_q_reduction`), the networks' torso options, and the discrete heads of
hybrid action spaces; CrossQ's critic step on the joint batch (Bhatt et al. 2024).
"""

from typing import Optional

import tensorflow as tf

from sac_tf.agents.optimizers import minimize
from sac_tf.agents.quantiles import truncated_atoms
from sac_tf.core.nests import concat_rows
from sac_tf.core.types import Transition

#: How the actor loss may combine the critics' Q(s, ã).
ACTOR_Q_REDUCTIONS = ("min", "mean", "softmin")
#: How the target may combine the target critics' Q(s', a').
TARGET_Q_REDUCTIONS = ("min", "softmin")


def soft_min(q: tf.Tensor, temperature: float) -> tf.Tensor:
    """Σ_i w_i Q_i over the critics axis 0 of `q` `[N, ...]`, w = softmax(−Q / β) with β the
    `temperature` (in units of Q): the min as β → 0, the mean as β → ∞, and between
    the two for any β (the weights fall as Q rises).

    The weights are held constant for gradients (`stop_gradient`), so the actor's
    gradient is Σ_i w_i ∇Q_i, a convex combination of the critics' gradients like the
    min's and the mean's. Through the weights, a critic far above the soft-min
    (Q_i − S > β) would get a negative share: the actor would be pushed to lower the
    more optimistic critic's value.

    A Boltzmann soft-min, the softmax operator of Song et al. (2019, "Revisiting the
    Softmax Bellman Operator") and Pan et al. (2020, SD3) taken over critics instead of
    actions, with the sign flipped; not from one paper's code.
    """
    weights = tf.stop_gradient(tf.nn.softmax(-q / temperature, axis=0))
    return tf.reduce_sum(weights * q, axis=0)


def check_q_reductions(actor_q_reduction: str, target_q_reduction: str,
                       softmin_temperature: float, num_quantiles: int) -> None:
    """Checks the critics' reductions in the actor loss and the target.

    Raises:
      ValueError: for an unknown reduction, a non-positive `softmin_temperature`, or a
        soft-min target with quantile critics (TQC's target pools atoms instead).
    """
    if actor_q_reduction not in ACTOR_Q_REDUCTIONS:
        raise ValueError(f"actor_q_reduction must be one of {ACTOR_Q_REDUCTIONS}, got "
                         f"{actor_q_reduction!r}")
    if target_q_reduction not in TARGET_Q_REDUCTIONS:
        raise ValueError(f"target_q_reduction must be one of {TARGET_Q_REDUCTIONS}, got "
                         f"{target_q_reduction!r}")
    if not softmin_temperature > 0:
        raise ValueError(f"softmin_temperature must be > 0, got {softmin_temperature}")
    if target_q_reduction == "softmin" and num_quantiles > 1:
        raise ValueError("quantile critics (TQC) pool their target atoms: leave "
                         "target_q_reduction at \"min\"")


def torso_options(activation: str, extra_layer_norm: bool, moe_experts: int, moe_slots: int,
                  moe_tokens: int, moe_in_actor: bool, kernel_init: str = "glorot_uniform"
                  ) -> tuple:
    """The critics' and the actor's torso options (`activation`, `extra_layer_norm`, `moe`:
    the Soft MoE settings or None, `kernel_init`), as `CriticEnsemble` and `GaussianActor`
    take them.

    Raises:
      ValueError: for `moe_in_actor` without `moe_experts`, or a negative `moe_experts`.
    """
    if moe_experts < 0:
        raise ValueError(f"moe_experts must be >= 0 (0: no Soft MoE), got {moe_experts}")
    if moe_in_actor and not moe_experts:
        raise ValueError("moe_in_actor needs moe_experts > 0")
    moe = (dict(num_experts=moe_experts, slots_per_expert=moe_slots, num_tokens=moe_tokens)
           if moe_experts else None)
    critic = dict(activation=activation, extra_layer_norm=extra_layer_norm, moe=moe,
                  kernel_init=kernel_init)
    return critic, dict(critic, moe=moe if moe_in_actor else None)


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
    `target_subset_size`, `quantiles_to_drop`, `actor_q_reduction`, `target_q_reduction`,
    `softmin_temperature`, `log_alpha_discrete`."""

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
        `target_q_reduction="softmin"` takes `soft_min` instead of the min.
        """
        if self.critics.num_quantiles > 1:
            return truncated_atoms(target_q, self.quantiles_to_drop) - penalty[:, None]
        if self.target_q_reduction == "softmin":
            return soft_min(target_q, self.softmin_temperature) - penalty
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
                                                 seed=self.dropout_seed(), detach_encoder=True))

        if not self.spec.is_hybrid:
            return value(observation, action)

        def candidates_value(candidates):  # [C, B, act_dim] → [C, B]
            count = tf.shape(candidates)[0]
            return tf.reshape(value(tf.tile(observation, [count, 1]),
                                    tf.reshape(candidates, [-1, self.spec.action_dim])),
                              [count, -1])

        return policy.expected_value(action, candidates_value)

    def actor_value(self, q):
        """The value the actor maximises, `[B]`: the min, mean or `soft_min`
        (`actor_q_reduction`) over critics of `[N, B]` Q's, or of `[N, B, K]` quantiles'
        per-critic means."""
        if self.critics.num_quantiles > 1:
            q = tf.reduce_mean(q, axis=2)
        if self.actor_q_reduction == "min":
            return tf.reduce_min(q, axis=0)
        if self.actor_q_reduction == "softmin":
            return soft_min(q, self.softmin_temperature)
        return tf.reduce_mean(q, axis=0)

    def train_critics_on_joint_batch(self, batch: Transition, alpha: tf.Tensor) -> tuple:
        """CrossQ's critic step: Q(s, a) and Q(s', a') from one training-mode pass over the
        joint batch `[2B]` (so batch renorm's statistics cover both), `critic_loss` against
        the target made from the second half without gradient; no target critics.

        Returns:
          (critic loss, mean Q(s, a) over critics and batch), float32 scalars.
        """
        next_action, penalty = self.next_action_and_penalty(batch, alpha)
        observations = concat_rows(batch.observation, batch.next_observation)
        actions = tf.concat([batch.action, next_action], axis=0)
        with tf.GradientTape() as tape:
            q, next_q = tf.split(self.critics(observations, actions, training=True,
                                              seed=self.dropout_seed()), 2, axis=1)
            target = self.td_target(batch, self.soft_target_value(next_q, penalty))
            loss = self.critic_loss(q, target)
        minimize(self.critic_optimizer, tape, loss, self.critics.trainable_variables)
        return loss, tf.reduce_mean(q)
