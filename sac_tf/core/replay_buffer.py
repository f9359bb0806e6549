"""A uniform ring replay buffer held in `tf.Variable`s.

Because the storage is made of variables, sampling runs inside the compiled
train step (no host round trip) and `tf.train.Checkpoint` saves and restores
the contents together with the networks. A nested observation (`sac_tf.core.nests`)
is stored as one variable per leaf, for observations and next observations alike.
"""

from typing import Callable, Optional

import numpy as np
import tensorflow as tf

from sac_tf.core.types import Transition


class ReplayBuffer(tf.Module):
    """Fixed-capacity FIFO storage of `Transition`s with uniform sampling.

    Args:
      observation_dim: size of one flat observation, or an observation nest (one
        `tf.TensorSpec` per leaf, `EnvSpec.observation_nest`): one variable per leaf.
      action_dim: size of one action.
      capacity: number of transitions kept; the oldest are overwritten first.
      seed: seed of the sampling generator (part of the checkpointed state).
    """

    def __init__(self, observation_dim, action_dim: int, capacity: int, seed: int):
        super().__init__(name="replay_buffer")
        if capacity < 1:
            raise ValueError(f"capacity must be positive, got {capacity}")
        self.capacity = int(capacity)

        def storage(name, *shape):
            return tf.Variable(tf.zeros((self.capacity, *shape), tf.float32),
                               trainable=False, name=name)

        def observations(name):
            if isinstance(observation_dim, int):
                return storage(name, observation_dim)
            return tf.nest.map_structure(
                lambda leaf: storage(f"{name}/{leaf.name}", *leaf.shape), observation_dim)

        self._observation = observations("observation")
        # the plain nest (tf.Module wraps tuples and dicts it holds; Keras refuses the wrappers)
        plain = tf.nest.map_structure(lambda _: 0, observation_dim)
        self._structure = lambda: Transition(plain, 0, 0, plain, 0)
        self._action = storage("action", action_dim)
        self._reward = storage("reward")
        self._next_observation = observations("next_observation")
        self._terminated = storage("terminated")
        self._next_index = tf.Variable(0, dtype=tf.int64, trainable=False, name="next_index")
        self._size = tf.Variable(0, dtype=tf.int64, trainable=False, name="size")
        self._rng = tf.random.Generator.from_seed(seed)
        spec = lambda *shape: tf.TensorSpec((None, *shape), tf.float32)
        rows = tf.nest.map_structure(lambda column: spec(*column.shape[1:]), self._observation)
        self._add_batch = tf.function(self._add_batch_graph, input_signature=[Transition(
            rows, spec(action_dim), spec(), rows, spec())])

    def _columns(self):
        return Transition(self._observation, self._action, self._reward,
                          self._next_observation, self._terminated)

    @property
    def size(self) -> tf.Tensor:
        """int64 scalar: number of transitions stored (at most `capacity`)."""
        return self._size.read_value()

    def add_batch(self, transition: Transition) -> None:
        """Appends `[B]` transitions, overwriting the oldest when full.

        `B` must not exceed `capacity`. Accepts numpy arrays or tensors.
        """
        transition = tf.nest.map_structure(lambda x: np.asarray(x, np.float32), transition)
        batch = transition.reward.shape[0]
        if batch > self.capacity:
            raise ValueError(f"batch of {batch} does not fit a buffer of {self.capacity}")
        self._add_batch(transition)

    def _add_batch_graph(self, transition: Transition):
        batch = tf.shape(transition.reward, out_type=tf.int64)[0]
        indices = (self._next_index + tf.range(batch)) % self.capacity
        for column, values in zip(tf.nest.flatten(self._columns()), tf.nest.flatten(transition)):
            column.scatter_nd_update(indices[:, None], values)
        self._next_index.assign((self._next_index + batch) % self.capacity)
        self._size.assign(tf.minimum(self._size + batch, self.capacity))

    def sample(self, batch_size: int) -> Transition:
        """Draws `batch_size` stored transitions uniformly, with replacement.

        Traceable: call it inside a `tf.function` train step. The caller must
        make sure the buffer is not empty.
        """
        indices = self._rng.uniform([batch_size], 0, self._size, dtype=tf.int64)
        return tf.nest.pack_sequence_as(self._structure(), [
            tf.gather(column, indices) for column in tf.nest.flatten(self._columns())])


def concatenate(transitions) -> Transition:
    """One numpy `Transition` of `[B_i]`-leading transitions, in order (`[Σ B_i]` leading)."""
    return tf.nest.map_structure(lambda *columns: np.concatenate(columns), *transitions)


class StagedWriter:
    """Driver observer that stages transitions on the host and writes them in one call.

    Each `ReplayBuffer.add_batch` is a TensorFlow call with a fixed cost, so
    writing every env step separately would cost more than the env step. Call
    `flush()` before training on the buffer.

    Args:
      replay_buffer: where the transitions go.
      on_write: called with each written batch (a numpy `Transition`, `[B]` leading),
        once per transition: the agent's `record_collected`.
    """

    def __init__(self, replay_buffer: ReplayBuffer,
                 on_write: Optional[Callable[[Transition], None]] = None):
        self.replay_buffer = replay_buffer
        self.on_write = on_write
        self._staged: list = []

    def __call__(self, transition: Transition, episode_end=None) -> None:
        self._staged.append(transition)

    def flush(self) -> None:
        """Writes every staged transition to the buffer, oldest first."""
        if self._staged:
            written = concatenate(self._staged)
            self.replay_buffer.add_batch(written)
            if self.on_write is not None:
                self.on_write(written)
            self._staged = []
