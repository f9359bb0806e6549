"""`PeriodicReset` in an agent: initial weights and optimiser state come back, seeds do not;
regenerative regularisation: λ ‖θ − θ₀‖² and its gradient, in the agent's losses."""

import numpy as np
import tensorflow as tf

from sac_tf.agents.plasticity import InitialValues, regenerative_penalty
from tests.agents.test_sac import fixed_batch, make_sac, perturb, values


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


def test_regenerative_penalty_value_and_gradient():
    """L2 Init (Kumar et al. 2023): λ Σ ‖θ − θ₀‖², gradient 2λ (θ − θ₀); non-trainable
    variables are remembered (for resets) but not penalised."""
    kernel = tf.Variable([[1.0, -2.0], [0.5, 3.0]])
    bias = tf.Variable([0.1, 0.2])
    frozen = tf.Variable([5.0], trainable=False)
    initial = InitialValues([kernel, bias, frozen])
    kernel.assign_add([[1.0, 0.0], [0.0, -2.0]])
    bias.assign([0.0, 0.0])
    frozen.assign([-5.0])
    with tf.GradientTape() as tape:
        penalty = regenerative_penalty(initial, 0.1)
    np.testing.assert_allclose(penalty.numpy(), 0.1 * (1.0 + 4.0 + 0.01 + 0.04), rtol=1e-6)
    kernel_grad, bias_grad = tape.gradient(penalty, [kernel, bias])
    np.testing.assert_allclose(kernel_grad.numpy(), 0.2 * np.array([[1.0, 0.0], [0.0, -2.0]]),
                               rtol=1e-6)
    np.testing.assert_allclose(bias_grad.numpy(), 0.2 * np.array([-0.1, -0.2]), rtol=1e-6)
    initial.restore()
    np.testing.assert_array_equal(frozen.numpy(), [5.0])


def test_regeneration_adds_its_penalty_to_the_actor_and_critic_losses():
    agent = make_sac(regen_rate=0.5)
    plain = make_sac()
    perturb(agent.actor.variables + agent.critics.variables, seed=1)  # away from θ₀
    for mine, theirs in zip(plain.actor.variables + plain.critics.variables,
                            agent.actor.variables + agent.critics.variables):
        mine.assign(theirs)  # the same networks and generator, without the penalty
    np.testing.assert_array_equal(plain.rng.state.numpy(), agent.rng.state.numpy())
    critic_penalty = 0.5 * agent.initial_critics.squared_distance().numpy()
    actor_penalty = 0.5 * agent.initial_actor.squared_distance().numpy()
    assert critic_penalty > 0 and actor_penalty > 0
    q, target = tf.ones([2, 4]), tf.zeros([4])
    np.testing.assert_allclose(agent.critic_loss(q, target).numpy(),
                               plain.critic_loss(q, target).numpy() + critic_penalty, rtol=1e-5)
    batch = fixed_batch()
    regen_loss = agent.actor_loss(batch, 1.0, 0.0)[0].numpy()
    plain_loss = plain.actor_loss(batch, 1.0, 0.0)[0].numpy()
    np.testing.assert_allclose(regen_loss, plain_loss + actor_penalty, rtol=1e-4)


def test_regeneration_and_resets_share_one_copy_of_the_initial_weights():
    agent = make_sac(regen_rate=0.1, reset_interval=3)
    assert agent.periodic_reset.snapshots[:2] == [agent.initial_actor, agent.initial_critics]
    plain = make_sac()
    assert plain.initial_actor is None and plain.periodic_reset is None
