"""`sac_tf.core.precision`: the checks of `precision` and `learner_compile`, the compile
choice of "auto", and the dtype policy scopes."""

import keras
import pytest

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

