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
"""

import json
import pathlib
from typing import Optional

from sac_tf import tf_setup

tf_setup.import_tensorflow_quietly()

import ml_collections  # noqa: E402
from absl import flags  # noqa: E402
from ml_collections import config_flags  # noqa: E402

from sac_tf import cli  # noqa: E402
from sac_tf.agents import AGENTS  # noqa: E402
from sac_tf.run.state import CONFIG_FILE  # noqa: E402
from sac_tf.config import SAVED_RUN_CONFIG, default_config_argument, load_config  # noqa: E402
from sac_tf.errors import UserError  # noqa: E402
from sac_tf.run.loop import default_root_dir, run_training  # noqa: E402

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
_CONFIG = config_flags.DEFINE_config_file("config", None, "Config file, see configs/.")


def saved_config_argument(root_dir: str) -> str:
    """The `--config` value that loads the config saved in `root_dir`."""
    return f"{SAVED_RUN_CONFIG}:{root_dir}"


def parse_env_kwargs(text: str) -> dict:
    """`--env_kwargs` as a dict; `UserError` unless it is a JSON object."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise UserError(f"--env_kwargs is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise UserError(f"--env_kwargs must be a JSON object, got {text}")
    return value


def resolve_config(flag_values) -> ml_collections.ConfigDict:
    """The config with `--env`, `--env_kwargs`, `--agent`, `--seed` and `--num_steps` applied."""
    config = flag_values.config
    for flag_name, field in (("env", "env_id"), ("agent", "agent"), ("seed", "seed"),
                             ("num_steps", "num_steps")):
        if flag_values[flag_name].value is not None:
            config[field] = flag_values[flag_name].value
    if flag_values.env_kwargs is not None:
        config.env_kwargs = parse_env_kwargs(flag_values.env_kwargs)
    if not config.env_id:
        raise UserError("the config names no environment: pass --env")
    return config


def argv_flag(argv: list, name: str) -> Optional[str]:
    """The value of `--name=VALUE` or `--name VALUE` (or with one dash, as absl also
    accepts) in `argv`, the last one given; None if absent."""
    value = None
    for index, arg in enumerate(argv[1:], start=1):
        for prefix in (f"--{name}", f"-{name}"):
            if arg.startswith(f"{prefix}="):
                value = arg.split("=", 1)[1]
            elif arg == prefix and index + 1 < len(argv):
                value = argv[index + 1]
    return value


def with_default_config(argv: list) -> list:
    """Adds `--config=...` when argv has none: the run's own in `--root_dir`, else by agent/env."""
    if argv_flag(argv, "config") is not None:
        return argv
    root_dir = argv_flag(argv, "root_dir")
    agent = argv_flag(argv, "agent") or "sac"
    if root_dir and (pathlib.Path(root_dir) / CONFIG_FILE).exists():
        return argv[:1] + [f"--config={saved_config_argument(root_dir)}"] + argv[1:]
    if agent not in AGENTS:
        return argv  # let flag parsing report the bad --agent
    env = argv_flag(argv, "env") or "Pendulum-v1"
    return argv[:1] + [f"--config={default_config_argument(agent, env)}"] + argv[1:]


def prepare_argv(argv: list) -> list:
    """`with_default_config`, then a trial load of the config file, so that a missing or
    broken file is reported in our words (`UserError`) before flag parsing loads it."""
    argv = with_default_config(argv)
    config_argument = argv_flag(argv, "config")
    if config_argument is not None:
        load_config(config_argument)
    return argv


def main():
    if flags.FLAGS.root_dir is not None and not flags.FLAGS.root_dir.strip():
        raise UserError("--root_dir is empty: give a run directory, or leave the flag out for "
                        "runs/{agent}_{env}_seed{seed}")
    config = resolve_config(flags.FLAGS)
    root_dir = flags.FLAGS.root_dir or default_root_dir(config)
    if config_flags.get_config_filename(flags.FLAGS["config"]) == saved_config_argument(root_dir):
        # on stdout: stderr is kept to the one `error:` line when the run then fails
        print(f"Using the config saved in {pathlib.Path(root_dir) / CONFIG_FILE}.", flush=True)
    result = run_training(config, root_dir)
    print(json.dumps({"root_dir": str(root_dir), **result}))


if __name__ == "__main__":
    cli.run(main, prepare_argv)
