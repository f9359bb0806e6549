"""A uniform ring replay buffer held in `tf.Variable`s.

Because the storage is made of variables, sampling runs inside the compiled
train step (no host round trip) and `tf.train.Checkpoint` saves and restores
the contents together with the networks. A nested observation (`sac_tf.core.nests`)
is stored as one variable per leaf, for observations and next observations alike.
"""

from typing import Callable, Optional

import numpy as np
import tensorflow as tf

from sac_tf.core.memory import require_free_memory
from sac_tf.core.nstep import window_rows
from sac_tf.core.types import NStepTransition, Transition


class ReplayBuffer(tf.Module):
    """Fixed-capacity FIFO storage of `Transition`s with uniform sampling.

    Args:
      observation_dim: size of one flat observation, or an observation nest (one
        `tf.TensorSpec` per leaf, `EnvSpec.observation_nest`): one variable per leaf.
      action_dim: size of one action.
      capacity: number of transitions kept; the oldest are overwritten first.
      seed: seed of the sampling generator (part of the checkpointed state).
      n_step: > 1 samples n-step windows (`sac_tf.core.nstep`) as `NStepTransition`s and
        stores a per-row `episode_end` flag (one more float32 per transition); 1: today's
        one-step `Transition`s and variables.
      gamma: the discount of the n-step sums (only read with `n_step > 1`).
      num_envs: rows per vector step, the stride from a row to its env's next transition.
      stored_windows: with `n_step > 1`, the writer computes the windows (hindsight
        relabelling, whose copies are not stored beside their episode's next steps):
        `add_batch` takes `NStepTransition`s and a `discount` column (one float32 per
        transition) replaces `episode_end`; sampling gathers rows as they were written.

    Raises:
      MemoryError: before allocating, when the variables' bytes (`storage_bytes`) exceed
        90 % of the free memory (`sac_tf.core.memory.require_free_memory`).
    """

    def __init__(self, observation_dim, action_dim: int, capacity: int, seed: int,
                 n_step: int = 1, gamma: float = 0.99, num_envs: int = 1,
                 stored_windows: bool = False):
        super().__init__(name="replay_buffer")
        if capacity < 1:
            raise ValueError(f"capacity must be positive, got {capacity}")
        self.capacity = int(capacity)
        if n_step < 1:
            raise ValueError(f"n_step must be at least 1, got {n_step}")
        self.n_step, self.gamma, self.num_envs = int(n_step), float(gamma), int(num_envs)
        if stored_windows and self.n_step == 1:
            raise ValueError("stored_windows needs n_step > 1")
        self.stored_windows = bool(stored_windows)
        leaves = ([tf.TensorSpec([observation_dim])] if isinstance(observation_dim, int)
                  else tf.nest.flatten(observation_dim))
        observation_bytes = sum(int(np.prod(self.stored_shape(leaf))) * leaf.dtype.size
                                for leaf in leaves)
        float32_columns = action_dim + 2 + int(self.n_step > 1)  # reward, terminated, extra
        self.storage_bytes = (self.capacity * (2 * observation_bytes + 4 * float32_columns)
                              + self.more_storage_bytes())
        require_free_memory(self.storage_bytes,
                            f"the replay buffer ({self.capacity:,} transitions)")

        def storage(name, *shape, dtype=tf.float32):
            return tf.Variable(tf.zeros((self.capacity, *shape), dtype),
                               trainable=False, name=name)

        def observations(name):  # uint8 leaves (images) are stored as bytes
            if isinstance(observation_dim, int):
                return storage(name, observation_dim)
            return tf.nest.map_structure(lambda leaf: storage(
                f"{name}/{leaf.name}", *self.stored_shape(leaf), dtype=leaf.dtype),
                observation_dim)

        self._observation = observations("observation")
        # the plain nest (tf.Module wraps tuples and dicts it holds; Keras refuses the wrappers)
        plain = tf.nest.map_structure(lambda _: 0, observation_dim)
        self._structure = lambda: Transition(plain, 0, 0, plain, 0)
        self._action = storage("action", action_dim)
        self._reward = storage("reward")
        self._next_observation = observations("next_observation")
        self._terminated = storage("terminated")
        sampled_windows = self.n_step > 1 and not self.stored_windows
        self._episode_end = storage("episode_end") if sampled_windows else None
        self._discount = storage("discount") if self.stored_windows else None
        self._next_index = tf.Variable(0, dtype=tf.int64, trainable=False, name="next_index")
        self._size = tf.Variable(0, dtype=tf.int64, trainable=False, name="size")
        self._rng = tf.random.Generator.from_seed(seed)
        spec = lambda *shape, dtype=tf.float32: tf.TensorSpec((None, *shape), dtype)
        rows = tf.nest.map_structure(lambda column: spec(*column.shape[1:], dtype=column.dtype),
                                     self._observation)
        self._add_batch = tf.function(self._add_batch_graph, input_signature=[Transition(
            rows, spec(action_dim), spec(), rows, spec())] + [spec()] * (self.n_step > 1))

    def stored_shape(self, leaf: tf.TensorSpec) -> tuple:
        """The row shape a leaf's variables store (a subclass that keeps a leaf elsewhere
        stores a placeholder)."""
        return tuple(leaf.shape)

    def more_storage_bytes(self) -> int:
        """Bytes of a subclass's storage beyond the columns (counted in `storage_bytes`, the
        bytes of all the buffer's variables, checked against the free memory first)."""
        return 0

    def _extra_column(self):
        """The per-row column beyond `Transition`'s: `episode_end`, `discount` or None."""
        return self._discount if self.stored_windows else self._episode_end

    def _columns(self):
        return Transition(self._observation, self._action, self._reward,
                          self._next_observation, self._terminated)

    @property
    def size(self) -> tf.Tensor:
        """int64 scalar: number of transitions stored (at most `capacity`)."""
        return self._size.read_value()

    def add_batch(self, transition: Transition, episode_end=None) -> None:
        """Appends `[B]` transitions, overwriting the oldest when full.

        A batch larger than the ring keeps only its newest rows, as adding them one by one
        would (with `n_step > 1`, whole vector steps of them: HER's relabelled copies can
        make a flush larger than a small buffer). Accepts numpy arrays or tensors.
        `episode_end` `[B]` (terminated or truncated; None: all False) is kept only with
        `n_step > 1`, whose windows need the rows in vector steps of `num_envs`, env by env.
        With `stored_windows`, `transition` is an `NStepTransition` (rows in any order).
        """
        transition = self._as_stored(transition)
        batch = transition.reward.shape[0]
        strided = self.n_step > 1 and not self.stored_windows
        if batch > self.capacity:
            keep = self.capacity - (self.capacity % self.num_envs if strided else 0)
            transition = tf.nest.map_structure(lambda column: column[batch - keep:], transition)
            if episode_end is not None:
                episode_end = np.asarray(episode_end)[batch - keep:]
            batch = keep
        if self.n_step == 1:
            self._add_batch(transition)
            return
        if self.stored_windows:
            if not isinstance(transition, NStepTransition):
                raise ValueError("a stored_windows buffer takes NStepTransitions (its writer's "
                                 f"windows), got {type(transition).__name__}")
            self._add_batch(Transition(*transition[:5]), transition.discount)
            return
        if batch % self.num_envs:
            raise ValueError(f"with n_step > 1, add whole vector steps: a multiple of "
                             f"num_envs={self.num_envs} rows, got {batch}")
        ends = np.zeros(batch, np.float32) if episode_end is None else episode_end
        self._add_batch(transition, np.asarray(ends, np.float32).reshape(batch))

    def _as_stored(self, transition):
        """Numpy columns of the storage's dtypes (a `discount` column: float32)."""
        columns, leaves = tf.nest.flatten(self._columns()), tf.nest.flatten(transition)
        dtypes = [column.dtype.as_numpy_dtype for column in columns]
        dtypes += [np.float32] * (len(leaves) - len(columns))
        return tf.nest.pack_sequence_as(
            transition, [np.asarray(leaf, dtype) for leaf, dtype in zip(leaves, dtypes)])

    def _add_batch_graph(self, transition: Transition, extra=None):
        batch = tf.shape(transition.reward, out_type=tf.int64)[0]
        indices = (self._next_index + tf.range(batch)) % self.capacity
        for column, values in zip(tf.nest.flatten(self._columns()), tf.nest.flatten(transition)):
            column.scatter_nd_update(indices[:, None], values)
        if extra is not None:
            self._extra_column().scatter_nd_update(indices[:, None], extra)
        self._next_index.assign((self._next_index + batch) % self.capacity)
        self._size.assign(tf.minimum(self._size + batch, self.capacity))

    def sample(self, batch_size: int) -> Transition:
        """Draws `batch_size` stored transitions uniformly, with replacement.

        Traceable: call it inside a `tf.function` train step. The caller must
        make sure the buffer is not empty.
        """
        indices = self.draw_indices(batch_size)
        if self._episode_end is not None:
            return self._sample_windows(indices)
        rows = tf.nest.pack_sequence_as(self._structure(), [
            tf.gather(column, indices) for column in tf.nest.flatten(self._columns())])
        if self.stored_windows:
            return NStepTransition(*rows, discount=tf.gather(self._discount, indices))
        return rows

    def draw_indices(self, batch_size: int) -> tf.Tensor:
        """int64 `[batch_size]` row slots, uniform over the stored rows."""
        return self._rng.uniform([batch_size], 0, self._size, dtype=tf.int64)

    def _sample_windows(self, indices) -> NStepTransition:
        newest = (self._next_index - 1) % self.capacity
        last, reward, terminated, discount = window_rows(
            indices, self.n_step, self.num_envs, newest, self.capacity, self._reward,
            self._terminated, self._episode_end, self.gamma)
        plain = self._structure().observation

        def rows_of(columns, rows):  # a plain nest of the rows `rows` of each leaf
            return tf.nest.pack_sequence_as(
                plain, [tf.gather(column, rows) for column in tf.nest.flatten(columns)])

        return NStepTransition(
            rows_of(self._observation, indices), tf.gather(self._action, indices), reward,
            rows_of(self._next_observation, last), terminated, discount)

    def end_newest_episodes(self) -> None:
        """Marks the newest vector step's rows as episode ends (a restored run restarts its
        envs, so what it writes next does not continue them). Only with sampled n-step
        windows (`n_step > 1` without `stored_windows`; stored ones were cut by their writer)."""
        rows = min(self.num_envs, int(self._size))
        if self._episode_end is not None and rows:
            indices = (self._next_index - 1 - tf.range(rows, dtype=tf.int64)) % self.capacity
            self._episode_end.scatter_nd_update(indices[:, None], tf.ones([rows]))


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
        self._staged_ends: list = []  # each staged transition's episode_end mask

    def __call__(self, transition: Transition, episode_end=None) -> None:
        self._staged.append(transition)
        batch = len(transition.reward)
        self._staged_ends.append(np.zeros(batch, bool) if episode_end is None
                                 else np.broadcast_to(np.asarray(episode_end, bool), (batch,)))

    def flush(self) -> None:
        """Writes every staged transition to the buffer, oldest first."""
        if self._staged:
            written = concatenate(self._staged)
            self.replay_buffer.add_batch(written, np.concatenate(self._staged_ends))
            if self.on_write is not None:
                self.on_write(written)
            self._staged, self._staged_ends = [], []
