"""Soft Actor-Critic (Haarnoja et al. 2018, "SAC: Algorithms and Applications").

Twin (or ensemble) critics with target copies, a tanh-Gaussian actor and a
learned temperature α driven towards a target entropy. The three losses:

  critic: ½ (Q_i(s, a) − [r + γ (1 − d) (min_j Q'_j(s', a') − α log π(a'|s'))])²
          (the min a soft-min with target_q_reduction="softmin")
  actor:  α log π(ã|s) − min_i Q_i(s, ã),          ã ~ π(·|s)
          (hybrid actions: Q in exact expectation over each discrete head)
  alpha:  −log α · (log π(ã|s) + target_entropy)

Options from later papers, all off by default:
- an ensemble of N critics whose target is the min over a random subset of M
  (REDQ, Chen et al. 2021);
- quantile critics whose target is the pooled mixture of the N·K target
  quantiles without its top `quantiles_to_drop`·N atoms (TQC, Kuznetsov et al.
  2020; a quantile critic's Q is the mean of its atoms);
- dropout + layer-norm critics (DroQ, Hiraoka et al. 2021);
- the actor maximising the critics' mean instead of their min
  (`actor_q_reduction="mean"`, as REDQ, DroQ and TQC do);
- residual layer-norm torsos and observation normalisation (SimBa, Lee et al. 2024);
- periodic resets of every network (Nikishin et al. 2022), or a pull of their
  weights towards the initial ones (regenerative regularisation, Kumar et al. 2023);
- network parts that keep deep RL networks trainable: CReLU or ReLU² activations,
  NormFormer's extra layer norm, a Soft MoE penultimate layer (`sac_tf.networks`);
- a soft-min over critics in the actor loss and the target (`soft_min`).
Hybrid action spaces (a `Box` with `Discrete`/`MultiDiscrete` heads) get a
categorical head per discrete part, its exact entropy in every loss and a
temperature of its own, α_d, tuned towards `discrete_target_entropy`:

  penalty(π|s) = α log π(a_c|s) + α_d Σ_heads Σ_k p_k log p_k
  alpha (added): −log α_d · (Σ_heads Σ_k p_k log p_k + discrete_target_entropy)
REDQ, DroQ and resets are usually paired with several updates per env step
(`updates_per_step` in the run config); REDQ and DroQ then update the actor
and α once per env step (`actor_update_interval` = updates per step), the
critics and their targets every update.
"""

import math
from typing import Optional, Sequence

import tensorflow as tf

from sac_tf.agents.base import OffPolicyAgent
from sac_tf.agents.delayed import DelayedUpdate
from sac_tf.agents.optimizers import minimize
from sac_tf.agents.plasticity import (InitialValues, PeriodicReset, floating,
                                      optimizer_variables, regenerative_penalty)
from sac_tf.agents.sac_options import (SacOptionParts, check_q_reductions,
                                       checked_target_subset_size, torso_options)
from sac_tf.networks import GaussianActor, HybridActor
from sac_tf.core.specs import EnvSpec
from sac_tf.core.types import LossInfo, Transition


