r"""Exports the policy of a run's latest checkpoint as a SavedModel.

    python -m sac_tf.export --root_dir=runs/pendulum            # → runs/pendulum/policy
    python -m sac_tf.export --root_dir=runs/pendulum --output=/tmp/pendulum_policy
    python -m sac_tf.export --root_dir=runs/pendulum --tflite   # adds policy/policy.tflite
    python -m sac_tf.export --root_dir=runs/pendulum --onnx     # adds policy/policy.onnx

Rebuilds the agent from `ROOT/config.json`, restores the newest checkpoint in
`ROOT/checkpoints/` and writes the policy with `sac_tf.deploy.run_policy.export_run_policy`.
Prints the output directory and train step as a JSON line.
"""

import json
import pathlib

from sac_tf import tf_setup

tf_setup.import_tensorflow_quietly()

from absl import flags  # noqa: E402

from sac_tf import cli  # noqa: E402
from sac_tf.deploy.onnx_policy import check_onnx_export_available, convert_to_onnx  # noqa: E402
from sac_tf.deploy.run_policy import export_run_policy  # noqa: E402
from sac_tf.deploy.tflite_policy import convert_to_tflite  # noqa: E402
from sac_tf.run.run_dir import POLICY_DIR  # noqa: E402
from sac_tf.run.state import RunState  # noqa: E402

flags.DEFINE_string("root_dir", None, "Run directory written by `python -m sac_tf.train`.")
flags.DEFINE_string("output", None, "Where to write the policy; default ROOT/policy.")
flags.DEFINE_bool("tflite", False, "Also write policy.tflite (the deterministic action).")
flags.DEFINE_bool("onnx", False, "Also write policy.onnx (the deterministic action; needs "
                  'pip install ".[onnx]").')
flags.mark_flag_as_required("root_dir")


def main():
    values = flags.FLAGS
    if values.onnx:  # before the export replaces policy/ (and any earlier conversions in it)
        check_onnx_export_available()
    state = RunState.restore(values.root_dir, with_replay_buffer=False)
    policy_dir = export_run_policy(state, values.output or pathlib.Path(values.root_dir) / POLICY_DIR)
    result = {"policy_dir": str(policy_dir), "train_step": int(state.env_step)}
    if values.tflite:
        result["tflite"] = str(convert_to_tflite(policy_dir))
    if values.onnx:
        result["onnx"] = str(convert_to_onnx(policy_dir))
    print(json.dumps(result))


if __name__ == "__main__":
    cli.run(main)
