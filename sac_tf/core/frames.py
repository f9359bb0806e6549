"""A replay buffer that stores each image frame once (pixel observations with frame stacks).

An image leaf (uint8 `[H, W, k · c]`: `k` stacked frames of `c` channels, oldest first)
would cost `2 · k` frames per transition stored as it is (observation and next
observation); here it costs one. Each env step adds one frame, the newest of its next
observation, to a ring of frames; the first step of an episode also adds its
observation's `k` frames (a reset repeats its first frame, `sac_tf.envs.dmc`). Each
transition keeps the sequence numbers of its `k + 1` frames: the observation is frames
0…k−1, the next observation frames 1…k, so stacks and next observations are rebuilt by
index when a batch is sampled, inside the fused learner. This follows DrQ-v2's replay
(frames of an episode stored once, stacks rebuilt at sampling) in a ring like SB3's
`optimize_memory_usage` (whose rows still hold whole stacks).

The frame ring holds `capacity + capacity // 32 + (k + 1) · num_envs` frames. Episode
starts add `k` frames, so with episodes shorter than about `32 · k` steps the oldest
transitions lose their frames before the rows are overwritten; such transitions are no
longer sampled (sampling is uniform over the transitions whose frames are all kept).

Bytes per transition (84×84×3 frames, k = 3, 1-D actions): 21,168 for the frame (× 1.03
for the ring's margin, plus `k` frames per episode start), 32 for the frame numbers, and
the float32 action, reward and terminated; other observation leaves as in `ReplayBuffer`.
"""

import numpy as np
import tensorflow as tf

from sac_tf.core import nests
from sac_tf.core.replay_buffer import ReplayBuffer
from sac_tf.core.types import Transition
from sac_tf.errors import UserError


def check_stacked(images, next_images, frame_stack: int) -> None:
    """Raises `UserError` unless each next observation's older frames are its observation's
    newer ones (`[B, H, W, k · c]` leaves): a stack of another depth would be rebuilt wrong."""
    for image, next_image in zip(images, next_images):
        channels = image.shape[-1] // frame_stack
        if frame_stack > 1 and not np.array_equal(image[..., channels:],
                                                  next_image[..., :-channels]):
            raise UserError(f"image observations do not stack {frame_stack} frames of "
                            f"{channels} channels on the last axis, oldest first: set "
                            f"config.frame_stack to the env's number of stacked frames")


