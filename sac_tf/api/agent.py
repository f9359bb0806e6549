"""`Agent`: a thin layer over `RunState` for people who own their loop.

The same configs, agents, replay buffer, fused learner, checkpoints and
episode runner as `python -m sac_tf.train`. Bad input raises
`sac_tf.errors.UserError`, a `ValueError` that names the problem.
"""

import warnings
from typing import Optional

import gymnasium as gym
import numpy as np

from sac_tf.api.inputs import checked_observation, checked_transition
from sac_tf.api.parts import (check_can_learn, check_exploration_rows,
                              check_observations_counted, compiled_train_step, env_overrides,
                              evaluate_greedy, goals_of, run_config_of)
from sac_tf.api.replay import ApiReplayBuffer
from sac_tf.config import config_for_agent, env_kwargs
from sac_tf.core.acting import CompiledActions
from sac_tf.core.precision import bfloat16_warning, compile_choice
from sac_tf.core.specs import EnvSpec, spec_from_spaces
from sac_tf.core.types import LossInfo
from sac_tf.deploy.run_policy import export_run_policy
from sac_tf.envs.making import check_env, env_spec
from sac_tf.errors import UserError
from sac_tf.run.run_dir import read_run_spec
from sac_tf.run.state import RunState


def _box_actions(spec: EnvSpec) -> EnvSpec:
    """`spec`, checked before anything is built: `UserError` for a hybrid action space."""
    if spec.is_hybrid:
        raise UserError("the Python API takes Box action spaces; train hybrid-action "
                        "environments with python -m sac_tf.train")
    return spec


def _compiles_with_xla(config, spec: EnvSpec) -> bool:
    """`compile_choice` for an API agent, with a `UserWarning` where its bfloat16 gains
    nothing (`bfloat16_warning`; a run prints it instead)."""
    xla = compile_choice(config, spec)[0]
    if warning := bfloat16_warning(config.get("precision", "float32"), xla):
        warnings.warn(warning, stacklevel=4)
    return xla


def _as_floats(info: LossInfo) -> dict:
    return {"loss": float(info.loss), **{name: float(value) for name, value in info.extra.items()}}


