"""Soft Actor-Critic (Haarnoja et al. 2018, "SAC: Algorithms and Applications").

Twin (or ensemble) critics with target copies, a tanh-Gaussian actor and a
learned temperature α driven towards a target entropy. The three losses:

  critic: ½ (Q_i(s, a) − [r + γ (1 − d) (min_j Q'_j(s', a') − α log π(a'|s'))])²
  actor:  α log π(ã|s) − min_i Q_i(s, ã),          ã ~ π(·|s)
  alpha:  −log α · (log π(ã|s) + target_entropy)

Options from later papers, all off by default:
- an ensemble of N critics whose target is the min over a random subset of M
  (REDQ, Chen et al. 2021; the actor then maximises the ensemble mean);
- quantile critics whose target is the pooled mixture of the N·K target
  quantiles without its top `quantiles_to_drop`·N atoms (TQC, Kuznetsov et al.
  2020; the actor maximises the mean of all quantiles);
- dropout + layer-norm critics (DroQ, Hiraoka et al. 2021);
- residual layer-norm torsos and observation normalisation (SimBa, Lee et al.
  2024; BRO, Nauman et al. 2024);
- periodic resets of every network (Nikishin et al. 2022).
REDQ, DroQ and resets are usually paired with several updates per env step
(`updates_per_step` in the run config).
"""

import math
from typing import Optional, Sequence

import keras
import tensorflow as tf

from sac_tf.agents.base import OffPolicyAgent
from sac_tf.agents.plasticity import PeriodicReset
from sac_tf.agents.quantiles import truncated_atoms
from sac_tf.networks import GaussianActor
from sac_tf.specs import EnvSpec
from sac_tf.types import LossInfo, Transition


