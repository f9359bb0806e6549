r"""Size and per-call latency of one policy in its three export formats, side by side.

    python -m sac_tf.export --root_dir=runs/pendulum --tflite --onnx
    python benchmarks/policy_formats.py --policy_dir=runs/pendulum/policy

Loads `POLICY_DIR` (SavedModel, `serving_default` called as a concrete
function), `POLICY_DIR/policy.tflite` (`tf.lite.Interpreter`, through the
signature runner) and `POLICY_DIR/policy.onnx` (onnxruntime, CPU), checks that
their actions agree, then times `--calls` calls of each at every batch size,
`--rounds` times in alternating order (a drift of the machine's speed reaches
every format). Prints the median and range over rounds of the time per call.
"""

import pathlib
import statistics
import time

import numpy as np
from absl import app, flags, logging

flags.DEFINE_string("policy_dir", None, "An exported policy with policy.tflite and policy.onnx.")
flags.DEFINE_list("batch_sizes", ["1", "256"], "Observations per call.")
flags.DEFINE_integer("calls", 300, "Calls per timing.", lower_bound=1)
flags.DEFINE_integer("rounds", 5, "Alternating rounds.", lower_bound=1)
flags.mark_flag_as_required("policy_dir")
FLAGS = flags.FLAGS


def directory_size(path: pathlib.Path) -> int:
    """Bytes of a SavedModel: `saved_model.pb` and `variables/` (not the other exports)."""
    files = [path / "saved_model.pb", *sorted((path / "variables").glob("*"))]
    return sum(file.stat().st_size for file in files)


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)
    import sac_tf  # noqa: F401  (quiet TensorFlow import)
    from sac_tf.deploy.evaluation import load_policy_fn

    policy_dir = pathlib.Path(FLAGS.policy_dir)
    formats = {"SavedModel": (policy_dir, directory_size(policy_dir)),
               "TFLite": (policy_dir / "policy.tflite", (policy_dir / "policy.tflite").stat().st_size),
               "ONNX": (policy_dir / "policy.onnx", (policy_dir / "policy.onnx").stat().st_size)}
    loaded = {name: load_policy_fn(path) for name, (path, _) in formats.items()}
    policies = {name: policy for name, (_, policy) in loaded.items()}
    obs_dim = loaded["SavedModel"][0]["observation_shape"][0]
    rng = np.random.default_rng(0)
    for batch in map(int, FLAGS.batch_sizes):
        observation = rng.normal(size=(batch, obs_dim)).astype(np.float32)
        actions = {name: policy(observation)["action"] for name, policy in policies.items()}
        for name, action in actions.items():
            np.testing.assert_allclose(action, actions["SavedModel"], atol=1e-4, err_msg=name)

    times = {(name, batch): [] for name in policies for batch in map(int, FLAGS.batch_sizes)}
    names = list(policies)
    for round_index in range(FLAGS.rounds):
        for name in names if round_index % 2 == 0 else names[::-1]:
            for batch in map(int, FLAGS.batch_sizes):
                observation = rng.normal(size=(batch, obs_dim)).astype(np.float32)
                policies[name](observation)  # warm
                start = time.perf_counter()
                for _ in range(FLAGS.calls):
                    policies[name](observation)
                times[name, batch].append((time.perf_counter() - start) / FLAGS.calls * 1e6)

    header = " | ".join(f"µs per call, batch {batch}" for batch in FLAGS.batch_sizes)
    print(f"\n{FLAGS.rounds} alternating rounds of {FLAGS.calls} calls; median [range]\n")
    print(f"| format | size (bytes) | {header} |")
    print("|---|---|" + "---|" * len(FLAGS.batch_sizes))
    for name, (_, size) in formats.items():
        cells = " | ".join(
            f"{statistics.median(times[name, int(batch)]):.0f} "
            f"[{min(times[name, int(batch)]):.0f}, {max(times[name, int(batch)]):.0f}]"
            for batch in FLAGS.batch_sizes)
        print(f"| {name} | {size:,} | {cells} |")


if __name__ == "__main__":
    app.run(main)
