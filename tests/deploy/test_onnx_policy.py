"""ONNX export and onnxruntime loading: same actions as the SavedModel, metadata inside, errors."""

import importlib
import json
import subprocess
import sys

import keras
import numpy as np
import onnx
import pytest
import tensorflow as tf

from sac_tf.agents import make_agent
from sac_tf.deploy import onnx_policy
from sac_tf.deploy.evaluation import evaluate_policy
from sac_tf.deploy.onnx_policy import (METADATA_PROPERTY, convert_to_onnx, load_onnx_policy)
from sac_tf.deploy.saved_policy import export_policy, load_policy_metadata
from sac_tf.deploy.tflite_policy import convert_to_tflite
from sac_tf.core.types import Transition
from sac_tf.envs.making import env_spec, make_env
from sac_tf.errors import UserError
from tests.agents.test_sac import HYBRID_ID
from tests.conftest import REPO_ROOT, small_pendulum_config

EXAMPLE = REPO_ROOT / "examples" / "load_policy_onnx.py"


def exported_policy(directory, env_id="Pendulum-v1", **sac_fields):
    """An untrained SAC policy for `env_id` (with `sac_fields` set), exported to `directory`."""
    env = make_env(env_id)
    spec = env_spec(env)
    env.close()
    keras.utils.set_random_seed(4)
    config = small_pendulum_config(seed=4, env_id=env_id)
    config.sac.update(sac_fields)
    agent = make_agent(config, spec)
    if agent.observation_normalizer is not None:  # statistics far from (0, 1)
        observation = np.random.default_rng(0).normal(5.0, 3.0, (500, spec.observation_dim))
        agent.record_collected(Transition(observation.astype(np.float32), *[None] * 4))
    return export_policy(agent, spec, directory, env_id=env_id, agent_name="sac",
                         train_step=77)


@pytest.mark.parametrize("env_id, sac_fields", [
    ("Pendulum-v1", {}),
    ("Pendulum-v1", dict(normalize_observations=True, residual_blocks=1, hidden_sizes=(32,))),
    (HYBRID_ID, {}),
    ("CartPole-v1", {}),
], ids=["plain", "normalised_simba", "hybrid", "discrete"])
def test_onnx_outputs_equal_the_savedmodel_outputs_and_carry_the_metadata(tmp_path, env_id,
                                                                          sac_fields):
    policy_dir = exported_policy(tmp_path / "policy", env_id, **sac_fields)
    path = convert_to_onnx(policy_dir)
    assert path == policy_dir / "policy.onnx"
    metadata, policy = load_onnx_policy(path)
    assert metadata == load_policy_metadata(policy_dir)
    serve = tf.saved_model.load(str(policy_dir)).signatures["serving_default"]
    observation = np.random.default_rng(1).normal(2.0, 4.0, (64, metadata["observation_shape"][0]))
    observation = observation.astype(np.float32)
    expected = {name: value.numpy() for name, value in serve(observation=observation).items()}
    outputs = policy(observation)
    assert sorted(outputs) == sorted(expected)
    if "action" in expected:
        np.testing.assert_allclose(outputs["action"], expected["action"], atol=1e-5)
    if "discrete_action" in expected:
        assert outputs["discrete_action"].dtype == np.int32
        np.testing.assert_array_equal(outputs["discrete_action"], expected["discrete_action"])


@pytest.mark.parametrize("env_id", [HYBRID_ID, "CartPole-v1"], ids=["hybrid", "discrete"])
def test_onnx_and_tflite_policies_of_discrete_heads_get_the_savedmodel_returns(tmp_path, env_id):
    policy_dir = exported_policy(tmp_path / "policy", env_id)
    saved = evaluate_policy(policy_dir, episodes=3, seed=100)
    for converted_path in (convert_to_onnx(policy_dir), convert_to_tflite(policy_dir)):
        converted = evaluate_policy(converted_path, episodes=3, seed=100)
        np.testing.assert_allclose(converted["returns"], saved["returns"], atol=1e-3)


