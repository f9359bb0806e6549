"""Against the loss of plasticity: periodic resets and regenerative regularisation.

With many updates per env step or long training, networks lose the ability to
fit new targets. Two remedies share one checkpointed copy of the networks'
initial weights (`InitialValues`):

- periodic resets (Nikishin et al. 2022; D'Oro et al. 2023): restore the
  initial weights and clear the optimisers' moments every few hundred thousand
  updates, keeping the replay buffer;
- regenerative regularisation, "L2 Init" (Kumar et al. 2023, "Maintaining
  Plasticity in Continual Learning via Regenerative Regularization"): add
  λ ‖θ − θ₀‖² to each network's loss, pulling its weights towards their initial
  draw instead of towards 0 as weight decay does.
"""

from typing import Sequence

import keras
import tensorflow as tf


def floating(variables: Sequence[tf.Variable]) -> list:
    """The floating-point ones of `variables` (integer state, such as batch renorm's call
    counter, is left out)."""
    return [variable for variable in variables if tf.as_dtype(variable.dtype).is_floating]


class InitialValues(tf.Module):
    """Copies of `variables`' values at construction, as tf.Variables (checkpointed).

    Args:
      variables: the variables to remember, in any order.
    """

    def __init__(self, variables: Sequence[tf.Variable], name: str = "initial_values"):
        super().__init__(name=name)
        self._variables = list(variables)
        self.values = [tf.Variable(tf.convert_to_tensor(variable), trainable=False,
                                   name="initial") for variable in self._variables]

    def restore(self) -> None:
        """Assigns every variable its initial value."""
        for variable, initial in zip(self._variables, self.values):
            variable.assign(initial)

    def squared_distance(self) -> tf.Tensor:
        """‖θ − θ₀‖², summed over the trainable variables: a float32 scalar."""
        return tf.add_n([tf.reduce_sum(tf.square(variable - initial))
                         for variable, initial in zip(self._variables, self.values)
                         if variable.trainable])


def regenerative_penalty(initial: InitialValues, rate: float) -> tf.Tensor:
    """L2 Init's penalty λ ‖θ − θ₀‖² (`rate` λ), whose gradient is 2λ (θ − θ₀)."""
    return rate * initial.squared_distance()


class PeriodicReset(tf.Module):
    """Every `interval` calls of `step`, restores every snapshot in `snapshots`.

    The agent's snapshots cover the floating-point variables of the networks,
    targets and temperatures and the optimisers' variables: weights go back to
    their initial draw, Adam's step counter and moments to zero and its learning
    rate to what it was, so Adam restarts its bias correction. Integer state
    (batch renorm's call counters) keeps counting, so the warm-up is not rerun.
    The snapshots and the call counter are tf.Variables, checkpointed with the
    agent; `step` is traceable and works inside the compiled learner loop.

    Args:
      interval: calls between resets (> 0).
      snapshots: `InitialValues` to restore.
    """

    def __init__(self, interval: int, snapshots: Sequence[InitialValues],
                 name: str = "periodic_reset"):
        super().__init__(name=name)
        if interval < 1:
            raise ValueError(f"reset interval must be positive, got {interval}")
        self.interval = interval
        self.calls = tf.Variable(0, dtype=tf.int64, trainable=False, name="calls")
        self.snapshots = list(snapshots)

    def step(self):
        """Counts one call; on every `interval`-th, resets."""
        self.calls.assign_add(1)
        if self.calls % self.interval == 0:
            for snapshot in self.snapshots:
                snapshot.restore()


def optimizer_variables(optimizers: Sequence[keras.optimizers.Optimizer]) -> list:
    """Every variable of built Keras `optimizers` (step counters, moments, learning rates)."""
    return [variable for optimizer in optimizers for variable in optimizer.variables]
