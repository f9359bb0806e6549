r"""Trains an agent on a gymnasium environment: collect → train → evaluate → checkpoint.

    python -m sac_tf.train                                  # SAC on Pendulum-v1
    python -m sac_tf.train --env=Hopper-v5 --seed=1
    python -m sac_tf.train --config=configs/sac_mujoco.py:Walker2d-v5 \
        --config.batch_size=512 --root_dir=runs/walker

Without `--config`, the config is the one saved in `--root_dir` when it holds
a run, else `configs/{agent}_pendulum.py` for Pendulum and
`configs/{agent}_mujoco.py:{env}` otherwise. Rerunning the same command with
the same `--root_dir` resumes from its last checkpoint.

`--env` takes a gymnasium id or an import path `package.module:ClassOrFactory`,
called with the keyword arguments of `--env_kwargs` (JSON); the environment
must pass gymnasium's env checker.

Writes under `--root_dir`: `train.csv`, `eval.csv`, `config.json`,
`checkpoints/` and TensorBoard summaries in `tensorboard/`.

`--collectors=K` collects with K Ray actors while this process learns
(`sac_tf.distributed.collection`; needs the `ray` extra), on a local Ray
instance or the cluster at `--ray_address`.
"""

import json
import pathlib

from sac_tf import tf_setup

tf_setup.import_tensorflow_quietly()

import ml_collections  # noqa: E402
from absl import flags  # noqa: E402
from ml_collections import config_flags  # noqa: E402

from sac_tf import cli  # noqa: E402
from sac_tf.agents import AGENTS  # noqa: E402
from sac_tf.config import (default_config_argument, load_config,  # noqa: E402
                           saved_run_config_argument, with_overrides)
from sac_tf.errors import UserError  # noqa: E402
from sac_tf.deploy.run_policy import export_run_policy  # noqa: E402
from sac_tf.run.loop import run_training  # noqa: E402
from sac_tf.run.run_dir import CONFIG_FILE, default_root_dir, holds_run  # noqa: E402

flags.DEFINE_string("env", None, "Gymnasium environment id or package.module:ClassOrFactory; "
                    "overrides config.env_id.")
flags.DEFINE_string("env_kwargs", None, "JSON object of keyword arguments for the environment; "
                    "overrides config.env_kwargs.")
flags.DEFINE_enum("agent", None, sorted(AGENTS), "Agent to train; overrides config.agent.")
flags.DEFINE_integer("seed", None, "Random seed; overrides config.seed.")
flags.DEFINE_integer("num_steps", None, "Env steps to train for; overrides config.num_steps.")
flags.DEFINE_string("root_dir", None,
                    "Run directory (logs, checkpoints); default runs/{agent}_{env}_seed{seed}, "
                    "with / and : in the env id made _.")
flags.DEFINE_integer("collectors", 0, "Collect with this many Ray actors (each with "
                     "config.num_envs envs) while this process learns; 0: collect here.",
                     lower_bound=0)
flags.DEFINE_string("ray_address", None, "With --collectors: `local` (default, a Ray instance "
                    "on this machine), `auto` or a cluster's host:port.")
flags.DEFINE_float("collector_cpus", 1.0, "With --collectors: CPUs each collector reserves "
                   "(a fraction for a simulator that mostly waits).")
flags.DEFINE_integer("weight_sync_interval", 1, "With --collectors: learner calls between "
                     "broadcasts of the actor's weights to the collectors.", lower_bound=1)
flags.DEFINE_boolean("keep_best", None, "Export the best-evaluated policy to "
                     "ROOT/best_policy as well; overrides config.keep_best.")
flags.DEFINE_float("stop_at_return", None, "End the run once --stop_patience evaluations in "
                   "a row reach this mean return; overrides config.stop_at_return.")
flags.DEFINE_integer("stop_patience", None, "Evaluations in a row at --stop_at_return that "
                     "end the run; overrides config.stop_patience.", lower_bound=1)
_CONFIG = config_flags.DEFINE_config_file("config", None, "Config file, see configs/.")


