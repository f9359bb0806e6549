"""Rebuilding a run's agent from its directory: `config.json` plus the latest checkpoint."""

import pathlib

import tensorflow as tf

from sac_tf.agents import make_agent
from sac_tf.run.checkpoints import Checkpointer
from sac_tf.run.state import CHECKPOINT_DIR, read_run_config, read_run_spec
from sac_tf.config import env_kwargs
from sac_tf.errors import UserError
from sac_tf.deploy.saved_policy import convert_to_tflite, export_policy


def restore_agent(root_dir) -> tuple:
    """Builds the run's agent and restores it from the newest checkpoint (no replay buffer).

    Returns:
      (config, `EnvSpec`, agent, env steps trained).

    Raises:
      UserError: for a directory without a run or without a readable checkpoint.
    """
    config = read_run_config(root_dir)
    spec = read_run_spec(root_dir, config)
    agent = make_agent(config, spec)
    env_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="env_step")
    checkpointer = Checkpointer(pathlib.Path(root_dir) / CHECKPOINT_DIR, agent=agent,
                                env_step=env_step)
    if not checkpointer.restore_latest():
        raise UserError(f"no checkpoint in {checkpointer.directory} to restore")
    return config, spec, agent, int(env_step)


def export_latest_checkpoint(root_dir, output_dir=None, tflite: bool = False) -> dict:
    """Exports the policy of the newest checkpoint under `root_dir` (default to `ROOT/policy`).

    Returns:
      `{"policy_dir": ..., "train_step": ...}`, plus `"tflite"` (a `policy.tflite`
      in the policy directory) when `tflite`.
    """
    config, spec, agent, train_step = restore_agent(root_dir)
    policy_dir = export_policy(agent, spec, output_dir or pathlib.Path(root_dir) / "policy",
                               env_id=config.env_id, agent_name=config.agent,
                               train_step=train_step, env_kwargs=env_kwargs(config))
    result = {"policy_dir": str(policy_dir), "train_step": train_step}
    if tflite:
        result["tflite"] = str(convert_to_tflite(policy_dir))
    return result
