"""Periodic resets against the loss of plasticity (Nikishin et al. 2022; D'Oro et al. 2023).

With many updates per env step, networks lose the ability to fit new targets;
restoring their initial weights and clearing the optimisers' moments every
few hundred thousand updates, while keeping the replay buffer, recovers it.
"""

from typing import Sequence

import keras
import tensorflow as tf


class PeriodicReset(tf.Module):
    """Every `interval` calls of `step`, restores variables to their values at construction.

    The floating-point variables of the networks and the optimisers' variables
    are restored together: weights to their initial draw, Adam's step counter
    and moments to zero and its learning rate to what it was, so Adam restarts
    its bias correction. Integer state (batch renorm's call counters) keeps
    counting, so the warm-up is not rerun. The snapshot and the call counter are
    tf.Variables, checkpointed with the agent; `step` is traceable and works
    inside the compiled learner loop.

    Args:
      interval: calls between resets (> 0).
      variables: the network variables to reset (networks, targets, temperature).
      optimizers: built Keras optimisers whose state is reset.
    """

    def __init__(self, interval: int, variables: Sequence[tf.Variable],
                 optimizers: Sequence[keras.optimizers.Optimizer], name: str = "periodic_reset"):
        super().__init__(name=name)
        if interval < 1:
            raise ValueError(f"reset interval must be positive, got {interval}")
        self.interval = interval
        self.calls = tf.Variable(0, dtype=tf.int64, trainable=False, name="calls")
        self._targets = [variable for variable in variables if tf.as_dtype(variable.dtype).is_floating]
        self._targets += [variable for optimizer in optimizers for variable in optimizer.variables]
        self.initial_values = [tf.Variable(tf.convert_to_tensor(variable), trainable=False,
                                           name="initial") for variable in self._targets]

    def step(self):
        """Counts one call; on every `interval`-th, resets."""
        self.calls.assign_add(1)
        if self.calls % self.interval == 0:
            self.reset()

    def reset(self):
        for variable, initial in zip(self._targets, self.initial_values):
            variable.assign(initial)
