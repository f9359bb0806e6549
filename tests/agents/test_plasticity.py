"""`PeriodicReset` in an agent: initial weights and optimiser state come back, seeds do not."""

import numpy as np
import tensorflow as tf

from tests.agents.test_sac import fixed_batch, make_sac, values


def test_periodic_reset_restores_initial_weights_and_optimiser_state():
    agent = make_sac(reset_interval=3)
    initial = values(agent.actor.variables + agent.critics.variables + [agent.log_alpha])
    train = tf.function(agent.train)
    batch = fixed_batch()
    train(batch)
    train(batch)
    moved = values(agent.actor.variables + agent.critics.variables + [agent.log_alpha])
    assert not all(np.allclose(a, b) for a, b in zip(initial, moved))
    assert int(agent.actor_optimizer.iterations) == 2
    train(batch)                             # the third update ends with a reset
    after = values(agent.actor.variables + agent.critics.variables + [agent.log_alpha])
    for start, now in zip(initial, after):
        np.testing.assert_array_equal(start, now)
    critic_count = len(agent.critics.variables)
    actor_count = len(agent.actor.variables)
    for start, target in zip(initial[actor_count:actor_count + critic_count],
                             values(agent.target_critics.variables)):
        np.testing.assert_array_equal(start, target)
    for optimizer in (agent.actor_optimizer, agent.critic_optimizer, agent.alpha_optimizer):
        assert int(optimizer.iterations) == 0
        moments = [v for v in optimizer.variables
                   if "momentum" in v.path or "velocity" in v.path]
        assert moments and all(not np.any(variable.numpy()) for variable in moments)
    train(batch)                             # and learning starts again
    assert int(agent.periodic_reset.calls) == 4
    relearned = values(agent.actor.variables + agent.critics.variables + [agent.log_alpha])
    assert not all(np.allclose(a, b) for a, b in zip(initial, relearned))


def test_no_integer_state_is_left_to_keep_counting_through_a_reset():
    """Dropout masks are stateless and batch renorm (whose call counter a reset would keep)
    refuses resets, so a reset restores every variable of the networks it covers."""
    agent = make_sac(reset_interval=2, critic_dropout_rate=0.1, critic_layer_norm=True)
    assert all(tf.as_dtype(v.dtype).is_floating
               for v in agent.actor.variables + agent.critics.variables)
