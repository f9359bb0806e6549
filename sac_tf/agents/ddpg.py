"""DDPG (Lillicrap et al. 2015) and TD3 (Fujimoto et al. 2018) as one agent.

A deterministic tanh actor μ with a target copy μ', critics Q_i with target
copies Q'_i, and exploration noise added to μ(s). The losses:

  critic: ½ (Q_i(s, a) − [r + γ (1 − d) min_j Q'_j(s', ã')])²
          ã' = clip(μ'(s') + clip(ε, −c, c), −1, 1),   ε ~ N(0, σ_target²)
  actor:  −Q_1(s, μ(s))

DDPG is one critic, no target noise (σ_target = 0) and an actor and target
update after every critic update. TD3 adds its three changes as options:
twin critics (`num_critics=2`, min target), target policy smoothing
(`target_noise`, `target_noise_clip`) and delayed updates of the actor and
all targets every `policy_delay` critic updates.
"""

from typing import Optional, Sequence

import tensorflow as tf

from sac_tf.agents.base import OffPolicyAgent, build_with_copy, polyak_update
from sac_tf.agents.delayed import DelayedUpdate
from sac_tf.agents.optimizers import minimize
from sac_tf.networks import DeterministicActor
from sac_tf.core.specs import EnvSpec
from sac_tf.core.types import LossInfo, Transition

#: Exploration noise processes `noise_type` can name.
NOISE_TYPES = ("gaussian", "ornstein_uhlenbeck")


