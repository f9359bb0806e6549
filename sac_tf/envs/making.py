"""Making gymnasium environments, single and vectorised, with clear errors.

An env is named by a registered gymnasium id (`"Pendulum-v1"`) or by an import
path `"package.module:ClassOrFactory"` for an environment defined outside
gymnasium's registry; either takes keyword arguments (`env_kwargs`).
"""

import importlib
import warnings
from typing import Mapping, Optional

import gymnasium as gym
import numpy as np
from gymnasium.utils import env_checker

from sac_tf.envs import demo as demo_envs
from sac_tf.envs.dmc import register_dmc
from sac_tf.envs.goals import register_robotics
from sac_tf.errors import UserError, first_line
from sac_tf.core.specs import EnvSpec, spec_from_spaces

demo_envs.register()


def is_import_path(env_id: str) -> bool:
    """Whether `env_id` is `module:ClassOrFactory` rather than a registered id."""
    module, separator, name = env_id.partition(":")
    return bool(separator and module) and name.isidentifier()


def _make_from_import_path(env_id: str, kwargs: Mapping) -> gym.Env:
    module_name, _, name = env_id.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UserError(f"cannot import {module_name!r} for environment {env_id!r}: {error}") \
            from None
    if not hasattr(module, name):
        raise UserError(f"module {module_name!r} has no {name!r} for environment {env_id!r}")
    try:
        env = getattr(module, name)(**kwargs)
    except Exception as error:  # the env's own code, given the user's kwargs
        raise _construction_error(env_id, kwargs, error) from None
    if not isinstance(env, gym.Env):
        raise UserError(f"{env_id!r} made a {type(env).__name__}, not a gymnasium.Env")
    return env


def make_env(env_id: str, **kwargs) -> gym.Env:
    """`gym.make(env_id, **kwargs)`, or the import path's class or factory called with them.

    Raises:
      UserError: for unknown ids, missing modules or dependencies and bad kwargs.
    """
    if not isinstance(env_id, str) or not env_id:
        raise UserError(f"no environment id given (got {env_id!r}): pass --env")
    if is_import_path(env_id):
        return _make_from_import_path(env_id, kwargs)
    register_dmc(env_id)
    register_robotics(env_id)
    try:
        return gym.make(env_id, **kwargs)
    except gym.error.DependencyNotInstalled as error:
        raise UserError(f"environment {env_id!r} needs a missing dependency: {error}") from None
    except gym.error.Error as error:
        raise UserError(f"unknown environment {env_id!r}: {error}") from None
    except Exception as error:  # the env's own code, given the user's kwargs
        raise _construction_error(env_id, kwargs, error) from None


def _construction_error(env_id: str, kwargs: Mapping, error: Exception) -> UserError:
    """`cannot make environment 'X' with env_kwargs {...}: ValueError: first line`."""
    return UserError(f"cannot make environment {env_id!r} with env_kwargs {dict(kwargs)}: "
                     f"{type(error).__name__}: {first_line(error)}")


def _first_observation_mismatch(env: gym.Env) -> str:
    """` (reset gives float64 [5], the space is ...)` when they differ, else ``."""
    try:
        observation = np.asarray(env.reset(seed=0)[0])
    except Exception:  # the checker's message already says what failed
        return ""
    space = env.observation_space
    if isinstance(space, gym.spaces.Box) and (observation.dtype, observation.shape) != (
            space.dtype, space.shape):
        return (f" (reset() gives {observation.dtype} {list(observation.shape)}, the observation "
                f"space is {space.dtype} {list(space.shape)})")
    return ""


def check_env(env_id: str, env_kwargs: Optional[Mapping] = None) -> EnvSpec:
    """Makes one `env_id`, runs gymnasium's env checker on it and returns its `EnvSpec`.

    The checker's advice (bounds, normalisation) is not printed; only failures count.

    Raises:
      UserError: with the checker's message when the env breaks the gymnasium
        API (observations outside their space, wrong dtype or shape...), or
        when its spaces are not supported.
    """
    env = make_env(env_id, **(env_kwargs or {}))
    try:
        spec = env_spec(env)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            env_checker.check_env(env.unwrapped, skip_render_check=True)
    except UserError:
        raise
    except Exception as error:  # the checker's assertions, or the env's own code failing
        message = str(error).strip() or type(error).__name__
        if not isinstance(error, (AssertionError, gym.error.Error)):
            message = f"{type(error).__name__}: {first_line(error)}"
        raise UserError(f"environment {env_id!r} fails gymnasium's env checker: {message}"
                        f"{_first_observation_mismatch(env)}") from None
    finally:
        env.close()
    return spec


def make_vector_env(env_id: str, num_envs: int,
                    env_kwargs: Optional[Mapping] = None) -> gym.vector.VectorEnv:
    """`num_envs` copies of `env_id` stepped in lockstep in this process.

    Uses same-step autoreset: when a sub-environment's episode ends, `step`
    returns the first observation of the next episode and puts the real final
    observation in `info["final_obs"]`.
    """
    if num_envs < 1:
        raise UserError(f"num_envs must be at least 1, got {num_envs}")
    kwargs = dict(env_kwargs or {})
    first = make_env(env_id, **kwargs)
    spec_from_spaces(first.observation_space, first.action_space)
    factories = [lambda: first] + [lambda: make_env(env_id, **kwargs)] * (num_envs - 1)
    return gym.vector.SyncVectorEnv(factories, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)


def env_spec(env: gym.Env | gym.vector.VectorEnv) -> EnvSpec:
    """The `EnvSpec` of one (sub-)environment."""
    if isinstance(env, gym.vector.VectorEnv):
        return spec_from_spaces(env.single_observation_space, env.single_action_space)
    return spec_from_spaces(env.observation_space, env.action_space)