class FrameReplayBuffer(ReplayBuffer):
    """`ReplayBuffer` whose image leaves are stored as frames once (module docstring).

    Rows must come in vector steps: row i of a batch is env `i % num_envs`'s transition.

    Args:
      observation_nest: the observation nest with at least one image leaf.
      action_dim, capacity, seed, num_envs: as `ReplayBuffer`'s.
      frame_stack: k, frames per image observation (1: no stacking).
    """

    def __init__(self, observation_nest, action_dim: int, capacity: int, seed: int,
                 frame_stack: int, num_envs: int = 1):
        self.images = nests.image_specs(observation_nest)
        if not self.images:
            raise ValueError("FrameReplayBuffer needs an image leaf (uint8 H×W×C)")
        for spec in self.images:
            if spec.shape[-1] % frame_stack:
                raise UserError(f"image leaf {spec.name!r} has {spec.shape[-1]} channels, not "
                                f"a multiple of frame_stack={frame_stack}")
        self.frame_stack = int(frame_stack)
        self.frame_capacity = int(capacity) + int(capacity) // 32 + (frame_stack + 1) * num_envs
        super().__init__(observation_nest, action_dim, capacity, seed, num_envs=num_envs)
        self._is_image = [nests.is_image(spec) for spec in nests.leaf_specs(observation_nest)]
        self._frames = [tf.Variable(tf.zeros((self.frame_capacity, *spec.shape[:2],
                                              spec.shape[2] // frame_stack), tf.uint8),
                                    trainable=False, name=f"frames/{spec.name}")
                        for spec in self.images]
        self._frame_ids = tf.Variable(tf.zeros((self.capacity, frame_stack + 1), tf.int64),
                                      trainable=False, name="frame_ids")
        self._frames_written = tf.Variable(0, dtype=tf.int64, trainable=False,
                                           name="frames_written")
        # per env: the frame numbers of its next observation, and whether it continues
        self._stacks = np.zeros((num_envs, frame_stack), np.int64)
        self._open = np.zeros(num_envs, bool)

    def stored_shape(self, leaf: tf.TensorSpec) -> tuple:
        return (1,) if nests.is_image(leaf) else tuple(leaf.shape)  # a byte: a placeholder

    def more_storage_bytes(self) -> int:
        frame_bytes = sum(int(np.prod(spec.shape)) // self.frame_stack for spec in self.images)
        return self.frame_capacity * frame_bytes + 8 * self.capacity * (self.frame_stack + 1)

    def add_batch(self, transition: Transition, episode_end=None) -> None:
        """Appends `[B]` transitions (whole vector steps), in chunks that fit both rings.

        Raises:
          UserError: when an observation's frames are not the previous ones shifted by one
            (the env stacks another number of frames than `frame_stack`).
        """
        batch = len(transition.reward)
        if batch % self.num_envs:
            raise ValueError(f"add whole vector steps of num_envs={self.num_envs} rows, "
                             f"got {batch}")
        ends = np.zeros(batch, bool) if episode_end is None else np.asarray(episode_end, bool)
        chunk = max(self.num_envs, self.capacity // (self.frame_stack + 1)
                    // self.num_envs * self.num_envs)
        if batch > chunk:
            for start in range(0, batch, chunk):
                rows = lambda column: column[start:start + chunk]
                self.add_batch(tf.nest.map_structure(rows, transition), ends[start:start + chunk])
            return
        images, next_images = (self._images_of(transition.observation),
                               self._images_of(transition.next_observation))
        check_stacked(images, next_images, self.frame_stack)
        new_frames, ids = [[] for _ in self.images], np.zeros((batch, self.frame_stack + 1),
                                                             np.int64)
        written = int(self._frames_written)

        def add_frame(leaves, row, index):  # appends frame `index` of row `row` of each image
            nonlocal written
            for frames, leaf in zip(new_frames, leaves):
                channels = leaf.shape[-1] // self.frame_stack
                frames.append(leaf[row, ..., index * channels:(index + 1) * channels])
            written += 1
            return written - 1

        for row in range(batch):
            env = row % self.num_envs
            if not self._open[env]:  # an episode's first step: its observation's frames
                self._stacks[env] = [add_frame(images, row, i) for i in range(self.frame_stack)]
            ids[row, :-1] = self._stacks[env]
            ids[row, -1] = add_frame(next_images, row, self.frame_stack - 1)
            self._stacks[env], self._open[env] = ids[row, 1:], not ends[row]
        rows = (int(self._next_index) + np.arange(batch)) % self.capacity
        slots = np.arange(int(self._frames_written), written) % self.frame_capacity
        for variable, frames in zip(self._frames, new_frames):
            variable.scatter_nd_update(slots[:, None], np.stack(frames))
        self._frame_ids.scatter_nd_update(rows[:, None], ids)
        self._frames_written.assign(written)

        def without_images(observation):  # the base class keeps one byte per image leaf
            leaves = [np.zeros((batch, 1), np.uint8) if image else leaf for leaf, image
                      in zip(tf.nest.flatten(observation), self._is_image)]
            return tf.nest.pack_sequence_as(observation, leaves)

        super().add_batch(transition._replace(
            observation=without_images(transition.observation),
            next_observation=without_images(transition.next_observation)), episode_end)

    def _images_of(self, observation) -> list:
        """The image leaves of an observation nest (`tf.nest` order) as uint8 arrays."""
        return [np.asarray(leaf, np.uint8) for leaf, image
                in zip(tf.nest.flatten(observation), self._is_image) if image]

    def draw_indices(self, batch_size: int) -> tf.Tensor:
        """Uniform over the stored rows whose frames are all still in the ring."""
        oldest_kept = self._frames_written - self.frame_capacity
        valid = ((tf.range(self.capacity, dtype=tf.int64) < self._size)
                 & (self._frame_ids[:, 0] >= oldest_kept))
        count = tf.cumsum(tf.cast(valid, tf.int64))
        draws = self._rng.uniform([batch_size], 0, count[-1], dtype=tf.int64)
        return tf.cast(tf.searchsorted(count, draws, side="right"), tf.int64)

    def sample(self, batch_size: int) -> Transition:
        indices = self.draw_indices(batch_size)
        rows = tf.nest.pack_sequence_as(self._structure(), [
            tf.gather(column, indices) for column in tf.nest.flatten(self._columns())])
        ids = tf.gather(self._frame_ids, indices) % self.frame_capacity  # [B, k + 1]
        stacks = [self._stack(tf.gather(frames, ids)) for frames in self._frames]
        return rows._replace(observation=self._with_images(rows.observation, stacks, 0),
                             next_observation=self._with_images(rows.next_observation,
                                                                stacks, 1))

    def _stack(self, frames):
        """`[B, k + 1, H, W, c]` → (observations, next observations) `[B, H, W, k · c]`."""
        frames = tf.transpose(frames, [0, 2, 3, 1, 4])  # [B, H, W, k + 1, c]
        shape = tf.shape(frames)
        merged = lambda part: tf.reshape(part, [shape[0], shape[1], shape[2], -1])
        return merged(frames[:, :, :, :-1]), merged(frames[:, :, :, 1:])

    def _with_images(self, observation, stacks, which: int):
        stacks = iter(stacks)
        leaves = [next(stacks)[which] if image else leaf for leaf, image
                  in zip(tf.nest.flatten(observation), self._is_image)]
        return tf.nest.pack_sequence_as(observation, leaves)

    def end_newest_episodes(self) -> None:
        """A restored run restarts its envs: their next rows start new stacks."""
        self._open[:] = False