class SacAgent(OffPolicyAgent):
    """SAC with a learned temperature.

    Args:
      spec: the environment's `EnvSpec`.
      hidden_sizes: widths of the actor and critic MLPs.
      num_critics: critic ensemble size N.
      target_subset_size: M, the number of target critics (drawn at random per
        update) whose min is the target; None means all N, as in SAC.
      critic_layer_norm, critic_dropout_rate: DroQ critics (see `CriticEnsemble`).
      num_quantiles: K quantiles per critic; 1 is a scalar critic (TQC uses 25).
      quantiles_to_drop: top atoms dropped per critic from the pooled target (TQC: 2).
      residual_blocks, normalize_observations: SimBa/BRO networks (see `OffPolicyAgent`).
      reset_interval: restore every network, α and the optimisers to their
        initial state every this many updates; 0 never does.
      actor_lr, critic_lr, alpha_lr: Adam learning rates.
      gamma: discount factor per step.
      tau: Polyak coefficient of the target critics.
      initial_alpha: starting temperature α.
      target_entropy: entropy target in nats; None means −act_dim.
      seed: seed of the agent's generator (action sampling).
    """

    metric_names = ("critic_loss", "actor_loss", "alpha_loss", "alpha", "entropy", "q_mean")

    def __init__(self, spec: EnvSpec, *, hidden_sizes: Sequence[int], num_critics: int,
                 target_subset_size: Optional[int], critic_layer_norm: bool,
                 critic_dropout_rate: float, num_quantiles: int, quantiles_to_drop: int,
                 residual_blocks: int, normalize_observations: bool, reset_interval: int,
                 actor_lr: float, critic_lr: float, alpha_lr: float,
                 gamma: float, tau: float, initial_alpha: float,
                 target_entropy: Optional[float], seed: int):
        super().__init__(spec, hidden_sizes=hidden_sizes, num_critics=num_critics,
                         critic_lr=critic_lr, gamma=gamma, tau=tau, seed=seed, name="sac",
                         critic_layer_norm=critic_layer_norm,
                         critic_dropout_rate=critic_dropout_rate, num_quantiles=num_quantiles,
                         residual_blocks=residual_blocks,
                         normalize_observations=normalize_observations)
        self.target_subset_size = min(target_subset_size or num_critics, num_critics)
        if self.target_subset_size < 1:
            raise ValueError(f"target_subset_size must be positive, got {target_subset_size}")
        if num_quantiles > 1 and self.target_subset_size < num_critics:
            raise ValueError("quantile critics (TQC) pool every critic: leave "
                             "target_subset_size unset")
        if not 0 <= quantiles_to_drop < num_quantiles or (num_quantiles == 1 and quantiles_to_drop):
            raise ValueError(f"quantiles_to_drop must be in [0, num_quantiles) with quantile "
                             f"critics, got {quantiles_to_drop} of {num_quantiles}")
        self.quantiles_to_drop = quantiles_to_drop
        self.actor = GaussianActor(spec.action_dim, hidden_sizes,
                                   residual_blocks=residual_blocks, name="actor")
        self.actor(self._dummy_inputs()[0])
        self.actor_optimizer = keras.optimizers.Adam(actor_lr, name="actor_adam")
        self.actor_optimizer.build(self.actor.trainable_variables)
        self.log_alpha = tf.Variable(math.log(initial_alpha), dtype=tf.float32, name="log_alpha")
        self.alpha_optimizer = keras.optimizers.Adam(alpha_lr, name="alpha_adam")
        self.alpha_optimizer.build([self.log_alpha])
        self.target_entropy = float(
            -spec.action_dim if target_entropy is None else target_entropy)
        self.periodic_reset = None
        if reset_interval:
            self.periodic_reset = PeriodicReset(
                reset_interval,
                self.actor.variables + self.critics.variables + self.target_critics.variables
                + [self.log_alpha],
                [self.actor_optimizer, self.critic_optimizer, self.alpha_optimizer])

    def train(self, batch: Transition) -> LossInfo:
        batch = self.prepare(batch)
        alpha = tf.exp(self.log_alpha)

        next_action, next_log_prob = self.actor(batch.next_observation).sample_and_log_prob(
            self.next_seed())
        next_value = self.soft_target_value(
            self.target_critics(batch.next_observation, next_action, training=True),
            next_log_prob, alpha)
        critic_loss, q_mean = self.train_critics(batch, self.td_target(batch, next_value))

        with tf.GradientTape() as tape:
            action, log_prob = self.actor(batch.observation).sample_and_log_prob(self.next_seed())
            q = self.actor_value(self.critics(batch.observation, action, training=True))
            actor_loss = tf.reduce_mean(alpha * log_prob - q)
        variables = self.actor.trainable_variables
        self.actor_optimizer.apply_gradients(zip(tape.gradient(actor_loss, variables), variables))

        with tf.GradientTape() as tape:
            alpha_loss = -tf.reduce_mean(
                self.log_alpha * tf.stop_gradient(log_prob + self.target_entropy))
        self.alpha_optimizer.apply_gradients(
            [(tape.gradient(alpha_loss, self.log_alpha), self.log_alpha)])

        self.update_targets()
        if self.periodic_reset is not None:
            self.periodic_reset.step()
        return LossInfo(
            loss=critic_loss + actor_loss + alpha_loss,
            extra=dict(critic_loss=critic_loss, actor_loss=actor_loss, alpha_loss=alpha_loss,
                       alpha=alpha, entropy=-tf.reduce_mean(log_prob), q_mean=q_mean))

    def soft_target_value(self, target_q, next_log_prob, alpha):
        """V(s') = Q'(s', a') − α log π(a'|s'): `[B]`, or `[B, M]` truncated atoms for TQC."""
        if self.critics.num_quantiles > 1:
            atoms = truncated_atoms(target_q, self.quantiles_to_drop)
            return atoms - alpha * next_log_prob[:, None]
        return self.target_min(target_q) - alpha * next_log_prob

    def target_min(self, target_q):
        """Min over a random subset of `target_subset_size` rows of `[N, B]` → `[B]`."""
        if self.target_subset_size == self.critics.num_critics:
            return tf.reduce_min(target_q, axis=0)
        draw = tf.random.stateless_uniform([self.critics.num_critics], seed=self.next_seed())
        subset = tf.argsort(draw)[:self.target_subset_size]
        return tf.reduce_min(tf.gather(target_q, subset), axis=0)

    def actor_value(self, q):
        """The value the actor maximises, `[B]`, from `[N, B]` Q's (the min, or REDQ's
        mean) or `[N, B, K]` quantiles (their mean, TQC)."""
        if self.critics.num_quantiles > 1:
            return tf.reduce_mean(q, axis=[0, 2])
        if self.target_subset_size == self.critics.num_critics:
            return tf.reduce_min(q, axis=0)
        return tf.reduce_mean(q, axis=0)

    def greedy_action(self, observation):
        return self.actor(self.normalize(observation)).mode()

    def explore_action(self, observation):
        return self.actor(self.normalize(observation)).sample(seed=self.next_seed())
