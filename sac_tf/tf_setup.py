"""Imports TensorFlow with its native start-up chatter kept off stderr.

TensorFlow's C++ runtime prints several INFO/ERROR lines (oneDNN, CPU
features, a failed CUDA probe on machines without a GPU) before its logging
is initialised, so no environment variable silences them. They would bury
the one-line errors our commands promise, so the import and the device probe
run with file descriptor 2 pointed at /dev/null. Python exceptions are not
affected: they propagate as usual once stderr is restored.
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


def import_tensorflow_quietly():
    """Imports TensorFlow and probes its devices once, native logs silenced."""
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    with native_stderr_silenced():
        import tensorflow as tf
        tf.config.list_physical_devices()
    tf.get_logger().setLevel("WARNING")
