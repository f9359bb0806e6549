"""The Python API for people who own their loop.

    agent = sac_tf.SAC.from_env("Pendulum-v1", seed=0)
    action = agent.select_action(observation)             # env units
    agent.replay_buffer.add(observation, action, reward, next_observation,
                            terminated, truncated)
    losses = agent.learn(num_updates=20)                   # {"loss": ..., "critic_loss": ...}
    agent.save("runs/mine")     # then `python -m sac_tf.train --root_dir=runs/mine` resumes it
    agent = sac_tf.SAC.load("runs/mine")   # or a command-line run's root_dir
"""

from sac_tf.api.agent import DDPG, SAC, TD3, Agent
from sac_tf.api.replay import ApiReplayBuffer

__all__ = ["Agent", "SAC", "DDPG", "TD3", "ApiReplayBuffer"]