def resolve_config(flag_values) -> ml_collections.ConfigDict:
    """The config with `--env`, `--env_kwargs`, `--agent`, `--seed`, `--num_steps`,
    `--keep_best`, `--stop_at_return` and `--stop_patience` applied."""
    overrides = {field: flag_values[flag_name].value
                 for flag_name, field in (("env", "env_id"), ("agent", "agent"), ("seed", "seed"),
                                          ("num_steps", "num_steps"))
                 if flag_values[flag_name].value is not None}
    for name in ("keep_best", "stop_at_return", "stop_patience"):
        if flag_values[name].value is not None:  # runs saved before these fields lack them
            flag_values.config[name] = flag_values[name].value
    if flag_values.env_kwargs is not None:
        overrides["env_kwargs"] = cli.parse_env_kwargs(flag_values.env_kwargs)
    config = with_overrides(flag_values.config, overrides)
    if not config.env_id:
        raise UserError("the config names no environment: pass --env")
    return config


def _choice_flags(argv: list) -> flags.FlagValues:
    """`--config`, `--root_dir`, `--agent` and `--env` of `argv`, parsed by absl on their own
    (other flags are left for the full parse), to choose the config file before it."""
    choice = flags.FlagValues()
    for name in ("config", "root_dir", "agent", "env"):
        flags.DEFINE_string(name, None, "", flag_values=choice)
    try:
        choice(argv, known_only=True)
    except flags.Error:
        pass  # e.g. `--env` without a value: the full parse reports it
    return choice


def prepare_argv(argv: list) -> list:
    """Adds `--config=...` when argv has none: the run's own in `--root_dir`, else the default
    of `--agent` on `--env`; then loads the config once, so that a missing or broken file is
    reported in our words (`UserError`) before flag parsing loads it."""
    choice = _choice_flags(argv)
    if choice.config is None:
        agent = choice.agent or "sac"
        if agent not in AGENTS:
            return argv  # let flag parsing report the bad --agent
        argument = (saved_run_config_argument(choice.root_dir)
                    if choice.root_dir and holds_run(choice.root_dir)
                    else default_config_argument(agent, choice.env or "Pendulum-v1"))
        argv = argv[:1] + [f"--config={argument}"] + argv[1:]
    load_config(_choice_flags(argv).config)
    return argv


def collector_settings(flag_values):
    """The Ray collection (`RayCollectionSource`) of `--collectors` and its flags, or None
    without it."""
    if not flag_values.collectors:
        for name in ("ray_address", "collector_cpus", "weight_sync_interval"):
            if flag_values[name].present:
                raise UserError(f"--{name} only applies with --collectors=K")
        return None
    from sac_tf.distributed import CollectorSettings
    from sac_tf.distributed.collection import RayCollectionSource
    from sac_tf.distributed.ray_session import import_ray

    import_ray("--collectors")
    settings = CollectorSettings(flag_values.collectors, flag_values.ray_address or "local",
                                 flag_values.collector_cpus, flag_values.weight_sync_interval)
    settings.validate()
    return RayCollectionSource(settings)


def main():
    if flags.FLAGS.root_dir is not None and not flags.FLAGS.root_dir.strip():
        raise UserError("--root_dir is empty: give a run directory, or leave the flag out for "
                        "runs/{agent}_{env}_seed{seed}")
    config = resolve_config(flags.FLAGS)
    collectors = collector_settings(flags.FLAGS)
    root_dir = flags.FLAGS.root_dir or default_root_dir(config)
    if config_flags.get_config_filename(flags.FLAGS["config"]) == saved_run_config_argument(root_dir):
        # on stdout: stderr is kept to the one `error:` line when the run then fails
        print(f"Using the config saved in {pathlib.Path(root_dir) / CONFIG_FILE}.", flush=True)
    result = run_training(config, root_dir, collectors, export=export_run_policy)
    print(json.dumps({"root_dir": str(root_dir), **result}))


if __name__ == "__main__":
    cli.run(main, prepare_argv)
