"""Soft Actor-Critic for discrete actions (Christodoulou 2019, "Soft Actor-Critic for
Discrete Action Settings").

For a `Discrete` or `MultiDiscrete` action space. The critics output Q(s, ·), one value
per joint action a (Π sizes of them; `MultiDiscrete` heads are independent categoricals
whose joint distribution the losses see), and every expectation over actions is exact:

  critic: ½ Σ_i (Q_i(s, a) − [r + γ (1 − d) Σ_a' π(a'|s') (min_j Q'_j(s', a') − α log π(a'|s'))])²
  actor:  Σ_a π(a|s) [α log π(a|s) − min_i Q_i(s, a)]
  alpha:  −log α · (Σ_a π(a|s) log π(a|s) + H̄),   H̄ = scale · log |A|

The paper sets H̄ = 0.98 log |A|. With few actions that target is out of reach (the
entropy of a policy that prefers any action is well below log |A|) and α grows without
bound; CleanRL uses 0.89, others 0.7–0.8. `discrete_target_entropy_scale` sets the
fraction (`configs/sac_discrete.py` sets 0.89, measured beside 0.5 and 0.98), or
`discrete_target_entropy` the target in nats. α's loss is taken in log α, as the
continuous agent's (the paper writes it in α). Target critics are Polyak-averaged with
τ every update (the paper's Atari runs copy them every 8,000 steps).
"""

import math
from typing import Optional, Sequence

import tensorflow as tf

from sac_tf.agents.base import OffPolicyAgent
from sac_tf.agents.optimizers import minimize
from sac_tf.agents.sac import SacAgent
from sac_tf.core.categorical import joint_index
from sac_tf.core.specs import EnvSpec
from sac_tf.core.types import LossInfo, Transition
from sac_tf.networks import ActionValueEnsemble, CategoricalActor

#: The most joint actions the critics may have one output each for.
MAX_JOINT_ACTIONS = 4096
#: SAC fields for continuous actions or options this agent does not implement, with the
#: value that leaves each off; any other value is refused.
OFF_VALUES = dict(target_subset_size=None, actor_q_reduction="min", num_quantiles=1,
                  quantiles_to_drop=0, residual_blocks=0, reset_interval=0,
                  actor_update_interval=1, batch_renorm=False, target_networks=True,
                  moe_experts=0, regen_rate=0.0, target_q_reduction="min",
                  target_entropy=None, actor_log_std="tanh")
#: Settings of the options above that only matter when the option is on.
UNUSED = ("batch_renorm_momentum", "batch_renorm_warmup", "moe_slots", "moe_tokens",
          "moe_in_actor", "softmin_temperature")


def check_off(options: dict) -> None:
    """Raises `ValueError` for an option of `options` that is on, `TypeError` for a name that
    is no SAC field."""
    for name, value in options.items():
        if name in UNUSED:
            continue
        if name not in OFF_VALUES:
            raise TypeError(f"unexpected keyword argument {name!r}")
        if value != OFF_VALUES[name]:
            raise ValueError(f"{name}={value!r} is not available with discrete actions "
                             f"(leave it at {OFF_VALUES[name]!r})")


