"""Running an exported policy in its environment: returns, optionally an annotated video.

Policies are loaded without rebuilding an agent: a SavedModel directory through
`tf.saved_model.load`, a `policy.tflite` through TensorFlow's TFLite
interpreter, a `policy.onnx` through onnxruntime. Episode `i` is reset with seed `seed + i`, so runs are repeatable
and `examples/load_policy_tf_only.py` (TensorFlow alone; registered envs with `Box`
actions) gets the same returns.
"""

from typing import Callable, Dict, Optional

import gymnasium as gym
import numpy as np

from sac_tf.core.episodes import return_statistics, run_episodes_in_turn
from sac_tf.core.specs import EnvSpec, spec_from_spaces
from sac_tf.envs.making import make_env
from sac_tf.errors import UserError
from sac_tf.deploy.headless import prepare_rendering
from sac_tf.deploy.onnx_policy import load_onnx_policy
from sac_tf.deploy.saved_policy import load_policy, policy_inputs
from sac_tf.deploy.tflite_policy import load_tflite_policy
from sac_tf.deploy.video import AnnotatedVideo

#: observations float32 `[batch, obs_dim]` → the policy's outputs as numpy arrays:
#: `action` `[batch, act_dim]` in env units (not for discrete action spaces), and with
#: discrete heads `discrete_action` int32 `[batch, heads]`, the category of each.
ExportedPolicyFn = Callable[[np.ndarray], Dict[str, np.ndarray]]


def check_env_matches(metadata: dict, env: gym.Env, env_id: str) -> EnvSpec:
    """`env`'s spec; raises `UserError` when its spaces differ from the policy's."""
    spec = spec_from_spaces(env.observation_space, env.action_space)
    spec.check_matches(EnvSpec.from_dict(metadata), f"environment {env_id!r} does not match "
                                                    f"the policy trained on {metadata['env_id']!r}")
    return spec


def load_policy_fn(policy_path) -> tuple:
    """(metadata, deterministic `ExportedPolicyFn`) of a SavedModel directory, a `.tflite`
    or a `.onnx` file."""
    if str(policy_path).endswith(".tflite"):
        return load_tflite_policy(policy_path)
    if str(policy_path).endswith(".onnx"):
        return load_onnx_policy(policy_path)
    metadata, loaded = load_policy(policy_path)
    serve = loaded.signatures["serving_default"]
    return metadata, lambda observation: {
        name: value.numpy() for name, value in serve(**policy_inputs(metadata, observation)).items()}


def env_action_fn(policy_fn: ExportedPolicyFn, spec: EnvSpec):
    """Observations `[B, obs_dim]` → what a vector env of `spec` steps with: the policy's
    `Box` action `[B, act_dim]`, a discrete space's categories, or a hybrid space's dict
    or tuple of batched parts."""
    def act(observation):
        outputs = policy_fn(observation)
        if not spec.discrete_sizes:
            return outputs["action"]
        return spec.env_action_from_parts(outputs.get("action"), outputs["discrete_action"])
    return act


def _record_episodes(env: gym.Env, env_id: str, act, episodes: int, seed: int,
                     video) -> tuple:
    """`run_episodes_in_turn` that writes each step's annotated frame to `video`.

    Returns:
      (episode returns, frames written).
    """
    with AnnotatedVideo(video, fps=env.metadata.get("render_fps", 30)) as writer:
        def add_frame(episode, step, reward, episode_return):
            frame = env.render()
            if frame is None:
                raise UserError(f"{env_id} gives no frames to record: its render() returns "
                                f"None with render_mode='rgb_array'")
            writer.add(frame, [f"episode {episode + 1}/{episodes}  step {step}",
                               f"reward {reward:+.3f}", f"return {episode_return:+.2f}"])
        returns = run_episodes_in_turn(env, act, episodes, seed, on_step=add_frame)
    return returns, writer.frames


def evaluate_policy(policy_dir, *, episodes: int, seed: int, env_id: Optional[str] = None,
                    video: Optional[str] = None) -> dict:
    """Loads `policy_dir` (a SavedModel directory, a `.tflite` or a `.onnx`) and runs
    `episodes` episodes.

    With `video`, writes an MP4 of all episodes with one frame per env step:
    the frame rendered after the step, annotated with the episode, the step
    number, that step's reward and the running return (no reset frame).

    Returns:
      A JSON-serialisable dict: `return_mean`, `return_std`, `episodes`,
      `returns`, `env_id`, `seed`, and `video`/`video_frames` when a video is written.
    """
    if episodes < 1:
        raise UserError(f"episodes must be at least 1, got {episodes}")
    metadata, policy_fn = load_policy_fn(policy_dir)
    env_kwargs = {} if env_id else metadata.get("env_kwargs") or {}
    if not isinstance(env_kwargs, dict):
        raise UserError(f"{policy_dir}: metadata env_kwargs must be a JSON object, got "
                        f"{env_kwargs!r}")
    env_id = env_id or metadata["env_id"]
    if video:
        prepare_rendering(env_id)
        env_kwargs = {**env_kwargs, "render_mode": "rgb_array"}
    env = make_env(env_id, **env_kwargs)
    try:
        act = env_action_fn(policy_fn, check_env_matches(metadata, env, env_id))
        if not video:
            returns = run_episodes_in_turn(env, act, episodes, seed)
            extra = {}
        else:
            returns, frames = _record_episodes(env, env_id, act, episodes, seed, video)
            extra = {"video": str(video), "video_frames": frames}
    finally:
        env.close()
    return {"env_id": env_id, "episodes": episodes, "seed": seed, **return_statistics(returns),
            "returns": returns.tolist(), **extra}
