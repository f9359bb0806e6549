"""SavedModel export and loading: signatures, actions, metadata, replacing, errors."""

import json
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from sac_tf.agents import make_agent
from sac_tf.deploy.saved_policy import export_policy, load_policy, load_policy_metadata
from sac_tf.envs.making import env_spec, make_env
from sac_tf.errors import UserError
from tests.conftest import small_pendulum_config


LOW, HIGH = -2.0, 2.0  # Pendulum-v1 torque bounds


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """An untrained SAC agent on Pendulum, its export and the reloaded SavedModel."""
    spec = env_spec(make_env("Pendulum-v1"))
    keras.utils.set_random_seed(3)  # the same weights whichever tests ran before
    agent = make_agent(small_pendulum_config(seed=3), spec)
    policy_dir = export_policy(agent, spec, tmp_path_factory.mktemp("export") / "policy",
                               env_id="Pendulum-v1", agent_name="sac", train_step=1234)
    return agent, policy_dir, tf.saved_model.load(str(policy_dir))


def observations(batch, seed=0):
    return np.random.default_rng(seed).normal(0.0, 3.0, (batch, 3)).astype(np.float32)


def test_serving_default_signature_takes_observations_and_returns_actions(exported):
    _, _, loaded = exported
    serve = loaded.signatures["serving_default"]
    (input_spec,) = serve.structured_input_signature[1].values()
    assert input_spec.shape.as_list() == [None, 3] and input_spec.dtype == tf.float32
    action = serve(observation=observations(7))["action"]
    assert action.shape == (7, 1) and action.dtype == tf.float32


def test_deterministic_action_is_the_greedy_action_scaled_to_the_bounds(exported):
    agent, _, loaded = exported
    observation = observations(64)
    greedy = agent.greedy_action(observation).numpy()  # in [-1, 1]
    expected = LOW + (greedy + 1.0) / 2.0 * (HIGH - LOW)
    action = loaded.signatures["serving_default"](observation=observation)["action"].numpy()
    np.testing.assert_allclose(action, expected, atol=1e-6)
    extreme = loaded.signatures["serving_default"](observation=1e4 * observation)["action"]
    assert np.all((extreme.numpy() >= LOW) & (extreme.numpy() <= HIGH))


def test_sample_is_seeded_in_bounds_and_follows_the_actor_distribution(exported):
    agent, _, loaded = exported
    sample = loaded.signatures["sample"]
    observation = np.repeat(observations(1, seed=5), 4000, axis=0)
    first = sample(observation=observation, seed=tf.constant(11))["action"].numpy()
    again = sample(observation=observation, seed=tf.constant(11))["action"].numpy()
    other = sample(observation=observation, seed=tf.constant(12))["action"].numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    assert np.all((first >= LOW) & (first <= HIGH))
    # The samples follow the actor's TanhNormal scaled to the bounds: mean and std as a
    # Monte-Carlo estimate of HIGH·tanh(Normal(loc, scale)). (Inverting tanh instead
    # would blow up at samples that round to the bounds.)
    distribution = agent.actor(observation[:1])
    loc, scale = distribution.loc.numpy()[0, 0], distribution.scale.numpy()[0, 0]
    assert abs(np.tanh(loc)) < 0.95 and scale < 2.0  # unsaturated: the mean depends on loc
    reference = HIGH * np.tanh(np.random.default_rng(0).normal(loc, scale, 400_000))
    assert abs(first.mean() - reference.mean()) < 4 * reference.std() / np.sqrt(len(first))
    np.testing.assert_allclose(first.std(), reference.std(), rtol=0.05)


def test_only_the_actor_variables_are_saved(exported):
    agent, _, loaded = exported
    saved = sorted(tuple(v.shape) for v in loaded.policy_variables)
    assert saved == sorted(tuple(v.shape) for v in agent.actor.variables)
    total = sum(int(np.prod(v.shape)) for v in loaded.policy_variables)
    assert total == sum(int(np.prod(v.shape)) for v in agent.actor.variables)


def test_metadata_is_readable_with_json_alone_and_from_the_savedmodel(exported):
    _, policy_dir, loaded = exported
    metadata = json.loads((policy_dir / "metadata.json").read_text())
    assert metadata["env_id"] == "Pendulum-v1" and metadata["agent"] == "sac"
    assert metadata["train_step"] == 1234
    assert metadata["observation_shape"] == [3] and metadata["action_shape"] == [1]
    assert metadata["action_low"] == [LOW] and metadata["action_high"] == [HIGH]
    assert metadata["sac_tf_version"]
    from_savedmodel = loaded.signatures["metadata"]()["metadata_json"].numpy()
    assert json.loads(from_savedmodel) == metadata
    assert load_policy_metadata(policy_dir) == metadata


def test_export_replaces_an_earlier_export_and_leaves_no_temporary_files(exported, tmp_path):
    agent, _, _ = exported
    spec = env_spec(make_env("Pendulum-v1"))
    for step in (1, 2):
        export_policy(agent, spec, tmp_path / "policy", env_id="Pendulum-v1",
                      agent_name="sac", train_step=step)
    assert [path.name for path in tmp_path.iterdir()] == ["policy"]
    assert load_policy_metadata(tmp_path / "policy")["train_step"] == 2


@pytest.mark.parametrize("occupant", ["run directory", "file"])
def test_export_refuses_to_replace_what_is_not_an_export(exported, tmp_path, occupant):
    agent, _, _ = exported
    spec = env_spec(make_env("Pendulum-v1"))
    target = tmp_path / "target"
    if occupant == "file":
        target.write_text("keep me")
    else:
        target.mkdir()
        (target / "train.csv").write_text("keep me")
    with pytest.raises(UserError, match="exists and is not an exported sac_tf policy"):
        export_policy(agent, spec, target, env_id="Pendulum-v1", agent_name="sac", train_step=1)
    kept = target if occupant == "file" else target / "train.csv"
    assert kept.read_text() == "keep me"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["target"]


@pytest.mark.parametrize("files, message", [
    (None, "does not exist"),
    ({}, "is not an exported sac_tf policy"),
    ({"saved_model.pb": "x", "metadata.json": "{not json"}, "cannot read"),
    ({"saved_model.pb": "x", "metadata.json": '{"env_id": "Pendulum-v1"}'},
     "not sac_tf policy metadata"),
])
def test_a_directory_that_is_not_an_exported_policy_is_a_user_error(tmp_path, files, message):
    policy_dir = tmp_path / "policy"
    if files is not None:
        policy_dir.mkdir()
        for name, text in files.items():
            (policy_dir / name).write_text(text)
    with pytest.raises(UserError, match=message) as error:
        load_policy_metadata(policy_dir)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("corrupt", ["saved_model.pb", "variables/variables.data-00000-of-00001"])
def test_a_corrupt_savedmodel_is_a_user_error(exported, tmp_path, corrupt):
    _, policy_dir, _ = exported
    copy = tmp_path / "policy"
    shutil.copytree(policy_dir, copy)
    (copy / corrupt).write_bytes(b"not a SavedModel")
    with pytest.raises(UserError, match="cannot load the SavedModel") as error:
        load_policy(copy)
    assert "\n" not in str(error.value)
