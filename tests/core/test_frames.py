"""`FrameReplayBuffer`: stacks and next observations rebuilt from frames stored once, at
episode boundaries (a reset's stack repeats its first frame) and around both rings."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core.frames import FrameReplayBuffer
from sac_tf.core.types import Transition
from sac_tf.errors import UserError

K = 3
#: Every pixel and channel of a 2×3 RGB frame differs, so a swapped axis or a stack merged in
#: the wrong order (channels grouped before frames) changes the rebuilt observations.
PATTERN = np.arange(2 * 3 * 3).reshape(2, 3, 3) * 11
NEST = {"pixels": tf.TensorSpec((2, 3, 3 * K), tf.uint8, name="pixels"),
        "state": tf.TensorSpec((1,), tf.float32, name="state")}


class StackingEnv:
    """Env `e`'s frame at step t of episode j is 100·e + 10·j + t + `PATTERN` mod 256 (RGB);
    observations stack the last K frames on the channel axis, a reset repeating its first,
    as the DMC wrapper."""

    def __init__(self, env: int, length: int):
        self.env, self.length, self.episode, self.t = env, length, 0, 0
        self.frames = [self.frame()] * K

    def frame(self):
        return ((100 * self.env + 10 * self.episode + self.t + PATTERN) % 256).astype(np.uint8)

    def observation(self):
        return {"pixels": np.concatenate(self.frames, -1), "state": np.array([self.t], np.float32)}

    def step(self):
        """(observation, next observation, episode ended)."""
        observation = self.observation()
        self.t += 1
        self.frames = self.frames[1:] + [self.frame()]
        next_observation, ended = self.observation(), self.t == self.length
        if ended:
            self.episode, self.t = self.episode + 1, 0
            self.frames = [self.frame()] * K
        return observation, next_observation, ended


def fill(buffer, envs, steps):
    """`steps` vector steps; each row's reward names it: 1000·env + its row number."""
    expected = {}
    for step in range(steps):
        rows = [env.step() for env in envs]
        reward = np.array([1000 * env.env + step for env in envs], np.float32)
        for (observation, next_observation, _), value in zip(rows, reward):
            expected[value] = (observation["pixels"], next_observation["pixels"])
        stack = lambda part: {key: np.stack([row[part][key] for row in rows])
                              for key in ("pixels", "state")}
        buffer.add_batch(Transition(stack(0), np.zeros((len(envs), 1), np.float32), reward,
                                    stack(1), np.zeros(len(envs), np.float32)),
                         np.array([row[2] for row in rows]))
    return expected


@pytest.mark.parametrize("num_envs, length", [(1, 4), (2, 5), (3, 2), (1, 1)])
def test_sampled_stacks_are_the_envs_observations(num_envs, length):
    buffer = FrameReplayBuffer(NEST, 1, capacity=100, seed=0, frame_stack=K, num_envs=num_envs)
    envs = [StackingEnv(env, length) for env in range(num_envs)]
    expected = fill(buffer, envs, steps=12)
    batch = buffer.sample(400)
    for reward, pixels, next_pixels in zip(batch.reward.numpy(),
                                           batch.observation["pixels"].numpy(),
                                           batch.next_observation["pixels"].numpy()):
        np.testing.assert_array_equal(pixels, expected[reward][0])
        np.testing.assert_array_equal(next_pixels, expected[reward][1])
    assert set(batch.reward.numpy()) == set(expected)  # every row is drawn


def test_rows_whose_frames_were_overwritten_are_not_sampled():
    """Capacity 16 keeps 16 + 0 + 4 frames; one-step episodes add 4 frames each, so only
    the newest 5 rows keep all their frames, and only they are drawn, intact."""
    buffer = FrameReplayBuffer(NEST, 1, capacity=16, seed=0, frame_stack=K, num_envs=1)
    expected = fill(buffer, [StackingEnv(0, length=1)], steps=30)
    batch = buffer.sample(300)
    drawn = set(batch.reward.numpy().tolist())
    assert drawn == {25.0, 26.0, 27.0, 28.0, 29.0}
    for reward, pixels in zip(batch.reward.numpy(), batch.observation["pixels"].numpy()):
        np.testing.assert_array_equal(pixels, expected[reward][0])


