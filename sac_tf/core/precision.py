"""How the networks compute: their dtype (`precision`) and how the learner compiles.

Mixed precision follows Micikevicius et al. (2018) through Keras' dtype policies:

* `"float32"`: everything float32 (the default).
* `"mixed_bfloat16"`: hidden layers compute in bfloat16 (8 exponent bits, so no loss
  scaling); CPUs with AMX or AVX512-BF16, GPUs from Ampere on.
* `"mixed_float16"`: hidden layers compute in float16, with Keras' dynamic loss scaling
  (`keras.optimizers.LossScaleOptimizer`); GPUs only.

Casting is decided here once. Networks built inside `network_precision` take the
policy: their variables (and so the optimiser slots) stay float32, and Keras casts each
layer's inputs and weights to the compute dtype. The layers that must see float32 are
built with `dtype=FULL_PRECISION`: every network's output layer (so Q values, the
actor's loc and log σ and logits are float32, and with them targets, log-probabilities,
α and every loss), batch renormalisation (CrossQ) and dropout's rescaling; Keras' layer
norms compute their statistics in float32 and return the compute dtype. The containers
(actors, critic ensembles, observation encoders) are float32 layers that pass their inputs
on as given: each layer inside casts its own input, so a float32 first layer (CrossQ's
input batch renorm, a user's float32 encoder) sees the observation unrounded.

On a CPU, XLA compiles bfloat16 and convolutions to slow code while TensorFlow's graph
mode runs them in oneDNN (AMX): `learner_compile="auto"` picks graph mode there. Where
TensorFlow has no oneDNN bfloat16 (`onednn_bfloat16`: a CPU without AMX or AVX512-BF16, or
oneDNN switched off), its graph computes bfloat16 einsums (the critic ensembles' layers) in
Eigen's scalar code, about 15× slower than float32, while XLA converts them to float32: there
"auto" picks XLA for bfloat16 and the run warns that bfloat16 gains nothing
(`bfloat16_warning`). Graph mode runs every elementwise op as its own kernel;
`learner_compile="fused"` is graph mode with TensorFlow's XLA auto-clustering restricted to
fusible ops, so the matrix products stay in oneDNN and XLA fuses the elementwise ops between
them, in the learner's calls only (worth it for wide networks only;
docs/guide/precision.md).
"""

import contextlib
import functools
import pathlib
from typing import Optional, Tuple

import keras
import tensorflow as tf

from sac_tf import tf_setup
from sac_tf.core import nests

#: The `precision` config values, Keras dtype policy names.
PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
#: The `learner_compile` config values.
LEARNER_COMPILES = ("auto", "xla", "graph", "fused")
#: The dtype of layers that compute in float32 whatever the precision (see above).
FULL_PRECISION = "float32"
#: /proc/cpuinfo flags of the x86 instructions that compute in bfloat16 (AMX, AVX512-BF16),
#: which TensorFlow's graph uses through oneDNN. Arm's BF16 is not counted (unmeasured), so
#: there "auto" compiles bfloat16 with XLA, which is never far slower than float32.
BF16_CPU_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})


def gpu_available() -> bool:
    """Whether TensorFlow sees a GPU."""
    return bool(tf.config.list_physical_devices("GPU"))


def lists_bfloat16_flags(cpuinfo: str) -> bool:
    """Whether a /proc/cpuinfo text names any of `BF16_CPU_FLAGS` (as whole words)."""
    return not BF16_CPU_FLAGS.isdisjoint(cpuinfo.split())


def onednn_enabled() -> bool:
    """Whether TensorFlow runs its CPU kernels in oneDNN (by default on CPUs with AVX512-VNNI,
    AVX512-BF16 or AMX; `TF_ENABLE_ONEDNN_OPTS` overrides). A private TensorFlow call: taken
    as yes where it is missing."""
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:
        return True
    return bool(_pywrap_util_port.IsMklEnabled())


@functools.lru_cache(maxsize=None)
def onednn_bfloat16() -> bool:
    """Whether TensorFlow's graph computes bfloat16 in oneDNN with bfloat16 instructions: the
    CPU lists `BF16_CPU_FLAGS` and oneDNN is on. Without them it computes bfloat16 einsums in
    Eigen's scalar code. False where /proc/cpuinfo is missing (macOS, Windows): unknown."""
    try:
        cpuinfo = pathlib.Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return lists_bfloat16_flags(cpuinfo) and onednn_enabled()


