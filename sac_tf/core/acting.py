"""An agent's actions compiled once and called from numpy, as the driver and evaluations do."""

from typing import Callable, NamedTuple

import numpy as np
import tensorflow as tf

#: observations float32 `[B, obs_dim]` (or a nest of `[B, ...]` leaves) → flat agent
#: actions `[B, act_dim]` in [-1, 1].
NumpyActFn = Callable[[np.ndarray], np.ndarray]


def numpy_action_fn(action_fn: Callable[[tf.Tensor], tf.Tensor], observation_specs,
                    jit_compile: bool) -> NumpyActFn:
    """Compiles `action_fn` (`[B, obs_dim]` → `[B, act_dim]`) for calls from numpy.

    `observation_specs` is `EnvSpec.observation_specs` (an int `obs_dim` is taken as a
    flat `[None, obs_dim]`); a nest's leaves are passed flat, in `tf.nest` order.

    The compiled graph is called through `call_flat` of the concrete function's
    `inference_fn` with the captured variables passed flat: what calling the
    concrete function runs, without its structuring of inputs and outputs. A call
    costs about two thirds of a concrete-function call (135–172 µs against
    193–304 µs for SAC's HalfCheetah actor here) and it is paid once per env step.
    `call_flat` is a method of TensorFlow's implementation class, not of the public
    `tf.types.experimental.AtomicFunction` type, so where it is missing the concrete
    function is called instead.
    """
    if isinstance(observation_specs, int):
        observation_specs = tf.TensorSpec([None, observation_specs], tf.float32)
    concrete = tf.function(action_fn, jit_compile=jit_compile).get_concrete_function(
        observation_specs)
    call_flat = getattr(concrete.inference_fn, "call_flat", None)
    dtypes = [spec.dtype for spec in tf.nest.flatten(observation_specs)]
    leaves = lambda observation: [tf.constant(leaf, dtype) for leaf, dtype
                                  in zip(tf.nest.flatten(observation), dtypes)]
    if call_flat is None:
        return lambda observation: concrete(*tf.nest.pack_sequence_as(
            [observation_specs], leaves(observation))).numpy()
    captures = concrete.captured_inputs
    return lambda observation: call_flat(*leaves(observation), *captures)[0].numpy()


class CompiledActions(NamedTuple):
    """An agent's exploration and deterministic actions as `NumpyActFn`s."""

    explore: NumpyActFn
    greedy: NumpyActFn

    @classmethod
    def of(cls, agent, observation_specs, jit_compile: bool) -> "CompiledActions":
        """Compiles `agent.explore_action` and `agent.greedy_action` (`observation_specs`
        as `numpy_action_fn` takes them)."""
        return cls(numpy_action_fn(agent.explore_action, observation_specs, jit_compile),
                   numpy_action_fn(agent.greedy_action, observation_specs, jit_compile))
