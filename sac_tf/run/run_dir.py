"""The run directory: what a run keeps on disk, and where.

A run directory `ROOT` holds

* `ROOT/checkpoints/` — the agent, the replay buffer and the counters
  (`sac_tf.run.state.RunState.checkpointer`);
* `ROOT/config.json` — the run's config;
* `ROOT/env_spec.json` — observation shape and action bounds, so a run whose
  environment has no id can be rebuilt;
* `ROOT/train.csv`, `ROOT/eval.csv`, `ROOT/tensorboard/` — the logs;
* `ROOT/policy/` — the exported policy (`sac_tf.deploy.saved_policy`);

so a run started by either the command line or the Python API continues in the other.
"""

import json
import pathlib
import re

import ml_collections

from sac_tf.config import env_kwargs
from sac_tf.core.specs import EnvSpec
from sac_tf.envs.making import env_spec, make_env
from sac_tf.errors import UserError
from sac_tf.files import write_atomically

CHECKPOINT_DIR = "checkpoints"
CONFIG_FILE = "config.json"
SPEC_FILE = "env_spec.json"
POLICY_DIR = "policy"
TRAIN_LOG = "train.csv"
EVAL_LOG = "eval.csv"
TENSORBOARD_DIR = "tensorboard"


def default_root_dir(config: ml_collections.ConfigDict) -> str:
    """`runs/{agent}_{env}_seed{seed}`, with any character of the env id other than
    letters, digits, `.` and `-` (the `/` of a namespace, the `:` of an import path)
    made `_`, so that the run is one folder."""
    env = re.sub(r"[^\w.-]", "_", config.env_id)
    return f"runs/{config.agent}_{env}_seed{config.seed}"


def holds_run(root_dir) -> bool:
    """Whether `root_dir` holds a run's `config.json`."""
    return (pathlib.Path(root_dir) / CONFIG_FILE).exists()


def write_run_files(root_dir, config: ml_collections.ConfigDict, spec: EnvSpec) -> None:
    """Writes `ROOT/config.json` and `ROOT/env_spec.json`, each atomically."""
    root_dir = pathlib.Path(root_dir)
    for name, value in ((CONFIG_FILE, json.loads(config.to_json())), (SPEC_FILE, spec.to_dict())):
        write_atomically(root_dir / name, json.dumps(value, indent=2, sort_keys=True))


def _read_json(path: pathlib.Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise UserError(f"cannot read {path}: {error}") from None


def _lists_as_tuples(value):
    """JSON holds config tuples (`hidden_sizes`) as lists; turn them back into tuples."""
    if isinstance(value, dict):
        return {key: _lists_as_tuples(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(_lists_as_tuples(item) for item in value)
    return value


def read_run_config(root_dir) -> ml_collections.ConfigDict:
    """The config saved in `ROOT/config.json`, with its tuples restored.

    Raises:
      UserError: when `root_dir` holds no run, or its config is not JSON.
    """
    path = pathlib.Path(root_dir) / CONFIG_FILE
    if not path.is_file():
        raise UserError(f"{root_dir} is not a training run directory (no {CONFIG_FILE})")
    saved = _lists_as_tuples(_read_json(path))
    if "jit_compile" in saved:  # written before learner_compile replaced it
        saved["learner_compile"] = "xla" if saved.pop("jit_compile") else "graph"
    return ml_collections.ConfigDict(saved)


def read_run_spec(root_dir, config: ml_collections.ConfigDict) -> EnvSpec:
    """The env spec saved in `ROOT/env_spec.json`; for a run that predates it, the
    spec of the run's env (from `config`, see `read_run_config`), made anew.

    Raises:
      UserError: when the file cannot be read, or the env cannot be made.
    """
    path = pathlib.Path(root_dir) / SPEC_FILE
    if path.exists():
        return EnvSpec.from_dict(_read_json(path))
    return env_spec(make_env(config.env_id, **env_kwargs(config)))
