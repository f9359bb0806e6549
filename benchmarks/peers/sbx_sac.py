"""SBX's SAC (JAX) on one gymnasium task, written as a sac_tf run directory's eval.csv.

Runs with the peer's own interpreter (a venv with `sbx-rl` and gymnasium, never the
project's), called by `benchmarks/parity.py`:

    /path/to/sbxvenv/bin/python benchmarks/peers/sbx_sac.py --env=Walker2d-v5 --seed=0 \
        --num_steps=100000 --out=runs/parity/Walker2d-v5/sbx_seed0

Settings are sac_tf's defaults (`sac_tf/config/defaults.py`), given explicitly because
SBX's own defaults differ (learning_starts 100): 256×256 actor and critics, 10,000
uniform-random steps, batch 256, lr 3e-4 for actor, critics and α, τ 0.005, γ 0.99,
learned α from 1.0 towards −|A|, one update per env step. Every `eval_interval` env
steps, `eval_episodes` deterministic episodes on a separate env; the row goes to
`eval.csv` with sac_tf's columns. At each evaluation the model and its replay buffer are
saved; a rerun resumes from there (SBX's JAX key restarts, so a resumed run is not
bit-identical to an uninterrupted one).
"""

import argparse
import csv
import os
import time

import gymnasium as gym
import numpy as np
from sbx import SAC
from stable_baselines3.common.callbacks import BaseCallback

EVAL_COLUMNS = ("env_step", "return_mean", "return_std", "return_min", "return_max", "wall_s")


def evaluate(model, env, episodes: int, seed: int) -> list:
    """Returns of `episodes` deterministic episodes, the first reset seeded with `seed`."""
    returns = []
    observation, _ = env.reset(seed=seed)
    for _ in range(episodes):
        done, total = False, 0.0
        while not done:
            action, _ = model.predict(observation, deterministic=True)
            observation, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
        observation, _ = env.reset()
    return returns


class EvalAndSave(BaseCallback):
    """Evaluates every `interval` env steps, appends to eval.csv, saves model and buffer."""

    def __init__(self, out: str, interval: int, episodes: int, seed: int, env_id: str,
                 wall_offset: float):
        super().__init__()
        self.out, self.interval, self.episodes, self.seed = out, interval, episodes, seed
        self.eval_env = gym.make(env_id)
        self.start = time.time() - wall_offset

    def _on_step(self) -> bool:
        step = self.num_timesteps
        if step % self.interval:
            return True
        returns = evaluate(self.model, self.eval_env, self.episodes, self.seed + 10_000 + step)
        wall = time.time() - self.start
        with open(os.path.join(self.out, "eval.csv"), "a", newline="") as handle:
            csv.writer(handle).writerow([step, np.mean(returns), np.std(returns), np.min(returns),
                                         np.max(returns), wall])
        print(f"step {step}: return {np.mean(returns):.1f} ({wall:.0f} s)", flush=True)
        self.model.save(os.path.join(self.out, "model"))
        self.model.save_replay_buffer(os.path.join(self.out, "replay_buffer"))
        return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--num_steps", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--learning_starts", type=int, default=10_000)
    parser.add_argument("--eval_interval", type=int, default=10_000)
    parser.add_argument("--eval_episodes", type=int, default=10)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    eval_path = os.path.join(args.out, "eval.csv")
    rows = []
    if os.path.exists(eval_path):
        with open(eval_path) as handle:
            rows = list(csv.DictReader(handle))
    done_steps = int(rows[-1]["env_step"]) if rows else 0
    if done_steps >= args.num_steps:
        print(f"{args.out}: finished ({done_steps} steps)")
        return
    env = gym.make(args.env)
    model_path = os.path.join(args.out, "model.zip")
    if done_steps and os.path.exists(model_path):
        model = SAC.load(model_path, env=env)
        model.load_replay_buffer(os.path.join(args.out, "replay_buffer.pkl"))
        print(f"resumed at {model.num_timesteps} steps", flush=True)
        wall_offset = float(rows[-1]["wall_s"])
    else:
        with open(eval_path, "w", newline="") as handle:
            csv.writer(handle).writerow(EVAL_COLUMNS)
        model = SAC("MlpPolicy", env, learning_rate=3e-4, buffer_size=1_000_000,
                    learning_starts=args.learning_starts, batch_size=256, tau=0.005,
                    gamma=0.99, train_freq=1, gradient_steps=1, ent_coef="auto",
                    target_entropy="auto", policy_kwargs=dict(net_arch=[256, 256]),
                    seed=args.seed, verbose=0)
        wall_offset = 0.0
    callback = EvalAndSave(args.out, args.eval_interval, args.eval_episodes, args.seed,
                           args.env, wall_offset)
    model.learn(args.num_steps - model.num_timesteps, callback=callback,
                reset_num_timesteps=False)


if __name__ == "__main__":
    main()
