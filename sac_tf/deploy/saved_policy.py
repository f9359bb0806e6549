"""Exporting an agent's policy as a SavedModel that TensorFlow alone can run.

The exported directory holds the SavedModel files and a `metadata.json` beside
them. Its signatures (all loadable with `tf.saved_model.load`, no sac_tf):

* `serving_default(observation)`: `observation` float32 `[batch, obs_dim]`, as
  the env gives it → `{"action": float32 [batch, act_dim]}`, the agent's
  deterministic action scaled into the env's action bounds; with discrete heads
  also `"discrete_action"`, int32 `[batch, heads]`, the chosen categories (a
  `Discrete`/`MultiDiscrete` action space has that output alone).
* `sample(observation, seed)`: the agent's exploration action (stochastic),
  drawn with stateless random ops seeded by the int32 scalar `seed`: the same
  seed and observations give the same actions, except for DDPG/TD3 with
  Ornstein-Uhlenbeck noise, whose noise state (one process per training env)
  carries over from call to call and which takes batches of `num_envs` rows.
* `metadata()`: `{"metadata_json": string scalar}`, the same JSON as
  `metadata.json`.

A policy of nested (`Dict`/`Tuple`) observations takes one named input per leaf
instead of `observation` (`desired_goal`, `observation`, ...: `policy_inputs` names
them), in both signatures; its metadata's `observation_nest` describes the nest.

`sac_tf.deploy.tflite_policy` converts the deterministic signature to
`policy.tflite` for runtimes without TensorFlow, and runs it.

Only the variables the acting functions read are saved: the actor's, the
observation normaliser's statistics (SimBa) and the Ornstein-Uhlenbeck noise
state; no critic, optimiser or replay buffer. The signatures compute as the agent does;
`sac_tf.deploy.run_policy` exports a float32 copy of an agent trained in mixed precision.
"""

import contextlib
import itertools
import json
import pathlib
import shutil
import tempfile
from typing import Mapping, Optional

import numpy as np
import tensorflow as tf

from sac_tf.errors import UserError, first_line
from sac_tf.core import nests
from sac_tf.core.specs import EnvSpec

#: The `format` field of every exported policy's metadata.
POLICY_FORMAT = "sac_tf.policy/1"
METADATA_FILE = "metadata.json"
_METADATA_KEYS = ("format", "env_id", "agent", "train_step", "observation_shape",
                  "action_shape", "action_low", "action_high", "sac_tf_version")


class _PolicyModule(tf.Module):
    """What gets saved besides the signatures: the variables they read."""

    def __init__(self, variables: list):
        super().__init__(name="policy")
        self.policy_variables = variables


@contextlib.contextmanager
def _seeded_by(agent, seed: tf.Tensor):
    """Makes `agent.next_seed()` return seeds derived from `seed` while tracing.

    Every agent draws its exploration noise with stateless ops seeded by
    `next_seed()`; replacing it (the i-th call gets `fold_in(seed, i)`) turns
    `explore_action` into a function of the observation and `seed` (and of the
    noise state for Ornstein-Uhlenbeck exploration, which reads and advances it).
    """
    base = tf.stack([seed, tf.constant(0, tf.int32)])
    calls = itertools.count()
    agent.next_seed = lambda: tf.cast(
        tf.random.experimental.stateless_fold_in(base, next(calls)), tf.int32)
    try:
        yield
    finally:
        del agent.next_seed


def policy_metadata(spec: EnvSpec, *, env_id: str, agent_name: str, train_step: int,
                    env_kwargs: Optional[Mapping] = None) -> dict:
    """The metadata stored with an exported policy (JSON-serialisable)."""
    from sac_tf import __version__

    metadata = dict(format=POLICY_FORMAT, env_id=env_id, agent=agent_name,
                    train_step=int(train_step), observation_shape=list(spec.observation_shape),
                    action_shape=[spec.continuous_dim], action_low=spec.action_low.tolist(),
                    action_high=spec.action_high.tolist(), sac_tf_version=__version__,
                    env_kwargs=dict(env_kwargs or {}))
    if spec.discrete_sizes:
        metadata["discrete_sizes"] = list(spec.discrete_sizes)
    if spec.is_nested:
        metadata["observation_nest"] = nests.to_json(spec.observation_nest)
    return metadata


