"""DDPG on Pendulum-v1: the paper's networks and noise, lr 1e-3, 15k steps.

The learning rate is rl-baselines3-zoo's tuned value for Pendulum, as in
`configs/sac_pendulum.py`.
"""

from sac_tf.config import deterministic_pendulum_config


def get_config():
    return deterministic_pendulum_config("ddpg")
