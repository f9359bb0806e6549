"""Making gymnasium environments, single and vectorised, with clear errors."""

import gymnasium as gym

from sac_tf import demo_envs
from sac_tf.errors import UserError
from sac_tf.specs import EnvSpec, spec_from_spaces

demo_envs.register()


def make_env(env_id: str, **kwargs) -> gym.Env:
    """`gym.make(env_id)` that turns the usual failures into a `UserError`."""
    try:
        return gym.make(env_id, **kwargs)
    except gym.error.DependencyNotInstalled as error:
        raise UserError(f"environment {env_id!r} needs a missing dependency: {error}") from None
    except gym.error.Error as error:
        raise UserError(f"unknown environment {env_id!r}: {error}") from None


def make_vector_env(env_id: str, num_envs: int) -> gym.vector.VectorEnv:
    """`num_envs` copies of `env_id` stepped in lockstep in this process.

    Uses same-step autoreset: when a sub-environment's episode ends, `step`
    returns the first observation of the next episode and puts the real final
    observation in `info["final_obs"]`.
    """
    if num_envs < 1:
        raise UserError(f"num_envs must be at least 1, got {num_envs}")
    first = make_env(env_id)
    spec_from_spaces(first.observation_space, first.action_space)
    factories = [lambda: first] + [lambda: make_env(env_id)] * (num_envs - 1)
    return gym.vector.SyncVectorEnv(factories, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)


def env_spec(env: gym.Env | gym.vector.VectorEnv) -> EnvSpec:
    """The `EnvSpec` of one (sub-)environment."""
    if isinstance(env, gym.vector.VectorEnv):
        return spec_from_spaces(env.single_observation_space, env.single_action_space)
    return spec_from_spaces(env.observation_space, env.action_space)
