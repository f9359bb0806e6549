"""SAC for discrete actions (Christodoulou 2019) on small tasks: CartPole-v1, Acrobot-v1 and
the like, 50,000 env steps. `train --env=<an env with Discrete actions>` picks this file.

    --config=configs/sac_discrete.py:CartPole-v1

Q(s, ·) critics and a categorical actor of 64 × 64 (classic-control sized; the paper's
Atari networks are convolutional), lr 3e-4 for every optimiser, batch 256, γ 0.99, τ 0.005,
1,000 random steps. The entropy target is `discrete_target_entropy_scale` · log |A|.
"""

from sac_tf.config import base_config, sac_config


def get_config(env_id="CartPole-v1"):
    config = base_config(agent="sac", env_id=env_id)
    config.num_steps = 50_000
    config.learning_starts = 1_000
    config.buffer_capacity = 100_000
    config.eval_interval = 5_000
    config.log_interval = 1_000
    config.checkpoint_interval = 10_000
    config.sac = sac_config()
    config.sac.hidden_sizes = (64, 64)
    return config
