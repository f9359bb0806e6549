"""What every off-policy actor-critic agent here shares.

Critic ensembles with target copies, the Bellman target, the critic regression
step, Polyak averaging, Adam optimisers and gradient steps, a checkpointed
random generator and the acting interface. Subclasses write their own losses
in `train`.
"""

from typing import Sequence

import keras
import tensorflow as tf

from sac_tf.networks import CriticEnsemble
from sac_tf.specs import EnvSpec
from sac_tf.types import LossInfo, Transition


def polyak_update(targets: Sequence[tf.Variable], sources: Sequence[tf.Variable], tau: float):
    """target ← (1 − tau) · target + tau · source, variable by variable."""
    for target, source in zip(targets, sources):
        target.assign((1.0 - tau) * target + tau * source)


def build_with_copy(network: keras.Model, target: keras.Model, *inputs):
    """Builds `network` and `target` on `inputs` and copies the weights into `target`."""
    network(*inputs)
    target(*inputs)
    for target_variable, variable in zip(target.variables, network.variables):
        target_variable.assign(variable)


def built_adam(variables: Sequence[tf.Variable], learning_rate: float,
               name: str) -> keras.optimizers.Adam:
    """An Adam optimiser with its slots already created for `variables` (so it checkpoints)."""
    optimizer = keras.optimizers.Adam(learning_rate, name=name)
    optimizer.build(variables)
    return optimizer


def minimize(optimizer: keras.optimizers.Optimizer, tape: tf.GradientTape, loss: tf.Tensor,
             variables: Sequence[tf.Variable]) -> None:
    """One `optimizer` step on `loss`, recorded on `tape`, over `variables`."""
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))


class OffPolicyAgent(tf.Module):
    """Base of SAC, DDPG and TD3.

    Actions are normalised to [-1, 1]; observations are flat float32 vectors.

    Args:
      spec: the environment's `EnvSpec`.
      hidden_sizes: widths of the critic MLPs.
      num_critics: size of the critic ensemble (2 = twin critics).
      critic_layer_norm: layer-normalise the critics' hidden layers (DroQ).
      critic_dropout_rate: dropout in the critics' hidden layers during training (DroQ).
      critic_lr: Adam learning rate of the critics.
      gamma: discount factor per step.
      tau: Polyak coefficient of the target networks.
      seed: seed of the agent's own random generator.
    """

    #: Names of the scalars in `LossInfo.extra`, in order.
    metric_names: tuple = ()

    def __init__(self, spec: EnvSpec, *, hidden_sizes: Sequence[int], num_critics: int,
                 critic_lr: float, gamma: float, tau: float, seed: int, name: str,
                 critic_layer_norm: bool = False, critic_dropout_rate: float = 0.0):
        super().__init__(name=name)
        self.spec = spec
        self.gamma = gamma
        self.tau = tau
        self.rng = tf.random.Generator.from_seed(seed)
        critic_options = dict(layer_norm=critic_layer_norm, dropout_rate=critic_dropout_rate)
        self.critics = CriticEnsemble(num_critics, hidden_sizes, name="critics", **critic_options)
        self.target_critics = CriticEnsemble(num_critics, hidden_sizes, name="target_critics",
                                             **critic_options)
        build_with_copy(self.critics, self.target_critics, *self._dummy_inputs())
        self.critic_optimizer = built_adam(self.critics.trainable_variables, critic_lr,
                                           name="critic_adam")

    def _dummy_inputs(self):
        return (tf.zeros((1, self.spec.observation_dim)), tf.zeros((1, self.spec.action_dim)))

    def next_seed(self) -> tf.Tensor:
        """A fresh int32 `[2]` stateless seed from the agent's generator."""
        return tf.cast(self.rng.make_seeds(1)[:, 0], tf.int32)

    def td_target(self, batch: Transition, next_value: tf.Tensor) -> tf.Tensor:
        """Bellman target `r + γ (1 − terminated) V(s')`, `[B]`, without gradient."""
        return tf.stop_gradient(
            batch.reward + self.gamma * (1.0 - batch.terminated) * next_value)

    def train_critics(self, batch: Transition, target: tf.Tensor) -> tuple:
        """One Adam step on ½ Σ_critics mean_batch (Q_i(s, a) − target)².

        Returns:
          (critic loss, mean Q over critics and batch), float32 scalars.
        """
        with tf.GradientTape() as tape:
            q = self.critics(batch.observation, batch.action, training=True)
            loss = 0.5 * tf.reduce_sum(tf.reduce_mean(tf.square(q - target[None]), axis=1))
        minimize(self.critic_optimizer, tape, loss, self.critics.trainable_variables)
        return loss, tf.reduce_mean(q)

    def update_targets(self):
        polyak_update(self.target_critics.variables, self.critics.variables, self.tau)

    def zero_loss_info(self) -> LossInfo:
        """A `LossInfo` of zeros with the structure that `train` returns."""
        return LossInfo(tf.constant(0.0), {name: tf.constant(0.0) for name in self.metric_names})

    def train(self, batch: Transition) -> LossInfo:
        """One update of every network from `batch` (traceable)."""
        raise NotImplementedError

    def greedy_action(self, observation: tf.Tensor) -> tf.Tensor:
        """Deterministic action `[B, act_dim]` in [-1, 1] for `[B, obs_dim]` observations."""
        raise NotImplementedError

    def explore_action(self, observation: tf.Tensor) -> tf.Tensor:
        """Exploration action `[B, act_dim]` in [-1, 1], drawn with the agent's generator."""
        raise NotImplementedError
