r"""Would collecting the next block on a host thread while the learner runs pay on this machine?

    python benchmarks/collection_overlap.py --rounds=3

Measures `python -m sac_tf.train`'s loop on HalfCheetah-v5 (schedule as
`throughput.py`) as it is ("serial") and with the next block of env steps
collected on a second Python thread while the fused learner call runs
("overlap"), each measurement in a fresh process, in alternating rounds; prints
the median overlap / serial ratio with its range.

The overlap variant is a probe, not a mode to train with: its collection thread
acts with the actor's variables while the learner writes them (no snapshot, so
the policy is not deterministic), which can only make it faster than a correct
implementation (one that copies the actor's weights per block). If even this
is slower than the serial loop, the correct one is too.
"""

import concurrent.futures
import json
import statistics
import subprocess
import sys

from absl import app, flags, logging

flags.DEFINE_integer("rounds", 3, "Alternating rounds.", lower_bound=1)
flags.DEFINE_string("measure", None, "Internal: serial or overlap, measured in this process.")
FLAGS = flags.FLAGS


def collect_next_block_while_training(loop):
    """`TrainingLoop.collect_and_train` with the next block collected on a thread."""
    pool = concurrent.futures.ThreadPoolExecutor(1)

    def collect_and_train(self):
        pending = getattr(self, "pending_block", None)
        added = pending.result() if pending else self.collection.collect(self.step)
        self.pending_block = None
        self.step += added
        if self.step < self.config.learning_starts:
            return None
        self.writer.flush()
        if self.step < self.config.num_steps:
            self.pending_block = pool.submit(self.collection.collect, self.step)
        info = self.state.learner.run(added * self.config.updates_per_step)
        self.check_finite(info.loss.numpy())
        return info

    loop.TrainingLoop.collect_and_train = collect_and_train


def measure_here(variant: str) -> float:
    from sac_tf.config import default_config
    from sac_tf.run import loop
    from steady_state import steady_state_steps_per_s

    if variant == "overlap":
        collect_next_block_while_training(loop)
    return steady_state_steps_per_s(default_config("sac", "HalfCheetah-v5"), 1_000, 500, 2_000)


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)
    if FLAGS.measure:
        print(json.dumps({"steps_per_s": measure_here(FLAGS.measure)}))
        return
    ratios = []
    print("| round | serial (env-steps/s) | overlap (env-steps/s) | overlap / serial |")
    print("|---|---|---|---|")
    for index in range(FLAGS.rounds):
        order = ("serial", "overlap") if index % 2 == 0 else ("overlap", "serial")
        rates = {}
        for variant in order:
            result = subprocess.run([sys.executable, __file__, f"--measure={variant}"],
                                    capture_output=True, text=True, check=True)
            rates[variant] = json.loads(result.stdout.strip().splitlines()[-1])["steps_per_s"]
        ratios.append(rates["overlap"] / rates["serial"])
        print(f"| {index + 1} | {rates['serial']:.1f} | {rates['overlap']:.1f} | "
              f"{ratios[-1]:.2f}× |", flush=True)
    print(f"\noverlap / serial: {statistics.median(ratios):.2f}× "
          f"[{min(ratios):.2f}, {max(ratios):.2f}]")


if __name__ == "__main__":
    app.run(main)