def policy_inputs(metadata: dict, observation) -> dict:
    """An observation (a batch, or a nest of batches for a nested policy) → the exported
    signatures' inputs, `{input name: float32 array}`.

    Raises:
      UserError: when a nested observation's keys or structure differ from the policy's.
    """
    if "observation_nest" not in metadata:
        return {"observation": np.asarray(observation, np.float32)}
    nest = nests.from_json(metadata["observation_nest"])
    try:
        tf.nest.assert_same_structure(nest, observation)
    except (ValueError, TypeError) as error:
        raise UserError(f"the observation does not match the policy's nest "
                        f"{nests.leaf_names(nest)}: {first_line(error)}") from None
    return {name: np.asarray(leaf, np.float32)
            for name, leaf in zip(nests.leaf_names(nest), tf.nest.flatten(observation))}


def export_policy(agent, spec: EnvSpec, output_dir, *, env_id: str, agent_name: str,
                  train_step: int, env_kwargs: Optional[Mapping] = None) -> pathlib.Path:
    """Writes `agent`'s policy to `output_dir` as a SavedModel plus `metadata.json`.

    Uses only the acting interface (`greedy_action`, `explore_action`), so it
    works for every agent. The directory is written under a temporary name and
    renamed into place; an existing export there is replaced.

    Args:
      agent: an `OffPolicyAgent` (actions in [-1, 1]).
      spec: the env's `EnvSpec` (observation shape, action bounds).
      output_dir: the directory to create, e.g. `ROOT/policy`; an earlier export there
        is replaced, anything else there refused.
      env_id: gymnasium id the policy was trained on.
      agent_name: e.g. `"sac"`.
      train_step: env steps the policy was trained for.
      env_kwargs: keyword arguments the env was made with (evaluation reuses them).

    Returns:
      `output_dir` as a `pathlib.Path`.

    Raises:
      UserError: when `output_dir` exists and is not an earlier export.
    """
    output_dir = pathlib.Path(output_dir)
    _check_replaceable(output_dir)
    scaler = spec.action_scaler
    low, high = spec.action_low, spec.action_high
    observation_specs = spec.observation_specs  # one named input per leaf
    leaf_specs = tf.nest.flatten(observation_specs)
    pack = lambda leaves: tf.nest.pack_sequence_as(observation_specs, list(leaves))
    metadata = policy_metadata(spec, env_id=env_id, agent_name=agent_name, train_step=train_step,
                               env_kwargs=env_kwargs)
    metadata_json = json.dumps(metadata, sort_keys=True)

    def to_env(action):
        outputs = {}
        if spec.continuous_dim:
            continuous = action[:, :spec.continuous_dim]
            outputs["action"] = tf.clip_by_value(scaler.to_env(continuous), low, high)
        if spec.discrete_sizes:  # one-hot heads → category indices, int32 [batch, heads]
            heads = tf.split(action[:, spec.continuous_dim:], list(spec.discrete_sizes), axis=-1)
            outputs["discrete_action"] = tf.stack(
                [tf.argmax(head, axis=-1, output_type=tf.int32) for head in heads], axis=-1)
        return outputs

    @tf.function(input_signature=leaf_specs)
    def serve(*leaves):
        return to_env(agent.greedy_action(pack(leaves)))

    @tf.function(input_signature=[*leaf_specs, tf.TensorSpec([], tf.int32, name="seed")])
    def sample(*leaves_and_seed):
        with _seeded_by(agent, leaves_and_seed[-1]):
            return to_env(agent.explore_action(pack(leaves_and_seed[:-1])))

    @tf.function(input_signature=[])
    def get_metadata():
        return {"metadata_json": tf.constant(metadata_json)}

    signatures = {"serving_default": serve.get_concrete_function(),
                  "sample": sample.get_concrete_function(),
                  "metadata": get_metadata.get_concrete_function()}
    variables = {id(v): v for concrete in signatures.values() for v in concrete.variables}
    module = _PolicyModule(list(variables.values()))

    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.", dir=output_dir.parent))
    try:
        tf.saved_model.save(module, str(staging), signatures=signatures)
        (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2, sort_keys=True))
        _replace_directory(staging, output_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return output_dir


def _check_replaceable(output_dir: pathlib.Path) -> None:
    """Raises `UserError` unless `output_dir` is absent or an earlier export (which the
    new one replaces): anything else there, such as a run directory, is left alone."""
    if not output_dir.resolve().name:
        raise UserError(f"cannot export a policy to {output_dir}: give a directory to create")
    if output_dir.exists() and not _holds_export_files(output_dir):
        raise UserError(f"{output_dir} exists and is not an exported sac_tf policy; choose "
                        f"another output directory, or remove it")


def _holds_export_files(directory: pathlib.Path) -> bool:
    """Whether `directory` has the two files every export writes."""
    return (directory / METADATA_FILE).is_file() and (directory / "saved_model.pb").is_file()


def _replace_directory(source: pathlib.Path, target: pathlib.Path) -> None:
    """Renames `source` to `target`; an existing `target` is moved aside, then deleted."""
    if not target.exists():
        source.rename(target)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    target.rename(old)
    source.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def load_policy_metadata(policy_dir) -> dict:
    """Reads and checks `policy_dir/metadata.json` (plain JSON, no TensorFlow needed).

    Raises:
      UserError: when `policy_dir` is not a policy exported by `export_policy`.
    """
    policy_dir = pathlib.Path(policy_dir)
    if not policy_dir.is_dir():
        raise UserError(f"policy directory {policy_dir} does not exist")
    if not _holds_export_files(policy_dir):
        raise UserError(f"{policy_dir} is not an exported sac_tf policy "
                        f"(it needs saved_model.pb and {METADATA_FILE})")
    path = policy_dir / METADATA_FILE
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read {path}: {error}") from None
    return parse_policy_metadata(text, path)


def parse_policy_metadata(text: str, source) -> dict:
    """The policy metadata JSON `text` (read from `source`, named in errors), checked.

    Raises:
      UserError: for text that is not JSON, or not sac_tf policy metadata.
    """
    try:
        metadata = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(f"cannot read {source}: {error}") from None
    missing = [key for key in _METADATA_KEYS if not isinstance(metadata, dict) or key not in metadata]
    if missing or metadata["format"] != POLICY_FORMAT:
        raise UserError(f"{source} is not sac_tf policy metadata "
                        f"(format {POLICY_FORMAT}; missing {', '.join(missing) or 'nothing'})")
    return metadata


def load_policy(policy_dir):
    """Loads an exported policy with `tf.saved_model.load`.

    Returns:
      (metadata dict, the loaded object); call
      `loaded.signatures["serving_default"](observation=...)["action"]`.

    Raises:
      UserError: for a directory that is not an exported policy or cannot be read.
    """
    metadata = load_policy_metadata(policy_dir)
    try:
        loaded = tf.saved_model.load(str(policy_dir))
    except (OSError, ValueError, IndexError, KeyError, tf.errors.OpError) as error:
        raise UserError(f"cannot load the SavedModel in {policy_dir}: {first_line(error)}") \
            from None
    if "serving_default" not in loaded.signatures:
        raise UserError(f"{policy_dir} has no serving_default signature")
    return metadata, loaded


def zero_inputs(metadata: dict) -> dict:
    """One zero observation as the signatures' inputs."""
    if "observation_nest" not in metadata:
        return {"observation": np.zeros([1, *metadata["observation_shape"]], np.float32)}
    nest = nests.from_json(metadata["observation_nest"])
    return {spec.name: np.zeros([1, *spec.shape], np.float32) for spec in nests.leaf_specs(nest)}
