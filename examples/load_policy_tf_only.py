"""Runs an exported sac_tf policy with nothing but TensorFlow, NumPy and gymnasium.

    python examples/load_policy_tf_only.py runs/pendulum/policy --episodes=10 --seed=100

Episode i is reset with seed + i and the env is made with the kwargs the policy
was trained with, as `python -m sac_tf.evaluate` does, so the two print the same
mean return. The last stdout line is JSON. This example covers registered
gymnasium ids and `Box` or discrete action spaces (a discrete policy's output is
`discrete_action`, the categories); `sac_tf.evaluate` also runs policies of hybrid
action spaces and of envs given by import path.
"""

import argparse
import json

import gymnasium as gym
import numpy as np
import tensorflow as tf


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policy_dir")
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    policy = tf.saved_model.load(args.policy_dir)
    metadata = json.loads(policy.signatures["metadata"]()["metadata_json"].numpy())
    discrete = bool(metadata.get("discrete_sizes"))
    if discrete and metadata["action_low"]:
        parser.error("this policy has a hybrid action space: run it with python -m sac_tf.evaluate")
    act = policy.signatures["serving_default"]
    env = gym.make(metadata["env_id"], **metadata.get("env_kwargs", {}))

    returns = []
    for episode in range(args.episodes):
        observation, _ = env.reset(seed=args.seed + episode)
        episode_return, done = 0.0, False
        while not done:
            outputs = act(observation=np.asarray(observation, np.float32)[None])
            action = outputs["discrete_action" if discrete else "action"][0].numpy()
            if isinstance(env.action_space, gym.spaces.Discrete):
                action = int(action[0])
            observation, reward, terminated, truncated, _ = env.step(action)
            episode_return += float(reward)
            done = terminated or truncated
        returns.append(episode_return)
    print(json.dumps({"env_id": metadata["env_id"], "train_step": metadata["train_step"],
                      "return_mean": float(np.mean(returns)),
                      "return_std": float(np.std(returns)), "returns": returns}))


if __name__ == "__main__":
    main()
