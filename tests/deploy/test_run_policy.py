"""A policy trained in mixed precision is exported from a float32 copy of its agent: every
agent kind pairs its policy variables one to one, and the copy acts as the trained agent
within bfloat16's rounding."""

from types import SimpleNamespace

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.agents import make_agent
from sac_tf.config.defaults import deterministic_pendulum_config
from sac_tf.deploy.run_policy import float32_copy
from tests.agents.test_mixed_precision import spec_of
from tests.agents.test_pixel_sac import SPEC as PIXEL_SPEC, image_batch
from tests.agents.test_sac import HYBRID_ID
from tests.conftest import small_pendulum_config


def bfloat16_state(agent_name, env_id, spec=None, **sac_fields):
    config = (small_pendulum_config(env_id=env_id) if agent_name == "sac"
              else deterministic_pendulum_config(agent_name))
    config.precision = "mixed_bfloat16"
    if sac_fields:
        config.sac.update(sac_fields)
    spec = spec or spec_of(env_id)
    return SimpleNamespace(config=config, spec=spec, agent=make_agent(config, spec))


@pytest.mark.parametrize("agent_name, env_id, fields", [
    ("sac", "Pendulum-v1", dict(normalize_observations=True, residual_blocks=1,
                                hidden_sizes=(32,))),
    ("sac", HYBRID_ID, {}),
    ("sac", "CartPole-v1", {}),
    ("ddpg", "Pendulum-v1", {}),
    ("sac", "pixels", {}),
], ids=["simba_normalised", "hybrid", "discrete", "ddpg", "pixels"])
def test_the_float32_copy_holds_the_policy_and_acts_as_trained(agent_name, env_id, fields):
    pixels = env_id == "pixels"
    state = bfloat16_state(agent_name, env_id, PIXEL_SPEC if pixels else None, **fields)
    observation = (image_batch(size=4).observation if pixels
                   else np.random.default_rng(0).normal(size=(4, state.spec.observation_dim))
                   .astype(np.float32))
    copy = float32_copy(state)
    assert {layer.compute_dtype for layer in copy.actor._flatten_layers()} == {"float32"}
    for mine, theirs in zip(copy.policy_variables(), state.agent.policy_variables(),
                            strict=True):
        assert mine.shape == theirs.shape and np.array_equal(mine.numpy(), theirs.numpy())
    trained = state.agent.greedy_action(observation)
    np.testing.assert_allclose(copy.greedy_action(observation), trained, atol=0.05)
    assert tf.as_dtype(copy.greedy_action(observation).dtype) == tf.float32
