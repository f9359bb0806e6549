"""Mixed precision in every agent: hidden layers compute in bfloat16 (float16 with loss
scaling), while variables, optimiser slots, network outputs, log-probabilities, α and the
losses stay float32; an update moves the networks."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sac_tf.agents import make_agent
from sac_tf.config.defaults import deterministic_pendulum_config
from sac_tf.core.types import Transition
from sac_tf.envs.making import env_spec, make_env
from tests.agents.test_pixel_sac import SPEC as PIXEL_SPEC, image_batch
from tests.agents.test_sac import HYBRID_ID
from tests.conftest import small_pendulum_config

VARIANTS = {
    "sac": {},
    "crossq": dict(batch_renorm=True, target_networks=False, batch_renorm_warmup=1),
    "droq": dict(critic_layer_norm=True, critic_dropout_rate=0.01),
    "simba": dict(residual_blocks=1, hidden_sizes=(32,), normalize_observations=True),
    "tqc": dict(num_quantiles=5, num_critics=3, quantiles_to_drop=1),
    "normformer_moe": dict(extra_layer_norm=True, moe_experts=2, moe_tokens=4),
}


def spec_of(env_id):
    env = make_env(env_id)
    try:
        return env_spec(env)
    finally:
        env.close()


def batch_for(spec, size=16, seed=0):
    rng = np.random.default_rng(seed)
    observation = rng.normal(size=(size, spec.observation_dim)).astype(np.float32)
    action = rng.uniform(-1, 1, (size, spec.action_dim)).astype(np.float32)
    if spec.is_discrete:  # one-hot actions
        action = np.eye(spec.action_dim, dtype=np.float32)[rng.integers(spec.action_dim, size=size)]
    return Transition(observation, action, rng.normal(size=size).astype(np.float32),
                      observation[::-1].copy(), np.zeros(size, np.float32))


def agent_with(precision, agent="sac", env_id="Pendulum-v1", spec=None, **fields):
    config = (small_pendulum_config(env_id=env_id) if agent == "sac"
              else deterministic_pendulum_config(agent))
    config[agent].update(fields)
    config.precision = precision
    return make_agent(config, spec or spec_of(env_id))


def compute_dtypes(model) -> set:
    return {layer.compute_dtype for layer in model._flatten_layers() if layer.weights}


def every_variable(agent) -> list:
    """The agent's own variables (α, counters) and those of its Keras networks and optimisers
    (Adam's slots; a loss-scaling optimiser's inner one too): `tf.Module.variables` does not
    reach into Keras 3 layers and optimisers."""
    variables = list(agent.variables)
    for part in vars(agent).values():
        if isinstance(part, keras.optimizers.LossScaleOptimizer):
            variables += part.inner_optimizer.variables
        if isinstance(part, (keras.layers.Layer, keras.optimizers.Optimizer)):
            variables += part.variables
    return variables


def assert_float32_state(agent):
    """Every floating variable float32, but the observation statistics (float64, always);
    the critics' weights and both Adam moments of each are among those checked."""
    statistics = {id(v) for v in getattr(agent.observation_normalizer, "variables", ())}
    checked = [v for v in every_variable(agent)
               if tf.as_dtype(v.dtype).is_floating and id(v) not in statistics]
    assert {tf.as_dtype(v.dtype) for v in checked} == {tf.float32}
    critic_state = [v for v in [*agent.critics.variables, *agent.critic_optimizer.variables]
                    if tf.as_dtype(v.dtype).is_floating]  # not the step counter
    assert {id(v) for v in critic_state} <= {id(v) for v in checked}


def trained_once(agent, batch):
    before = [v.numpy() for v in agent.critics.trainable_variables]
    info = tf.function(agent.train, jit_compile=False)(batch)
    moved = [not np.array_equal(b, v.numpy())
             for b, v in zip(before, agent.critics.trainable_variables)]
    return info, moved


@pytest.mark.parametrize("fields", VARIANTS.values(), ids=VARIANTS.keys())
def test_sac_hidden_layers_compute_in_bfloat16_and_the_rest_stays_float32(fields):
    keras.utils.set_random_seed(0)
    agent = agent_with("mixed_bfloat16", **fields)
    spec = agent.spec
    assert "bfloat16" in compute_dtypes(agent.critics) and "bfloat16" in compute_dtypes(agent.actor)
    assert agent.critics.body.layers[-1].compute_dtype == "float32"  # the output layer
    assert agent.actor.head.compute_dtype == "float32"
    batch = batch_for(spec)
    q = agent.critics(batch.observation, batch.action)
    policy = agent.actor(batch.observation)
    action, log_prob = policy.sample_and_log_prob(seed=tf.constant([1, 2]))
    assert (q.dtype, policy.loc.dtype, log_prob.dtype) == (tf.float32,) * 3
    info, moved = trained_once(agent, batch)
    assert {value.dtype for value in [info.loss, *info.extra.values()]} == {tf.float32}
    assert all(np.isfinite(value.numpy()) for value in [info.loss, *info.extra.values()])
    assert all(moved)
    assert_float32_state(agent)  # variables, optimiser slots, α, statistics


