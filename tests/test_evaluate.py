"""`python -m sac_tf.evaluate`: JSON result, TF-only agreement, TFLite, video, plot, bad input."""

import json
import shutil
import subprocess
import sys

import imageio.v2 as imageio
import numpy as np
import pytest
from PIL import Image

from sac_tf.deploy.evaluation import evaluate_policy
from sac_tf.deploy.onnx_policy import convert_to_onnx
from sac_tf.deploy.tflite_policy import convert_to_tflite
from tests.conftest import REPO_ROOT, assert_one_line_error


STANDALONE = REPO_ROOT / "examples" / "load_policy_tf_only.py"


PENDULUM_STEPS = 200  # Pendulum-v1 episodes are truncated at 200 steps


def run(*args):
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)


def last_json_line(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def evaluated(tiny_run, tmp_path_factory):
    """One evaluate run of the tiny run's policy with a video and a plot."""
    video = tmp_path_factory.mktemp("video") / "episodes.mp4"
    result = run("-m", "sac_tf.evaluate", f"--policy_dir={tiny_run / 'policy'}", "--episodes=2",
                 "--seed=40", f"--video={video}", f"--plot_from={tiny_run}")
    return last_json_line(result), video


def test_last_stdout_line_is_json_with_the_returns(evaluated):
    summary, _ = evaluated
    assert summary["episodes"] == 2 and len(summary["returns"]) == 2
    assert summary["return_mean"] == pytest.approx(np.mean(summary["returns"]))
    assert summary["return_std"] == pytest.approx(np.std(summary["returns"]))
    assert summary["return_min"] == min(summary["returns"])
    assert summary["return_max"] == max(summary["returns"])
    assert all(isinstance(value, float) for value in summary["returns"])


def test_a_process_with_only_tensorflow_numpy_and_gymnasium_gets_the_same_mean(tiny_run,
                                                                               evaluated):
    summary, _ = evaluated
    check = ("import runpy, sys; sys.argv = sys.argv[1:]; "
             "runpy.run_path(sys.argv[0], run_name='__main__'); "
             "assert not [m for m in sys.modules if m.split('.')[0] == 'sac_tf'], 'sac_tf used'")
    standalone = last_json_line(run("-c", check, str(STANDALONE), str(tiny_run / "policy"),
                                    "--episodes=2", "--seed=40"))
    assert abs(standalone["return_mean"] - summary["return_mean"]) < 1e-3
    np.testing.assert_allclose(standalone["returns"], summary["returns"], atol=1e-3)


def test_tflite_conversion_gets_the_savedmodel_returns(tiny_run, evaluated, tmp_path):
    summary, _ = evaluated
    policy_dir = tmp_path / "policy"
    shutil.copytree(tiny_run / "policy", policy_dir)
    tflite = evaluate_policy(convert_to_tflite(policy_dir), episodes=2, seed=40)
    assert abs(tflite["return_mean"] - summary["return_mean"]) < 1e-3


ONNX_EXAMPLE = REPO_ROOT / "examples" / "load_policy_onnx.py"


def test_onnx_conversion_gets_the_savedmodel_returns_with_or_without_tensorflow(
        tiny_run, evaluated, tmp_path):
    """`sac_tf.evaluate` on policy.onnx, and the example with onnxruntime alone (TensorFlow
    is never imported), give the SavedModel's returns."""
    summary, _ = evaluated
    policy_dir = tmp_path / "policy"
    shutil.copytree(tiny_run / "policy", policy_dir)
    onnx_path = convert_to_onnx(policy_dir)
    converted = last_json_line(run("-m", "sac_tf.evaluate", f"--policy_dir={onnx_path}",
                                   "--episodes=2", "--seed=40"))
    np.testing.assert_allclose(converted["returns"], summary["returns"], atol=1e-3)
    check = ("import runpy, sys; sys.argv = sys.argv[1:]; "
             "runpy.run_path(sys.argv[0], run_name='__main__'); "
             "assert not [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'sac_tf')], "
             "'TensorFlow imported'")
    standalone = last_json_line(run("-c", check, str(ONNX_EXAMPLE), str(onnx_path),
                                    "--episodes=2", "--seed=40"))
    np.testing.assert_allclose(standalone["returns"], summary["returns"], atol=1e-3)


def test_a_truncated_onnx_policy_ends_in_one_line_error_with_exit_2(tiny_run, tmp_path):
    policy_dir = tmp_path / "policy"
    shutil.copytree(tiny_run / "policy", policy_dir)
    onnx_path = convert_to_onnx(policy_dir)
    onnx_path.write_bytes(onnx_path.read_bytes()[:1000])
    result = run("-m", "sac_tf.evaluate", f"--policy_dir={onnx_path}", "--episodes=1")
    assert_one_line_error(result, f"cannot load {onnx_path}")
    assert result.returncode == 2


def test_video_has_one_annotated_frame_per_env_step(evaluated):
    summary, video = evaluated
    with imageio.get_reader(video) as reader:
        count, frame = 0, None
        for count, image in enumerate(reader, start=1):
            frame = image if count == 10 else frame
    assert summary["video_frames"] == count == 2 * PENDULUM_STEPS
    box, rest = frame[12:30, 12:30].astype(float), frame[-20:, -20:].astype(float)
    assert box.mean() < 120 < rest.mean()  # dark text box top-left over a white background


def test_plot_from_writes_a_png_of_the_eval_curve(tiny_run, evaluated):
    summary, _ = evaluated
    assert summary["plot"] == str(tiny_run / "eval_returns.png")
    with Image.open(summary["plot"]) as image:
        assert image.format == "PNG" and image.width > 300 and image.height > 200


@pytest.mark.parametrize("args, message", [
    (["--policy_dir={tmp}"], "is not an exported sac_tf policy"),
    (["--policy_dir={policy}", "--env=MountainCarContinuous-v0"], "does not match the policy"),
    (["--policy_dir={policy}", "--video={tmp}/episodes.gif"], "give the path of a .mp4 file"),
    (["--policy_dir={policy}", "--video={tmp}"], "give the path of a .mp4 file"),
    (["--policy_dir={policy}", "--seed=-5"], "--seed=-5: -5 is not a non-negative integer"),
])
def test_bad_input_ends_in_one_line_error(tiny_run, tmp_path, args, message):
    args = [arg.format(tmp=tmp_path, policy=tiny_run / "policy") for arg in args]
    assert_one_line_error(run("-m", "sac_tf.evaluate", "--episodes=1", *args), message)
