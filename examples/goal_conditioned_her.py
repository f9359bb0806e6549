"""A goal-conditioned policy trained with hindsight relabelling in the user's own loop.

    pip install -e ".[robotics]"          # gymnasium-robotics (and PettingZoo)
    python examples/goal_conditioned_her.py --env=FetchReach-v4 --steps=6000

The observations are dicts (`observation`, `achieved_goal`, `desired_goal`) and go to
`select_action` and `replay_buffer.add` as the env gives them; every finished episode gets
k = 4 relabelled copies of its transitions, rewarded by the env's own `compute_reward`.
The `observation` leaf goes through the user's own Keras layer in front of every network.
"""

import argparse

import gymnasium as gym
import keras
import numpy as np

import sac_tf
from sac_tf.envs.making import make_env


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--env", default="FetchReach-v4")
    parser.add_argument("--steps", type=int, default=6_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    env = make_env(args.env)  # registers gymnasium-robotics (with its mujoco 4 shim)
    agent = sac_tf.SAC.from_env(
        env, config=f"{sac_tf.config.CONFIG_DIR / 'sac_her.py'}:{args.env}", seed=args.seed,
        preprocessing_layers={"observation": keras.layers.Dense(64, activation="relu")})
    obs, _ = env.reset(seed=args.seed)
    for step in range(1, args.steps + 1):
        if step <= agent.config.learning_starts:
            action = env.action_space.sample()
        else:
            action = agent.select_action(obs)
        next_obs, reward, terminated, truncated, info = env.step(action)
        agent.replay_buffer.add(obs, action, reward, next_obs, terminated, truncated)
        obs = next_obs
        if terminated or truncated:
            obs, _ = env.reset()
        if step > agent.config.learning_starts and step % 50 == 0:
            losses = agent.learn(50)  # one update per env step, fused in one call
        if step % 2_000 == 0:
            result = agent.evaluate(env=gym.make(args.env), episodes=10, seed=1_000)
            print(f"step {step}: return {result['return_mean']:.1f}, "
                  f"critic loss {losses['critic_loss']:.3f}", flush=True)


if __name__ == "__main__":
    main()
