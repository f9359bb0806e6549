r"""Runs an exported policy: returns as JSON, an annotated video, a reward plot.

    python -m sac_tf.evaluate --policy_dir=runs/pendulum/policy --episodes=10 --seed=100
    python -m sac_tf.evaluate --policy_dir=runs/pendulum/policy --episodes=1 \
        --video=pendulum.mp4 --plot_from=runs/pendulum

Loads the SavedModel with `tf.saved_model.load` (no agent is rebuilt; a
`--policy_dir=…/policy.tflite` runs the TFLite conversion through
`tf.lite.Interpreter` instead, a `--policy_dir=…/policy.onnx` onnxruntime) and runs
`--episodes` episodes of its deterministic `serving_default` action, episode
`i` reset with seed `--seed + i`. The last stdout line is a JSON object with
`return_mean`, `return_std`, `episodes` and `returns`.

`--video` writes an MP4 with one frame per env step: the frame rendered after
the step, annotated with the episode, the step number, that step's reward and
the episode's running return (the reset frame is not included).
`--plot_from=ROOT` draws `ROOT/eval.csv` to `--plot_file` (default
`ROOT/eval_returns.png`).
"""

import json
import pathlib

from sac_tf import tf_setup

tf_setup.import_tensorflow_quietly()

from absl import flags  # noqa: E402

from sac_tf import cli  # noqa: E402
from sac_tf.deploy.evaluation import evaluate_policy  # noqa: E402
from sac_tf.experiments.plots import plot_eval_returns  # noqa: E402

flags.DEFINE_string("policy_dir", None,
                    "An exported policy (e.g. ROOT/policy), or its policy.tflite or "
                    "policy.onnx.")
flags.DEFINE_string("env", None,
                    "Gymnasium id or import path to run in; default: the policy's env, made "
                    "with the env_kwargs it was trained with (given --env, none).")
flags.DEFINE_integer("episodes", 10, "Episodes to run.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Episode i is reset with seed + i.", lower_bound=0)
flags.DEFINE_string("video", None, "Write an annotated MP4 of all episodes here.")
flags.DEFINE_string("plot_from", None, "A run directory whose eval.csv to plot.")
flags.DEFINE_string("plot_file", None, "PNG for --plot_from; default ROOT/eval_returns.png.")
flags.mark_flag_as_required("policy_dir")


def main():
    plot = {}
    if flags.FLAGS.plot_from:  # first: a bad --plot_from fails before the episodes run
        root = pathlib.Path(flags.FLAGS.plot_from)
        plot["plot"] = str(plot_eval_returns(root, flags.FLAGS.plot_file
                                             or root / "eval_returns.png"))
    result = evaluate_policy(flags.FLAGS.policy_dir, episodes=flags.FLAGS.episodes,
                             seed=flags.FLAGS.seed, env_id=flags.FLAGS.env,
                             video=flags.FLAGS.video)
    print(json.dumps({**result, **plot}))


if __name__ == "__main__":
    cli.run(main)
