"""`evaluate_policy` and `env_action_fn`: the env it makes, videos, hybrid actions."""

import json
import shutil

import gymnasium as gym
import numpy as np
import pytest

from sac_tf.core.specs import spec_from_spaces
from sac_tf.deploy.evaluation import env_action_fn, evaluate_policy
from sac_tf.errors import UserError


def test_the_env_is_made_with_the_kwargs_the_policy_was_trained_with(tiny_run, tmp_path,
                                                                     monkeypatch):
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
def test_a_batch_of_observations_becomes_a_batch_of_actions_of_the_hybrid_space(container,
                                                                                discrete):
    box = gym.spaces.Box(0.0, 2.0, (2,))
    space = (gym.spaces.Dict({"move": box, "pick": discrete}) if container == "dict"
             else gym.spaces.Tuple((discrete, box)))  # the discrete part first
    spec = spec_from_spaces(gym.spaces.Box(-1, 1, (4,)), space)
    heads = len(spec.discrete_sizes)
    choices = [[2, 1][:heads], [0, 1][:heads]]
    batches = []

    def policy_fn(observation):
        batches.append(observation.shape)
        return {"action": np.array([[0.5, 1.5], [2.0, 0.0]], np.float32),
                "discrete_action": np.array(choices, np.int32)}

    action = env_action_fn(policy_fn, spec)(np.zeros((2, 4)))
    assert batches == [(2, 4)] and gym.vector.utils.batch_space(space, 2).contains(action)
    continuous, chosen = (action["move"], action["pick"]) if container == "dict" else action[::-1]
    np.testing.assert_allclose(continuous, [[0.5, 1.5], [2.0, 0.0]])
    np.testing.assert_array_equal(chosen, choices if heads > 1 else [row[0] for row in choices])