def test_the_onnx_example_gets_the_evaluate_returns_of_hybrid_and_normalised_policies(tmp_path):
    """examples/load_policy_onnx.py maps `discrete_action` onto the hybrid Dict space as
    `sac_tf.evaluate` does (the demo env is registered first: it lives in sac_tf)."""
    register_then_run = ("import runpy, sys; from sac_tf.envs import demo; demo.register(); "
                         "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')")
    for name, env_id, fields in (("hybrid", HYBRID_ID, {}), ("discrete", "CartPole-v1", {}),
                                 ("normalised", "Pendulum-v1", dict(normalize_observations=True))):
        onnx_path = convert_to_onnx(exported_policy(tmp_path / name, env_id, **fields))
        expected = evaluate_policy(onnx_path, episodes=3, seed=100)["returns"]
        np.testing.assert_allclose(evaluate_policy(onnx_path.parent, episodes=3,
                                                   seed=100)["returns"], expected, atol=1e-3)
        result = subprocess.run([sys.executable, "-c", register_then_run, str(EXAMPLE),
                                 str(onnx_path), "--episodes=3", "--seed=100"], cwd=REPO_ROOT,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        returns = json.loads(result.stdout.strip().splitlines()[-1])["returns"]
        np.testing.assert_allclose(returns, expected, atol=1e-3)


@pytest.fixture(scope="module")
def onnx_file(tmp_path_factory):
    return convert_to_onnx(exported_policy(tmp_path_factory.mktemp("onnx") / "policy"))


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[:len(data) // 2], "cannot load"),
    (lambda data: b"not an onnx model" + data[:100], "cannot load"),
    (lambda data: b"", "cannot load"),
])
def test_a_corrupt_or_truncated_file_is_a_user_error(onnx_file, tmp_path, damage, message):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(damage(onnx_file.read_bytes()))
    with pytest.raises(UserError, match=message):
        load_onnx_policy(broken)
    with pytest.raises(UserError, match="does not exist"):
        load_onnx_policy(tmp_path / "missing.onnx")


def test_a_model_without_metadata_or_whose_input_is_not_its_observations_is_a_user_error(onnx_file,
                                                                             tmp_path):
    model = onnx.load(str(onnx_file))
    del model.metadata_props[:]
    onnx.save(model, str(tmp_path / "bare.onnx"))
    with pytest.raises(UserError, match=f"no {METADATA_PROPERTY} property"):
        load_onnx_policy(tmp_path / "bare.onnx")

    model = onnx.load(str(onnx_file))  # metadata that promises 5 observation features
    metadata = json.loads(model.metadata_props[0].value)
    onnx.helper.set_model_props(model, {METADATA_PROPERTY: json.dumps(
        {**metadata, "observation_shape": [5]})})
    onnx.save(model, str(tmp_path / "reshaped.onnx"))
    with pytest.raises(UserError, match=r"not a float batch of observations of shape \[5\]"):
        load_onnx_policy(tmp_path / "reshaped.onnx")


def test_a_model_whose_outputs_do_not_match_its_metadata_is_a_user_error(onnx_file, tmp_path):
    model = onnx.load(str(onnx_file))  # metadata of a two-dimensional action
    metadata = json.loads(model.metadata_props[0].value)
    onnx.helper.set_model_props(model, {METADATA_PROPERTY: json.dumps(
        {**metadata, "action_low": [-2.0, -2.0], "action_high": [2.0, 2.0]})})
    onnx.save(model, str(tmp_path / "wider.onnx"))
    with pytest.raises(UserError, match="not the .* its metadata describes"):
        load_onnx_policy(tmp_path / "wider.onnx")
    (tmp_path / "folder.onnx").mkdir()
    with pytest.raises(UserError, match="is not a file"):
        load_onnx_policy(tmp_path / "folder.onnx")


def test_without_the_optional_packages_the_error_says_how_to_install_them(monkeypatch,
                                                                          onnx_file):
    real_import = importlib.import_module

    def without_onnx(name, *args):
        if name in ("tf2onnx", "onnxruntime"):
            raise ImportError(name)
        return real_import(name, *args)

    monkeypatch.setattr(onnx_policy.importlib, "import_module", without_onnx)
    with pytest.raises(UserError, match=r'needs the tf2onnx package: pip install "\.\[onnx\]"'):
        convert_to_onnx(onnx_file.parent)
    with pytest.raises(UserError, match="needs the onnxruntime package"):
        load_onnx_policy(onnx_file)
