"""An exported policy as ONNX, for runtimes without TensorFlow (ONNX Runtime).

`convert_to_onnx(policy_dir)` writes `policy_dir/policy.onnx`: the SavedModel's
deterministic `serving_default` signature converted by tf2onnx, with input
`observation` float32 `[batch, obs_dim]` and outputs `action` float32
`[batch, act_dim]` in env units and/or `discrete_action` int32 `[batch, heads]`
(hybrid spaces have both, discrete ones the second alone); a policy of nested observations takes one input per
leaf, named as the SavedModel's (`policy_inputs`). The policy metadata (`metadata.json`) travels inside
the file as the ONNX model property `sac_tf_metadata`, so a `.onnx` file is
self-contained. `load_onnx_policy` runs it with onnxruntime.

Both need the optional extra: `pip install ".[onnx]"` (tf2onnx, onnx, onnxruntime).
"""

import importlib
import json
import logging
import pathlib


from sac_tf.deploy.saved_policy import (load_policy, parse_policy_metadata, policy_inputs,
                                        zero_inputs)
from sac_tf.errors import UserError, first_line
from sac_tf.files import write_atomically
from sac_tf.tf_setup import native_stderr_silenced

ONNX_FILE = "policy.onnx"
#: The ONNX model property holding the policy metadata JSON.
METADATA_PROPERTY = "sac_tf_metadata"
#: ONNX opset of the conversion (the `onnx` extra's onnxruntime ≥ 1.18 runs it).
OPSET = 17
INSTALL_HINT = 'pip install ".[onnx]" in a sac_tf checkout (tf2onnx, onnx, onnxruntime)'


def _require(module: str, purpose: str):
    """Imports the optional `module`, or raises `UserError` saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UserError(f"{purpose} needs the {module} package: {INSTALL_HINT}") from None
    except Exception as error:  # installed but broken (a protobuf or numpy mismatch, say)
        raise UserError(f"{purpose}: importing {module} failed ({first_line(error)}); "
                        f"reinstall with {INSTALL_HINT}") from None


def check_onnx_export_available() -> None:
    """Raises `UserError` now, before anything is written, when ONNX export cannot run."""
    _require("tf2onnx", "ONNX export")
    _require("onnx", "ONNX export")


def convert_to_onnx(policy_dir) -> pathlib.Path:
    """Converts the `serving_default` signature of an exported policy to
    `policy_dir/policy.onnx`, with its metadata as a model property; returns the path.

    Raises:
      UserError: without tf2onnx/onnx, or for a directory that is not an exported policy.
    """
    tf2onnx = _require("tf2onnx", "ONNX export")
    onnx = _require("onnx", "ONNX export")
    import tensorflow as tf

    policy_dir = pathlib.Path(policy_dir)
    metadata, loaded = load_policy(policy_dir)
    serve = loaded.signatures["serving_default"]

    input_specs = [tf.TensorSpec([None, *value.shape[1:]], tf.float32, name=name)
                   for name, value in zero_inputs(metadata).items()]

    @tf.function(input_signature=input_specs)
    def serving(*leaves):
        return serve(**{spec.name: leaf for spec, leaf in zip(input_specs, leaves)})

    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    with native_stderr_silenced():
        model, _ = tf2onnx.convert.from_function(serving, input_signature=input_specs,
                                                 opset=OPSET)
    onnx.helper.set_model_props(model, {METADATA_PROPERTY: json.dumps(metadata, sort_keys=True)})
    path = policy_dir / ONNX_FILE
    write_atomically(path, model.SerializeToString())
    return path


def load_onnx_policy(onnx_path):
    """Loads a `.onnx` policy with onnxruntime (no TensorFlow).

    Returns:
      (metadata dict, policy function: float32 `[batch, obs_dim]` → `{"action":
       [batch, act_dim]}` and/or `discrete_action`, as the SavedModel's, as numpy).

    Raises:
      UserError: without onnxruntime, for a missing, corrupt or truncated file, one
        without sac_tf metadata, or one whose input does not take the observations
        its metadata describes.
    """
    onnxruntime = _require("onnxruntime", "running an ONNX policy")
    path = pathlib.Path(onnx_path)
    if not path.exists():
        raise UserError(f"ONNX policy {path} does not exist")
    if not path.is_file():
        raise UserError(f"ONNX policy {path} is not a file")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only
    try:
        session = onnxruntime.InferenceSession(str(path), options,
                                               providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime's own exception types (InvalidProtobuf, Fail, ...)
        raise UserError(f"cannot load {path}: {first_line(error)}") from None
    properties = session.get_modelmeta().custom_metadata_map
    if METADATA_PROPERTY not in properties:
        raise UserError(f"{path} is not a sac_tf policy: it has no {METADATA_PROPERTY} "
                        f"property (write it with python -m sac_tf.export --onnx)")
    metadata = parse_policy_metadata(properties[METADATA_PROPERTY], path)
    inputs = session.get_inputs()
    wanted = {name: list(value.shape[1:]) for name, value in zero_inputs(metadata).items()}
    if ({spec.name: (spec.type, list(spec.shape[1:])) for spec in inputs}
            != {name: ("tensor(float)", shape) for name, shape in wanted.items()}):
        found = [(spec.name, spec.type, spec.shape) for spec in inputs]
        promised = (f"a float batch of observations of shape {wanted['observation']}"
                    if "observation_nest" not in metadata
                    else f"float batches of the observation leaves {wanted}")
        raise UserError(f"{path} takes {found}, not {promised} as its metadata says")
    output_names = [spec.name for spec in session.get_outputs()]

    def policy(observation):
        outputs = session.run(output_names, policy_inputs(metadata, observation))
        return dict(zip(output_names, outputs))

    expected = {"action": (len(metadata["action_low"]),)} if metadata["action_low"] else {}
    if metadata.get("discrete_sizes"):
        expected["discrete_action"] = (len(metadata["discrete_sizes"]),)
    try:
        outputs = session.run(output_names, zero_inputs(metadata))
        outputs = dict(zip(output_names, outputs))
    except Exception as error:  # onnxruntime's own exception types
        raise UserError(f"cannot run {path}: {first_line(error)}") from None
    shapes = {name: tuple(value.shape[1:]) for name, value in outputs.items()}
    if any(shapes.get(name) != shape for name, shape in expected.items()):
        raise UserError(f"{path} outputs {shapes}, not the {expected} its metadata describes")
    return metadata, policy