class DdpgAgent(OffPolicyAgent):
    """DDPG, or TD3 with `num_critics=2`, `target_noise > 0` and `policy_delay=2`.

    Args:
      spec: the environment's `EnvSpec`.
      hidden_sizes: widths of the actor and critic MLPs.
      num_critics: 1 for DDPG, 2 for TD3's clipped double Q.
      actor_lr, critic_lr: Adam learning rates.
      gamma: discount factor per step.
      tau: Polyak coefficient of the target actor and critics.
      exploration_noise: standard deviation σ of the exploration noise, in
        normalised action units ([-1, 1] spans the env's bounds).
      noise_type: "gaussian" (independent N(0, σ²) per step, as TD3) or
        "ornstein_uhlenbeck" (DDPG's temporally correlated process
        x ← x − θ x + σ ε, one per env: row i of an exploration batch is env i,
        and `restart_exploration` zeroes an env's process when its episode starts).
      ou_theta: θ, the OU process's pull towards zero per step.
      target_noise: σ_target of TD3's target policy smoothing; 0 turns it off.
      target_noise_clip: c, the smoothing noise is clipped to [−c, c].
      policy_delay: d, the actor and the targets are updated once every d
        critic updates (the count is a checkpointed variable); the updates in
        between report the latest actor loss.
      seed: seed of the agent's generator (exploration and target noise).
      num_envs: envs stepped in lockstep, each with its own OU process.
      actor_lr_schedule, critic_lr_schedule, lr_floor, lr_decay_updates: learning-rate
        schedules, as `SacAgent`'s.
      encoders: per-leaf observation encoders of every network (see `OffPolicyAgent`).
    """

    metric_names = ("critic_loss", "actor_loss", "q_mean")
    takes_num_envs = True

    def __init__(self, spec: EnvSpec, *, hidden_sizes: Sequence[int], num_critics: int,
                 actor_lr: float, critic_lr: float, gamma: float, tau: float,
                 exploration_noise: float, noise_type: str, ou_theta: float,
                 target_noise: float, target_noise_clip: float, policy_delay: int, seed: int,
                 num_envs: int = 1, actor_lr_schedule: str = "constant",
                 critic_lr_schedule: str = "constant", lr_floor: float = 0.0,
                 lr_decay_updates: Optional[int] = None, encoders=None):
        super().__init__(spec, hidden_sizes=hidden_sizes, num_critics=num_critics,
                         critic_lr=critic_lr, gamma=gamma, tau=tau, seed=seed, name="ddpg",
                         critic_lr_schedule=critic_lr_schedule, lr_floor=lr_floor,
                         lr_decay_updates=lr_decay_updates, encoders=encoders)
        if noise_type not in NOISE_TYPES:
            raise ValueError(f"noise_type must be one of {NOISE_TYPES}, got {noise_type!r}")
        if policy_delay < 1:
            raise ValueError(f"policy_delay must be at least 1, got {policy_delay}")
        self.exploration_noise = exploration_noise
        self.noise_type = noise_type
        self.ou_theta = ou_theta
        self.target_noise = target_noise
        self.target_noise_clip = target_noise_clip
        self.policy_delay = policy_delay
        self.actor = DeterministicActor(spec.action_dim, hidden_sizes, name="actor",
                                        encoder=self.make_encoder("actor_encoder"))
        self.target_actor = DeterministicActor(
            spec.action_dim, hidden_sizes, name="target_actor",
            encoder=self.make_encoder("target_actor_encoder"))
        build_with_copy(self.actor, self.target_actor, self._dummy_inputs()[0])
        self.actor_optimizer = self.adam(self.actor.trainable_variables, actor_lr,
                                         actor_lr_schedule, "actor", steps_every=policy_delay)
        self.delayed_actor_update = DelayedUpdate(policy_delay, ["actor_loss"],
                                                  name="delayed_actor_update")
        if noise_type == "ornstein_uhlenbeck":
            # One process per env. Only OU agents have this state, so Gaussian-noise
            # checkpoints do not depend on num_envs; OU checkpoints written before it was
            # per env (one `ou_state` [act_dim]) do not restore.
            self.exploration_batch_size = num_envs
            self.ou_noise = tf.Variable(tf.zeros([num_envs, spec.action_dim]),
                                        trainable=False, name="ou_noise")

    # --- One update: the critic target and the actor loss, then their optimiser steps. ---

    def train(self, batch: Transition) -> LossInfo:
        critic_loss, q_mean = self.train_critics(batch, self.critic_target(batch))
        actor_loss = self.delayed_actor_update(
            lambda: self.train_actor_and_targets(batch))["actor_loss"]
        return LossInfo(loss=critic_loss + actor_loss,
                        extra=dict(critic_loss=critic_loss, actor_loss=actor_loss,
                                   q_mean=q_mean))

    def critic_target(self, batch: Transition) -> tf.Tensor:
        """y = r + γ (1 − d) min_j Q'_j(s', ã'), ã' the smoothed target action: `[B]`,
        without gradient. `critic_loss` (of `OffPolicyAgent`) regresses every Q_i(s, a) on it."""
        next_action = self.smoothed_target_action(batch.next_observation)
        next_q = tf.reduce_min(self.target_critics(batch.next_observation, next_action), axis=0)
        return self.td_target(batch, next_q)

    def actor_loss(self, batch: Transition) -> tf.Tensor:
        """−mean Q_1(s, μ(s)), a float32 scalar."""
        return -tf.reduce_mean(self.critics(batch.observation, self.actor(batch.observation))[0])

    def train_actor_and_targets(self, batch: Transition) -> dict:
        """One Adam step on `actor_loss`, then Polyak steps of every target network."""
        with tf.GradientTape() as tape:
            loss = self.actor_loss(batch)
        minimize(self.actor_optimizer, tape, loss, self.actor.trainable_variables)
        self.update_targets()
        return {"actor_loss": loss}

    def smoothed_target_action(self, next_observation: tf.Tensor) -> tf.Tensor:
        """μ'(s') plus clipped Gaussian noise, clipped to [-1, 1]: `[B, act_dim]`."""
        action = self.target_actor(next_observation)
        if self.target_noise == 0.0:
            return action
        noise = self.target_noise * tf.random.stateless_normal(tf.shape(action),
                                                               seed=self.next_seed())
        noise = tf.clip_by_value(noise, -self.target_noise_clip, self.target_noise_clip)
        return tf.clip_by_value(action + noise, -1.0, 1.0)

    def update_targets(self):
        super().update_targets()
        polyak_update(self.target_actor.variables, self.actor.variables, self.tau)

    def greedy_action(self, observation):
        return self.actor(observation)

    def explore_action(self, observation):
        action = self.actor(observation)
        epsilon = tf.random.stateless_normal(tf.shape(action), seed=self.next_seed())
        if self.noise_type == "gaussian":
            noise = self.exploration_noise * epsilon
        else:  # [num_envs, act_dim]: one row per env (XLA drops the assertion; the loop
            # and the Python API pass num_envs rows, the API checks before the call)
            tf.debugging.assert_equal(
                tf.shape(epsilon)[0], self.ou_noise.shape[0],
                message="Ornstein-Uhlenbeck exploration takes one observation per env")
            noise = self.ou_noise.assign((1.0 - self.ou_theta) * self.ou_noise
                                         + self.exploration_noise * epsilon)
        return tf.clip_by_value(action + noise, -1.0, 1.0)

    def restart_exploration(self, episode_start) -> None:
        """Zeroes the OU process of each env whose `episode_start` `[num_envs]` (bool) is set."""
        if self.noise_type == "ornstein_uhlenbeck":
            keep = 1.0 - tf.cast(tf.convert_to_tensor(episode_start)[:, None], tf.float32)
            self.ou_noise.assign(self.ou_noise * keep)
