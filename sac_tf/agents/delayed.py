"""Delayed updates: TD3's actor and targets, REDQ's and DroQ's actor and temperature."""

from typing import Callable, Dict, Sequence

import tensorflow as tf


class DelayedUpdate(tf.Module):
    """Runs an update on every `interval`-th call, inside a traced train step.

    The calls in between run nothing and return the latest run's results, held
    in variables, so the metrics a train step reports always come from a real
    update (zeros before the first one).

    Args:
      interval: calls per update; 1 runs it on every call.
      names: the float32 scalar results the update returns, by name.
    """

    def __init__(self, interval: int, names: Sequence[str], name: str = "delayed_update"):
        super().__init__(name=name)
        if interval < 1:
            raise ValueError(f"an update delay must be at least 1, got {interval}")
        self.interval = interval
        #: every call so far, checkpointed so a resumed run keeps its phase.
        self.calls = tf.Variable(0, dtype=tf.int64, trainable=False, name="calls")
        self.latest = {result: tf.Variable(0.0, trainable=False, name=f"latest_{result}")
                       for result in names}

    def __call__(self, update: Callable[[], Dict[str, tf.Tensor]]) -> Dict[str, tf.Tensor]:
        """Counts this call and runs `update` when the count is a multiple of `interval`;
        returns its results, or the latest ones."""
        self.calls.assign_add(1)

        def run():
            results = update()
            for result, value in results.items():
                self.latest[result].assign(value)
            return results

        if self.interval == 1:
            return run()
        return tf.cond(self.calls % self.interval == 0, run,
                       lambda: {result: variable.read_value()
                                for result, variable in self.latest.items()})
