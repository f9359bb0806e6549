"""`numpy_action_fn`: the flat call runs the same compiled function as the concrete one."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core.acting import numpy_action_fn


class NoisyPolicy(tf.Module):
    """A policy with state that every call changes: a generator and a counter."""

    def __init__(self):
        super().__init__()
        self.rng = tf.random.Generator.from_seed(7)
        self.calls = tf.Variable(0.0)
        self.kernel = tf.Variable(np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2))

    def act(self, observation):
        self.calls.assign_add(1.0)
        noise = self.rng.normal(tf.shape(observation[:, :2]))
        return tf.tanh(observation @ self.kernel + 0.1 * noise + 0.01 * self.calls)


@pytest.mark.parametrize("jit_compile", [True, False])
def test_flat_calls_match_concrete_calls_and_update_the_state(jit_compile):
    observations = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    flat, reference = NoisyPolicy(), NoisyPolicy()
    act = numpy_action_fn(flat.act, 3, jit_compile)
    concrete = tf.function(reference.act, jit_compile=jit_compile).get_concrete_function(
        tf.TensorSpec([None, 3], tf.float32))
    for _ in range(3):
        np.testing.assert_array_equal(act(observations), concrete(observations).numpy())
    assert float(flat.calls) == 3.0
    flat.kernel.assign(flat.kernel * 2.0)  # an in-place weight change is seen
    reference.kernel.assign(reference.kernel * 2.0)
    np.testing.assert_array_equal(act(observations[:1]), concrete(observations[:1]).numpy())
