"""Running an exported policy in its environment: returns, optionally an annotated video.

Policies are loaded without rebuilding an agent: a SavedModel directory through
`tf.saved_model.load`, a `policy.tflite` through TensorFlow's TFLite
interpreter. Episode `i` is reset with seed `seed + i`, so runs are repeatable
and `examples/load_policy_tf_only.py` (TensorFlow alone; registered envs with `Box`
actions) gets the same returns.
"""

from typing import Any, Callable, Dict, Optional

import gymnasium as gym
import numpy as np

from sac_tf.envs.making import make_env
from sac_tf.errors import UserError
from sac_tf.deploy.headless import prepare_rendering
from sac_tf.deploy.saved_policy import load_policy, load_tflite_policy
from sac_tf.core.specs import EnvSpec, spec_from_spaces
from sac_tf.deploy.video import AnnotatedVideo

#: observations float32 `[batch, obs_dim]` → the policy's outputs as numpy arrays:
#: `action` `[batch, act_dim]` in env units, and for hybrid action spaces
#: `discrete_action` int32 `[batch, heads]`, the category of each discrete head.
PolicyFn = Callable[[np.ndarray], Dict[str, np.ndarray]]
#: one observation → one action the env steps with.
ActionFn = Callable[[np.ndarray], Any]
#: called after every env step with (env, episode index, step in episode (1-based),
#: reward of the step, return so far).
StepCallback = Callable[[gym.Env, int, int, float, float], None]


def check_env_matches(metadata: dict, env: gym.Env, env_id: str) -> EnvSpec:
    """`env`'s spec; raises `UserError` when its spaces differ from the policy's."""
    spec = spec_from_spaces(env.observation_space, env.action_space)
    differences = []
    if list(spec.observation_shape) != list(metadata["observation_shape"]):
        differences.append(f"observation shape {list(spec.observation_shape)} vs "
                           f"{metadata['observation_shape']}")
    if list(spec.discrete_sizes) != metadata.get("discrete_sizes", []):
        differences.append(f"discrete action sizes {list(spec.discrete_sizes)} vs "
                           f"{metadata.get('discrete_sizes', [])}")
    if [spec.continuous_dim] != list(metadata["action_shape"]):
        differences.append(f"action shape {[spec.continuous_dim]} vs {metadata['action_shape']}")
    elif not (np.allclose(spec.action_low, metadata["action_low"])
              and np.allclose(spec.action_high, metadata["action_high"])):
        differences.append(f"action bounds [{spec.action_low.tolist()}, "
                           f"{spec.action_high.tolist()}] vs [{metadata['action_low']}, "
                           f"{metadata['action_high']}]")
    if differences:
        raise UserError(f"environment {env_id!r} does not match the policy trained on "
                        f"{metadata['env_id']!r}: {'; '.join(differences)}")
    return spec


def play_episodes(env: gym.Env, action_fn: ActionFn, episodes: int, seed: int,
                  on_step: Optional[StepCallback] = None) -> list:
    """Runs `episodes` episodes, episode `i` reset with `seed + i`; returns their returns."""
    returns = []
    for episode in range(episodes):
        observation, _ = env.reset(seed=seed + episode)
        episode_return, step, done = 0.0, 0, False
        while not done:
            action = action_fn(observation)
            observation, reward, terminated, truncated, _ = env.step(action)
            episode_return += float(reward)
            step += 1
            done = terminated or truncated
            if on_step is not None:
                on_step(env, episode, step, float(reward), episode_return)
        returns.append(episode_return)
    return returns


def load_policy_fn(policy_path) -> tuple:
    """(metadata, deterministic `PolicyFn`) of a SavedModel directory or a `.tflite` file."""
    if str(policy_path).endswith(".tflite"):
        return load_tflite_policy(policy_path)
    metadata, loaded = load_policy(policy_path)
    serve = loaded.signatures["serving_default"]
    return metadata, lambda observation: {
        name: value.numpy() for name, value in serve(observation=observation).items()}


def env_action_fn(policy_fn: PolicyFn, spec: EnvSpec) -> ActionFn:
    """The `ActionFn` that runs `policy_fn` on one observation of an env with `spec`:
    a `Box` action `[act_dim]`, or a hybrid space's dict or tuple."""
    def act(observation):
        outputs = policy_fn(np.asarray(observation, np.float32)[None])
        if not spec.is_hybrid:
            return outputs["action"][0]
        return spec.hybrid_env_action(outputs["action"][0], outputs["discrete_action"][0])
    return act


def _record_episodes(env: gym.Env, env_id: str, action_fn, episodes: int, seed: int,
                     video) -> tuple:
    """`play_episodes` that writes each step's annotated frame to `video`.

    Returns:
      (episode returns, frames written).
    """
    with AnnotatedVideo(video, fps=env.metadata.get("render_fps", 30)) as writer:
        def add_frame(env, episode, step, reward, episode_return):
            frame = env.render()
            if frame is None:
                raise UserError(f"{env_id} gives no frames to record: its render() returns "
                                f"None with render_mode='rgb_array'")
            writer.add(frame, [f"episode {episode + 1}/{episodes}  step {step}",
                               f"reward {reward:+.3f}", f"return {episode_return:+.2f}"])
        returns = play_episodes(env, action_fn, episodes, seed, on_step=add_frame)
    return returns, writer.frames


def evaluate_policy(policy_dir, *, episodes: int, seed: int, env_id: Optional[str] = None,
                    video: Optional[str] = None) -> dict:
    """Loads `policy_dir` (a SavedModel directory or a `.tflite`) and runs `episodes` episodes.

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
        action_fn = env_action_fn(policy_fn, check_env_matches(metadata, env, env_id))
        if not video:
            returns = play_episodes(env, action_fn, episodes, seed)
            extra = {}
        else:
            returns, frames = _record_episodes(env, env_id, action_fn, episodes, seed, video)
            extra = {"video": str(video), "video_frames": frames}
    finally:
        env.close()
    return {"env_id": env_id, "episodes": episodes, "seed": seed,
            "return_mean": float(np.mean(returns)), "return_std": float(np.std(returns)),
            "returns": returns, **extra}
