"""What a run trains and checkpoints, and where it lives in a run directory.

`build_components(config, spec)` makes the agent, replay buffer, learner and
counters that both `python -m sac_tf.train` and the Python API (`sac_tf.api`)
train. A run directory `ROOT` holds

* `ROOT/checkpoints/` — `Components.checkpointer(ROOT)`: the agent, the replay
  buffer and the counters;
* `ROOT/config.json` — the run's config;
* `ROOT/env_spec.json` — observation shape and action bounds, so a run whose
  environment has no id can be rebuilt;

so a run started by either the command line or the API continues in the other.
"""

import json
import pathlib
from typing import NamedTuple

import keras
import ml_collections
import tensorflow as tf

from sac_tf.agents import make_agent
from sac_tf.agents.base import OffPolicyAgent
from sac_tf.run.checkpoints import Checkpointer
from sac_tf.config import env_kwargs
from sac_tf.envs.making import env_spec, make_env
from sac_tf.errors import UserError
from sac_tf.files import write_atomically
from sac_tf.core.learner import Learner
from sac_tf.core.replay_buffer import ReplayBuffer
from sac_tf.core.specs import EnvSpec

CHECKPOINT_DIR = "checkpoints"
CONFIG_FILE = "config.json"
SPEC_FILE = "env_spec.json"


class Components(NamedTuple):
    """The trainable state of a run.

    Attributes:
      agent: the agent being trained.
      replay_buffer: its replay buffer (actions stored in [-1, 1]).
      learner: fused (sample, update) calls on the two.
      env_step: int64 variable, env steps collected so far (transitions added).
      wall_s: float64 variable, seconds of training so far.
    """

    agent: OffPolicyAgent
    replay_buffer: ReplayBuffer
    learner: Learner
    env_step: tf.Variable
    wall_s: tf.Variable

    def checkpointer(self, root_dir) -> Checkpointer:
        """A `Checkpointer` of everything here under `ROOT/checkpoints/`."""
        return Checkpointer(pathlib.Path(root_dir) / CHECKPOINT_DIR, agent=self.agent,
                            replay_buffer=self.replay_buffer, env_step=self.env_step,
                            wall_s=self.wall_s)


def build_components(config: ml_collections.ConfigDict, spec: EnvSpec) -> Components:
    """Seeds TensorFlow, Keras and numpy with `config.seed` and builds a run's state."""
    keras.utils.set_random_seed(config.seed)
    tf.config.experimental.enable_op_determinism()
    agent = make_agent(config, spec)
    replay_buffer = ReplayBuffer(spec.observation_dim, spec.action_dim,
                                 config.buffer_capacity, seed=config.seed + 1)
    return Components(
        agent=agent,
        replay_buffer=replay_buffer,
        learner=Learner(agent, replay_buffer, config.batch_size, config.jit_compile),
        env_step=tf.Variable(0, dtype=tf.int64, trainable=False, name="env_step"),
        wall_s=tf.Variable(0.0, dtype=tf.float64, trainable=False, name="wall_s"))


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
    return ml_collections.ConfigDict(_lists_as_tuples(_read_json(path)))


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
