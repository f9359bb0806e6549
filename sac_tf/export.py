r"""Exports the policy of a run's latest checkpoint as a SavedModel.

    python -m sac_tf.export --root_dir=runs/pendulum            # → runs/pendulum/policy
    python -m sac_tf.export --root_dir=runs/pendulum --output=/tmp/pendulum_policy

Rebuilds the agent from `ROOT/config.json`, restores the newest checkpoint in
`ROOT/checkpoints/` and writes the policy with `sac_tf.saved_policy.export_policy`.
Prints the output directory and train step as a JSON line.
"""

import json
import pathlib

from sac_tf import tf_setup

tf_setup.import_tensorflow_quietly()

import ml_collections  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import flags  # noqa: E402

from sac_tf import cli  # noqa: E402
from sac_tf.agents import make_agent  # noqa: E402
from sac_tf.checkpoints import Checkpointer  # noqa: E402
from sac_tf.envs import env_spec, make_env  # noqa: E402
from sac_tf.errors import UserError  # noqa: E402
from sac_tf.saved_policy import export_policy  # noqa: E402

flags.DEFINE_string("root_dir", None, "Run directory written by `python -m sac_tf.train`.")
flags.DEFINE_string("output", None, "Where to write the policy; default ROOT/policy.")


def read_run_config(root_dir: pathlib.Path) -> ml_collections.ConfigDict:
    """The config a run was trained with (`ROOT/config.json`)."""
    path = root_dir / "config.json"
    if not path.is_file():
        raise UserError(f"{root_dir} is not a training run directory (no config.json)")
    try:
        return ml_collections.ConfigDict(json.loads(path.read_text()))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UserError(f"cannot read {path}: {error}") from None


def export_latest_checkpoint(root_dir, output_dir=None) -> dict:
    """Restores the newest checkpoint under `root_dir` and exports its policy.

    Returns:
      `{"policy_dir": ..., "train_step": ...}`.
    """
    root_dir = pathlib.Path(root_dir)
    config = read_run_config(root_dir)
    spec = env_spec(make_env(config.env_id))
    agent = make_agent(config, spec)
    env_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="env_step")
    checkpointer = Checkpointer(root_dir / "checkpoints", agent=agent, env_step=env_step)
    if not checkpointer.restore_latest(partial=True):
        raise UserError(f"no checkpoint in {root_dir / 'checkpoints'} to export")
    policy_dir = export_policy(agent, spec, output_dir or root_dir / "policy",
                               env_id=config.env_id, agent_name=config.agent,
                               train_step=int(env_step))
    return {"policy_dir": str(policy_dir), "train_step": int(env_step)}


def main(argv):
    if len(argv) > 1:
        raise UserError(f"unexpected arguments: {' '.join(argv[1:])}")
    if not flags.FLAGS.root_dir:
        raise UserError("--root_dir is required")
    print(json.dumps(export_latest_checkpoint(flags.FLAGS.root_dir, flags.FLAGS.output)))


if __name__ == "__main__":
    cli.run(main)
