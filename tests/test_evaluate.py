"""`python -m sac_tf.evaluate`: JSON result, TF-only agreement, video, plot, bad input."""

import json
import shutil
import subprocess
import sys

import gymnasium as gym
import imageio.v2 as imageio
import numpy as np
import pytest
from PIL import Image

from sac_tf.errors import UserError
from sac_tf.deploy.plots import plot_eval_returns
from sac_tf.deploy.evaluation import env_action_fn, evaluate_policy
from sac_tf.deploy.saved_policy import convert_to_tflite
from sac_tf.core.specs import spec_from_spaces
from sac_tf.deploy.video import annotate
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


@pytest.mark.parametrize("eval_csv, message", [
    (None, "cannot read"),
    ("", "no evaluation rows"),
    ("env_step,return_mean,return_std\n100,-5.0,oops\n", "not a number"),
])
def test_plot_of_a_missing_or_broken_eval_csv_is_a_user_error(tmp_path, eval_csv, message):
    if eval_csv is not None:
        (tmp_path / "eval.csv").write_text(eval_csv)
    with pytest.raises(UserError, match=message):
        plot_eval_returns(tmp_path, tmp_path / "plot.png")


def test_annotate_draws_light_text_on_a_dark_box_and_leaves_the_rest():
    frame = np.full((240, 320, 3), 255, np.uint8)
    annotated = annotate(frame, ["step 7", "reward -1.250", "return -9.00"])
    corner = annotated[:60, :100]
    assert (corner < 100).mean() > 0.3 and (corner > 200).any()
    np.testing.assert_array_equal(annotated[120:], frame[120:])


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


def test_the_env_is_made_with_the_kwargs_the_policy_was_trained_with(tiny_run, tmp_path,
                                                                     monkeypatch):
    import gymnasium as gym

    from sac_tf.deploy import evaluation as policy_evaluation

    assert json.loads((tiny_run / "policy" / "metadata.json").read_text())["env_kwargs"] == {}
    policy = tmp_path / "policy"
    shutil.copytree(tiny_run / "policy", policy)
    metadata = json.loads((policy / "metadata.json").read_text())
    (policy / "metadata.json").write_text(json.dumps({**metadata, "env_kwargs": {"g": 2.0}}))
    made = []
    monkeypatch.setattr(policy_evaluation, "make_env",
                        lambda env_id, **kwargs: made.append(kwargs) or gym.make(env_id, **kwargs))
    evaluate_policy(policy, episodes=1, seed=0)
    evaluate_policy(policy, episodes=1, seed=0, env_id="Pendulum-v1")
    assert made == [{"g": 2.0}, {}]


def test_a_video_of_an_env_that_renders_nothing_is_a_user_error_and_no_file(tiny_run, tmp_path,
                                                                           monkeypatch):
    from sac_tf.deploy import evaluation as policy_evaluation

    class StopsRendering(gym.Wrapper):
        """Renders 3 frames (the video file exists by then), then None."""
        frames = 0

        def render(self):
            self.frames += 1
            return self.env.render() if self.frames <= 3 else None

    monkeypatch.setattr(policy_evaluation, "make_env",
                        lambda env_id, **kwargs: StopsRendering(gym.make(env_id, **kwargs)))
    file_after_each_frame = []

    class WatchedVideo(policy_evaluation.AnnotatedVideo):
        def add(self, frame, lines):
            super().add(frame, lines)
            file_after_each_frame.append(self.path.exists())

    monkeypatch.setattr(policy_evaluation, "AnnotatedVideo", WatchedVideo)
    video = tmp_path / "episodes.mp4"
    with pytest.raises(UserError, match="Pendulum-v1 gives no frames to record"):
        evaluate_policy(tiny_run / "policy", episodes=1, seed=0, video=str(video))
    assert len(file_after_each_frame) == 3 and file_after_each_frame[-1]  # the file existed...
    assert not video.exists()  # ...and was deleted


@pytest.mark.parametrize("discrete", [gym.spaces.Discrete(3), gym.spaces.MultiDiscrete([3, 2])])
@pytest.mark.parametrize("container", ["dict", "tuple"])
def test_one_observation_becomes_one_action_of_the_hybrid_space(container, discrete):
    box = gym.spaces.Box(0.0, 2.0, (2,))
    space = (gym.spaces.Dict({"move": box, "pick": discrete}) if container == "dict"
             else gym.spaces.Tuple((discrete, box)))  # the discrete part first
    spec = spec_from_spaces(gym.spaces.Box(-1, 1, (4,)), space)
    choices = [2, 1][:len(spec.discrete_sizes)]
    batches = []

    def policy_fn(observation):
        batches.append(observation.shape)
        return {"action": np.array([[0.5, 1.5]], np.float32),
                "discrete_action": np.array([choices], np.int32)}

    action = env_action_fn(policy_fn, spec)(np.zeros(4))
    assert batches == [(1, 4)] and space.contains(action)
    continuous, chosen = (action["move"], action["pick"]) if container == "dict" else action[::-1]
    np.testing.assert_allclose(continuous, [0.5, 1.5])
    np.testing.assert_array_equal(chosen, choices if len(choices) > 1 else choices[0])