def test_one_frame_a_step_plus_a_stack_per_episode():
    buffer = FrameReplayBuffer(NEST, 1, capacity=100, seed=0, frame_stack=K)
    fill(buffer, [StackingEnv(0, length=10)], steps=30)
    assert int(buffer._frames_written) == 30 + 3 * K


def test_a_checkpoint_restores_frames_and_a_restored_buffer_restarts_its_stacks(tmp_path):
    buffer = FrameReplayBuffer(NEST, 1, capacity=50, seed=0, frame_stack=K)
    fill(buffer, [StackingEnv(0, length=100)], steps=5)  # an episode in progress
    path = tf.train.Checkpoint(buffer=buffer).save(str(tmp_path / "ckpt"))
    restored = FrameReplayBuffer(NEST, 1, capacity=50, seed=1, frame_stack=K)
    tf.train.Checkpoint(buffer=restored).restore(path).assert_consumed()
    want, got = buffer.sample(8), restored.sample(8)  # the same generator state
    for name in ("pixels", "state"):
        np.testing.assert_array_equal(got.observation[name], want.observation[name])
        np.testing.assert_array_equal(got.next_observation[name], want.next_observation[name])
    restored.end_newest_episodes()
    fill(restored, [StackingEnv(0, length=100)], steps=1)  # a new episode: K + 1 frames
    assert int(restored._frames_written) == 5 + K + K + 1


def test_an_env_stacking_another_number_of_frames_is_refused():
    """Three frames of 2 channels, [a a b b c c] → [b b c c d d]: right for frame_stack=3,
    refused for frame_stack=2 (which would read frames of 3 channels)."""
    nest = {"pixels": tf.TensorSpec((2, 2, 6), tf.uint8, name="pixels")}
    image = lambda *frames: {"pixels": np.repeat(np.array(frames, np.uint8), 2)[None, None, None]
                             * np.ones((1, 2, 2, 6), np.uint8)}
    row = Transition(image(1, 2, 3), np.zeros((1, 1), np.float32), np.zeros(1, np.float32),
                     image(2, 3, 4), np.zeros(1, np.float32))
    FrameReplayBuffer(nest, 1, capacity=50, seed=0, frame_stack=3).add_batch(row)
    with pytest.raises(UserError, match="frame_stack"):
        FrameReplayBuffer(nest, 1, capacity=50, seed=0, frame_stack=2).add_batch(row)


def test_a_flush_larger_than_the_rings_is_written_in_chunks():
    buffer = FrameReplayBuffer(NEST, 1, capacity=16, seed=0, frame_stack=K)
    envs = [StackingEnv(0, length=100)]
    rows = [envs[0].step() for _ in range(40)]
    stack = lambda part: {"pixels": np.stack([row[part]["pixels"] for row in rows]),
                          "state": np.stack([row[part]["state"] for row in rows])}
    buffer.add_batch(Transition(stack(0), np.zeros((40, 1), np.float32),
                                np.arange(40, dtype=np.float32), stack(1),
                                np.zeros(40, np.float32)))
    batch = buffer.sample(200)
    for reward, pixels in zip(batch.reward.numpy().astype(int), batch.observation["pixels"]):
        np.testing.assert_array_equal(pixels, rows[reward][0]["pixels"])
    assert set(batch.reward.numpy().astype(int)) == set(range(24, 40))


def test_storage_bytes_are_the_bytes_of_the_buffers_variables():
    nest = {**NEST, "side": tf.TensorSpec((4, 5, 2 * K), tf.uint8, name="side")}
    buffer = FrameReplayBuffer(nest, 1, capacity=64, seed=0, frame_stack=K, num_envs=2)
    stored = sum(variable.numpy().nbytes for variable in buffer.variables)
    assert 0 <= stored - buffer.storage_bytes <= 64  # the counters and the generator's state
