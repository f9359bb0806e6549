"""A minimal SAC update in plain TF2, fused in one XLA call: the in-run ceiling of throughput.py.

The same math and shapes as sac_tf's default SAC (Haarnoja et al. 2018b: twin 256×256
critics with Polyak targets, a 256×256 tanh-Gaussian actor, learned α with target entropy
−|A|, Adam 3e-4, batch 256), written in a few dozen lines with nothing but the update: no
agent options, no metrics beyond the loss, the replay buffer a set of variables filled with
random transitions. `updates_per_s` times `num_updates` updates per compiled call, as
sac_tf's learner fuses them (20 per call by default); an env-steps/s figure at one update
per env step cannot exceed it, since it leaves out the env, acting and buffer writes.
"""

import math
import time

import keras
import tensorflow as tf

LOG_STD_MIN, LOG_STD_MAX = -20.0, 2.0


def mlp(output_size: int) -> keras.Sequential:
    return keras.Sequential([keras.layers.Dense(256, "relu"), keras.layers.Dense(256, "relu"),
                             keras.layers.Dense(output_size)])


class MinimalSac(tf.Module):
    """SAC's update on random data of `obs_dim`-dim observations and `act_dim`-dim actions."""

    def __init__(self, obs_dim: int, act_dim: int, buffer_size: int = 100_000,
                 batch_size: int = 256, seed: int = 0):
        super().__init__()
        keras.utils.set_random_seed(seed)
        self.batch_size, self.act_dim = batch_size, act_dim
        self.actor = mlp(2 * act_dim)
        self.critics = [mlp(1), mlp(1)]
        self.targets = [mlp(1), mlp(1)]
        observation, action = tf.zeros([1, obs_dim]), tf.zeros([1, act_dim])
        self.actor(observation)
        for critic, target in zip(self.critics, self.targets):
            critic(tf.concat([observation, action], -1))
            target(tf.concat([observation, action], -1))
            target.set_weights(critic.get_weights())
        self.log_alpha = tf.Variable(0.0)
        self.critic_variables = [v for critic in self.critics for v in critic.trainable_variables]
        self.optimizers = [keras.optimizers.Adam(3e-4) for _ in range(3)]
        for optimizer, variables in zip(self.optimizers, (self.critic_variables,
                                                          self.actor.trainable_variables,
                                                          [self.log_alpha])):
            optimizer.build(variables)
        self.rng = tf.random.Generator.from_seed(seed)
        random = lambda *shape: tf.Variable(self.rng.normal([buffer_size, *shape]))
        self.buffer = (random(obs_dim), tf.Variable(tf.tanh(self.rng.normal([buffer_size,
                                                                              act_dim]))),
                       random(), random(obs_dim), tf.Variable(tf.zeros([buffer_size])))
        self.run = tf.function(self._run, jit_compile=True)

    def policy(self, observation):
        """A reparameterised tanh-Gaussian action `[B, A]` and its log-probability `[B]`."""
        mean, log_std = tf.split(self.actor(observation), 2, axis=-1)
        log_std = tf.clip_by_value(log_std, LOG_STD_MIN, LOG_STD_MAX)
        noise = self.rng.normal(tf.shape(mean))
        pre_tanh = mean + tf.exp(log_std) * noise
        log_prob = tf.reduce_sum(-0.5 * noise ** 2 - log_std - 0.5 * math.log(2 * math.pi)
                                 - 2.0 * (math.log(2.0) - pre_tanh - tf.nn.softplus(-2.0 * pre_tanh)),
                                 axis=-1)
        return tf.tanh(pre_tanh), log_prob

    def q(self, networks, observation, action):
        inputs = tf.concat([observation, action], -1)
        return tf.reduce_min(tf.concat([network(inputs) for network in networks], -1), -1)

    def update(self):
        index = self.rng.uniform([self.batch_size], 0, self.buffer[0].shape[0], tf.int64)
        observation, action, reward, next_observation, done = (
            tf.gather(column, index) for column in self.buffer)
        alpha = tf.exp(self.log_alpha)
        next_action, next_log_prob = self.policy(next_observation)
        target = tf.stop_gradient(reward + 0.99 * (1.0 - done) * (
            self.q(self.targets, next_observation, next_action) - alpha * next_log_prob))
        with tf.GradientTape() as tape:
            inputs = tf.concat([observation, action], -1)
            critic_loss = sum(0.5 * tf.reduce_mean((critic(inputs)[:, 0] - target) ** 2)
                              for critic in self.critics)
        self.optimizers[0].apply_gradients(zip(tape.gradient(critic_loss, self.critic_variables),
                                               self.critic_variables))
        with tf.GradientTape() as tape:
            new_action, log_prob = self.policy(observation)
            actor_loss = tf.reduce_mean(alpha * log_prob - self.q(self.critics, observation,
                                                                  new_action))
        variables = self.actor.trainable_variables
        self.optimizers[1].apply_gradients(zip(tape.gradient(actor_loss, variables), variables))
        with tf.GradientTape() as tape:
            alpha_loss = -tf.reduce_mean(self.log_alpha * tf.stop_gradient(log_prob - self.act_dim))
        self.optimizers[2].apply_gradients([(tape.gradient(alpha_loss, self.log_alpha),
                                             self.log_alpha)])
        for critic, target in zip(self.critics, self.targets):
            for target_variable, variable in zip(target.variables, critic.variables):
                target_variable.assign(0.995 * target_variable + 0.005 * variable)
        return critic_loss

    def _run(self, num_updates):
        loss = tf.constant(0.0)
        for _ in tf.range(num_updates):
            loss = self.update()
        return loss


def updates_per_s(obs_dim: int, act_dim: int, num_updates: int = 20, calls: int = 100,
                  warmup_calls: int = 5) -> float:
    """Updates per second of `MinimalSac`, `num_updates` per compiled call, after warm-up."""
    sac = MinimalSac(obs_dim, act_dim)
    count = tf.constant(num_updates)
    for _ in range(warmup_calls):
        sac.run(count).numpy()
    start = time.perf_counter()
    for _ in range(calls):
        sac.run(count).numpy()
    return calls * num_updates / (time.perf_counter() - start)
