"""`sac_tf.core.precision`: the checks of `precision` and `learner_compile`, the compile
choice of "auto", and the dtype policy scopes."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from sac_tf import tf_setup
from sac_tf.core import precision
from sac_tf.core.precision import (check_precision, choose_compile, network_precision,
                                   scales_loss)


@pytest.mark.parametrize("args, message", [
    (("float64",), "precision must be one of"),
    (("float32", "jit"), "learner_compile must be one of"),
])
def test_unknown_values_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        check_precision(*args)


def test_float16_needs_a_gpu(monkeypatch):
    monkeypatch.setattr(precision, "gpu_available", lambda: False)
    with pytest.raises(ValueError, match="needs a GPU.*use 'mixed_bfloat16'"):
        check_precision("mixed_float16")
    monkeypatch.setattr(precision, "gpu_available", lambda: True)
    check_precision("mixed_float16")


@pytest.mark.parametrize("setting, dtype, images, gpu, xla", [
    ("auto", "float32", False, False, True),  # today's default
    ("auto", "mixed_bfloat16", False, False, False),
    ("auto", "float32", True, False, False),
    ("auto", "mixed_bfloat16", True, True, True),
    ("auto", "mixed_float16", False, True, True),
    ("xla", "mixed_bfloat16", True, False, True),
    ("graph", "float32", False, True, False),
    ("fused", "mixed_bfloat16", False, True, False),
])
def test_auto_compiles_with_xla_except_bfloat16_or_images_on_a_cpu(monkeypatch, setting, dtype,
                                                                   images, gpu, xla):
    monkeypatch.setattr(precision, "gpu_available", lambda: gpu)
    chosen, why = choose_compile(setting, dtype, images)
    assert chosen is xla and why


def test_the_scope_sets_the_policy_and_restores_it_after_an_error():
    assert keras.config.dtype_policy().name == "float32"
    with pytest.raises(RuntimeError):
        with network_precision("mixed_bfloat16"):
            assert keras.layers.Dense(2).compute_dtype == "bfloat16"
            assert not scales_loss()
            raise RuntimeError
    assert keras.config.dtype_policy().name == "float32"
    with network_precision("mixed_float16"):
        assert scales_loss()



def test_the_fusion_flags_are_added_unless_the_user_set_auto_clustering(monkeypatch):
    monkeypatch.setenv("TF_XLA_FLAGS", "--xla_cpu_foo")
    tf_setup.add_fusion_xla_flags()
    assert os.environ["TF_XLA_FLAGS"].split() == ["--xla_cpu_foo", *tf_setup.FUSION_XLA_FLAGS]
    assert tf_setup.fusion_xla_flags_set()
    for users in ("--tf_xla_auto_jit=2", "--tf_xla_cpu_global_jit=false",
                  "-tf_xla_ops_to_cluster=ALL"):
        monkeypatch.setenv("TF_XLA_FLAGS", users)
        tf_setup.add_fusion_xla_flags()
        assert os.environ["TF_XLA_FLAGS"] == users and not tf_setup.fusion_xla_flags_set()
        assert "lacks" in choose_compile("fused", "mixed_bfloat16", False)[1]


def learner_weights_after_updates(fuse_elementwise: bool) -> list:
    """A small SAC agent's weights after 5 updates of a graph-mode learner."""
    from sac_tf.core.learner import Learner
    from sac_tf.core.replay_buffer import ReplayBuffer
    from sac_tf.run.state import seed_globally
    from tests.agents.test_sac import fixed_batch, make_sac

    seed_globally(0)
    agent = make_sac(hidden_sizes=(64, 64))
    buffer = ReplayBuffer(3, 1, capacity=100, seed=0)
    buffer.add_batch(fixed_batch(size=50))
    Learner(agent, buffer, batch_size=32, jit_compile=False,
            fuse_elementwise=fuse_elementwise).run(5)
    assert tf.config.optimizer.get_jit() == ""  # on inside the learner's call only
    return [variable.numpy() for variable in agent.actor.variables + agent.critics.variables]


def test_a_fused_learner_is_deterministic_and_xla_computes_its_elementwise_ops():
    graph = learner_weights_after_updates(fuse_elementwise=False)
    fused, fused_again = (learner_weights_after_updates(fuse_elementwise=True) for _ in range(2))
    for expected, actual, again in zip(graph, fused, fused_again):
        np.testing.assert_array_equal(actual, again)
        np.testing.assert_allclose(actual, expected, atol=1e-4)
    # XLA's fused kernels round differently from TensorFlow's: proof the clusters ran
    assert any(not np.array_equal(a, b) for a, b in zip(graph, fused))


def test_only_a_fused_run_with_its_flags_fuses(monkeypatch):
    fused = {"learner_compile": "fused"}
    monkeypatch.setenv("TF_XLA_FLAGS", " ".join(tf_setup.FUSION_XLA_FLAGS))
    assert precision.fuses_elementwise(fused)
    assert not precision.fuses_elementwise({"learner_compile": "graph"})
    monkeypatch.setenv("TF_XLA_FLAGS", "--tf_xla_auto_jit=2")
    assert not precision.fuses_elementwise(fused)


def test_a_tf_xla_flag_tensorflow_rejects_is_reported_not_swallowed():
    """TensorFlow ends the process when it rejects a TF_XLA_FLAGS flag; its reason must reach
    stderr instead of vanishing with the silenced start-up logs."""
    result = subprocess.run([sys.executable, "-c", "import sac_tf"], capture_output=True,
                            text=True, env=dict(os.environ, TF_XLA_FLAGS="--no_such_xla_flag"))
    assert result.returncode != 0
    assert "Unknown flag in TF_XLA_FLAGS: --no_such_xla_flag" in result.stderr


def test_a_subprocess_inheriting_only_sac_tfs_flags_starts_quietly():
    result = subprocess.run([sys.executable, "-c", "import sac_tf"], capture_output=True,
                            text=True, env=dict(os.environ, TF_XLA_FLAGS=" ".join(
                                tf_setup.FUSION_XLA_FLAGS)))
    assert result.returncode == 0 and result.stderr == ""