def bfloat16_warning(precision: str, xla: bool) -> Optional[str]:
    """What to tell a `mixed_bfloat16` run on a CPU without `onednn_bfloat16` (None
    elsewhere): it gains nothing there, and in a graph (`xla` False) it is far slower."""
    if precision != "mixed_bfloat16" or gpu_available() or onednn_bfloat16():
        return None
    graph = ", and as a TensorFlow graph about 15x slower" if not xla else ""
    return ("TensorFlow has no oneDNN bfloat16 on this CPU (no AMX or AVX512-BF16 in "
            f"/proc/cpuinfo, or oneDNN off): mixed_bfloat16 is no faster than float32{graph}; "
            "use precision='float32'")


def check_precision(precision: str, learner_compile: str = "auto") -> None:
    """Raises `ValueError` for an unknown `precision` or `learner_compile`, or for
    `mixed_float16` without a GPU (float16 on a CPU is emulated and slow)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if learner_compile not in LEARNER_COMPILES:
        raise ValueError(f"learner_compile must be one of {LEARNER_COMPILES}, "
                         f"got {learner_compile!r}")
    if precision == "mixed_float16" and not gpu_available():
        raise ValueError("precision 'mixed_float16' needs a GPU and TensorFlow sees none: "
                         "use 'mixed_bfloat16' on a CPU (with AMX or AVX512-BF16) or 'float32'")


def choose_compile(learner_compile: str, precision: str, has_images: bool) -> Tuple[bool, str]:
    """(whether to compile with XLA, why) for the fused learner and the acting functions.

    "xla", "graph" and "fused" (a graph; see `elementwise_fusion`) are taken as given;
    "auto" is XLA except on a CPU for image observations (XLA's CPU convolutions ~60× slower
    than oneDNN's) and for bfloat16 where `onednn_bfloat16` (XLA has no AMX kernels: a
    CrossQ learner with 1,024-wide critics ran at 22.6 updates/s under XLA against 28.6 in
    graph mode, one measurement; docs/guide/precision.md); on a GPU it is XLA.
    """
    if learner_compile == "fused":
        if not tf_setup.fusion_xla_flags_set():
            return False, ("learner_compile='fused', but TF_XLA_FLAGS lacks "
                           f"{' '.join(tf_setup.FUSION_XLA_FLAGS)}: a plain graph")
        return False, "learner_compile='fused': elementwise ops fused by XLA, products in oneDNN"
    if learner_compile != "auto":
        return learner_compile == "xla", f"learner_compile={learner_compile!r}"
    if gpu_available():
        return True, "auto: a GPU"
    if has_images:
        return False, "auto: convolutions on a CPU run in oneDNN, outside XLA"
    if precision == "mixed_bfloat16":
        if not onednn_bfloat16():
            return True, ("auto: mixed_bfloat16 on a CPU without oneDNN bfloat16: XLA computes "
                          "its products in float32")
        return False, "auto: mixed_bfloat16 on a CPU runs in oneDNN, outside XLA"
    return True, f"auto: {precision} on a CPU"


@contextlib.contextmanager
def elementwise_fusion():
    """TensorFlow's XLA auto-clustering on for the graph functions called inside, for
    `learner_compile="fused"`: with the flags `sac_tf.tf_setup` adds, their fusible
    (elementwise) ops run as XLA-compiled clusters while matrix products and convolutions
    stay in oneDNN. The setting applies per call, so functions called outside are not
    clustered; XLA-compiled functions are unaffected."""
    previous = tf.config.optimizer.get_jit()
    tf.config.optimizer.set_jit("autoclustering")
    try:
        yield
    finally:
        tf.config.optimizer.set_jit(previous or False)


@contextlib.contextmanager
def network_precision(precision: str):
    """Layers built inside compute as the `precision` policy says (see the module)."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def scales_loss() -> bool:
    """Whether optimisers built now need loss scaling (inside `network_precision`
    of `mixed_float16`: float16 gradients underflow)."""
    return keras.config.dtype_policy().name == "mixed_float16"


def fuses_elementwise(config) -> bool:
    """Whether a run's learner calls run inside `elementwise_fusion`: `learner_compile`
    "fused" with the XLA flags it needs (else a plain graph, as `choose_compile` says)."""
    return config.get("learner_compile") == "fused" and tf_setup.fusion_xla_flags_set()


def compile_choice(config, spec) -> Tuple[bool, str]:
    """`choose_compile` for a run's config (`learner_compile`, `precision`) and `EnvSpec`."""
    return choose_compile(config.get("learner_compile", "auto"),
                          config.get("precision", "float32"),
                          bool(nests.image_specs(spec.observation_nest)))