class DiscreteSacAgent(OffPolicyAgent):
    """SAC with a learned temperature for `Discrete`/`MultiDiscrete` actions.

    Args:
      spec: the environment's `EnvSpec` (`is_discrete`).
      seed: seed of the agent's generator (action sampling, dropout masks).
      encoders: per-leaf observation encoders of every network (see `OffPolicyAgent`).
      discrete_target_entropy_scale: H̄ as a fraction of log |A| = Σ log sizes.
      Every other argument is the field of the same name in `config.sac`
      (`sac_tf.config.defaults.SAC_FIELDS`); `options` takes the SAC fields this agent
      does not implement, each left off (`OFF_VALUES`).
    """

    metric_names = ("critic_loss", "actor_loss", "alpha_loss", "alpha", "entropy", "q_mean")

    def __init__(self, spec: EnvSpec, *, hidden_sizes: Sequence[int], num_critics: int,
                 actor_lr: float, critic_lr: float, alpha_lr: float, gamma: float, tau: float,
                 initial_alpha: float, seed: int,
                 discrete_target_entropy: Optional[float] = None,
                 discrete_target_entropy_scale: float = 0.5,
                 critic_hidden_sizes: Optional[Sequence[int]] = None,
                 critic_layer_norm: bool = False, critic_dropout_rate: float = 0.0,
                 normalize_observations: bool = False, adam_beta_1: float = 0.9,
                 adam_epsilon: float = 1e-7, kernel_init: str = "glorot_uniform",
                 activation: str = "relu", extra_layer_norm: bool = False,
                 actor_lr_schedule: str = "constant", critic_lr_schedule: str = "constant",
                 alpha_lr_schedule: str = "constant", lr_floor: float = 0.0,
                 lr_decay_updates: Optional[int] = None, encoders=None, **options):
        check_off(options)
        if not spec.is_discrete:
            raise ValueError("DiscreteSacAgent needs a Discrete or MultiDiscrete action space")
        self.num_actions = math.prod(spec.discrete_sizes)
        if self.num_actions > MAX_JOINT_ACTIONS:
            raise ValueError(f"discrete actions {list(spec.discrete_sizes)} have "
                             f"{self.num_actions:,} joint actions; the critics have one output "
                             f"per joint action, at most {MAX_JOINT_ACTIONS:,}")
        torso = dict(activation=activation, extra_layer_norm=extra_layer_norm,
                     kernel_init=kernel_init)
        super().__init__(spec, hidden_sizes=critic_hidden_sizes or hidden_sizes,
                         num_critics=num_critics, critic_lr=critic_lr, gamma=gamma, tau=tau,
                         seed=seed, name="sac", critic_layer_norm=critic_layer_norm,
                         critic_dropout_rate=critic_dropout_rate,
                         normalize_observations=normalize_observations,
                         adam_beta_1=adam_beta_1, adam_epsilon=adam_epsilon,
                         critic_torso_options=torso, critic_lr_schedule=critic_lr_schedule,
                         lr_floor=lr_floor, lr_decay_updates=lr_decay_updates,
                         encoders=encoders)
        self.actor = CategoricalActor(spec.discrete_sizes, hidden_sizes, torso_options=torso,
                                      encoder=self.make_encoder("actor_encoder"), name="actor")
        self.actor(self._dummy_inputs()[0])
        self.actor_optimizer = self.adam(self.actor.trainable_variables, actor_lr,
                                         actor_lr_schedule, "actor", adam_beta_1)
        self.log_alpha = tf.Variable(math.log(initial_alpha), dtype=tf.float32, name="log_alpha")
        self.alpha_optimizer = self.adam([self.log_alpha], alpha_lr, alpha_lr_schedule, "alpha")
        self.target_entropy = float(
            discrete_target_entropy_scale * math.log(self.num_actions)
            if discrete_target_entropy is None else discrete_target_entropy)

    def critic_ensemble(self, num_critics, hidden_sizes, options, *, name, encoder_name):
        """Q(s, ·) critics (`ActionValueEnsemble`), one output per joint action."""
        return ActionValueEnsemble(
            num_critics, hidden_sizes, self.num_actions, name=name,
            encoder=self.make_encoder(encoder_name),
            **{key: options[key] for key in ("layer_norm", "dropout_rate", "activation",
                                             "extra_layer_norm", "kernel_init")})

    def critic_inputs(self) -> tuple:
        return self._dummy_inputs()[:1]

    def critic_values(self, batch: Transition, **call_options) -> tf.Tensor:
        """Q_i(s, a) of the batch's joint actions, `[N, B]`."""
        q = self.critics(batch.observation, **call_options)  # [N, B, A]
        taken = tf.one_hot(joint_index(batch.action, self.spec.discrete_sizes), self.num_actions)
        return tf.reduce_sum(q * taken[None], axis=-1)

    # --- One update: the three losses, each a named method below. ---

    def train(self, batch: Transition) -> LossInfo:
        batch = self.normalize_batch(batch)
        alpha = tf.exp(self.log_alpha)
        critic_loss, q_mean = self.train_critics(batch, self.critic_target(batch, alpha))
        with tf.GradientTape() as tape:
            actor_loss, negative_entropy = self.actor_loss(batch, alpha)
        minimize(self.actor_optimizer, tape, actor_loss, self.actor.trainable_variables)
        # −mean_B log α · (Σ_a π log π + H̄): α rises while the entropy is below H̄
        alpha_loss = SacAgent.tune_temperature(self.log_alpha, self.alpha_optimizer,
                                               negative_entropy + self.target_entropy)
        self.update_targets()
        return LossInfo(
            loss=critic_loss + actor_loss + alpha_loss,
            extra=dict(critic_loss=critic_loss, actor_loss=actor_loss, alpha_loss=alpha_loss,
                       alpha=alpha, entropy=-tf.reduce_mean(negative_entropy), q_mean=q_mean))

    def critic_target(self, batch: Transition, alpha: tf.Tensor) -> tf.Tensor:
        """y = r + γ (1 − d) Σ_a π(a|s') (min_j Q'_j(s', a) − α log π(a|s')): `[B]`, without
        gradient (n-step batches: r and γ as `td_target` takes them)."""
        log_p = self.actor(batch.next_observation, training=False).joint_log_probs()
        target_q = tf.reduce_min(self.target_critics(
            batch.next_observation, training=True, seed=self.dropout_seed()), axis=0)
        return self.td_target(batch, tf.reduce_sum(tf.exp(log_p) * (target_q - alpha * log_p),
                                                   axis=-1))

    def actor_loss(self, batch: Transition, alpha: tf.Tensor) -> tuple:
        """mean_B Σ_a π(a|s) [α log π(a|s) − min_i Q_i(s, a)], the critics held fixed.

        Returns:
          (the loss, a float32 scalar; Σ_a π log π `[B]`, the negative entropy, for α).
        """
        log_p = self.actor(batch.observation, training=True).joint_log_probs()
        q = tf.stop_gradient(tf.reduce_min(
            self.critics(batch.observation, training=True, seed=self.dropout_seed()), axis=0))
        p = tf.exp(log_p)
        loss = tf.reduce_mean(tf.reduce_sum(p * (alpha * log_p - q), axis=-1))
        return loss, tf.reduce_sum(p * log_p, axis=-1)

    def greedy_action(self, observation):
        return self.actor(self.normalize(observation)).mode()

    def explore_action(self, observation):
        return self.actor(self.normalize(observation)).sample(self.next_seed())
