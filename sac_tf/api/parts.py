"""What `sac_tf.api.Agent`'s methods are made of: input checks, the compiled train step on
users' batches, evaluation of the greedy policy, and where a HER agent's goals come from."""

import numbers

import numpy as np
import tensorflow as tf

from sac_tf.config import env_kwargs
from sac_tf.core import nests
from sac_tf.core.episodes import return_statistics, run_episodes, run_episodes_in_turn
from sac_tf.core.specs import EnvSpec
from sac_tf.core.types import Transition
from sac_tf.envs.goals import goal_functions
from sac_tf.envs.making import env_spec, make_env, make_vector_env
from sac_tf.errors import UserError
from sac_tf.run.run_dir import read_run_config

MISMATCH = "the environment's spaces differ from the agent's"


def env_overrides(env, overrides: dict) -> dict:
    """`overrides` with the env's id (and, for a made env, the kwargs `gymnasium.make` was
    given, less `render_mode`) as `env_id` and `env_kwargs`."""
    if isinstance(env, str):
        return {"env_id": env, **overrides}
    if env.spec is not None:
        made_with = {k: v for k, v in env.spec.kwargs.items() if k != "render_mode"}
        return {"env_id": env.spec.id, "env_kwargs": made_with, **overrides}
    return overrides


def run_config_of(root_dir, agent_name: str):
    """The config saved in `root_dir`; `UserError` unless it is a run of `agent_name`."""
    config = read_run_config(root_dir)
    if config.get("agent") != agent_name:
        raise UserError(f"{root_dir} holds a {config.get('agent')!r} run, not {agent_name!r}")
    return config


def compiled_train_step(agent, spec: EnvSpec, jit_compile: bool):
    """`agent.train` compiled for a user's batch of `spec`'s shapes (any batch size)."""
    row = lambda *shape: tf.TensorSpec((None, *shape), tf.float32)  # noqa: E731
    signature = Transition(spec.observation_specs, row(spec.action_dim), row(),
                           spec.observation_specs, row())
    return tf.function(agent.train, jit_compile=jit_compile, input_signature=[signature])


def check_exploration_rows(agent, observation) -> None:
    """`UserError` unless an exploring `agent` with per-env noise (DDPG's Ornstein-Uhlenbeck)
    gets one observation row per env."""
    rows_needed = agent.exploration_batch_size
    if rows_needed not in (None, nests.batch_size(observation)):
        raise UserError(f"Ornstein-Uhlenbeck exploration keeps one noise process per env: "
                        f"pass {rows_needed} observations (config.num_envs), one per env, "
                        f"got {nests.batch_size(observation)}")


def check_can_learn(num_updates, stored: int, batch_size: int) -> None:
    """`UserError` unless `num_updates` is a positive integer and the buffer holds a batch."""
    if not isinstance(num_updates, numbers.Integral) or num_updates < 1:
        raise UserError(f"num_updates must be a positive integer, got {num_updates!r}")
    if stored < batch_size:
        raise UserError(f"learn() needs at least batch_size={batch_size} transitions in the "
                        f"replay buffer, it holds {stored}")


def check_observations_counted(agent) -> None:
    """`UserError` when `agent` normalises observations but has counted none yet."""
    normalizer = agent.observation_normalizer
    if normalizer is not None and int(normalizer.count) == 0:
        raise UserError("this agent normalises observations with the statistics of the "
                        "collected ones, and none has been added: add transitions with "
                        "replay_buffer.add first (train_on_batch does not count its rows)")


def evaluate_greedy(greedy, spec: EnvSpec, config, env, episodes: int, seed: int) -> dict:
    """`Agent.evaluate` with the compiled greedy policy `greedy` of an agent of `spec`."""
    if episodes < 1:
        raise UserError(f"episodes must be at least 1, got {episodes}")
    if env is None and not config.env_id:
        raise UserError("the config names no environment: pass one to evaluate()")

    def act(observation):
        return spec.env_action(np.asarray(greedy(observation), np.float32))

    if env is None or isinstance(env, str):
        kwargs = env_kwargs(config) if env is None else {}
        vector_env = make_vector_env(env or config.env_id, episodes, kwargs)
        env_spec(vector_env).check_matches(spec, MISMATCH)
        returns = run_episodes(vector_env, act, seed)
        vector_env.close()
    else:
        env_spec(env).check_matches(spec, MISMATCH)
        returns = run_episodes_in_turn(env, act, episodes, seed)
    return {**return_statistics(returns), "episodes": int(episodes)}


def goals_of(config, env=None, compute_reward=None, root_dir=None):
    """What a HER agent relabels with: `(compute_reward, None)` when given, else the goal
    functions of `env` (an env or an id) or of the config's env; None without `her`."""
    if compute_reward is not None:
        return compute_reward, None
    if not config.get("her"):
        return None
    if env is None and not config.env_id:
        raise UserError(f"{root_dir} holds a HER run of an env without an id: pass its "
                        f"compute_reward to load()")
    env = config.env_id if env is None else env
    return goal_functions(make_env(env, **env_kwargs(config)) if isinstance(env, str) else env)
