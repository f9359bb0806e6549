"""`python -m sac_tf.export`: the policy of a run's latest checkpoint, or one line of error."""

import json
import subprocess
import sys

import numpy as np
import tensorflow as tf

from tests.conftest import REPO_ROOT, assert_one_line_error, small_pendulum_config
from tests.deploy.test_saved_policy import observations


def test_export_command_restores_the_latest_checkpoint(tiny_run, tmp_path):
    output = tmp_path / "exported"
    result = subprocess.run([sys.executable, "-m", "sac_tf.export", f"--root_dir={tiny_run}",
                             f"--output={output}", "--tflite", "--onnx"], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["train_step"] == 300
    assert summary["tflite"] == str(output / "policy.tflite") and (output / "policy.tflite").is_file()
    assert summary["onnx"] == str(output / "policy.onnx") and (output / "policy.onnx").is_file()
    observation = observations(16)
    actions = [tf.saved_model.load(str(path)).signatures["serving_default"](
        observation=observation)["action"].numpy() for path in (output, tiny_run / "policy")]
    np.testing.assert_allclose(actions[0], actions[1], atol=1e-6)


def export_command(root_dir) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sac_tf.export", f"--root_dir={root_dir}"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


def test_export_of_a_directory_without_a_run_is_a_user_error(tmp_path):
    assert_one_line_error(export_command(tmp_path), "not a training run directory")
    (tmp_path / "config.json").write_text(small_pendulum_config().to_json())
    assert_one_line_error(export_command(tmp_path), "no checkpoint")
    assert not (tmp_path / "policy").exists()


def test_export_onnx_without_tf2onnx_is_one_line_and_keeps_the_earlier_export(tiny_run, tmp_path):
    output = tmp_path / "exported"
    export = ["-m", "sac_tf.export", f"--root_dir={tiny_run}", f"--output={output}"]
    assert subprocess.run([sys.executable, *export, "--tflite"], cwd=REPO_ROOT,
                          capture_output=True, timeout=300).returncode == 0
    before = sorted(path.name for path in output.iterdir())
    without_tf2onnx = ("import runpy, sys; sys.modules['tf2onnx'] = None; "
                       "sys.argv = ['sac_tf.export', *sys.argv[1:]]; "
                       "runpy.run_module('sac_tf.export', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", without_tf2onnx, *export[2:], "--onnx"],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert_one_line_error(result, 'needs the tf2onnx package: pip install ".[onnx]"')
    assert result.returncode == 2
    assert sorted(path.name for path in output.iterdir()) == before  # policy.tflite kept
