"""What every off-policy actor-critic agent here shares.

Critic ensembles with target copies, the Bellman target, the critic regression
step, Polyak averaging, Adam optimisers (`sac_tf.agents.optimizers`), a checkpointed
random generator and the acting interface. Subclasses write their own losses
in `train`.
"""

import types
from typing import Optional, Sequence

import keras
import tensorflow as tf

from sac_tf.agents.optimizers import built_adam, minimize
from sac_tf.agents.quantiles import quantile_huber_loss
from sac_tf.agents.schedules import check_schedule, current_learning_rate, learning_rate
from sac_tf.networks import CriticEnsemble
from sac_tf.networks.conv import variables_without
from sac_tf.networks.encoders import make_encoder
from sac_tf.networks.normalization import NestNormalizer, RunningNormalizer
from sac_tf.core import nests
from sac_tf.core.specs import EnvSpec
from sac_tf.core.types import LossInfo, Transition


def polyak_update(targets: Sequence[tf.Variable], sources: Sequence[tf.Variable], tau: float):
    """target ← (1 − tau) · target + tau · source, for each floating-point pair.

    Integer state (batch renorm's call counter) is the network's own and is skipped.
    """
    for target, source in zip(targets, sources):
        if tf.as_dtype(target.dtype).is_floating:
            target.assign((1.0 - tau) * target + tau * source)


def build_with_copy(network: keras.Model, target: keras.Model, *inputs):
    """Builds `network` and `target` on `inputs` and copies the weights into `target`."""
    network(*inputs)
    target(*inputs)
    for target_variable, variable in zip(target.variables, network.variables):
        target_variable.assign(variable)


