"""SAC on the shipped hybrid-action task `sac_tf/HybridPointMass-v0` (direction + speed).

    python -m sac_tf.train --config=configs/sac_hybrid.py
A categorical head for the direction, a tanh-Gaussian for the speed, each with
its own learned temperature. Random play scores about −32 per episode, the best policy −2.9.
"""

from sac_tf.config import pendulum_base_config, sac_config


def get_config(env_id="sac_tf/HybridPointMass-v0"):
    config = pendulum_base_config(agent="sac", num_steps=5_000)  # a short task's schedule
    config.env_id = env_id
    config.learning_starts = 500
    config.sac = sac_config()
    config.sac.hidden_sizes = (64, 64)
    config.sac.actor_lr = config.sac.critic_lr = config.sac.alpha_lr = 1e-3
    return config
