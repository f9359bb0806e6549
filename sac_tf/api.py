"""A small Python API for people who own their loop.

    agent = sac_tf.SAC.from_env("Pendulum-v1", seed=0)
    action = agent.select_action(observation)             # env units
    agent.replay_buffer.add(observation, action, reward, next_observation,
                            terminated, truncated)
    losses = agent.learn(num_updates=20)                   # {"loss": ..., "critic_loss": ...}
    agent.save("runs/mine")     # then `python -m sac_tf.train --root_dir=runs/mine` resumes it
    agent = sac_tf.SAC.load("runs/mine")   # or a command-line run's root_dir

A thin layer over the parts `python -m sac_tf.train` trains with (see
`sac_tf.run.state`): the same configs, agents, replay buffer, fused learner
and checkpoint layout. Bad input raises `sac_tf.errors.UserError`, a
`ValueError` that names the problem.
"""

import numbers
import pathlib
from typing import Mapping, Optional

import gymnasium as gym
import ml_collections
import numpy as np
import tensorflow as tf

from sac_tf.run.state import (build_components, read_run_config, read_run_spec,
                               write_run_files)
from sac_tf.config import default_config_argument, env_kwargs, load_config
from sac_tf.core.drivers import run_episodes
from sac_tf.envs.making import check_env, env_spec, make_vector_env
from sac_tf.errors import UserError
from sac_tf.deploy.saved_policy import export_policy
from sac_tf.core.policies import numpy_policy
from sac_tf.core.replay_buffer import StagedWriter
from sac_tf.core.specs import EnvSpec, spec_from_spaces
from sac_tf.run.loop import validate
from sac_tf.core.types import LossInfo, Transition


def _checked_rows(name: str, value, row_shape: tuple) -> tuple:
    """`value` as float32 `[B, *row_shape]`, and whether it was one row.

    Raises:
      UserError: for another shape, a non-numeric value, NaN or infinity.
    """
    try:
        array = np.asarray(value, np.float32)
    except (TypeError, ValueError):
        raise UserError(f"{name} must be numeric, got {type(value).__name__}") from None
    single = array.shape == row_shape
    if single:
        array = array[None]
    if array.shape[1:] != row_shape or array.ndim != len(row_shape) + 1:
        expected = f"{row_shape} or (batch, {', '.join(map(str, row_shape))})".replace(", )", ")")
        raise UserError(f"{name} has shape {array.shape}; expected {expected}")
    if not np.all(np.isfinite(array)):
        raise UserError(f"{name} contains NaN or infinity")
    return array, single


def _checked_transition(spec: EnvSpec, named_values: list) -> tuple:
    """User arrays in env units → a `Transition` in agent units.

    Args:
      spec: the agent's spec.
      named_values: `(name, value)` pairs in `Transition` order (observation,
        action in env units, reward, next observation, terminated), optionally
        followed by more `[B]` flags that are only checked (truncated). Each
        is one row or a batch `[B, ...]`; all must agree.

    Returns:
      (`Transition` with actions clipped into [-1, 1] and terminated as 0/1,
      batch size `B`, whether the input was one row).

    Raises:
      UserError: naming the first array of a wrong shape, with NaN or
        infinity, or whose batch size differs from the others.
    """
    row_shapes = (spec.observation_shape, (spec.action_dim,), (), spec.observation_shape)
    arrays, single = [], None
    for index, (name, value) in enumerate(named_values):
        array, single_row = _checked_rows(name, value, row_shapes[index] if index < 4 else ())
        single = single_row if single is None else single
        if single_row != single:
            raise UserError(f"{name} is {'one row' if single_row else 'a batch'} but "
                            f"{named_values[0][0]} is {'one row' if single else 'a batch'}")
        arrays.append(array)
    sizes = {name: array.shape[0] for (name, _), array in zip(named_values, arrays)}
    if len(set(sizes.values())) != 1:
        raise UserError(f"batch sizes differ: {sizes}")
    observation, action, reward, next_observation, terminated = arrays[:5]
    scaler = spec.action_scaler
    normalised = np.clip(scaler.from_env(action), -1.0, 1.0).astype(np.float32)
    transition = Transition(observation, normalised, reward, next_observation,
                            (terminated != 0).astype(np.float32))
    return transition, arrays[0].shape[0], single


def _as_floats(info: LossInfo) -> dict:
    return {"loss": float(info.loss), **{name: float(value) for name, value in info.extra.items()}}


