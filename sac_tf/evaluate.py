r"""Runs an exported policy: returns as JSON, an annotated video, a reward plot.

    python -m sac_tf.evaluate --policy_dir=runs/pendulum/policy --episodes=10 --seed=100
    python -m sac_tf.evaluate --policy_dir=runs/pendulum/policy --episodes=1 \
        --video=pendulum.mp4 --plot_from=runs/pendulum

Loads the SavedModel with `tf.saved_model.load` (no agent is rebuilt) and runs
`--episodes` episodes of its deterministic `serving_default` action, episode
`i` reset with seed `--seed + i`. The last stdout line is a JSON object with
`return_mean`, `return_std`, `episodes` and `returns`.

`--video` writes an MP4 with one frame per env step: the frame rendered after
the step, annotated with the episode, the step number, that step's reward and
the episode's running return (the reset frame is not included).
`--plot_from=ROOT` draws `ROOT/eval.csv` to `--plot_file` (default
`ROOT/eval_returns.png`).
"""

import json
import pathlib
import sys
from typing import Callable, Optional

from sac_tf import tf_setup

tf_setup.import_tensorflow_quietly()

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
from absl import flags  # noqa: E402

from sac_tf import cli  # noqa: E402
from sac_tf.envs import make_env  # noqa: E402
from sac_tf.errors import UserError  # noqa: E402
from sac_tf.headless import prepare_rendering  # noqa: E402
from sac_tf.saved_policy import load_policy  # noqa: E402
from sac_tf.specs import spec_from_spaces  # noqa: E402

flags.DEFINE_string("policy_dir", None, "An exported policy (e.g. ROOT/policy).")
flags.DEFINE_string("env", None, "Gymnasium id to run in; default: the policy's env.")
flags.DEFINE_integer("episodes", 10, "Episodes to run.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Episode i is reset with seed + i.")
flags.DEFINE_string("video", None, "Write an annotated MP4 of all episodes here.")
flags.DEFINE_string("plot_from", None, "A run directory whose eval.csv to plot.")
flags.DEFINE_string("plot_file", None, "PNG for --plot_from; default ROOT/eval_returns.png.")

#: observations float32 `[batch, obs_dim]` → actions `[batch, act_dim]` in env units.
ActionFn = Callable[[np.ndarray], np.ndarray]
#: called after every env step with (env, episode index, step in episode (1-based),
#: reward of the step, return so far).
StepCallback = Callable[[gym.Env, int, int, float, float], None]


def check_env_matches(metadata: dict, env: gym.Env, env_id: str) -> None:
    """Raises `UserError` when `env`'s spaces differ from those the policy was exported for."""
    spec = spec_from_spaces(env.observation_space, env.action_space)
    differences = []
    if list(spec.observation_shape) != list(metadata["observation_shape"]):
        differences.append(f"observation shape {list(spec.observation_shape)} vs "
                           f"{metadata['observation_shape']}")
    if [spec.action_dim] != list(metadata["action_shape"]):
        differences.append(f"action shape {[spec.action_dim]} vs {metadata['action_shape']}")
    elif not (np.allclose(spec.action_low, metadata["action_low"])
              and np.allclose(spec.action_high, metadata["action_high"])):
        differences.append(f"action bounds [{spec.action_low.tolist()}, "
                           f"{spec.action_high.tolist()}] vs [{metadata['action_low']}, "
                           f"{metadata['action_high']}]")
    if differences:
        raise UserError(f"environment {env_id!r} does not match the policy trained on "
                        f"{metadata['env_id']!r}: {'; '.join(differences)}")


def run_episodes(env: gym.Env, action_fn: ActionFn, episodes: int, seed: int,
                 on_step: Optional[StepCallback] = None) -> list:
    """Runs `episodes` episodes, episode `i` reset with `seed + i`; returns their returns."""
    returns = []
    for episode in range(episodes):
        observation, _ = env.reset(seed=seed + episode)
        episode_return, step, done = 0.0, 0, False
        while not done:
            action = action_fn(np.asarray(observation, np.float32)[None])[0]
            observation, reward, terminated, truncated, _ = env.step(action)
            episode_return += float(reward)
            step += 1
            done = terminated or truncated
            if on_step is not None:
                on_step(env, episode, step, float(reward), episode_return)
        returns.append(episode_return)
    return returns


def saved_model_action_fn(loaded) -> ActionFn:
    """The deterministic action of a loaded policy, called from numpy."""
    serve = loaded.signatures["serving_default"]
    return lambda observation: serve(observation=observation)["action"].numpy()


def evaluate_policy(policy_dir, *, episodes: int, seed: int, env_id: Optional[str] = None,
                    video: Optional[str] = None) -> dict:
    """Loads `policy_dir` and runs it; see the module docstring.

    Returns:
      A JSON-serialisable dict: `return_mean`, `return_std`, `episodes`,
      `returns`, `env_id`, `seed`, and `video`/`video_frames` when a video is written.
    """
    from sac_tf.video import AnnotatedVideo

    metadata, loaded = load_policy(policy_dir)
    env_id = env_id or metadata["env_id"]
    if video:
        prepare_rendering(env_id)
    env = make_env(env_id, render_mode="rgb_array" if video else None)
    check_env_matches(metadata, env, env_id)
    action_fn = saved_model_action_fn(loaded)
    if not video:
        returns = run_episodes(env, action_fn, episodes, seed)
        extra = {}
    else:
        with AnnotatedVideo(video, fps=env.metadata.get("render_fps", 30)) as writer:
            def add_frame(env, episode, step, reward, episode_return):
                writer.add(env.render(), [f"episode {episode + 1}/{episodes}  step {step}",
                                          f"reward {reward:+.3f}",
                                          f"return {episode_return:+.2f}"])
            returns = run_episodes(env, action_fn, episodes, seed, on_step=add_frame)
        extra = {"video": str(video), "video_frames": writer.frames}
    env.close()
    return {"env_id": env_id, "episodes": episodes, "seed": seed,
            "return_mean": float(np.mean(returns)), "return_std": float(np.std(returns)),
            "returns": returns, **extra}


def main(argv):
    if len(argv) > 1:
        raise UserError(f"unexpected arguments: {' '.join(argv[1:])}")
    if not flags.FLAGS.policy_dir:
        raise UserError("--policy_dir is required")
    plot = {}
    if flags.FLAGS.plot_from:  # first: a bad --plot_from fails before the episodes run
        from sac_tf.plots import plot_eval_returns

        root = pathlib.Path(flags.FLAGS.plot_from)
        plot["plot"] = str(plot_eval_returns(root, flags.FLAGS.plot_file
                                             or root / "eval_returns.png"))
    result = evaluate_policy(flags.FLAGS.policy_dir, episodes=flags.FLAGS.episodes,
                             seed=flags.FLAGS.seed, env_id=flags.FLAGS.env,
                             video=flags.FLAGS.video)
    print(json.dumps({**result, **plot}))


if __name__ == "__main__":
    cli.run(main)
