"""A training run's policy, exported: what `train`, `compare`, `tune`, `export` and the
Python API pass to `sac_tf.run` (which does not export by itself)."""

import pathlib

from sac_tf.config import env_kwargs
from sac_tf.deploy.saved_policy import export_policy
from sac_tf.run.state import RunState


def export_run_policy(state: RunState, output_dir) -> pathlib.Path:
    """Writes the run's policy as a SavedModel (`sac_tf.deploy.saved_policy`) to `output_dir`,
    with the run's env, env kwargs, agent and env step as metadata; returns its path."""
    return export_policy(state.agent, state.spec, output_dir, env_id=state.config.env_id,
                         agent_name=state.config.agent, train_step=int(state.env_step),
                         env_kwargs=env_kwargs(state.config))
