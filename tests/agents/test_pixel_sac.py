"""SAC on image observations: the critics' conv stack is trained by the critic loss only;
the actor uses it detached, with a projection of its own (DrQ / SAC-AE)."""

import gymnasium as gym
import numpy as np
import tensorflow as tf

from sac_tf.core.specs import spec_from_spaces
from sac_tf.core.types import Transition
from tests.agents.test_sac import make_sac, values

SPACE = gym.spaces.Dict({"pixels": gym.spaces.Box(0, 255, (20, 20, 6), np.uint8)})
SPEC = spec_from_spaces(SPACE, gym.spaces.Box(-1.0, 1.0, (2,), np.float32))


def pixel_sac():
    return make_sac(SPEC, encoders={"pixels": "conv:8"})


def image_batch(size=16, seed=0):
    rng = np.random.default_rng(seed)
    images = lambda: {"pixels": rng.integers(0, 256, (size, 20, 20, 6), dtype=np.uint8)}
    return Transition(images(), rng.uniform(-1, 1, (size, 2)).astype(np.float32),
                      rng.normal(size=size).astype(np.float32), images(),
                      np.zeros(size, np.float32))


def test_the_actor_shares_the_critics_conv_stack_but_not_its_projection():
    agent = pixel_sac()
    critic_encoder = agent.critics.encoder.leaf_layers["pixels"]
    actor_encoder = agent.actor.encoder.leaf_layers["pixels"]
    assert actor_encoder.conv is critic_encoder.conv and actor_encoder.detach_conv
    assert actor_encoder.projection is not critic_encoder.projection
    assert agent.target_critics.encoder.leaf_layers["pixels"].conv is not critic_encoder.conv
    conv = {id(v) for v in critic_encoder.conv.trainable_variables}
    assert conv and not conv & {id(v) for v in agent.own_variables(agent.actor)}
    assert {id(v) for v in actor_encoder.projection.trainable_variables} <= {
        id(v) for v in agent.own_variables(agent.actor)}


def test_the_conv_stack_gets_the_critic_losss_gradient_and_not_the_actor_losss():
    agent, batch = pixel_sac(), image_batch()
    conv = agent.critics.encoder.leaf_layers["pixels"].conv.trainable_variables
    projection = agent.actor.encoder.leaf_layers["pixels"].projection.trainable_variables
    alpha = tf.exp(agent.log_alpha)
    with tf.GradientTape(persistent=True) as tape:
        actor_loss = agent.actor_loss(batch, alpha, 0.0)[0]
        q = agent.critic_values(batch)
        critic_loss = agent.critic_loss(q, agent.critic_target(batch, alpha))
    actor_conv = tape.gradient(actor_loss, conv)
    assert all(g is None or not np.any(g.numpy()) for g in actor_conv)
    assert all(np.any(g.numpy()) for g in tape.gradient(actor_loss, projection))
    assert all(g is not None and np.any(g.numpy()) for g in tape.gradient(critic_loss, conv))


def test_a_train_step_moves_the_conv_stack_and_the_target_follows():
    agent = pixel_sac()
    conv = agent.critics.encoder.leaf_layers["pixels"].conv.trainable_variables
    target_conv = agent.target_critics.encoder.leaf_layers["pixels"].conv.trainable_variables
    before, target_before = values(conv), values(target_conv)
    np.testing.assert_array_equal(before[0], target_before[0])  # targets start as copies
    agent.train(image_batch())
    assert all(np.any(a != b) for a, b in zip(values(conv), before))
    assert all(np.any(a != b) for a, b in zip(values(target_conv), target_before))
