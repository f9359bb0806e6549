"""Soft Actor-Critic (Haarnoja et al. 2018, "SAC: Algorithms and Applications").

Twin (or ensemble) critics with target copies, a tanh-Gaussian actor and a
learned temperature α driven towards a target entropy. The three losses:

  critic: ½ (Q_i(s, a) − [r + γ (1 − d) (min_j Q'_j(s', a') − α log π(a'|s'))])²
  actor:  α log π(ã|s) − min_i Q_i(s, ã),          ã ~ π(·|s)
  alpha:  −log α · (log π(ã|s) + target_entropy)

Options from later papers, all off by default: an ensemble of N critics whose
target is the min over a random subset of M (REDQ, Chen et al. 2021; the actor
then maximises the ensemble mean), and dropout + layer-norm critics (DroQ,
Hiraoka et al. 2021). Both are usually paired with several updates per env
step (`updates_per_step` in the run config).
"""

import math
from typing import Optional, Sequence

import tensorflow as tf

from sac_tf.agents.base import OffPolicyAgent, built_adam, minimize
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
                 critic_dropout_rate: float, actor_lr: float, critic_lr: float, alpha_lr: float,
                 gamma: float, tau: float, initial_alpha: float,
                 target_entropy: Optional[float], seed: int):
        super().__init__(spec, hidden_sizes=hidden_sizes, num_critics=num_critics,
                         critic_lr=critic_lr, gamma=gamma, tau=tau, seed=seed, name="sac",
                         critic_layer_norm=critic_layer_norm,
                         critic_dropout_rate=critic_dropout_rate)
        self.target_subset_size = min(target_subset_size or num_critics, num_critics)
        if self.target_subset_size < 1:
            raise ValueError(f"target_subset_size must be positive, got {target_subset_size}")
        self.actor = GaussianActor(spec.action_dim, hidden_sizes, name="actor")
        self.actor(self._dummy_inputs()[0])
        self.actor_optimizer = built_adam(self.actor.trainable_variables, actor_lr,
                                          name="actor_adam")
        self.log_alpha = tf.Variable(math.log(initial_alpha), dtype=tf.float32, name="log_alpha")
        self.alpha_optimizer = built_adam([self.log_alpha], alpha_lr, name="alpha_adam")
        self.target_entropy = float(
            -spec.action_dim if target_entropy is None else target_entropy)

    def train(self, batch: Transition) -> LossInfo:
        alpha = tf.exp(self.log_alpha)

        next_action, next_log_prob = self.actor(batch.next_observation).sample_and_log_prob(
            self.next_seed())
        next_q = self.target_min(
            self.target_critics(batch.next_observation, next_action, training=True))
        critic_loss, q_mean = self.train_critics(
            batch, self.td_target(batch, next_q - alpha * next_log_prob))

        with tf.GradientTape() as tape:
            action, log_prob = self.actor(batch.observation).sample_and_log_prob(self.next_seed())
            q = self.actor_value(self.critics(batch.observation, action, training=True))
            actor_loss = tf.reduce_mean(alpha * log_prob - q)
        minimize(self.actor_optimizer, tape, actor_loss, self.actor.trainable_variables)

        with tf.GradientTape() as tape:
            alpha_loss = -tf.reduce_mean(
                self.log_alpha * tf.stop_gradient(log_prob + self.target_entropy))
        minimize(self.alpha_optimizer, tape, alpha_loss, [self.log_alpha])

        self.update_targets()
        return LossInfo(
            loss=critic_loss + actor_loss + alpha_loss,
            extra=dict(critic_loss=critic_loss, actor_loss=actor_loss, alpha_loss=alpha_loss,
                       alpha=alpha, entropy=-tf.reduce_mean(log_prob), q_mean=q_mean))

    def target_min(self, target_q):
        """Min over a random subset of `target_subset_size` rows of `[N, B]` → `[B]`."""
        if self.target_subset_size == self.critics.num_critics:
            return tf.reduce_min(target_q, axis=0)
        draw = tf.random.stateless_uniform([self.critics.num_critics], seed=self.next_seed())
        subset = tf.argsort(draw)[:self.target_subset_size]
        return tf.reduce_min(tf.gather(target_q, subset), axis=0)

    def actor_value(self, q):
        """The value the actor maximises from `[N, B]` Q's: the min, or REDQ's mean."""
        if self.target_subset_size == self.critics.num_critics:
            return tf.reduce_min(q, axis=0)
        return tf.reduce_mean(q, axis=0)

    def greedy_action(self, observation):
        return self.actor(observation).mode()

    def explore_action(self, observation):
        return self.actor(observation).sample(seed=self.next_seed())