@pytest.mark.parametrize("agent_name, env_id", [("td3", "Pendulum-v1"), ("ddpg", "Pendulum-v1"),
                                                ("sac", "CartPole-v1"), ("sac", HYBRID_ID)])
def test_ddpg_td3_discrete_and_hybrid_sac_train_in_bfloat16(agent_name, env_id):
    agent = agent_with("mixed_bfloat16", agent=agent_name, env_id=env_id)
    assert "bfloat16" in compute_dtypes(agent.actor) and "bfloat16" in compute_dtypes(agent.critics)
    heads = (agent.actor.head, agent.critics.body.layers[-1])
    assert {head.compute_dtype for head in heads} == {"float32"}
    info, moved = trained_once(agent, batch_for(agent.spec))
    assert all(np.isfinite(value.numpy()) for value in info.extra.values()) and all(moved)
    assert_float32_state(agent)


def test_the_pixel_encoder_computes_in_bfloat16():
    config = small_pendulum_config()
    config.precision = "mixed_bfloat16"
    agent = make_agent(config, PIXEL_SPEC)
    conv = agent.critic_conv_stacks()["pixels"]
    assert conv.compute_dtype == "bfloat16"
    batch = image_batch()
    assert agent.critics.encoder(batch.observation).dtype == tf.float32
    info, moved = trained_once(agent, batch)
    assert np.isfinite(info.extra["critic_loss"].numpy()) and all(moved)


def test_float16_scales_the_loss_and_unscales_the_gradients():
    agent = agent_with("mixed_float16")  # the config check (a GPU) is the run's, not the agent's
    reference = agent_with("float32")
    for role in ("critic", "actor", "alpha"):
        optimizer = getattr(agent, f"{role}_optimizer")
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer), role
    assert "float16" in compute_dtypes(agent.critics)
    for network in ("actor", "critics", "target_critics"):  # the same weights
        for mine, theirs in zip(getattr(agent, network).variables,
                                getattr(reference, network).variables, strict=True):
            mine.assign(theirs)
    scale = float(agent.critic_optimizer.dynamic_scale.numpy())
    info, moved = trained_once(agent, batch_for(agent.spec))
    trained_once(reference, batch_for(agent.spec))
    assert np.isfinite(info.extra["critic_loss"].numpy()) and all(moved)
    assert float(agent.critic_optimizer.dynamic_scale.numpy()) == scale > 1e3  # finite: kept
    # Adam's first moment is (1 − β1)·gradient: the unscaled one, as float32's within float16's
    # rounding (a scaling left in would show as a factor of `scale`). Measured as the whole
    # vector's relative error: single small entries differ by float16's rounding of the
    # activations, which depends on the CPU's kernels.
    mine, float32s = [np.concatenate([m.numpy().ravel() for m in optimizer._momentums])
                      for optimizer in (agent.critic_optimizer.inner_optimizer,
                                        reference.critic_optimizer)]
    assert np.linalg.norm(mine - float32s) <= 0.02 * np.linalg.norm(float32s)


def test_float16_skips_a_step_whose_gradients_are_not_finite_and_halves_the_scale():
    agent = agent_with("mixed_float16")
    batch = batch_for(agent.spec)
    batch = batch._replace(reward=np.full_like(batch.reward, np.nan))  # a NaN critic loss
    scale = float(agent.critic_optimizer.dynamic_scale.numpy())
    info, moved = trained_once(agent, batch)
    assert not np.isfinite(info.extra["critic_loss"].numpy())
    assert not any(moved)  # the critics' weights as they were
    assert float(agent.critic_optimizer.dynamic_scale.numpy()) == scale / 2


def test_a_float32_first_layer_sees_the_observation_unrounded():
    agent = agent_with("mixed_bfloat16", **VARIANTS["crossq"])
    observation = tf.constant([[100.0] * 3, [100.2] * 3, [100.3] * 3])  # bfloat16: 100, 100, 100.5
    agent.actor(observation, training=True)
    input_renorm = agent.actor.torso.layers[0]
    assert input_renorm.compute_dtype == "float32"
    variance = np.var([100.0, 100.2, 100.3], dtype=np.float32)
    np.testing.assert_allclose(input_renorm.moving_variance.numpy(), 0.99 + 0.01 * variance,
                               rtol=1e-6)


def test_float32_builds_no_low_precision_layer_and_no_loss_scaling():
    agent = agent_with("float32", **VARIANTS["crossq"])
    assert compute_dtypes(agent.critics) == compute_dtypes(agent.actor) == {"float32"}
    assert not isinstance(agent.critic_optimizer, keras.optimizers.LossScaleOptimizer)
