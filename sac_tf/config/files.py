"""Config files: where the shipped ones live, which one a run gets, and loading one.

A config file is Python with a `get_config([argument])` that returns an
`ml_collections.ConfigDict`; `--config=path/to/file.py:ARGUMENT` passes the
argument (an env id, a run directory).
"""

import functools
import importlib.machinery
import importlib.util
import inspect
import pathlib
from typing import Mapping, Optional

import gymnasium as gym
import ml_collections

from sac_tf.config.defaults import REDQ_TARGET_ENTROPY
from sac_tf.config.fields import validate, with_overrides
from sac_tf.errors import UserError, failures_reported_as


def _shipped_config_dir() -> pathlib.Path:
    """The shipped config files: installed as `sac_tf.configs` (setup.py maps the repository's
    top-level `configs/` there), or, in a source tree that is not installed, that folder."""
    try:
        from sac_tf import configs
    except ImportError:
        return pathlib.Path(__file__).resolve().parents[2] / "configs"
    return pathlib.Path(configs.__file__).resolve().parent


#: Where the shipped config files live.
CONFIG_DIR = _shipped_config_dir()
#: The config file that loads a run's saved config (`saved_run.py:ROOT_DIR`), not an agent.
SAVED_RUN_CONFIG = CONFIG_DIR / "saved_run.py"

#: Env ids whose default config is `configs/{agent}_pendulum.py`; every other
#: env gets `configs/{agent}_mujoco.py:{env_id}` (the papers' general settings).
PENDULUM_FAMILY = ("Pendulum-v1",)


def default_config(agent: str, env_id: str) -> ml_collections.ConfigDict:
    """The config a run of `agent` on `env_id` gets without `--config`.

    Option configs (`configs/sac_tqc.py` and the like) start from it, so an
    option keeps the schedule of its environment family (Pendulum or MuJoCo).
    """
    return load_config(default_config_argument(agent, env_id))


def default_config_argument(agent: str, env_id: str,
                            discrete_actions: Optional[bool] = None) -> str:
    """The `--config` value used when none is given, e.g. `…/sac_mujoco.py:Hopper-v5`, or for
    SAC on an env with `Discrete`/`MultiDiscrete` actions `…/sac_discrete.py:CartPole-v1`
    (`discrete_actions`: whether it has them; None: make the env by id to find out)."""
    if env_id in PENDULUM_FAMILY:
        return str(CONFIG_DIR / f"{agent}_pendulum.py")
    if discrete_actions is None:
        discrete_actions = has_discrete_actions(env_id)
    if agent == "sac" and discrete_actions:
        return f"{CONFIG_DIR / 'sac_discrete.py'}:{env_id}"
    return f"{CONFIG_DIR / f'{agent}_mujoco.py'}:{env_id}"


@functools.lru_cache(maxsize=None)
def has_discrete_actions(env_id: str) -> bool:
    """Whether the gymnasium env `env_id` acts in a `Discrete` or `MultiDiscrete` space; False
    for one that gymnasium cannot make by that id (the run's own make reports why)."""
    try:
        env = gym.make(env_id)
    except Exception:  # an unknown id, a missing extra: not this function's to report
        return False
    env.close()
    return isinstance(env.action_space, (gym.spaces.Discrete, gym.spaces.MultiDiscrete))


def high_update_ratio_sac_config(env_id: str) -> ml_collections.ConfigDict:
    """SAC with 20 critic updates per env step after at most 5k random steps, one actor and
    α update per env step, and REDQ's per-task entropy targets (`REDQ_TARGET_ENTROPY`), as
    REDQ's and DroQ's code train (policy update delay 20)."""
    config = default_config("sac", env_id)
    config.learning_starts = min(config.learning_starts, 5_000)
    config.updates_per_step = 20
    config.sac.actor_update_interval = 20
    config.sac.target_entropy = REDQ_TARGET_ENTROPY.get(env_id)
    return config


def saved_run_config_argument(root_dir) -> str:
    """The `--config` value that loads the config saved in `root_dir`."""
    return f"{SAVED_RUN_CONFIG}:{root_dir}"


