r"""Would collecting the next block on a host thread while the learner runs pay on this machine?

    python benchmarks/collection_overlap.py --rounds=3

Measures `python -m sac_tf.train`'s loop on HalfCheetah-v5 (schedule as
`throughput.py`) as it is ("serial") and with the next block of env steps
collected on a second Python thread while the fused learner call runs
("overlap"), each measurement in a fresh process, in alternating rounds; prints
the median overlap / serial ratio with its range.

The overlap variant acts as a correct implementation would: with its own copy
of the agent (`make_agent`), whose policy variables (actor and observation
statistics) are assigned from the learner's before each block is submitted, so
the policy lags one block and the thread never reads a variable the running
learner call holds. (An earlier version of this probe acted with the learner's
own variables: its policy calls waited for the learner call to release them.)
It is a probe, not a mode to train with: one block of lag changes learning,
so it could only be an option.
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
    """`TrainingLoop` with the next block collected on a thread by a copy of the policy."""
    from sac_tf.agents import make_agent
    from sac_tf.core.acting import numpy_action_fn
    from sac_tf.core.precision import compile_choice

    pool = concurrent.futures.ThreadPoolExecutor(1)
    original_init = loop.TrainingLoop.__init__

    def __init__(self, state, *args, **kwargs):
        original_init(self, state, *args, **kwargs)
        self.shadow = make_agent(self.config, state.spec)
        self.collection.agent = self.shadow
        self.collection.explore = numpy_action_fn(self.shadow.explore_action,
                                                  state.spec.observation_dim,
                                                  compile_choice(self.config, state.spec)[0])

    def collect_and_train(self):
        pending = getattr(self, "pending_block", None)
        added = pending.result() if pending else self.collection.collect(self.step)
        self.pending_block = None
        self.step += added
        if self.step < self.config.learning_starts:
            return None
        self.writer.flush()
        if self.step < self.config.num_steps:
            for copy, variable in zip(self.shadow.policy_variables(),
                                      self.state.agent.policy_variables()):
                copy.assign(variable)
            self.pending_block = pool.submit(self.collection.collect, self.step)
        info = self.state.learner.run(added * self.config.updates_per_step)
        self.check_finite(info.loss.numpy())
        return info

    loop.TrainingLoop.__init__ = __init__
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
                                    capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(f"{variant} failed:\n{result.stderr[-2000:]}")
            rates[variant] = json.loads(result.stdout.strip().splitlines()[-1])["steps_per_s"]
        ratios.append(rates["overlap"] / rates["serial"])
        print(f"| {index + 1} | {rates['serial']:.1f} | {rates['overlap']:.1f} | "
              f"{ratios[-1]:.2f}× |", flush=True)
    print(f"\noverlap / serial: {statistics.median(ratios):.2f}× "
          f"[{min(ratios):.2f}, {max(ratios):.2f}]")


if __name__ == "__main__":
    app.run(main)
