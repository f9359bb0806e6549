"""Imports TensorFlow with its native start-up chatter kept off stderr.

TensorFlow's C++ runtime prints several INFO/ERROR lines (oneDNN, CPU
features, a failed CUDA probe on machines without a GPU) before its logging
is initialised, so no environment variable silences them. They would bury
the one-line errors our commands promise, so the import and the device probe
run with file descriptor 2 pointed at /dev/null. Python exceptions are not
affected: they propagate as usual once stderr is restored.

It also adds the XLA flags that `learner_compile="fused"` needs to `TF_XLA_FLAGS`
(TensorFlow reads them once, at its first op, so they must be set before): auto-clustering
may compile CPU graphs (`--tf_xla_cpu_global_jit`) and clusters only fusible elementwise
ops (`--tf_xla_ops_to_cluster=FUSIBLE`). They change nothing until auto-clustering is
switched on (`sac_tf.core.precision.fuse_elementwise_ops`); flags the user set win.
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
FUSION_XLA_FLAGS = {"--tf_xla_cpu_global_jit": "--tf_xla_cpu_global_jit",
                    "--tf_xla_ops_to_cluster": "--tf_xla_ops_to_cluster=FUSIBLE"}


def add_fusion_xla_flags():
    """Adds `FUSION_XLA_FLAGS` to `TF_XLA_FLAGS`, except those the user already set."""
    flags = os.environ.get("TF_XLA_FLAGS", "")
    added = [flag for name, flag in FUSION_XLA_FLAGS.items() if name not in flags]
    if added:
        os.environ["TF_XLA_FLAGS"] = " ".join([flags, *added]).strip()


def import_tensorflow_quietly():
    """Imports TensorFlow and probes its devices once, native logs silenced."""
    add_fusion_xla_flags()
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    with native_stderr_silenced():
        import tensorflow as tf
        tf.config.list_physical_devices()
    tf.get_logger().setLevel("WARNING")