class SacAgent(SacOptionParts, OffPolicyAgent):
    """SAC with a learned temperature.

    Args:
      spec: the environment's `EnvSpec`.
      seed: seed of the agent's generator (action sampling, dropout masks).
      encoders: per-leaf observation encoders of every network (see `OffPolicyAgent`).
      Every other argument is the field of the same name in `config.sac`, whose meaning,
      default and paper are in `sac_tf.config.defaults.SAC_FIELDS` (the generated config
      reference of the docs) and the module docstring above: the ensemble and its target
      (`num_critics`, `target_subset_size`, `num_quantiles`, `quantiles_to_drop`,
      `actor_q_reduction`, `target_q_reduction`, `softmin_temperature`), the networks
      (`hidden_sizes`, `critic_hidden_sizes`, `residual_blocks`, `critic_layer_norm`,
      `critic_dropout_rate`, `batch_renorm*`, `activation`, `extra_layer_norm`, `moe_*`,
      `kernel_init`, `actor_log_std`, `normalize_observations`), the optimisers
      (`*_lr`, `*_lr_schedule`, `lr_floor`, `lr_decay_updates`, `adam_beta_1`,
      `adam_epsilon`), the temperatures (`initial_alpha`, `target_entropy`,
      `discrete_target_entropy`, `discrete_target_entropy_scale`), the update schedule (`gamma`, `tau`,
      `actor_update_interval`, `target_networks`) and plasticity (`reset_interval`,
      `regen_rate`).
    """

    metric_names = ("critic_loss", "actor_loss", "alpha_loss", "alpha", "entropy", "q_mean")
    supports_hybrid_actions = True

    def __init__(self, spec: EnvSpec, *, hidden_sizes: Sequence[int], num_critics: int,
                 target_subset_size: Optional[int], critic_layer_norm: bool,
                 critic_dropout_rate: float, num_quantiles: int, quantiles_to_drop: int,
                 residual_blocks: int, normalize_observations: bool, reset_interval: int,
                 actor_lr: float, critic_lr: float, alpha_lr: float,
                 gamma: float, tau: float, initial_alpha: float,
                 target_entropy: Optional[float], seed: int,
                 discrete_target_entropy: Optional[float] = None,
                 discrete_target_entropy_scale: float = 0.5,
                 actor_update_interval: int = 1, actor_q_reduction: str = "min",
                 critic_hidden_sizes: Optional[Sequence[int]] = None, batch_renorm: bool = False,
                 batch_renorm_momentum: float = 0.99, batch_renorm_warmup: int = 100_000,
                 target_networks: bool = True, adam_beta_1: float = 0.9,
                 adam_epsilon: float = 1e-7, actor_log_std: str = "tanh",
                 actor_lr_schedule: str = "constant", critic_lr_schedule: str = "constant",
                 alpha_lr_schedule: str = "constant", lr_floor: float = 0.0,
                 lr_decay_updates: Optional[int] = None,
                 kernel_init: str = "glorot_uniform", activation: str = "relu", extra_layer_norm: bool = False,
                 moe_experts: int = 0, moe_slots: int = 2, moe_tokens: int = 8,
                 moe_in_actor: bool = False, regen_rate: float = 0.0,
                 target_q_reduction: str = "min", softmin_temperature: float = 1.0,
                 encoders=None):
        if spec.is_discrete:
            raise ValueError("SacAgent needs Box or hybrid actions: use DiscreteSacAgent")
        if batch_renorm and (target_networks or reset_interval):
            raise ValueError("batch_renorm is CrossQ's: it needs target_networks=False (target "
                             "critics would batch-normalise and Polyak-average the statistics) "
                             "and no reset_interval (resets would restore the statistics but "
                             "not the warm-up)")
        renorm = (dict(momentum=batch_renorm_momentum, warmup_steps=batch_renorm_warmup)
                  if batch_renorm else None)
        critic_torso, actor_torso = torso_options(activation, extra_layer_norm, moe_experts,
                                                  moe_slots, moe_tokens, moe_in_actor,
                                                  kernel_init)
        super().__init__(spec, hidden_sizes=critic_hidden_sizes or hidden_sizes,
                         num_critics=num_critics, critic_lr=critic_lr, gamma=gamma, tau=tau,
                         seed=seed, name="sac", critic_layer_norm=critic_layer_norm,
                         critic_dropout_rate=critic_dropout_rate, num_quantiles=num_quantiles,
                         residual_blocks=residual_blocks,
                         normalize_observations=normalize_observations,
                         critic_batch_renorm=renorm, target_networks=target_networks,
                         adam_beta_1=adam_beta_1, adam_epsilon=adam_epsilon,
                         critic_torso_options=critic_torso, critic_lr_schedule=critic_lr_schedule,
                         lr_floor=lr_floor, lr_decay_updates=lr_decay_updates, encoders=encoders)
        self.target_subset_size = checked_target_subset_size(
            target_subset_size, num_critics, num_quantiles, quantiles_to_drop, target_networks)
        self.quantiles_to_drop = quantiles_to_drop
        check_q_reductions(actor_q_reduction, target_q_reduction, softmin_temperature,
                           num_quantiles)
        self.actor_q_reduction, self.target_q_reduction = actor_q_reduction, target_q_reduction
        self.softmin_temperature = softmin_temperature
        actor_parts = dict(residual_blocks=residual_blocks, batch_renorm=renorm, name="actor",
                           torso_options=actor_torso, log_std=actor_log_std,
                           encoder=self.make_encoder("actor_encoder",
                                                     self.critic_conv_stacks()))
        self.actor = (HybridActor(spec.continuous_dim, spec.discrete_sizes, hidden_sizes,
                                  **actor_parts) if spec.is_hybrid
                      else GaussianActor(spec.continuous_dim, hidden_sizes, **actor_parts))
        self.actor(self._dummy_inputs()[0])
        self.actor_optimizer = self.adam(self.own_variables(self.actor), actor_lr,
                                         actor_lr_schedule, "actor", adam_beta_1,
                                         actor_update_interval)
        self.log_alpha = tf.Variable(math.log(initial_alpha), dtype=tf.float32, name="log_alpha")
        self.alpha_optimizer = self.adam([self.log_alpha], alpha_lr, alpha_lr_schedule, "alpha",
                                         steps_every=actor_update_interval)
        self.target_entropy = float(
            -spec.continuous_dim if target_entropy is None else target_entropy)
        if spec.is_hybrid:
            self.metric_names = SacAgent.metric_names + ("alpha_discrete", "entropy_discrete")
            self.log_alpha_discrete = tf.Variable(math.log(initial_alpha), dtype=tf.float32,
                                                  name="log_alpha_discrete")
            self.alpha_discrete_optimizer = self.adam([self.log_alpha_discrete], alpha_lr,
                                                      alpha_lr_schedule, "alpha_discrete",
                                                      steps_every=actor_update_interval)
            self.discrete_target_entropy = float(
                discrete_target_entropy_scale * sum(math.log(size) for size in spec.discrete_sizes)
                if discrete_target_entropy is None else discrete_target_entropy)
        if actor_update_interval < 1:
            raise ValueError(f"actor_update_interval must be at least 1, got "
                             f"{actor_update_interval}")
        self.delayed_actor_update = None  # plain SAC keeps its checkpoint layout
        if actor_update_interval > 1:
            self.delayed_actor_update = DelayedUpdate(
                actor_update_interval, [name for name in self.metric_names
                                        if name not in ("critic_loss", "q_mean", "alpha")],
                name="delayed_actor_update")
        if not regen_rate >= 0:  # NaN too
            raise ValueError(f"regen_rate must be >= 0, got {regen_rate}")
        self.regen_rate = regen_rate
        self.initial_actor = self.initial_critics = None  # plain SAC keeps its checkpoint layout
        if reset_interval or regen_rate:
            self.initial_actor = InitialValues(floating(self.actor.variables), "initial_actor")
            self.initial_critics = InitialValues(floating(self.critics.variables),
                                                 "initial_critics")
        self.periodic_reset = None
        if reset_interval:
            optimizers = [self.actor_optimizer, self.critic_optimizer, self.alpha_optimizer]
            temperatures = [self.log_alpha]
            if spec.is_hybrid:
                optimizers.append(self.alpha_discrete_optimizer)
                temperatures.append(self.log_alpha_discrete)
            targets = [] if self.target_critics is None else self.target_critics.variables
            rest = InitialValues(floating(targets + temperatures)
                                 + optimizer_variables(optimizers), "initial_rest")
            self.periodic_reset = PeriodicReset(
                reset_interval, [self.initial_actor, self.initial_critics, rest])

    # --- One update: the three losses of SAC, each a named method below. ---

    def train(self, batch: Transition) -> LossInfo:
        batch = self.normalize_batch(batch)
        alpha = tf.exp(self.log_alpha)
        if self.target_critics is None:
            critic_loss, q_mean = self.train_critics_on_joint_batch(batch, alpha)
        else:
            critic_loss, q_mean = self.train_critics(batch, self.critic_target(batch, alpha))
        if self.delayed_actor_update is None:
            actor_metrics = self.train_actor_and_temperatures(batch, alpha)
        else:
            actor_metrics = self.delayed_actor_update(
                lambda: self.train_actor_and_temperatures(batch, alpha))
        self.update_targets()
        if self.periodic_reset is not None:
            self.periodic_reset.step()
        return LossInfo(
            loss=critic_loss + actor_metrics["actor_loss"] + actor_metrics["alpha_loss"],
            extra=dict(critic_loss=critic_loss, q_mean=q_mean, alpha=alpha, **actor_metrics))

    def critic_target(self, batch: Transition, alpha: tf.Tensor) -> tf.Tensor:
        """y = r + γ (1 − d) (min_j Q'_j(s', a') − α log π(a'|s')), a' ~ π(·|s') (the min
        as `soft_target_value` takes it: min, soft-min or TQC's atoms): `[B]`
        (`[B, kept atoms]` for TQC), without gradient. `critic_loss` (of
        `OffPolicyAgent`) regresses every Q_i(s, a) on it."""
        next_action, penalty = self.next_action_and_penalty(batch, alpha)
        target_q = self.target_critics(batch.next_observation, next_action, training=True,
                                       members=self.target_subset(), seed=self.dropout_seed())
        return self.td_target(batch, self.soft_target_value(target_q, penalty))

    def actor_loss(self, batch: Transition, alpha: tf.Tensor, alpha_discrete) -> tuple:
        """mean_B [α log π(ã|s) + α_d Σ p log p − Q(s, ã)], ã ~ π(·|s), Q the critics'
        min (or mean or soft-min, `actor_q_reduction`), in expectation over each discrete head of
        a hybrid action (`policy_value`); plus λ ‖θ − θ₀‖² of the actor with `regen_rate` λ.

        Returns:
          (the loss, a float32 scalar; log π(ã|s) `[B]`; the discrete heads'
          Σ p log p `[B]`, 0 without them), the last two for the temperatures.
        """
        policy = self.actor(batch.observation, training=True)
        action, log_prob = policy.sample_and_log_prob(self.next_seed())
        discrete_negative_entropy = self.discrete_negative_entropy(policy)
        q = self.policy_value(batch.observation, policy, action)
        loss = tf.reduce_mean(alpha * log_prob + alpha_discrete * discrete_negative_entropy - q)
        if self.regen_rate:
            loss += regenerative_penalty(self.initial_actor, self.regen_rate)
        return loss, log_prob, discrete_negative_entropy

    def critic_loss(self, q: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
        """`OffPolicyAgent.critic_loss`, plus λ ‖θ − θ₀‖² of the critics with `regen_rate` λ."""
        loss = super().critic_loss(q, target)
        if self.regen_rate:
            loss += regenerative_penalty(self.initial_critics, self.regen_rate)
        return loss

    @staticmethod
    def alpha_loss(log_alpha: tf.Variable, entropy_shortfall: tf.Tensor) -> tf.Tensor:
        """−mean_B log α · (log π + target entropy), a float32 scalar.

        `entropy_shortfall` `[B]` is log π + target (target − entropy, per
        sample): positive raises α, negative lowers it.
        """
        return -tf.reduce_mean(log_alpha * tf.stop_gradient(entropy_shortfall))

    def next_action_and_penalty(self, batch: Transition, alpha: tf.Tensor) -> tuple:
        """a' ~ π(·|s') `[B, act_dim]` (the actor in inference mode) and its entropy
        penalty α log π(a'|s') (+ α_d Σ p log p of the discrete heads), `[B]`."""
        next_policy = self.actor(batch.next_observation, training=False)
        next_action, next_log_prob = next_policy.sample_and_log_prob(self.next_seed())
        return next_action, (alpha * next_log_prob + self.discrete_alpha()
                             * self.discrete_negative_entropy(next_policy))

    # --- Their optimiser steps. ---

    def train_actor_and_temperatures(self, batch: Transition, alpha: tf.Tensor) -> dict:
        """One Adam step on `actor_loss`, then on each temperature's `alpha_loss`.

        Returns:
          float32 scalars: `actor_loss`, `alpha_loss` (the sum over temperatures),
          `entropy` of the continuous part, and for hybrid actions `alpha_discrete`
          and `entropy_discrete`.
        """
        alpha_discrete = self.discrete_alpha()  # reported as used, like `alpha`
        with tf.GradientTape() as tape:
            actor_loss, log_prob, discrete_negative_entropy = self.actor_loss(
                batch, alpha, alpha_discrete)
        minimize(self.actor_optimizer, tape, actor_loss, self.own_variables(self.actor))

        alpha_loss = self.tune_temperature(self.log_alpha, self.alpha_optimizer,
                                           log_prob + self.target_entropy)
        metrics = dict(entropy=-tf.reduce_mean(log_prob))
        if self.spec.is_hybrid:
            alpha_loss += self.tune_temperature(
                self.log_alpha_discrete, self.alpha_discrete_optimizer,
                discrete_negative_entropy + self.discrete_target_entropy)
            metrics.update(alpha_discrete=alpha_discrete,
                           entropy_discrete=-tf.reduce_mean(discrete_negative_entropy))
        return dict(actor_loss=actor_loss, alpha_loss=alpha_loss, **metrics)

    @staticmethod
    def tune_temperature(log_alpha, optimizer, entropy_shortfall):
        """One Adam step on `alpha_loss(log_alpha, entropy_shortfall)`; returns that loss."""
        with tf.GradientTape() as tape:
            loss = SacAgent.alpha_loss(log_alpha, entropy_shortfall)
        minimize(optimizer, tape, loss, [log_alpha])
        return loss

    def greedy_action(self, observation):
        return self.actor(self.normalize(observation)).mode()

    def explore_action(self, observation):
        return self.actor(self.normalize(observation)).sample(seed=self.next_seed())
