"""Runs a sac_tf policy exported to ONNX with nothing but onnxruntime, NumPy and gymnasium.

    python -m sac_tf.export --root_dir=runs/pendulum --onnx
    python examples/load_policy_onnx.py runs/pendulum/policy/policy.onnx --episodes=10 --seed=100

The policy's metadata (env id, env kwargs, spaces) is inside the .onnx file as
the model property `sac_tf_metadata`. Episode i is reset with seed + i and the
env is made with the kwargs the policy was trained with, as `python -m
sac_tf.evaluate` does, so the two print the same returns. The last stdout line
is JSON. Discrete action spaces get the `discrete_action` output (the
categories) instead of `action`, and hybrid ones (a `Dict` or `Tuple` of a `Box`
and a discrete part) get it as the discrete part's categories beside `action`.

Like `examples/load_policy_tf_only.py`, it covers envs that `gym.make` finds by
id: sac_tf's own demo task `sac_tf/HybridPointMass-v0` is registered by
importing sac_tf (and so TensorFlow), and envs given by import path are
`sac_tf.evaluate`'s. It keeps error handling out of the way: a bad file ends
in onnxruntime's exception (`sac_tf.evaluate` turns it into one line).
"""

import argparse
import json

import gymnasium as gym
import numpy as np
import onnxruntime


def env_action(space: gym.Space, outputs: dict):
    """The action `space` takes, from the policy's outputs for one observation: the `Box`
    action, a `Discrete` or `MultiDiscrete` space's categories, or for a hybrid
    `Dict`/`Tuple` of one `Box` and one `Discrete` or `MultiDiscrete` part, that part's
    categories beside the `Box` action."""
    if "discrete_action" not in outputs:
        return outputs["action"][0]
    choices = outputs["discrete_action"][0]
    if isinstance(space, gym.spaces.Discrete):
        return int(choices[0])
    if isinstance(space, gym.spaces.MultiDiscrete):
        return choices
    action = outputs["action"][0]
    keys = list(space.spaces) if isinstance(space, gym.spaces.Dict) else [0, 1]
    box_key = next(key for key in keys if isinstance(space[key], gym.spaces.Box))
    discrete_key = next(key for key in keys if key != box_key)
    if isinstance(space[discrete_key], gym.spaces.Discrete):
        choices = int(choices[0])
    parts = {box_key: action, discrete_key: choices}
    return parts if isinstance(space, gym.spaces.Dict) else (parts[0], parts[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("onnx_path")
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    session = onnxruntime.InferenceSession(args.onnx_path, providers=["CPUExecutionProvider"])
    metadata = json.loads(session.get_modelmeta().custom_metadata_map["sac_tf_metadata"])
    output_names = [output.name for output in session.get_outputs()]
    env = gym.make(metadata["env_id"], **(metadata.get("env_kwargs") or {}))

    returns = []
    for episode in range(args.episodes):
        observation, _ = env.reset(seed=args.seed + episode)
        episode_return, done = 0.0, False
        while not done:
            batch = np.asarray(observation, np.float32)[None]
            outputs = dict(zip(output_names, session.run(output_names, {"observation": batch})))
            observation, reward, terminated, truncated, _ = env.step(
                env_action(env.action_space, outputs))
            episode_return += float(reward)
            done = terminated or truncated
        returns.append(episode_return)
    print(json.dumps({"env_id": metadata["env_id"], "train_step": metadata["train_step"],
                      "return_mean": float(np.mean(returns)),
                      "return_std": float(np.std(returns)), "returns": returns}))


if __name__ == "__main__":
    main()
