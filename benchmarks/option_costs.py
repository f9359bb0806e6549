r"""Time per env step of SAC option configs, as ratios to a reference measured in the same run.

    python benchmarks/option_costs.py --env=HalfCheetah-v5 --configs=sac_crossq,sac_droq \
        --reference="sac_droq:critic_dropout_rate=0" --rounds=3

Each config is `configs/{name}.py:{env}`. Its reference is plain SAC (the
env's default config) unless `--reference=NAME:FIELD=VALUE[;FIELD=VALUE]`
makes it the same config with those overrides: the cost of one part of an
option over the rest of it (DroQ's dropout over the same LayerNorm critics at
20 updates per env step, above). Each round measures every config and every
reference once, in an order reversed every other round, so a drift of the
machine's speed reaches both sides of a ratio; a config's cost is the median
over rounds of (its time per env step / its reference's in that round),
with the range. Schedule of each measurement as `throughput.py`: random
steps, untimed warm-up (tracing, XLA compilation), timed steps.
"""

import ast
import statistics

from absl import app, flags, logging

from steady_state import steady_state_steps_per_s

flags.DEFINE_string("env", "HalfCheetah-v5", "Environment id.")
flags.DEFINE_list("configs", ["sac_tqc", "sac_simba", "sac_droq", "sac_redq", "sac_resets",
                              "sac_crossq"],
                  "Config files in configs/ (without .py) to measure.")
flags.DEFINE_multi_string("reference", [],
                          "NAME:FIELD=VALUE[;FIELD=VALUE]: config NAME is compared with "
                          "itself under these overrides instead of with plain SAC.")
flags.DEFINE_integer("rounds", 3, "Alternating rounds (the ratio is their median).",
                     lower_bound=1)
flags.DEFINE_integer("learning_starts", 1_000, "Random steps before updates start.")
flags.DEFINE_integer("warmup_steps", 200, "Steps after learning starts that are not timed.")
flags.DEFINE_integer("measure_steps", 400, "Timed steps.")
FLAGS = flags.FLAGS

PLAIN_SAC = "sac"


def parse_references(values) -> dict:
    """`--reference` values → {config name: {field: value}}."""
    references = {}
    for value in values:
        name, _, assignments = value.partition(":")
        overrides = {}
        for assignment in filter(None, assignments.split(";")):
            field, equals, text = assignment.partition("=")
            if not equals:
                raise app.UsageError(f"--reference={value}: expected FIELD=VALUE, got "
                                     f"{assignment!r}")
            try:
                overrides[field.strip()] = ast.literal_eval(text.strip())
            except (ValueError, SyntaxError):
                overrides[field.strip()] = text.strip()
        if name not in FLAGS.configs or not overrides:
            raise app.UsageError(f"--reference={value}: NAME must be one of --configs and "
                                 f"have at least one FIELD=VALUE")
        references[name] = overrides
    return references


def reference_label(name: str, overrides: dict) -> str:
    return f"{name} with " + ", ".join(f"{field}={value}" for field, value in overrides.items())


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)
    import sac_tf  # noqa: F401  (quiet TensorFlow import)
    from sac_tf.config import CONFIG_DIR, default_config, load_config, with_overrides

    references = parse_references(FLAGS.reference)

    def option_config(name, overrides=None):
        return with_overrides(load_config(f"{CONFIG_DIR / name}.py:{FLAGS.env}"), overrides or {})

    make_config, reference_of = {}, {}  # label → config factory; config → its reference's label
    for name in FLAGS.configs:
        if name in references:
            reference_of[name] = reference_label(name, references[name])
            make_config[reference_of[name]] = lambda name=name: option_config(
                name, references[name])
        else:
            reference_of[name] = PLAIN_SAC
            make_config[PLAIN_SAC] = lambda: default_config("sac", FLAGS.env)
        make_config[name] = lambda name=name: option_config(name)
    labels = list(make_config)
    from sac_tf.errors import UserError
    for label in labels:  # a bad config or override fails before anything is timed
        try:
            make_config[label]()
        except UserError as error:
            raise app.UsageError(f"{label}: {error}") from None
    rates = {label: [] for label in labels}
    for round_index in range(FLAGS.rounds):
        for label in labels if round_index % 2 == 0 else labels[::-1]:
            rate = steady_state_steps_per_s(make_config[label](), FLAGS.learning_starts,
                                            FLAGS.warmup_steps, FLAGS.measure_steps)
            rates[label].append(rate)
            print(f"round {round_index + 1}: {label}: {rate:.2f} env-steps/s", flush=True)

    print(f"\n{FLAGS.env}, {FLAGS.rounds} alternating rounds, {FLAGS.measure_steps} timed "
          f"steps each\n")
    print("| config | reference | env-steps/s (median) | reference env-steps/s (median) | "
          "time per env step vs reference: median [range] |")
    print("|---|---|---|---|---|")
    for name in FLAGS.configs:
        reference = reference_of[name]
        ratios = [ref / own for own, ref in zip(rates[name], rates[reference])]
        print(f"| {name} | {reference} | {statistics.median(rates[name]):.2f} | "
              f"{statistics.median(rates[reference]):.2f} | "
              f"{statistics.median(ratios):.2f}× [{min(ratios):.2f}, {max(ratios):.2f}] |",
              flush=True)


if __name__ == "__main__":
    app.run(main)
