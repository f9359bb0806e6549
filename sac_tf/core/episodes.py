"""Whole episodes of a policy, and the statistics of their returns.

The one episode runner of the library: training evaluations, `SAC.evaluate`
and `python -m sac_tf.evaluate` (with its video) all run `run_episodes`.
"""

from typing import Callable, Optional

import gymnasium as gym
import numpy as np

from sac_tf.core import nests

#: observations float32 `[n_envs, obs_dim]` → the actions a vector env steps with
#: (env units; a hybrid space's dict or tuple of batched parts).
VectorActFn = Callable[[np.ndarray], object]
#: called after every vector step with (step of the episodes, 1-based; rewards
#: `[n_envs]`; returns so far `[n_envs]`).
StepCallback = Callable[[int, np.ndarray, np.ndarray], None]


def run_episodes(env: gym.vector.VectorEnv, act: VectorActFn, seed: int,
                 on_step: Optional[StepCallback] = None,
                 final_infos: Optional[list] = None) -> np.ndarray:
    """Runs one episode in each sub-environment of `env`, sub-env `i` reset with `seed + i`.

    With a `final_infos` list, appends to it each sub-env's info of its episode's last step
    (a dict of that env's entries, e.g. `is_success`), in sub-env order.

    Returns:
      float64 `[num_envs]`: the undiscounted return of each episode.
    """
    observation, _ = env.reset(seed=seed)
    returns = np.zeros(env.num_envs)
    running = np.ones(env.num_envs, bool)
    last_infos = [{} for _ in range(env.num_envs)]
    step = 0
    while running.any():
        observation, reward, terminated, truncated, info = env.step(
            act(nests.as_leaf_dtypes(observation)))
        returns += np.where(running, reward, 0.0)
        ended = running & np.logical_or(terminated, truncated)
        if final_infos is not None:
            for index in np.flatnonzero(ended):
                last_infos[index] = _env_info(info.get("final_info", info), index)
        running &= ~ended
        step += 1
        if on_step is not None:
            on_step(step, np.asarray(reward), returns)
    if final_infos is not None:
        final_infos.extend(last_infos)
    return returns


def _env_info(info: dict, index: int) -> dict:
    """Sub-env `index`'s entries of a vector env's batched info dict."""
    return {key: value[index] for key, value in info.items()
            if not key.startswith("_") and isinstance(value, np.ndarray)
            and info.get("_" + key, np.ones(len(value), bool))[index]}


def one_env_as_vector(env: gym.Env) -> gym.vector.VectorEnv:
    """`env` as a vector env of one, which steps it as it is (next-step autoreset, so a
    frame rendered after an episode's last step shows that step, not a reset)."""
    return gym.vector.SyncVectorEnv([lambda: env],
                                    autoreset_mode=gym.vector.AutoresetMode.NEXT_STEP)


def run_episodes_in_turn(env: gym.Env, act: VectorActFn, episodes: int, seed: int,
                         on_step: Optional[Callable[[int, int, float, float], None]] = None
                         ) -> np.ndarray:
    """`episodes` episodes of one env, one after another, episode `i` reset with `seed + i`.

    Args:
      act: as for `run_episodes`, on batches of one observation.
      on_step: called after every step with (episode index, step in the episode
        (1-based), reward of the step, return so far).

    Returns:
      float64 `[episodes]`, the returns.
    """
    vector_env = one_env_as_vector(env)
    returns = []
    for episode in range(episodes):
        callback = None if on_step is None else (
            lambda step, reward, so_far, episode=episode:
            on_step(episode, step, float(reward[0]), float(so_far[0])))
        returns.append(run_episodes(vector_env, act, seed + episode, callback)[0])
    return np.array(returns)


def return_statistics(returns) -> dict:
    """`return_mean`, `return_std`, `return_min`, `return_max` of episode returns, as floats."""
    return dict(return_mean=float(np.mean(returns)), return_std=float(np.std(returns)),
                return_min=float(np.min(returns)), return_max=float(np.max(returns)))
