r"""Env-steps/s of each SAC option config, as a ratio to plain SAC measured in the same run.

    python benchmarks/option_costs.py --env=HalfCheetah-v5 \
        --configs=sac_tqc,sac_simba,sac_droq,sac_redq,sac_resets

Each config is `configs/{name}.py:{env}`; plain SAC is the env's default
config. Same schedule as `throughput.py`: random steps, untimed warm-up, timed
steps. Runs are sequential, so the machine should be otherwise idle.
"""

from absl import app, flags, logging

from steady_state import steady_state_steps_per_s

flags.DEFINE_string("env", "HalfCheetah-v5", "Environment id.")
flags.DEFINE_list("configs", ["sac_tqc", "sac_simba", "sac_droq", "sac_redq", "sac_resets"],
                  "Config files in configs/ (without .py) to measure.")
flags.DEFINE_integer("learning_starts", 1_000, "Random steps before updates start.")
flags.DEFINE_integer("warmup_steps", 200, "Steps after learning starts that are not timed.")
flags.DEFINE_integer("measure_steps", 400, "Timed steps.")
FLAGS = flags.FLAGS


def measure(config) -> float:
    return steady_state_steps_per_s(config, FLAGS.learning_starts, FLAGS.warmup_steps,
                                    FLAGS.measure_steps)


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)
    import sac_tf  # noqa: F401  (quiet TensorFlow import)
    from sac_tf.config import CONFIG_DIR, default_config, load_config

    reference = measure(default_config("sac", FLAGS.env))
    print(f"{FLAGS.env}  sac (default config): {reference:7.1f} env-steps/s (reference)",
          flush=True)
    for name in FLAGS.configs:
        rate = measure(load_config(f"{CONFIG_DIR / name}.py:{FLAGS.env}"))
        print(f"{FLAGS.env}  {name}: {rate:7.1f} env-steps/s  {rate / reference:.3f}x sac",
              flush=True)


if __name__ == "__main__":
    app.run(main)