class ApiReplayBuffer:
    """The agent's replay buffer, filled with numpy transitions in env units.

    Transitions are staged on the host and written to the `tf.Variable`
    storage in one call before the agent learns or saves (or every
    `FLUSH_EVERY` transitions).
    """

    #: Most transitions staged before they are written.
    FLUSH_EVERY = 1_000

    def __init__(self, components, spec: EnvSpec):
        self._components = components
        self._spec = spec
        self._capacity = components.replay_buffer.capacity
        self._writer = StagedWriter(components.replay_buffer)
        self._staged_steps = 0

    def add(self, obs, action, reward, next_obs, terminated, truncated) -> None:
        """Stores one transition, or a batch of them (leading dimension `[B]`).

        Args:
          obs: `[obs_dim]` or `[B, obs_dim]`, the observation acted on.
          action: `[act_dim]` or `[B, act_dim]`, the action taken, in env units
            (clipped to the action space's bounds, as environments do).
          reward: scalar or `[B]`.
          next_obs: like `obs`; at an episode's end, the real final observation.
          terminated: bool, scalar or `[B]`: the episode reached a terminal state,
            so its value is not bootstrapped.
          truncated: bool, scalar or `[B]`: the episode was cut short (a time
            limit). Accepted so a gymnasium step's outputs pass straight
            through; a truncated step still bootstraps from `next_obs`.

        Raises:
          UserError: for shapes that do not match the spec or each other, and
            for NaN or infinite values.
        """
        transition, batch, _ = _checked_transition(self._spec, [
            ("obs", obs), ("action", action), ("reward", reward), ("next_obs", next_obs),
            ("terminated", terminated), ("truncated", truncated)])
        if batch > self._capacity:
            raise UserError(f"a batch of {batch} transitions does not fit the replay buffer's "
                            f"capacity of {self._capacity}")
        if self._staged_steps + batch > min(self._capacity, self.FLUSH_EVERY):
            self.flush()
        self._writer(transition)
        self._staged_steps += batch

    def flush(self) -> None:
        """Writes staged transitions to the buffer and counts them as env steps."""
        self._writer.flush()
        self._components.env_step.assign_add(self._staged_steps)
        self._staged_steps = 0

    def __len__(self) -> int:
        """Transitions stored (at most the buffer's capacity)."""
        self.flush()
        return int(self._components.replay_buffer.size)


