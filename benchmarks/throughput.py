r"""Env-steps/s of SAC training beside stable-baselines3's SAC and a minimal TF2 update,
in alternating rounds, with a breakdown of one env step's time.

    python benchmarks/throughput.py --sb3_python=/path/to/sb3-venv/bin/python --rounds=3

Each round measures, one after another and never at the same time (they would share the
cores), in an order reversed every other round so that a drift of the machine's speed
reaches both sides of a ratio:

* **SB3**: stable-baselines3's SAC (`--sb3_python`, torch with `--threads` threads);
* **sac_tf**: `python -m sac_tf.train`'s loop at the env's default config;
* **minimal**: `minimal_sac.py`, SAC's update with the same shapes in a few dozen lines,
  20 updates per XLA call, on random data: updates/s, the rate an env-steps/s figure at one
  update per env step would reach if the env, acting and buffer writes were free.

SB3 and sac_tf run `--learning_starts` random steps, `--warmup_steps` untimed steps (graph
tracing, XLA compilation) and `--measure_steps` timed steps with one update per env step.
Every measurement runs in a fresh process. The figures are the median over rounds of the
per-round ratios, with their range. Then one instrumented sac_tf run (`step_breakdown.py`)
prints where an env step's time goes.

With `--precisions`, the rounds compare sac_tf with itself instead: the train loop compiled
with XLA in float32 (the default), as a TensorFlow graph in float32, as a graph in mixed
bfloat16, as a graph in mixed bfloat16 whose elementwise ops XLA fuses
(`learner_compile="fused"`; `precision`, `sac_tf.core.precision`) and with XLA in mixed
bfloat16 (what "auto" picks on a CPU without oneDNN bfloat16), for each critic width of
`--critic_widths` of the config `--config` (e.g. CrossQ's):

    python benchmarks/throughput.py --precisions --config=sac_crossq \
        --critic_widths=256,512,1024,2048 --measure_steps=500
"""

import json
import statistics
import subprocess
import sys
import textwrap

from absl import app, flags, logging

flags.DEFINE_string("env", "HalfCheetah-v5", "Environment id.")
flags.DEFINE_integer("rounds", 3, "Alternating rounds.", lower_bound=1)
flags.DEFINE_integer("learning_starts", 1_000, "Random steps before updates start.")
flags.DEFINE_integer("warmup_steps", 500, "Steps after learning starts that are not timed.")
flags.DEFINE_integer("measure_steps", 2_000, "Timed steps.")
flags.DEFINE_string("sb3_python", sys.executable, "Python with stable-baselines3 installed.")
flags.DEFINE_integer("threads", 2, "torch threads for SB3 (TensorFlow uses every core).")
flags.DEFINE_bool("breakdown", True, "Also print where an env step's time goes.")
flags.DEFINE_string("measure", None, "Internal: measure one of sac_tf, minimal in this "
                    "process and print its JSON.")
flags.DEFINE_bool("precisions", False, "Compare sac_tf's float32 XLA, float32 graph, bfloat16 "
                  "graph, bfloat16 fused and bfloat16 XLA learners instead of SB3, sac_tf and "
                  "the minimal update.")
flags.DEFINE_string("config", "sac", "--precisions: config name in configs/ (sac: the env's "
                    "default), e.g. sac_crossq.")
flags.DEFINE_list("critic_widths", [], "--precisions: critic widths (two hidden layers each) "
                  "to sweep; empty: the config's.")
flags.DEFINE_string("variant", None, "Internal: the --precisions variant to measure.")
FLAGS = flags.FLAGS

#: --precisions variants: name → (precision, learner_compile).
PRECISION_VARIANTS = {"f32 XLA": ("float32", "xla"), "f32 graph": ("float32", "graph"),
                      "bf16 graph": ("mixed_bfloat16", "graph"),
                      "bf16 fused": ("mixed_bfloat16", "fused"),
                      "bf16 XLA": ("mixed_bfloat16", "xla")}

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


def measure_here(what: str) -> dict:
    """One measurement in this process (`--measure`)."""
    from sac_tf.config import default_config
    from sac_tf.envs.making import env_spec, make_env

    config = default_config("sac", FLAGS.env)
    if what == "variant":
        from sac_tf.config import CONFIG_DIR, load_config
        from steady_state import steady_state_steps_per_s

        config = (config if FLAGS.config == "sac"
                  else load_config(f"{CONFIG_DIR / FLAGS.config}.py:{FLAGS.env}"))
        config.precision, config.learner_compile = PRECISION_VARIANTS[FLAGS.variant]
        if FLAGS.critic_widths:
            config.sac.critic_hidden_sizes = (int(FLAGS.critic_widths[0]),) * 2
        return {"steps_per_s": steady_state_steps_per_s(
            config, FLAGS.learning_starts, FLAGS.warmup_steps, FLAGS.measure_steps)}
    if what == "sac_tf":
        from steady_state import steady_state_steps_per_s

        return {"steps_per_s": steady_state_steps_per_s(
            config, FLAGS.learning_starts, FLAGS.warmup_steps, FLAGS.measure_steps)}
    spec = env_spec(make_env(FLAGS.env))
    if what == "minimal":
        from minimal_sac import updates_per_s

        return {"steps_per_s": updates_per_s(spec.observation_dim, spec.action_dim,
                                             num_updates=config.train_every)}
    if what == "breakdown":
        from step_breakdown import breakdown

        return breakdown(config, FLAGS.learning_starts, 1_000,
                         10_000 - FLAGS.learning_starts - 1_000)
    raise app.UsageError(f"unknown --measure={what}")


