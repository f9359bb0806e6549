r"""Searches hyper-parameters on Ray Tune: trials are run directories, ASHA stops weak ones.

    python -m sac_tf.tune --env=Pendulum-v1 --num_samples=16 --num_steps=6000 \
        --out=runs/tune_pendulum --space.sac.actor_lr="loguniform(1e-4,3e-3)" \
        --space.batch_size="choice(128,256,512)"

Every `--space.FIELD=DIST` searches config field FIELD (as `train --config.FIELD` names it)
over DIST: `loguniform(low, high)`, `uniform(low, high)` or `choice(a, b, ...)`. The base
config is `--config` (a config file, as `train` takes it) or the agent's default for
`--env`. Each trial trains with `--seed` for `--num_steps` into `OUT/trials/{trial_id}`;
ASHA (`--scheduler=asha`) stops trials at its rungs (`--grace_steps`, then ×
`--reduction_factor`) by their last evaluation. Writes `OUT/trials.md`, `OUT/search.png`
and `OUT/best_config.py` (a config file for `train --config=`, from the best trial that ran
to the end). Rerunning the same command resumes a killed search. Needs the `tune` extra:
`pip install -e ".[tune]"`.
"""

import pathlib
import sys

from sac_tf import tf_setup

tf_setup.import_tensorflow_quietly()

from absl import flags  # noqa: E402

from sac_tf import cli  # noqa: E402
from sac_tf.agents import AGENTS  # noqa: E402
from sac_tf.config import default_config_argument, load_config, validate  # noqa: E402
from sac_tf.distributed.tuning import (best_config_source, best_trial, parse_space,  # noqa: E402
                                       trials_markdown)
from sac_tf.errors import UserError  # noqa: E402

flags.DEFINE_string("env", "Pendulum-v1", "Gymnasium environment id of every trial.")
flags.DEFINE_enum("agent", "sac", sorted(AGENTS), "Agent whose default config is the base "
                  "(without --config).")
flags.DEFINE_string("config", None, "Base config file (`path.py` or `path.py:arg`); default: "
                    "the agent's default config for --env.")
flags.DEFINE_integer("num_samples", 16, "Trials to run.", lower_bound=1)
flags.DEFINE_integer("num_steps", None, "Env steps of a trial that is not stopped early.",
                     lower_bound=1)
flags.DEFINE_integer("seed", 0, "Seed of every trial and of the search algorithm.")
flags.DEFINE_string("out", None, "Output directory (trials/, search/, trials.md, "
                    "best_config.py, search.png).")
flags.DEFINE_enum("search", "optuna", ["optuna", "random"], "Search algorithm: Optuna's TPE "
                  "or random sampling.")
flags.DEFINE_enum("scheduler", "asha", ["asha", "none"], "Early stopping of weak trials.")
flags.DEFINE_integer("grace_steps", 0, "ASHA's first rung in env steps; 0: num_steps // 3.",
                     lower_bound=0)
flags.DEFINE_integer("reduction_factor", 3, "ASHA keeps 1 in this many trials per rung.",
                     lower_bound=2)
flags.DEFINE_float("cpus_per_trial", 1.0, "CPUs each trial reserves.")
flags.DEFINE_string("ray_address", "local", "`local` (a Ray instance on this machine), "
                    "`auto` or `host:port` of a running cluster.")
flags.mark_flags_as_required(["num_steps", "out"])

#: `--space.FIELD=DIST` arguments, taken out of argv before absl parses the rest.
SPACE = {}


def prepare_argv(argv: list) -> list:
    """Moves every `--space.FIELD=DIST` out of `argv` into `SPACE`."""
    kept = []
    for argument in argv:
        if argument.startswith("--space."):
            field, equals, text = argument[len("--space."):].partition("=")
            if not equals or not field:
                raise UserError(f"{argument}: give --space.FIELD=DISTRIBUTION")
            SPACE[field] = text
        else:
            kept.append(argument)
    return kept


def main():
    values = flags.FLAGS
    argument = values.config or default_config_argument(values.agent, values.env)
    base = load_config(argument)
    validate(base)
    dimensions = parse_space(SPACE, base)
    from sac_tf.distributed.ray_session import import_ray
    import_ray("sac_tf.tune")
    from sac_tf.distributed.search import SearchSettings, run_search
    from sac_tf.experiments.search_report import plot_trials

    out = pathlib.Path(values.out).resolve()
    settings = SearchSettings(values.num_samples, values.num_steps, values.seed, values.search,
                              values.scheduler, values.grace_steps, values.reduction_factor,
                              values.cpus_per_trial, values.ray_address)
    trials = run_search(base, dimensions, settings, out)
    table = trials_markdown(trials, values.num_steps)
    (out / "trials.md").write_text(table)
    plot_trials([trial.root_dir for trial in trials], out / "search.png")
    used = sum(trial.env_step for trial in trials)
    print(table, end="")
    print(f"env steps: {used:,} of {len(trials) * values.num_steps:,} if every trial ran "
          f"to the end ({used / max(1, len(trials) * values.num_steps):.0%})")
    best = best_trial(trials, values.num_steps)
    if best is None:
        print("no trial ran to --num_steps: no best config written", file=sys.stderr)
        return
    path, colon, config_arg = argument.partition(":")
    base_argument = str(pathlib.Path(path).resolve()) + colon + config_arg
    (out / "best_config.py").write_text(best_config_source(base_argument, best, out))
    print(f"best: trial {best.trial_id}, return {best.return_mean:.1f}; wrote "
          f"{out / 'best_config.py'}")


if __name__ == "__main__":
    cli.run(main, prepare_argv)
