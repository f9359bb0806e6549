"""The Python API guide's custom loop (docs/guide/python-api.md), 1,500 steps: prints every learn() call's losses and a
final evaluation as one JSON line (run by tests/test_golden_runs.py, case `api_loop`)."""

import json

import gymnasium as gym

import sac_tf

NUM_STEPS = 1_500

env = gym.make("Pendulum-v1")
env.action_space.seed(0)
agent = sac_tf.SAC.from_env(env, seed=0)  # the config of `python -m sac_tf.train`
warm_up = agent.config.learning_starts    # uniform random actions first (1,000 steps)
train_every = 20                          # env steps between learn() calls

learn_losses = []
obs, _ = env.reset(seed=0)
for step in range(1, NUM_STEPS + 1):
    if step <= warm_up:
        action = env.action_space.sample()
    else:
        action = agent.select_action(obs)
    next_obs, reward, terminated, truncated, _ = env.step(action)
    agent.replay_buffer.add(obs, action, reward, next_obs, terminated, truncated)
    obs = next_obs if not (terminated or truncated) else env.reset()[0]
    if step > warm_up and step % train_every == 0:
        learn_losses.append(agent.learn(num_updates=train_every))  # one compiled call

evaluation = agent.evaluate("Pendulum-v1", episodes=3, seed=1_000_000)
# The keys recorded on the first version; later versions may report more (return_min/max).
evaluation = {key: evaluation[key] for key in ("return_mean", "return_std", "episodes")}
print(json.dumps({"learn_losses": learn_losses, "evaluation": evaluation}))
