"""Default hyper-parameters and how a run finds its config file.

Config files in `configs/` build on these functions; they are the single
source of defaults (agents take every hyper-parameter as a required argument).
Any field can be overridden on the command line, e.g.
`--config.batch_size=512` or `--config.sac.hidden_sizes="(64, 64)"`.
"""

import importlib.machinery
import importlib.util
import inspect
import pathlib

import ml_collections
from ml_collections import config_dict

from sac_tf.errors import UserError, failures_reported_as

#: Where the shipped config files live (a sibling of the package).
CONFIG_DIR = pathlib.Path(__file__).resolve().parent.parent / "configs"
#: The config file that loads a run's saved config (`saved_run.py:ROOT_DIR`), not an agent.
SAVED_RUN_CONFIG = CONFIG_DIR / "saved_run.py"

#: Env ids whose default config is `configs/{agent}_pendulum.py`; every other
#: env gets `configs/{agent}_mujoco.py:{env_id}` (the papers' general settings).
PENDULUM_FAMILY = ("Pendulum-v1",)


def base_config(agent: str, env_id: str) -> ml_collections.ConfigDict:
    """Run settings shared by every agent (the loop, replay, evaluation, logging)."""
    config = ml_collections.ConfigDict()
    config.agent = agent
    config.env_id = env_id            # gymnasium id or `package.module:ClassOrFactory`
    config.env_kwargs = ml_collections.ConfigDict()  # keyword arguments of the env
    config.seed = 0
    config.num_steps = 1_000_000      # env steps, summed over vector envs
    config.num_envs = 1               # environments stepped in lockstep
    config.learning_starts = 10_000   # uniform-random env steps before updates
    config.train_every = 20           # vector steps collected per fused learner call
    config.updates_per_step = 1       # gradient updates per env step (update-to-data ratio)
    config.batch_size = 256
    config.buffer_capacity = 1_000_000
    config.jit_compile = True         # XLA-compile the fused update loop
    config.eval_interval = 10_000     # env steps between evaluations
    config.eval_episodes = 10         # deterministic-policy episodes per evaluation
    config.log_interval = 1_000       # env steps between train.csv rows
    config.checkpoint_interval = 50_000
    return config


def sac_config() -> ml_collections.ConfigDict:
    """SAC hyper-parameters of Haarnoja et al. (2018b), table 1."""
    return ml_collections.ConfigDict(dict(
        hidden_sizes=(256, 256),
        num_critics=2,
        target_subset_size=config_dict.placeholder(int),  # None: min over all critics
        actor_q_reduction="min",  # over critics in the actor loss; "mean": REDQ, DroQ, TQC
        critic_layer_norm=False,
        critic_dropout_rate=0.0,
        num_quantiles=1,          # TQC: 25
        quantiles_to_drop=0,      # TQC: 2 per critic
        residual_blocks=0,        # SimBa/BRO: 1-2, with hidden_sizes=(width,)
        normalize_observations=False,
        reset_interval=0,         # updates between resets of every network; 0: never
        actor_update_interval=1,  # critic updates per actor and α update (REDQ/DroQ: 20)
        actor_lr=3e-4,
        critic_lr=3e-4,
        alpha_lr=3e-4,
        gamma=0.99,
        tau=0.005,
        initial_alpha=1.0,
        target_entropy=config_dict.placeholder(float),  # None: −act_dim
        discrete_target_entropy=config_dict.placeholder(float),  # hybrid; None: ½ Σ log n
    ))


def td3_config() -> ml_collections.ConfigDict:
    """TD3 hyper-parameters of Fujimoto et al. (2018), as their code's current defaults."""
    return ml_collections.ConfigDict(dict(
        hidden_sizes=(256, 256),
        num_critics=2,
        actor_lr=3e-4,
        critic_lr=3e-4,
        gamma=0.99,
        tau=0.005,
        exploration_noise=0.1,        # σ, in units of half the action range
        noise_type="gaussian",        # or "ornstein_uhlenbeck"
        ou_theta=0.15,
        target_noise=0.2,
        target_noise_clip=0.5,
        policy_delay=2,
    ))


def ddpg_config() -> ml_collections.ConfigDict:
    """DDPG as the TD3 paper re-tuned it ("our DDPG"): TD3 without its three changes."""
    config = td3_config()
    config.num_critics = 1
    config.target_noise = 0.0
    config.policy_delay = 1
    return config


def pendulum_base_config(agent: str, num_steps: int) -> ml_collections.ConfigDict:
    """Run settings for Pendulum-v1: 1k random steps, an evaluation every 1k steps."""
    config = base_config(agent=agent, env_id="Pendulum-v1")
    config.num_steps = num_steps
    config.learning_starts = 1_000
    config.eval_interval = 1_000
    config.log_interval = 500
    config.checkpoint_interval = 2_000
    config.buffer_capacity = 100_000
    return config


def deterministic_pendulum_config(agent: str) -> ml_collections.ConfigDict:
    """DDPG or TD3 (`agent`) on Pendulum-v1: the papers' settings, lr 1e-3, 15k steps."""
    config = pendulum_base_config(agent, num_steps=15_000)
    config[agent] = td3_config() if agent == "td3" else ddpg_config()
    config[agent].actor_lr = config[agent].critic_lr = 1e-3
    return config


def default_config(agent: str, env_id: str) -> ml_collections.ConfigDict:
    """The config a run of `agent` on `env_id` gets without `--config`.

    Option configs (`configs/sac_tqc.py` and the like) start from it, so an
    option keeps the schedule of its environment family (Pendulum or MuJoCo).
    """
    return load_config(default_config_argument(agent, env_id))


def high_update_ratio_sac_config(env_id: str) -> ml_collections.ConfigDict:
    """SAC with 20 critic updates per env step after at most 5k random steps and one actor
    and α update per env step, as REDQ's and DroQ's code train (policy update delay 20)."""
    config = default_config("sac", env_id)
    config.learning_starts = min(config.learning_starts, 5_000)
    config.updates_per_step = 20
    config.sac.actor_update_interval = 20
    return config


def env_kwargs(config: ml_collections.ConfigDict) -> dict:
    """The keyword arguments a run's environment is made with, as a plain dict."""
    kwargs = config.get("env_kwargs") or {}
    return kwargs.to_dict() if isinstance(kwargs, ml_collections.ConfigDict) else dict(kwargs)


def default_config_argument(agent: str, env_id: str) -> str:
    """The `--config` value used when none is given, e.g. `…/sac_mujoco.py:Hopper-v5`."""
    if env_id in PENDULUM_FAMILY:
        return str(CONFIG_DIR / f"{agent}_pendulum.py")
    return f"{CONFIG_DIR / f'{agent}_mujoco.py'}:{env_id}"


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