class OffPolicyAgent(tf.Module):
    """Base of SAC, DDPG and TD3.

    Actions are normalised to [-1, 1] (discrete heads: one-hot, `EnvSpec`); observations are
    flat float32 vectors `[B, obs_dim]`, or nests of float32 leaves
    (`EnvSpec.observation_nest`) that each network's encoder (`sac_tf.networks.encoders`)
    flattens and concatenates.

    Args:
      spec: the environment's `EnvSpec`.
      hidden_sizes: widths of the critic MLPs.
      num_critics: size of the critic ensemble (2 = twin critics).
      critic_layer_norm: layer-normalise the critics' hidden layers (DroQ).
      critic_dropout_rate: dropout in the critics' hidden layers during training (DroQ).
      num_quantiles: > 1 makes each critic output that many quantiles of the return (TQC).
      residual_blocks: > 0 gives actor and critics SimBa residual torsos of
        width `hidden_sizes[0]` with that many blocks.
      normalize_observations: feed the networks observations standardised by
        running statistics of every collected observation (`record_collected`).
      critic_batch_renorm: `BatchRenorm` keyword arguments for batch-renormalised
        critics (CrossQ), or None.
      critic_torso_options: the critics' `activation`, `extra_layer_norm` and `moe`
        (see `CriticEnsemble`); None: plain ReLU MLPs.
      target_networks: keep Polyak-averaged target critics; False has none (CrossQ).
      critic_lr: Adam learning rate of the critics.
      adam_beta_1: Adam's β1 for the critics (and the subclass's actor).
      adam_epsilon: Adam's ε for every optimiser of the agent.
      critic_lr_schedule: "constant", "linear" or "cosine" (`sac_tf.agents.schedules`),
        decaying over `lr_decay_updates` updates to `lr_floor` × the initial rate; the
        subclasses' `*_lr_schedule` use the same two.
      gamma: discount factor per step.
      tau: Polyak coefficient of the target networks.
      seed: seed of the agent's own random generator.
      encoders: observation leaf name → preprocessing (a Keras layer, cloned per network,
        or "flatten", "dense:N", "mlp:N,M"); None or empty: flatten and concatenate.
    """

    #: Names of the scalars in `LossInfo.extra`, in order.
    metric_names: tuple = ()
    #: Whether the agent acts in hybrid (continuous + discrete) action spaces.
    supports_hybrid_actions: bool = False
    #: Whether the constructor takes `num_envs` (exploration state per env).
    takes_num_envs: bool = False
    #: The batch `explore_action` needs (one row per env, for per-env noise state), or
    #: None for any.
    exploration_batch_size = None

    def __init__(self, spec: EnvSpec, *, hidden_sizes: Sequence[int], num_critics: int,
                 critic_lr: float, gamma: float, tau: float, seed: int, name: str,
                 critic_layer_norm: bool = False, critic_dropout_rate: float = 0.0,
                 num_quantiles: int = 1, residual_blocks: int = 0,
                 normalize_observations: bool = False, critic_batch_renorm=None,
                 target_networks: bool = True, adam_beta_1: float = 0.9,
                 adam_epsilon: float = 1e-7, critic_torso_options=None,
                 critic_lr_schedule: str = "constant", lr_floor: float = 0.0,
                 lr_decay_updates: Optional[int] = None, encoders=None):
        super().__init__(name=name)
        # read-only and untracked: layers given here are cloned into each network's encoder
        self.encoders = types.MappingProxyType(dict(encoders or {}))
        if not adam_epsilon > 0:
            raise ValueError(f"adam_epsilon must be > 0, got {adam_epsilon}")
        self.adam_epsilon = adam_epsilon
        self.lr_floor, self.lr_decay_updates = lr_floor, lr_decay_updates
        self.scheduled_roles = ()  # roles whose optimiser's rate follows a schedule (strings:
        # the optimisers are tracked once, under their own attributes, as checkpoints expect)
        self.spec = spec
        self.gamma = gamma
        self.tau = tau
        self.rng = tf.random.Generator.from_seed(seed)
        self.observation_normalizer = None
        if normalize_observations:
            self.observation_normalizer = (NestNormalizer(spec.observation_nest) if spec.is_nested
                                           else RunningNormalizer(spec.observation_dim))
        critic_options = dict(layer_norm=critic_layer_norm, dropout_rate=critic_dropout_rate,
                              num_quantiles=num_quantiles, residual_blocks=residual_blocks,
                              batch_renorm=critic_batch_renorm, **(critic_torso_options or {}))
        self.critics = self.critic_ensemble(num_critics, hidden_sizes, critic_options,
                                            name="critics", encoder_name="critic_encoder")
        self.target_critics = None
        if target_networks:
            self.target_critics = self.critic_ensemble(
                num_critics, hidden_sizes, critic_options, name="target_critics",
                encoder_name="target_critic_encoder")
            build_with_copy(self.critics, self.target_critics, *self.critic_inputs())
        else:
            self.critics(*self.critic_inputs())
        self.critic_optimizer = self.adam(self.critics.trainable_variables, critic_lr,
                                          critic_lr_schedule, "critic", beta_1=adam_beta_1)

    def critic_ensemble(self, num_critics: int, hidden_sizes: Sequence[int], options: dict, *,
                        name: str, encoder_name: str) -> keras.Model:
        """The critics, or their target copy: a `CriticEnsemble` of Q(s, a) with `options`
        (its keyword arguments) and an encoder of its own."""
        return CriticEnsemble(num_critics, hidden_sizes, name=name,
                              encoder=self.make_encoder(encoder_name), **options)

    def critic_inputs(self) -> tuple:
        """Dummy inputs that build the critics: (observation, action), batch 1."""
        return self._dummy_inputs()

    def critic_values(self, batch: Transition, **call_options) -> tf.Tensor:
        """The critics' values of the batch's actions, `[N, B]` (`[N, B, K]` quantiles)."""
        return self.critics(batch.observation, batch.action, **call_options)

    def adam(self, variables, initial_lr: float, schedule: str, role: str,
             beta_1: float = 0.9, steps_every: int = 1) -> keras.optimizers.Adam:
        """The `role` optimiser, to be stored as `self.{role}_optimizer`: Adam with the
        agent's ε and `initial_lr` following `schedule` (listed for `learning_rates` when
        it is not constant). An optimiser that steps once every `steps_every` updates
        (a delayed actor) decays over `lr_decay_updates / steps_every` of its own steps."""
        check_schedule(f"{role}_lr_schedule", schedule, self.lr_floor, self.lr_decay_updates)
        decay = (None if self.lr_decay_updates is None
                 else max(1, -(-self.lr_decay_updates // max(1, steps_every))))
        rate = learning_rate(initial_lr, schedule, self.lr_floor, decay)
        optimizer = built_adam(variables, rate, name=f"{role}_adam", beta_1=beta_1,
                               epsilon=self.adam_epsilon)
        if schedule != "constant":
            self.scheduled_roles += (role,)
        return optimizer

    def learning_rates(self) -> dict:
        """`{"lr_ROLE": rate}` of each optimiser on a schedule (none for constant rates)."""
        return {f"lr_{role}": current_learning_rate(getattr(self, f"{role}_optimizer"))
                for role in self.scheduled_roles}

    def make_encoder(self, name: str, shared_convs=None):
        """A network's own observation encoder (`sac_tf.networks.encoders.make_encoder`):
        None for a flat `Box` with no `encoders`, so a flat task builds today's networks."""
        return make_encoder(self.spec.observation_nest, self.encoders, self.spec.observation_dim,
                            name, shared_convs)

    def critic_conv_stacks(self) -> dict:
        """Leaf → the critics' pixel conv stack, which the actor's encoder uses detached."""
        return getattr(getattr(self.critics, "encoder", None), "conv_stacks", {})

    def own_variables(self, network) -> list:
        """`network`'s trainable variables but the critics' conv stacks (its optimiser's)."""
        return variables_without(network, self.critic_conv_stacks().values())

    def _dummy_inputs(self):
        observation = (nests.zeros(self.spec.observation_nest) if self.spec.is_nested
                       else tf.zeros((1, self.spec.observation_dim)))
        return (observation, tf.zeros((1, self.spec.action_dim)))

    def next_seed(self) -> tf.Tensor:
        """A fresh int32 `[2]` stateless seed from the agent's generator."""
        return tf.cast(self.rng.make_seeds(1)[:, 0], tf.int32)

    def dropout_seed(self):
        """A fresh seed for the critics' dropout masks, or None when they have no dropout
        (then the generator is left alone)."""
        return self.next_seed() if self.critics.dropout_rate > 0.0 else None

    def normalize(self, observation: tf.Tensor) -> tf.Tensor:
        """What the networks see of `[B, obs_dim]` observations."""
        if self.observation_normalizer is None:
            return observation
        return self.observation_normalizer(observation)

    def record_collected(self, transitions: Transition) -> None:
        """Counts newly collected transitions' observations `[B, obs_dim]` (numpy) into the
        observation statistics, each once (SimBa's RSNorm updates as it acts, not per
        replay batch, which would count early data ~B·ln(T/t) times). Without
        `normalize_observations` it does nothing."""
        if self.observation_normalizer is not None:
            self.observation_normalizer.update(transitions.observation)

    def normalize_batch(self, batch: Transition) -> Transition:
        """`batch` with its observations and next observations normalised (`normalize`)."""
        if self.observation_normalizer is None:
            return batch
        return batch._replace(observation=self.normalize(batch.observation),
                              next_observation=self.normalize(batch.next_observation))

    def td_target(self, batch: Transition, next_value: tf.Tensor) -> tf.Tensor:
        """Bellman target `r + γ (1 − terminated) V(s')`, without gradient; for an n-step
        batch (`NStepTransition`) `r + discount · V(s')`, its `discount` γ^m (1 − terminated).

        `next_value` is `[B]`, or `[B, M]` atoms of a distributional target.
        """
        shape = tf.concat([[-1], tf.ones([tf.rank(next_value) - 1], tf.int32)], axis=0)
        if getattr(batch, "discount", None) is not None:
            discount = tf.reshape(batch.discount, shape)
            return tf.stop_gradient(tf.reshape(batch.reward, shape) + discount * next_value)
        reward, terminated = tf.reshape(batch.reward, shape), tf.reshape(batch.terminated, shape)
        return tf.stop_gradient(reward + self.gamma * (1.0 - terminated) * next_value)

    def critic_loss(self, q: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
        """The critics' regression loss, a float32 scalar.

        ½ Σ_critics mean_batch (Q_i(s, a) − target)² for `[N, B]` Q's and a `[B]`
        target; for quantile critics `[N, B, K]` the quantile Huber loss against
        `[B, M]` target atoms.
        """
        if self.critics.num_quantiles > 1:
            return quantile_huber_loss(q, target)
        return 0.5 * tf.reduce_sum(tf.reduce_mean(tf.square(q - target[None]), axis=1))

    def train_critics(self, batch: Transition, target: tf.Tensor) -> tuple:
        """One Adam step on `critic_loss` of the critics' values on `batch` and `target`.

        Returns:
          (critic loss, mean Q over critics and batch), float32 scalars.
        """
        with tf.GradientTape() as tape:
            q = self.critic_values(batch, training=True, seed=self.dropout_seed())
            loss = self.critic_loss(q, target)
        minimize(self.critic_optimizer, tape, loss, self.critics.trainable_variables)
        return loss, tf.reduce_mean(q)

    def update_targets(self):
        if self.target_critics is not None:
            polyak_update(self.target_critics.variables, self.critics.variables, self.tau)

    def zero_loss_info(self) -> LossInfo:
        """A `LossInfo` of zeros with the structure that `train` returns."""
        return LossInfo(tf.constant(0.0), {name: tf.constant(0.0) for name in self.metric_names})

    def train(self, batch: Transition) -> LossInfo:
        """One update of every network from `batch` (traceable)."""
        raise NotImplementedError

    def greedy_action(self, observation: tf.Tensor) -> tf.Tensor:
        """Deterministic action `[B, action_dim]` in agent units (`EnvSpec`) for observations."""
        raise NotImplementedError

    def explore_action(self, observation: tf.Tensor) -> tf.Tensor:
        """Exploration action `[B, action_dim]` in agent units, drawn with the agent's generator."""
        raise NotImplementedError

    def policy_variables(self) -> list:
        """The variables `greedy_action` and `explore_action` read: the actor's (`self.actor`,
        made by the subclass) and the observation statistics'. What a learner sends to its
        collectors (`sac_tf.distributed`); the exploration state (OU noise) stays theirs."""
        variables = list(self.actor.variables)
        if self.observation_normalizer is not None:
            variables += list(self.observation_normalizer.variables)
        return variables

    def restart_exploration(self, episode_start) -> None:
        """Called with a bool mask `[num_envs]` of the envs starting an episode; agents with
        exploration state across steps (DDPG's OU noise) restart it there."""
