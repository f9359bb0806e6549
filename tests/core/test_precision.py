"""`sac_tf.core.precision`: the checks of `precision` and `learner_compile`, the compile
choice of "auto" (with the CPU's oneDNN bfloat16 check and warning), and the dtype
policy scopes."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from sac_tf import tf_setup
from sac_tf.core import precision
from sac_tf.core.precision import (bfloat16_warning, check_precision, choose_compile,
                                   lists_bfloat16_flags, network_precision, scales_loss)


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


@pytest.mark.parametrize("setting, dtype, images, gpu, onednn_bf16, xla", [
    ("auto", "float32", False, False, True, True),  # today's default
    ("auto", "mixed_bfloat16", False, False, True, False),
    ("auto", "mixed_bfloat16", False, False, False, True),  # Eigen's bfloat16 einsum
    ("auto", "mixed_bfloat16", True, False, False, False),
    ("auto", "float32", True, False, True, False),
    ("auto", "mixed_bfloat16", True, True, True, True),
    ("auto", "mixed_float16", False, True, False, True),
    ("xla", "mixed_bfloat16", True, False, True, True),
    ("graph", "float32", False, True, True, False),
    ("fused", "mixed_bfloat16", False, True, True, False),
    ("fused", "mixed_bfloat16", False, False, False, False),
    ("graph", "mixed_bfloat16", False, False, False, False),
])
def test_auto_compiles_with_xla_except_images_or_onednn_bfloat16_on_a_cpu(
        monkeypatch, setting, dtype, images, gpu, onednn_bf16, xla):
    monkeypatch.setattr(precision, "gpu_available", lambda: gpu)
    monkeypatch.setattr(precision, "onednn_bfloat16", lambda: onednn_bf16)
    chosen, why = choose_compile(setting, dtype, images)
    assert chosen is xla and why


@pytest.mark.parametrize("flags, has_bf16", [
    ("fpu sse2 avx2 avx512f avx512_bf16", True),  # Intel Cooper Lake, AMD Zen 4
    ("fpu sse2 avx2 amx_bf16 amx_tile", True),  # Intel Sapphire Rapids
    ("fpu sse2 fma avx avx2 avx512_vnni", False),  # AVX-512 without BF16
    ("fpu avx2 avx_ne_convert amx_fp16 avx512_fp16", False),  # whole words only
    ("fp asimd bf16 i8mm", False),  # Arm's BF16: unmeasured, XLA there
])
def test_the_cpu_flags_say_whether_it_computes_bfloat16(flags, has_bf16):
    assert lists_bfloat16_flags(f"processor\t: 0\nflags\t\t: {flags}\n") is has_bf16


@pytest.mark.skipif(not os.path.exists("/proc/cpuinfo"), reason="reads /proc/cpuinfo")
def test_onednn_bfloat16_needs_the_cpu_flags_and_onednn(monkeypatch):
    with open("/proc/cpuinfo") as cpuinfo:
        has_flags = lists_bfloat16_flags(cpuinfo.read())
    for enabled in (True, False):
        monkeypatch.setattr(precision, "onednn_enabled", lambda: enabled)
        precision.onednn_bfloat16.cache_clear()
        assert precision.onednn_bfloat16() is (has_flags and enabled)
    precision.onednn_bfloat16.cache_clear()


def test_bfloat16_where_tensorflow_has_no_onednn_bfloat16_warns(monkeypatch):
    monkeypatch.setattr(precision, "gpu_available", lambda: False)
    monkeypatch.setattr(precision, "onednn_bfloat16", lambda: False)
    under_xla = bfloat16_warning("mixed_bfloat16", xla=True)
    assert "no faster than float32" in under_xla and "graph" not in under_xla
    assert "15x slower" in bfloat16_warning("mixed_bfloat16", xla=False)
    assert bfloat16_warning("float32", xla=False) is None
    monkeypatch.setattr(precision, "onednn_bfloat16", lambda: True)
    assert bfloat16_warning("mixed_bfloat16", xla=False) is None
    monkeypatch.setattr(precision, "onednn_bfloat16", lambda: False)
    monkeypatch.setattr(precision, "gpu_available", lambda: True)
    assert bfloat16_warning("mixed_bfloat16", xla=False) is None


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
