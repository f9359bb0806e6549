"""A training run's policy, exported: what `train`, `compare`, `tune`, `export` and the
Python API pass to `sac_tf.run` (which does not export by itself)."""

import pathlib

from sac_tf.agents import OffPolicyAgent, make_agent
from sac_tf.config import env_kwargs
from sac_tf.deploy.saved_policy import export_policy
from sac_tf.run.state import RunState


def export_run_policy(state: RunState, output_dir) -> pathlib.Path:
    """Writes the run's policy as a SavedModel (`sac_tf.deploy.saved_policy`) to `output_dir`,
    with the run's env, env kwargs, agent and env step as metadata; returns its path.
    A policy trained in mixed precision is exported as `float32_copy` computes it."""
    agent = state.agent
    if state.config.get("precision", "float32") != "float32":
        agent = float32_copy(state)
    return export_policy(agent, state.spec, output_dir, env_id=state.config.env_id,
                         agent_name=state.config.agent, train_step=int(state.env_step),
                         env_kwargs=env_kwargs(state.config))


def float32_copy(state: RunState) -> OffPolicyAgent:
    """The run's agent rebuilt in float32 with its policy's weights (actor, observation
    statistics; all float32 whatever the precision): what an exported policy computes, as
    TFLite and onnxruntime have no bfloat16 matmuls. Its actions differ from the trained
    network's by the low precision's rounding (bfloat16: 8 significant bits); its random
    generator and exploration noise state (DDPG's Ornstein-Uhlenbeck) start afresh."""
    config = state.config.copy_and_resolve_references()
    config.precision = "float32"
    copy = make_agent(config, state.spec, dict(state.agent.encoders))
    for target, source in zip(copy.policy_variables(), state.agent.policy_variables(),
                              strict=True):
        target.assign(source)
    return copy
