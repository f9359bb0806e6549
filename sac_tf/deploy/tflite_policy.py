"""TFLite: an exported policy's deterministic signature as `policy.tflite`, and running it
with TensorFlow's TFLite interpreter (one named input per observation leaf, as the
SavedModel's)."""

import pathlib
import warnings

import tensorflow as tf

from sac_tf.deploy.saved_policy import load_policy_metadata, policy_inputs, zero_inputs
from sac_tf.errors import UserError
from sac_tf.files import write_atomically
from sac_tf.tf_setup import native_stderr_silenced

TFLITE_FILE = "policy.tflite"


def convert_to_tflite(policy_dir) -> pathlib.Path:
    """Converts the `serving_default` signature of an exported policy to `policy_dir/policy.tflite`.

    Returns:
      The path of the `.tflite` file.
    """
    policy_dir = pathlib.Path(policy_dir)
    load_policy_metadata(policy_dir)
    converter = tf.lite.TFLiteConverter.from_saved_model(str(policy_dir),
                                                         signature_keys=["serving_default"])
    with native_stderr_silenced():
        flatbuffer = converter.convert()
    path = policy_dir / TFLITE_FILE
    write_atomically(path, flatbuffer)
    return path


def load_tflite_policy(tflite_path):
    """Loads a `policy.tflite` and the `metadata.json` beside it.

    Returns:
      (metadata dict, policy function: float32 `[batch, obs_dim]` → the serving
       outputs, `{"action": [batch, act_dim]}` and/or `discrete_action` `[batch, heads]`, as the
       SavedModel's).

    Raises:
      UserError: when the file or its metadata cannot be read.
    """
    tflite_path = pathlib.Path(tflite_path)
    metadata = load_policy_metadata(tflite_path.parent)
    try:
        with warnings.catch_warnings(), native_stderr_silenced():
            # Silences tf.lite.Interpreter's deprecation notice and, on the first
            # call, the native "Created TensorFlow Lite XNNPACK delegate" line.
            warnings.simplefilter("ignore")
            interpreter = tf.lite.Interpreter(model_path=str(tflite_path))
            runner = interpreter.get_signature_runner("serving_default")
            runner(**zero_inputs(metadata))
    except (OSError, ValueError, RuntimeError) as error:
        raise UserError(f"cannot load {tflite_path}: {error}") from None
    return metadata, lambda observation: runner(**policy_inputs(metadata, observation))