class Agent:
    """An off-policy agent for a hand-written loop; subclasses name the agent.

    `class SAC(Agent): agent_name = "sac"` is a complete subclass: the name
    picks the agent in `sac_tf.agents.AGENTS` and its default config files.

    Build one from spaces, `SAC(observation_space, action_space, ...)`, from
    an environment, `SAC.from_env(env_or_id, ...)`, or from a run directory,
    `SAC.load(root_dir)`.

    Args:
      observation_space: a 1-D `gymnasium.spaces.Box`.
      action_space: a 1-D `Box` with finite bounds.
      config: a `ConfigDict`, a config file argument (`"configs/sac_mujoco.py:Hopper-v5"`),
        or None for the agent's default config of `env_id` (or of the MuJoCo
        tasks when no env id is given).
      seed: seed of networks, action sampling and replay; None keeps `config.seed`.
      **overrides: config fields to change, top-level (`batch_size=128`) or of
        the agent's section (`actor_lr=1e-3` for `config.sac.actor_lr`).

    Attributes:
      config: the run's `ConfigDict` (read it, do not change it).
      spec: the `EnvSpec` (observation shape, action bounds).
      replay_buffer: an `ApiReplayBuffer`.
    """

    #: Key of the agent in `sac_tf.agents.AGENTS` and prefix of its config files.
    agent_name: str = ""

    def __init__(self, observation_space: gym.Space, action_space: gym.Space,
                 config=None, seed: Optional[int] = None, **overrides):
        self._build(spec_from_spaces(observation_space, action_space),
                    self._resolve_config(config, seed, overrides))

    @classmethod
    def from_env(cls, env, config=None, seed: Optional[int] = None, **overrides) -> "Agent":
        """An agent for `env`: a `gymnasium.Env`, a registered id or `package.module:Factory`.

        An id or import path is made with `config.env_kwargs` (or an
        `env_kwargs=` override) and must pass gymnasium's env checker. An env
        made by `gymnasium.make` records its id and the kwargs it was made with
        (less `render_mode`), so evaluations and exports remake the same env.
        """
        if isinstance(env, str):
            overrides = {"env_id": env, **overrides}
        elif env.spec is not None:
            made_with = {k: v for k, v in env.spec.kwargs.items() if k != "render_mode"}
            overrides = {"env_id": env.spec.id, "env_kwargs": made_with, **overrides}
        config = cls._resolve_config(config, seed, overrides)
        if isinstance(env, str):
            spec = check_env(env, env_kwargs(config))
        else:
            spec = env_spec(env)
        agent = cls.__new__(cls)
        agent._build(spec, config)
        return agent

    @classmethod
    def load(cls, root_dir) -> "Agent":
        """The agent saved in `root_dir` by `save` or by `python -m sac_tf.train`.

        Raises:
          UserError: when `root_dir` holds no run of this agent.
        """
        config = read_run_config(root_dir)
        if config.get("agent") != cls.agent_name:
            raise UserError(f"{root_dir} holds a {config.get('agent')!r} run, "
                            f"not {cls.agent_name!r}")
        spec = read_run_spec(root_dir, config)
        agent = cls.__new__(cls)
        agent._build(spec, config)
        if not agent._components.checkpointer(root_dir).restore_latest():
            raise UserError(f"no checkpoint in {root_dir}")
        return agent

    @classmethod
    def _resolve_config(cls, config, seed: Optional[int],
                        overrides: Mapping) -> ml_collections.ConfigDict:
        if not cls.agent_name:
            raise TypeError("Agent is a base class: use a subclass such as sac_tf.SAC")
        if config is None:
            config = load_config(default_config_argument(cls.agent_name,
                                                         overrides.get("env_id") or ""))
            config.env_id = None  # set from overrides below when known
        elif isinstance(config, str):
            config = load_config(config)
        else:
            config = config.copy_and_resolve_references()
        if config.get("agent") != cls.agent_name:
            raise UserError(f"config is for agent {config.get('agent')!r}, "
                            f"not {cls.agent_name!r}")
        if seed is not None:
            overrides = {**overrides, "seed": seed}
        section = config.get(cls.agent_name, ml_collections.ConfigDict())
        for name, value in overrides.items():
            target = config if name in config else section if name in section else None
            if target is None:
                raise UserError(f"unknown config field {name!r}: not in the run config or in "
                                f"config.{cls.agent_name}")
            try:
                target[name] = value
            except TypeError as error:
                raise UserError(f"bad value for config field {name!r}: {error}") from None
        validate(config)
        return config

    def _build(self, spec: EnvSpec, config: ml_collections.ConfigDict) -> None:
        if spec.is_hybrid:
            raise UserError("the Python API takes Box action spaces; train hybrid-action "
                            "environments with python -m sac_tf.train")
        self.config = config
        self.spec = spec
        self._components = build_components(config, spec)
        agent = self._components.agent
        self._policies = {
            deterministic: numpy_policy(action_fn, spec.observation_dim, config.jit_compile)
            for deterministic, action_fn in ((True, agent.greedy_action),
                                             (False, agent.explore_action))}
        row = lambda *shape: tf.TensorSpec((None, *shape), tf.float32)
        self._train_step = tf.function(agent.train, jit_compile=config.jit_compile,
                                       input_signature=[Transition(
                                           row(spec.observation_dim), row(spec.action_dim),
                                           row(), row(spec.observation_dim), row())])
        self.replay_buffer = ApiReplayBuffer(self._components, spec)

    @property
    def tf_agent(self):
        """The underlying `OffPolicyAgent` (networks, optimisers, `train`)."""
        return self._components.agent

    @property
    def env_step(self) -> int:
        """Transitions added so far (env steps), including those of a loaded run."""
        self.replay_buffer.flush()
        return int(self._components.env_step)

    def select_action(self, obs, deterministic: bool = False) -> np.ndarray:
        """The action for `obs`, in env units.

        Args:
          obs: one observation `[obs_dim]` or a batch `[B, obs_dim]`.
          deterministic: the policy's mode instead of a sample from it.

        Returns:
          float32 `[act_dim]` for one observation, `[B, act_dim]` for a batch.
        """
        observation, single = _checked_rows("obs", obs, self.spec.observation_shape)
        action = self.spec.action_scaler.to_env(self._policies[bool(deterministic)](observation))
        return action[0] if single else action

    def learn(self, num_updates: int = 1) -> dict:
        """`num_updates` updates on batches sampled from the replay buffer, in one compiled call.

        Returns:
          The last update's losses and statistics as floats (`loss`, and e.g.
          `critic_loss, actor_loss, alpha_loss, alpha, entropy, q_mean` for SAC).

        Raises:
          UserError: when `num_updates < 1` or the buffer holds fewer than
            `config.batch_size` transitions.
        """
        if not isinstance(num_updates, numbers.Integral) or num_updates < 1:
            raise UserError(f"num_updates must be a positive integer, got {num_updates!r}")
        stored = len(self.replay_buffer)
        if stored < self.config.batch_size:
            raise UserError(f"learn() needs at least batch_size={self.config.batch_size} "
                            f"transitions in the replay buffer, it holds {stored}")
        return _as_floats(self._components.learner.run(int(num_updates)))

    def train_on_batch(self, observations, actions, rewards, next_observations,
                       terminateds) -> dict:
        """One update on a batch of the user's own transitions; the replay buffer is not used.

        Args:
          observations: `[B, obs_dim]`.
          actions: `[B, act_dim]` in env units (clipped to the bounds).
          rewards: `[B]`.
          next_observations: `[B, obs_dim]`.
          terminateds: `[B]`, true where no bootstrapping should happen.

        Returns:
          The update's losses and statistics as floats, as `learn` returns them.
        """
        transition, _, _ = _checked_transition(self.spec, [
            ("observations", observations), ("actions", actions), ("rewards", rewards),
            ("next_observations", next_observations), ("terminateds", terminateds)])
        return _as_floats(self._train_step(transition))

    def evaluate(self, env=None, episodes: int = 10, seed: int = 0) -> dict:
        """Mean and spread of the deterministic policy's undiscounted returns.

        Args:
          env: a `gymnasium.Env`, an id or import path, or None for the config's
            env (made with its `env_kwargs`).
          episodes: number of episodes; episode `i` starts from `reset(seed=seed + i)`.
          seed: see `episodes`.

        Returns:
          `{"return_mean": float, "return_std": float, "episodes": int}`.
        """
        if episodes < 1:
            raise UserError(f"episodes must be at least 1, got {episodes}")
        greedy = self._policies[True]
        if env is None and not self.config.env_id:
            raise UserError("the config names no environment: pass one to evaluate()")
        if env is None or isinstance(env, str):
            kwargs = env_kwargs(self.config) if env is None else {}
            vector_env = make_vector_env(env or self.config.env_id, episodes, kwargs)
            self._check_spec(env_spec(vector_env))
            returns = run_episodes(vector_env, self.spec, greedy, seed)
            vector_env.close()
        else:
            self._check_spec(env_spec(env))
            single = gym.vector.SyncVectorEnv([lambda: env])
            returns = np.concatenate([run_episodes(single, self.spec, greedy, seed + episode)
                                      for episode in range(episodes)])
        return {"return_mean": float(np.mean(returns)), "return_std": float(np.std(returns)),
                "episodes": int(episodes)}

    def _check_spec(self, spec: EnvSpec) -> None:
        if spec.observation_shape != self.spec.observation_shape or not (
                np.array_equal(spec.action_low, self.spec.action_low)
                and np.array_equal(spec.action_high, self.spec.action_high)):
            raise UserError(f"the environment's spaces {spec.to_dict()} differ from the "
                            f"agent's {self.spec.to_dict()}")

    def save(self, root_dir) -> str:
        """Writes a checkpoint, `config.json` and `env_spec.json` under `root_dir`.

        The layout is a training run's: `python -m sac_tf.train --root_dir=root_dir`
        resumes it, and `load` reads it back.

        Returns:
          The checkpoint's path prefix, `root_dir/checkpoints/ckpt-{env_step}`.
        """
        pathlib.Path(root_dir).mkdir(parents=True, exist_ok=True)
        self.replay_buffer.flush()
        write_run_files(root_dir, self.config, self.spec)
        return self._components.checkpointer(root_dir).save(int(self._components.env_step))

    def export(self, output_dir) -> pathlib.Path:
        """Writes the policy as the SavedModel a training run leaves in `ROOT/policy/`.

        `serving_default` maps `observation` `[batch, obs_dim]` to a deterministic
        `action` in the env's bounds; `sample` draws a seeded stochastic one.
        TensorFlow alone loads it (see the README's *Exporting* section).
        """
        return export_policy(self.tf_agent, self.spec, output_dir, env_id=self.config.env_id,
                             agent_name=self.agent_name, train_step=self.env_step,
                             env_kwargs=env_kwargs(self.config))


class SAC(Agent):
    """Soft Actor-Critic (`sac_tf.agents.SacAgent`) for a hand-written loop."""

    agent_name = "sac"


class DDPG(Agent):
    """DDPG (`sac_tf.agents.DdpgAgent` with its DDPG config) for a hand-written loop."""

    agent_name = "ddpg"


class TD3(Agent):
    """TD3 (`sac_tf.agents.DdpgAgent` with its TD3 options) for a hand-written loop."""

    agent_name = "td3"