class Agent:
    """An off-policy agent for a hand-written loop; `class SAC(Agent): agent_name = "sac"` is
    a complete subclass (the name picks the agent and its default config files).

    Args:
      observation_space: a 1-D `gymnasium.spaces.Box`, or a `Dict`/`Tuple` of `Box` leaves
        (observations are then dicts/tuples of arrays, as the env gives them).
      action_space: a 1-D `Box` with finite bounds, or (SAC) a `Discrete`/`MultiDiscrete`.
      config: a `ConfigDict`, a config file argument (`"configs/sac_mujoco.py:Hopper-v5"`),
        or None for the agent's default config of `env_id` (or of the MuJoCo tasks).
      seed: seed of networks, action sampling and replay; None keeps `config.seed`.
      preprocessing_layers: observation leaf name → a Keras layer in front of every
        network (cloned per network; other leaves are flattened), TF-Agents style.
      compute_reward: with `her=True`, the env's `compute_reward(achieved_goal,
        desired_goal, info)` (`from_env` takes it from the env).
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
                 config=None, seed: Optional[int] = None, *, preprocessing_layers=None,
                 compute_reward=None, **overrides):
        spec = _box_actions(spec_from_spaces(observation_space, action_space))
        config = config_for_agent(self.agent_name, config, seed, overrides, spec.is_discrete)
        goals = None if compute_reward is None else (compute_reward, None)
        self._attach(RunState.create(config, spec, preprocessing_layers=preprocessing_layers),
                     goals)

    @classmethod
    def from_env(cls, env, config=None, seed: Optional[int] = None, *,
                 preprocessing_layers=None, **overrides) -> "Agent":
        """An agent for `env`: a `gymnasium.Env`, a registered id or `package.module:Factory`.

        An id or import path is made with `config.env_kwargs` (or an `env_kwargs=`
        override) and must pass gymnasium's env checker. An env made by
        `gymnasium.make` records its id and the kwargs it was made with (less
        `render_mode`), so evaluations and exports remake the same env.
        """
        config = config_for_agent(cls.agent_name, config, seed, env_overrides(env, overrides))
        spec = check_env(env, env_kwargs(config)) if isinstance(env, str) else env_spec(env)
        goals = goals_of(config, env)  # HER relabels with the env's own compute_reward
        return cls._from_state(RunState.create(config, _box_actions(spec),
                                               preprocessing_layers=preprocessing_layers), goals)

    @classmethod
    def load(cls, root_dir, preprocessing_layers=None, compute_reward=None) -> "Agent":
        """The agent saved in `root_dir` by `save` or by `python -m sac_tf.train`; `UserError`
        when `root_dir` holds no run of this agent, or no checkpoint. Pass the
        `preprocessing_layers` it was made with (config.json keeps only their names).
        A HER agent relabels with `compute_reward`, by default its env's (made by id)."""
        config = run_config_of(root_dir, cls.agent_name)
        spec = _box_actions(read_run_spec(root_dir, config))
        return cls._from_state(RunState.restore_from(root_dir, config, spec,
                                                     preprocessing_layers=preprocessing_layers),
                               goals_of(config, compute_reward=compute_reward,
                                        root_dir=root_dir))

    @classmethod
    def _from_state(cls, state: RunState, goals=None) -> "Agent":
        agent = cls.__new__(cls)
        agent._attach(state, goals)
        return agent

    def _attach(self, state: RunState, goals=None) -> None:
        self._state, self.config, self.spec = state, state.config, state.spec
        agent, spec, xla = state.agent, state.spec, _compiles_with_xla(state.config, state.spec)
        self._actions = CompiledActions.of(agent, spec.observation_specs, xla)
        self._train_step = compiled_train_step(agent, spec, xla)
        self.replay_buffer = ApiReplayBuffer(state, goals)

    @property
    def tf_agent(self):
        """The underlying `OffPolicyAgent` (networks, optimisers, `train`)."""
        return self._state.agent

    @property
    def env_step(self) -> int:
        """Transitions added so far (env steps), including those of a loaded run."""
        self.replay_buffer.flush()
        return int(self._state.env_step)

    def select_action(self, obs, deterministic: bool = False) -> np.ndarray:
        """The action for `obs` (`[obs_dim]` or `[B, obs_dim]`; for nested observations a
        dict/tuple of such leaves) in env units: `[act_dim]` or `[B, act_dim]`;
        `deterministic` takes the policy's mode instead of a sample.

        With DDPG's Ornstein-Uhlenbeck noise, exploring takes one row per env
        (`config.num_envs`): row i continues env i's noise process.
        """
        observation, single = checked_observation(self.spec, "obs", obs)
        if not deterministic:
            check_exploration_rows(self._state.agent, observation)
        act = self._actions.greedy if deterministic else self._actions.explore
        action = self.spec.env_action(act(observation))
        return action[0] if single else action

    def learn(self, num_updates: int = 1) -> dict:
        """`num_updates` updates on batches sampled from the replay buffer, in one compiled
        call; returns the last one's losses as floats (`loss`, `critic_loss`, ...).

        Raises:
          UserError: when `num_updates < 1` or the buffer holds fewer than `batch_size`.
        """
        check_can_learn(num_updates, len(self.replay_buffer), self.config.batch_size)
        return _as_floats(self._state.learner.run(int(num_updates)))

    def train_on_batch(self, observations, actions, rewards, next_observations,
                       terminateds) -> dict:
        """One update on the user's own `[B, ...]` arrays (actions in env units; `terminateds`
        true where no bootstrapping should happen); returns the losses as `learn` does.

        The rows are not counted into the observation statistics (`normalize_observations`):
        those count collected observations, added with `replay_buffer.add`.
        """
        transition, _, _ = checked_transition(self.spec, [
            ("observations", observations), ("actions", actions), ("rewards", rewards),
            ("next_observations", next_observations), ("terminateds", terminateds)])
        self.replay_buffer.flush()  # staged observations count
        check_observations_counted(self._state.agent)
        return _as_floats(self._train_step(transition))

    def evaluate(self, env=None, episodes: int = 10, seed: int = 0) -> dict:
        """The deterministic policy's undiscounted returns over `episodes` episodes, episode
        `i` reset with `seed + i`, in `env` (a `gymnasium.Env`, an id or import path, or
        None for the config's env): `return_mean`, `return_std`, `return_min`,
        `return_max` and `episodes`."""
        return evaluate_greedy(self._actions.greedy, self.spec, self.config, env, episodes, seed)

    def save(self, root_dir) -> str:
        """Writes a checkpoint, `config.json` and `env_spec.json` under `root_dir`, the layout
        of a training run (`python -m sac_tf.train --root_dir=root_dir` resumes it, `load`
        reads it back); returns the checkpoint's path prefix."""
        self.replay_buffer.flush()
        return self._state.save(root_dir)

    def export(self, output_dir):
        """Writes the policy as the SavedModel a training run leaves in `ROOT/policy/`
        (see the README's *Exporting* section); returns `output_dir` as a path."""
        if not output_dir:
            raise UserError("export() needs an output directory")
        self.replay_buffer.flush()
        return export_run_policy(self._state, output_dir)


class SAC(Agent):
    """Soft Actor-Critic (`sac_tf.agents.SacAgent`) for a hand-written loop."""

    agent_name = "sac"


class DDPG(Agent):
    """DDPG (`sac_tf.agents.DdpgAgent` with its DDPG config) for a hand-written loop."""

    agent_name = "ddpg"


class TD3(Agent):
    """TD3 (`sac_tf.agents.DdpgAgent` with its TD3 options) for a hand-written loop."""

    agent_name = "td3"