def named_config_argument(name: str, env_id: str, agents) -> str:
    """The config argument of `name` on `env_id`: an agent's default config when `name` is in
    `agents` (`sac`, `ddpg`, `td3`), the option config `configs/{name}.py:{env_id}`, or, for
    a path ending in `.py`, that config file with the env id (`path.py:{env_id}`).

    Raises:
      UserError: for a name that is none of these, or an agent without a config for `env_id`.
    """
    if name.endswith(".py"):
        if not pathlib.Path(name).is_file():
            raise UserError(f"no config file {name!r}")
        return f"{name}:{env_id}"
    option_file = CONFIG_DIR / f"{name}.py"
    if name in agents:
        argument = default_config_argument(name, env_id)
        if not pathlib.Path(argument.partition(":")[0]).exists():
            raise UserError(f"agent {name!r} has no config for {env_id} ({argument})")
        return argument
    if option_file.exists() and option_file != SAVED_RUN_CONFIG:
        return f"{option_file}:{env_id}"
    raise UserError(f"unknown agent {name!r}; choose from {sorted(agents)}, a config "
                    f"name in {CONFIG_DIR} such as sac_tqc, or a config file path.py")


def config_for_agent(agent: str, config=None, seed: Optional[int] = None,
                     overrides: Mapping = None,
                     discrete_actions: Optional[bool] = None) -> ml_collections.ConfigDict:
    """The validated config of an `agent` built in Python (`sac_tf.SAC(...)`).

    Args:
      config: a `ConfigDict` (copied), a config file argument, or None for the
        agent's default of `overrides["env_id"]` (the MuJoCo default without one).
      seed: sets `config.seed` unless None.
      overrides: fields to set (see `with_overrides`).
      discrete_actions: whether the action space is `Discrete`/`MultiDiscrete` (picks the
        default config; None: found from the env id).

    Raises:
      UserError: for a config of another agent, a bad field or value.
    """
    if not agent:
        raise TypeError("Agent is a base class: use a subclass such as sac_tf.SAC")
    overrides = dict(overrides or {})
    if config is None:
        config = load_config(default_config_argument(agent, overrides.get("env_id") or "",
                                                     discrete_actions))
        config.env_id = None  # set from overrides below when known
    elif isinstance(config, str):
        config = load_config(config)
    else:
        config = config.copy_and_resolve_references()
    if config.get("agent") != agent:
        raise UserError(f"config is for agent {config.get('agent')!r}, not {agent!r}")
    if seed is not None:
        overrides["seed"] = seed
    validate(with_overrides(config, overrides))
    return config


class ConfigArgumentError(UserError):
    """A config file's `get_config` does not take the `:argument` it was given."""


def load_config(argument: str) -> ml_collections.ConfigDict:
    """Loads `path/to/config.py[:arg]` the way `--config` does: `get_config(arg)`, or
    `get_config()` without `:arg`.

    Raises:
      ConfigArgumentError: when its `get_config` does not take the argument
        given (or needs one).
      UserError: when the file is missing, cannot be read, is not Python, has no
        `get_config`, or fails while it runs (the original exception is the
        `UserError`'s cause).
    """
    path, colon, arg = argument.partition(":")
    args = (arg,) if colon else ()
    if not pathlib.Path(path).is_file():
        raise UserError(f"no config file {path!r}")
    loader = importlib.machinery.SourceFileLoader("sac_tf_config_file", path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    with failures_reported_as(f"config file {path}"):  # e.g. an ImportError at its top
        try:
            loader.exec_module(module)
        except SyntaxError as error:
            raise UserError(f"config file {path} is not valid Python: {error}") from None
        except OSError as error:
            raise UserError(f"cannot read config file {path}: {error.strerror}") from None
    get_config = getattr(module, "get_config", None)
    if not callable(get_config):
        raise UserError(f"config file {path} defines no get_config()")
    signature = inspect.signature(get_config)
    try:
        signature.bind(*args)
    except TypeError:
        usage = ":".join([path, *(name.upper() for name in signature.parameters)][:2])
        raise ConfigArgumentError(f"config {argument!r} does not fit get_config"
                                  f"({', '.join(signature.parameters)}): use {usage}") from None
    with failures_reported_as(f"config {argument!r}"):  # a bug in the config file
        return get_config(*args)
