"""Imports TensorFlow with its native start-up chatter kept off stderr.

TensorFlow's C++ runtime prints several INFO/ERROR lines (oneDNN, CPU
features, a failed CUDA probe on machines without a GPU) before its logging
is initialised, so no environment variable silences them. They would bury
the one-line errors our commands promise, so the import and the device probe
run with file descriptor 2 pointed at /dev/null (the probe not, where the user set
`TF_XLA_FLAGS`: see `import_tensorflow_quietly`). Python exceptions are not
affected: they propagate as usual once stderr is restored.

It also adds the XLA flags that `learner_compile="fused"` needs to `TF_XLA_FLAGS`
(TensorFlow reads them once, at its first op, so they must be set before): auto-clustering
may compile CPU graphs (`--tf_xla_cpu_global_jit`) and clusters only fusible elementwise
ops (`--tf_xla_ops_to_cluster=FUSIBLE`). They change nothing while auto-clustering is off,
which it is except inside a fused learner's calls (`sac_tf.core.precision.elementwise_fusion`)
or where you switch it on yourself. A `TF_XLA_FLAGS` that already sets any auto-clustering
flag is left as it is: then `fused` runs as a plain graph and says so.
"""

import contextlib
import os
import sys


@contextlib.contextmanager
def native_stderr_silenced():
    """Points file descriptor 2 at /dev/null for the block (native C++ logging)."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


#: XLA flags for `learner_compile="fused"` (see the module docstring).
FUSION_XLA_FLAGS = ("--tf_xla_cpu_global_jit", "--tf_xla_ops_to_cluster=FUSIBLE")
#: Flags of TensorFlow's auto-clustering: if the user sets one, theirs stand.
CLUSTERING_FLAG_NAMES = ("tf_xla_auto_jit", "tf_xla_cpu_global_jit", "tf_xla_ops_to_cluster")


def add_fusion_xla_flags():
    """Appends `FUSION_XLA_FLAGS` to `TF_XLA_FLAGS`, unless it sets auto-clustering already."""
    flags = os.environ.get("TF_XLA_FLAGS", "")
    if not any(name in flags for name in CLUSTERING_FLAG_NAMES):
        os.environ["TF_XLA_FLAGS"] = " ".join([flags, *FUSION_XLA_FLAGS]).strip()


def fusion_xla_flags_set() -> bool:
    """Whether `TF_XLA_FLAGS` holds `FUSION_XLA_FLAGS` (else `fused` is a plain graph)."""
    flags = os.environ.get("TF_XLA_FLAGS", "").split()
    return all(flag in flags for flag in FUSION_XLA_FLAGS)


def import_tensorflow_quietly():
    """Imports TensorFlow and probes its devices once, native logs silenced.

    TensorFlow parses `TF_XLA_FLAGS` during the device probe and ends the process (exit 1)
    if it rejects a flag, printing why to stderr: where the user set `TF_XLA_FLAGS`, the
    probe runs with stderr open, so that message is seen (with the probe's own chatter).
    Flags sac_tf added (inherited by a subprocess) do not count as the user's."""
    users_xla_flags = set(os.environ.get("TF_XLA_FLAGS", "").split()) - set(FUSION_XLA_FLAGS)
    add_fusion_xla_flags()
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    with native_stderr_silenced():
        import tensorflow as tf
    with contextlib.nullcontext() if users_xla_flags else native_stderr_silenced():
        tf.config.list_physical_devices()
    tf.get_logger().setLevel("WARNING")
