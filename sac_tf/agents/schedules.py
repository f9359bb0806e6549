"""Learning-rate schedules of the agents' optimisers: constant, linear or cosine decay.

With `initial` the configured rate, `floor` a fraction of it, `T` the updates to decay over
and `t` the optimiser's own update count (checkpointed, so a resumed run continues the
schedule where it stopped):

  constant: lr(t) = initial
  linear:   lr(t) = initial · (1 − (1 − floor) · min(t, T) / T)
  cosine:   lr(t) = initial · (floor + (1 − floor) · ½ (1 + cos(π · min(t, T) / T)))
            (Loshchilov & Hutter 2017, "SGDR", one cycle without restarts)

T is counted in the optimiser's own steps: an actor updated once every d critic updates
(`actor_update_interval`, TD3's `policy_delay`) decays over T / d of them. A periodic reset
(`reset_interval`) restores the optimisers, their step counts included, so each reset
restarts the schedules (a warm restart).
"""

from typing import Optional, Union

import keras

SCHEDULES = ("constant", "linear", "cosine")


def check_schedule(name: str, kind: str, floor: float, decay_updates: Optional[int]) -> None:
    """Raises `ValueError` for an unknown `kind` (of the field `name`), a floor outside
    [0, 1] or a decaying schedule without a positive `decay_updates`."""
    if kind not in SCHEDULES:
        raise ValueError(f"{name} must be one of {SCHEDULES}, got {kind!r}")
    if kind != "constant":
        if not 0.0 <= floor <= 1.0:
            raise ValueError(f"lr_floor must be in [0, 1] (a fraction of the initial rate), "
                             f"got {floor}")
        if decay_updates is None or decay_updates < 1:
            raise ValueError(f"lr_decay_updates must be at least 1, got {decay_updates}")


def learning_rate(initial: float, kind: str, floor: float = 0.0,
                  decay_updates: Optional[int] = None
                  ) -> Union[float, keras.optimizers.schedules.LearningRateSchedule]:
    """What an optimiser takes as its learning rate: `initial` itself for "constant" (so a
    constant-rate agent builds the optimiser it always did), else a Keras schedule of the
    optimiser's update count with the module docstring's formula."""
    if kind == "constant":
        return initial
    if kind == "linear":
        return keras.optimizers.schedules.PolynomialDecay(
            initial, decay_updates, end_learning_rate=initial * floor, power=1.0)
    return keras.optimizers.schedules.CosineDecay(initial, decay_updates, alpha=floor)


def current_learning_rate(optimizer: keras.optimizers.Optimizer) -> float:
    """The rate `optimizer` applies at its next update."""
    rate = optimizer.learning_rate
    return float(rate.numpy() if hasattr(rate, "numpy") else rate)
