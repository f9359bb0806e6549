"""A bfloat16 agent through the Python API and the command line: it learns, saves and loads
bit-exactly, and exports a float32 policy (SavedModel, TFLite, ONNX) that acts as trained;
a fused (graph + XLA elementwise) run repeats itself; float16 without a GPU and unknown
settings end in one error line."""

import json

import gymnasium as gym
import numpy as np
import pytest

import sac_tf
from sac_tf.core import precision
from sac_tf.core.precision import gpu_available, onednn_bfloat16
from sac_tf.deploy.onnx_policy import convert_to_onnx, load_onnx_policy
from sac_tf.deploy.saved_policy import load_policy, policy_inputs
from sac_tf.deploy.tflite_policy import convert_to_tflite, load_tflite_policy
from sac_tf.run.logs import read_csv
from tests.api.test_nested_observations import collect
from tests.conftest import assert_one_line_error, run_train
from tests.test_train import tiny_run_args

SETTINGS = dict(hidden_sizes=(32, 32), batch_size=16, buffer_capacity=2_000,
                precision="mixed_bfloat16")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    env = gym.make("Pendulum-v1")
    agent = sac_tf.SAC.from_env(env, seed=0, **SETTINGS)
    collect(agent, env, episodes=1)
    losses = agent.learn(20)
    return agent, losses, tmp_path_factory.mktemp("bf16")


def test_the_agent_learns_in_bfloat16(trained):
    agent, losses, _ = trained
    assert "bfloat16" in {layer.compute_dtype for layer in agent.tf_agent.critics._flatten_layers()}
    assert all(np.isfinite(value) for value in losses.values())


def test_save_load_continues_bit_exactly(trained):
    agent, _, root = trained
    agent.save(root / "run")
    loaded = sac_tf.SAC.load(root / "run")
    assert loaded.config.precision == "mixed_bfloat16"
    assert loaded.learn(3) == agent.learn(3)


def test_the_export_takes_and_gives_float32_and_acts_as_trained(trained):
    agent, _, root = trained
    policy_dir = agent.export(root / "policy")
    observation = np.random.default_rng(1).normal(size=(8, 3)).astype(np.float32)
    trained_actions = agent.select_action(observation, deterministic=True)
    metadata, loaded = load_policy(policy_dir)
    served = loaded.signatures["serving_default"](**policy_inputs(metadata, observation))
    action = served["action"].numpy()
    assert action.dtype == np.float32
    # float32 arithmetic on the trained weights: within bfloat16's rounding of 4-unit actions
    np.testing.assert_allclose(action, trained_actions, atol=0.05)
    _, tflite = load_tflite_policy(convert_to_tflite(policy_dir))
    _, onnx = load_onnx_policy(convert_to_onnx(policy_dir))
    for runtime in (tflite, onnx):
        np.testing.assert_allclose(runtime(observation)["action"], action, atol=1e-5)


def test_the_python_api_warns_where_bfloat16_gains_nothing(monkeypatch):
    monkeypatch.setattr(precision, "gpu_available", lambda: False)
    monkeypatch.setattr(precision, "onednn_bfloat16", lambda: False)
    with pytest.warns(UserWarning, match="no oneDNN bfloat16 on this CPU.*precision='float32'"):
        agent = sac_tf.SAC.from_env(gym.make("Pendulum-v1"), seed=0, **SETTINGS)
    assert agent.config.precision == "mixed_bfloat16"


CPU_ONLY = pytest.mark.skipif(gpu_available(), reason="what a CPU-only machine does")


@CPU_ONLY
def test_a_bfloat16_command_line_run_says_how_it_compiled(tmp_path):
    result = run_train(*tiny_run_args(tmp_path), "--num_steps=40",
                       "--config.precision=mixed_bfloat16")
    assert result.returncode == 0, result.stderr
    if onednn_bfloat16():
        compiled = ("as TensorFlow graphs (auto: mixed_bfloat16 on a CPU runs in oneDNN, "
                    "outside XLA)")
    else:  # a graph's bfloat16 einsums would run in Eigen's scalar code
        compiled = ("with XLA (auto: mixed_bfloat16 on a CPU without oneDNN bfloat16: XLA "
                    "computes its products in float32)")
    assert f"compiled {compiled}; networks compute in mixed_bfloat16" in result.stdout
    warned = "warning: TensorFlow has no oneDNN bfloat16 on this CPU" in result.stderr
    assert warned == (not onednn_bfloat16())
    assert json.loads((tmp_path / "config.json").read_text())["precision"] == "mixed_bfloat16"


def test_a_fused_command_line_run_says_so_repeats_itself_and_differs_from_graph(tmp_path):
    losses, printed = {}, {}
    for name, setting in (("first", "fused"), ("second", "fused"), ("graph", "graph")):
        result = run_train(*tiny_run_args(tmp_path / name), "--num_steps=80",
                           "--config.log_interval=20", "--config.precision=mixed_bfloat16",
                           f"--config.learner_compile={setting}")
        assert result.returncode == 0, result.stderr
        printed[name] = result.stdout
        rows = read_csv(tmp_path / name / "train.csv")
        losses[name] = [(row["critic_loss"], row["actor_loss"]) for row in rows]
    assert ("compiled as TensorFlow graphs (learner_compile='fused': elementwise ops fused "
            "by XLA, products in oneDNN)") in printed["first"]
    assert len(losses["first"]) == 4 and np.isfinite(losses["first"][-1]).all()
    assert losses["first"] == losses["second"]
    assert losses["first"] != losses["graph"]  # XLA computed the fused run's elementwise ops


@pytest.mark.parametrize("flag, message", [
    pytest.param("--config.precision=mixed_float16", "precision 'mixed_float16' needs a GPU",
                 marks=CPU_ONLY),
    ("--config.precision=half", "precision must be one of"),
    ("--config.learner_compile=jit", "learner_compile must be one of"),
])
def test_bad_precision_settings_end_in_one_error_line(tmp_path, flag, message):
    assert_one_line_error(run_train(*tiny_run_args(tmp_path / "run"), "--num_steps=40", flag),
                          message)
    assert not (tmp_path / "run").exists()