def run_measurement(what: str, *extra_flags: str) -> dict:
    """A measurement in a fresh process (`extra_flags`: more flags for this script)."""
    common = [FLAGS.env, str(FLAGS.learning_starts), str(FLAGS.warmup_steps),
              str(FLAGS.measure_steps)]
    if what == "sb3":
        command = [FLAGS.sb3_python, "-c", SB3_SCRIPT, *common, str(FLAGS.threads)]
    else:
        command = [sys.executable, __file__, f"--measure={what}", f"--env={FLAGS.env}",
                   f"--learning_starts={FLAGS.learning_starts}",
                   f"--warmup_steps={FLAGS.warmup_steps}",
                   f"--measure_steps={FLAGS.measure_steps}", *extra_flags]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{what} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def median_and_range(values) -> str:
    return f"{statistics.median(values):.2f}× [{min(values):.2f}, {max(values):.2f}]"


def precision_rounds() -> None:
    """`--precisions`: the variants' env-steps/s per critic width, in alternating rounds,
    and each variant's ratio to float32 XLA (the default)."""
    names = list(PRECISION_VARIANTS)
    print(f"{FLAGS.env}, config {FLAGS.config}: env-steps/s after learning starts")
    print(f"| critic width | round | {' | '.join(names)} | "
          f"{' | '.join(f'{name} / f32 XLA' for name in names[1:])} |")
    print("|---|---|" + "---|" * (2 * len(names) - 1))
    summary = []
    for width in FLAGS.critic_widths or [None]:
        width_flag = [f"--critic_widths={width}"] if width else []
        rounds = []
        for index in range(FLAGS.rounds):
            rates = {name: run_measurement("variant", f"--config={FLAGS.config}",
                                           f"--variant={name}", *width_flag)["steps_per_s"]
                     for name in (names if index % 2 == 0 else names[::-1])}
            rounds.append(rates)
            ratios = " | ".join(f"{rates[name] / rates[names[0]]:.2f}×" for name in names[1:])
            print(f"| {width or 'config'} | {index + 1} | "
                  f"{' | '.join(f'{rates[name]:.1f}' for name in names)} | {ratios} |",
                  flush=True)
        summary += [f"critic width {width or 'of the config'}, {name} / f32 XLA: "
                    f"{median_and_range([r[name] / r[names[0]] for r in rounds])}"
                    for name in names[1:]]
    print("\n" + "\n".join(summary) + f"\n(median [range] over {FLAGS.rounds} rounds)")


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)
    if FLAGS.measure:
        print(json.dumps(measure_here(FLAGS.measure)))
        return
    if FLAGS.precisions:
        precision_rounds()
        return
    probe = subprocess.run([FLAGS.sb3_python, "-c", "import stable_baselines3"],
                           capture_output=True)
    if probe.returncode != 0:
        sys.exit(f"stable-baselines3 cannot be imported by {FLAGS.sb3_python}: pass "
                 f"--sb3_python=PATH")
    order = ["sb3", "sac_tf", "minimal"]
    rounds = []
    print(f"{FLAGS.env}: env-steps/s (minimal: updates/s)")
    print("| round | SB3 SAC | sac_tf | minimal update | sac_tf / SB3 | sac_tf / minimal |")
    print("|---|---|---|---|---|---|")
    for index in range(FLAGS.rounds):
        rates = {what: run_measurement(what)["steps_per_s"]
                 for what in (order if index % 2 == 0 else order[::-1])}
        rounds.append(rates)
        print(f"| {index + 1} | {rates['sb3']:.1f} | {rates['sac_tf']:.1f} | "
              f"{rates['minimal']:.1f} | {rates['sac_tf'] / rates['sb3']:.2f}× | "
              f"{rates['sac_tf'] / rates['minimal']:.2f}× |", flush=True)
    print(f"\nsac_tf / SB3: {median_and_range([r['sac_tf'] / r['sb3'] for r in rounds])} "
          f"(median [range] over {len(rounds)} rounds)")
    print(f"sac_tf / minimal update: "
          f"{median_and_range([r['sac_tf'] / r['minimal'] for r in rounds])}")
    if FLAGS.breakdown:
        parts = run_measurement("breakdown")
        total = parts.pop("total")
        steps = parts.pop("steps")
        print(f"\nWhere an env step's time goes in sac_tf's train loop ({steps:,} steps after "
              f"{FLAGS.learning_starts:,} random and 1,000 untimed ones; one evaluation and "
              f"one checkpoint at the end, as at the end of every 10,000 steps of a run):")
        print("| part | ms per env step | share |")
        print("|---|---|---|")
        for part, ms in parts.items():
            print(f"| {part} | {ms:.3f} | {ms / total:.0%} |")
        print(f"| total | {total:.3f} | {1000 / total:.1f} env-steps/s |")


if __name__ == "__main__":
    app.run(main)
