"""Fuses replay sampling and N agent updates into one compiled call."""

import contextlib

import tensorflow as tf

from sac_tf.core.precision import elementwise_fusion
from sac_tf.core.replay_buffer import ReplayBuffer
from sac_tf.core.types import LossInfo


class Learner:
    """Runs `num_updates` × (sample a batch, `agent.train(batch)`) per call.

    The loop is a `tf.range` inside one `tf.function` (XLA-compiled when
    `jit_compile`), so many updates cost one host round trip.

    Args:
      agent: the agent to train: anything with `train(batch) -> LossInfo` (an
        `sac_tf.agents.OffPolicyAgent`).
      replay_buffer: where batches are sampled from, inside the compiled call.
      batch_size: transitions per update.
      jit_compile: compile the fused loop with XLA.
      augment: applied to each sampled batch inside the compiled call (DrQ's random shift,
        `sac_tf.core.augmentation`), or None.
      fuse_elementwise: run each call inside `elementwise_fusion` (`learner_compile="fused"`:
        a graph whose elementwise ops XLA fuses; with `jit_compile` False).
    """

    def __init__(self, agent, replay_buffer: ReplayBuffer, batch_size: int,
                 jit_compile: bool, augment=None, fuse_elementwise: bool = False):
        self.agent = agent
        self.replay_buffer = replay_buffer
        self.batch_size = batch_size
        self.augment = augment
        self.fuse_elementwise = fuse_elementwise
        self._run = tf.function(self._run_updates, jit_compile=jit_compile)

    def _run_updates(self, num_updates):
        info = self.agent.zero_loss_info()
        for _ in tf.range(num_updates):
            batch = self.replay_buffer.sample(self.batch_size)
            info = self.agent.train(batch if self.augment is None else self.augment(batch))
        return info

    def run(self, num_updates: int) -> LossInfo:
        """Performs `num_updates` updates; returns the last one's `LossInfo`."""
        if int(self.replay_buffer.size) == 0:
            raise ValueError("cannot train on an empty replay buffer")
        with elementwise_fusion() if self.fuse_elementwise else contextlib.nullcontext():
            return self._run(tf.constant(num_updates, tf.int32))
