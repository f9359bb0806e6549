r"""Env-steps/s of SAC training at default settings, beside stable-baselines3's SAC.

    python benchmarks/throughput.py                       # HalfCheetah-v5
    python benchmarks/throughput.py --sb3_python=/path/to/venv/bin/python

Both learners run the same schedule one after the other in this run (never at
the same time: they would share the two cores): `--learning_starts` random
steps, then `--measure_steps` steps with one gradient update per env step,
whose rate is the figure. The first `--warmup_steps` after learning starts
(graph tracing, XLA compilation) are not timed. SB3 runs in a subprocess of
`--sb3_python` (default: this interpreter, if it can import
stable_baselines3); without it only sac_tf's figure is printed.
"""

import json
import subprocess
import sys
import textwrap

from absl import app, flags, logging

from steady_state import steady_state_steps_per_s

flags.DEFINE_string("env", "HalfCheetah-v5", "Environment id.")
flags.DEFINE_integer("learning_starts", 1_000, "Random steps before updates start.")
flags.DEFINE_integer("warmup_steps", 500, "Steps after learning starts that are not timed.")
flags.DEFINE_integer("measure_steps", 2_000, "Timed steps.")
flags.DEFINE_list("train_every", ["20", "1"], "sac_tf train_every values to measure "
                  "(20: the default config; 1: a compiled call per env step).")
flags.DEFINE_string("sb3_python", sys.executable, "Python with stable-baselines3 installed.")
flags.DEFINE_integer("threads", 2, "torch threads for SB3 (TensorFlow uses every core).")
FLAGS = flags.FLAGS

SB3_SCRIPT = textwrap.dedent("""
    import json, sys, time
    import torch, gymnasium as gym
    from stable_baselines3 import SAC
    from stable_baselines3.common.callbacks import BaseCallback
    env_id, learning_starts, warmup, measure, threads = sys.argv[1:]
    learning_starts, warmup, measure = int(learning_starts), int(warmup), int(measure)
    torch.set_num_threads(int(threads))
    class Clock(BaseCallback):
        def _on_step(self):
            if self.num_timesteps == learning_starts + warmup:
                self.start = time.perf_counter()
            return True
    clock = Clock()
    model = SAC("MlpPolicy", gym.make(env_id), learning_starts=learning_starts, seed=0,
                device="cpu")
    model.learn(learning_starts + warmup + measure, callback=clock)
    print(json.dumps({"steps_per_s": measure / (time.perf_counter() - clock.start)}))
""")


def sac_tf_steps_per_s(train_every: int) -> float:
    """Steady-state env-steps/s of SAC at default settings."""
    from sac_tf.config import default_config

    config = default_config("sac", FLAGS.env)
    config.train_every = train_every
    return steady_state_steps_per_s(config, FLAGS.learning_starts, FLAGS.warmup_steps,
                                    FLAGS.measure_steps)


def sb3_steps_per_s():
    """SB3 SAC's env-steps/s over the same schedule, or None without SB3."""
    try:
        probe = subprocess.run([FLAGS.sb3_python, "-c", "import stable_baselines3"],
                               capture_output=True)
    except OSError:
        return None
    if probe.returncode != 0:
        return None
    result = subprocess.run(
        [FLAGS.sb3_python, "-c", SB3_SCRIPT, FLAGS.env, str(FLAGS.learning_starts),
         str(FLAGS.warmup_steps), str(FLAGS.measure_steps), str(FLAGS.threads)],
        capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])["steps_per_s"]


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)
    reference = sb3_steps_per_s()
    if reference is None:
        print("stable-baselines3 not found: pass --sb3_python for the reference")
    else:
        print(f"{FLAGS.env}  stable-baselines3 SAC: {reference:7.1f} env-steps/s (reference)")
    for train_every in map(int, FLAGS.train_every):
        rate = sac_tf_steps_per_s(train_every)
        ratio = f"  {rate / reference:.2f}x SB3" if reference else ""
        print(f"{FLAGS.env}  sac_tf SAC train_every={train_every}: {rate:7.1f} env-steps/s{ratio}",
              flush=True)


if __name__ == "__main__":
    app.run(main)
