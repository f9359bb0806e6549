"""SAC for discrete actions (Christodoulou 2019) on small tasks: CartPole-v1, Acrobot-v1 and
the like, 50,000 env steps. `train --env=<an env with Discrete actions>` picks this file.

    --config=configs/sac_discrete.py:CartPole-v1

Q(s, ·) critics and a categorical actor of 64 × 64 (classic-control sized; the paper's
Atari networks are convolutional), lr 3e-4 for every optimiser, batch 256, γ 0.99,
τ 0.005, 1,000 random steps. The entropy target is 0.89 · log |A|
(`discrete_target_entropy_scale`; the paper's 0.98 and 0.5 were measured beside it, see
docs/algorithms/discrete-sac.md). Tasks in `N_STEP` learn from n-step returns: Acrobot-v1
pays −1 a step until the goal, and with one-step returns it stayed at −500 for 50,000 steps
while CartPole-v1 learned more slowly with 3-step ones.
"""

from sac_tf.config import base_config, sac_config

#: n-step returns per task (`n_step`); 1 for the others.
N_STEP = {"Acrobot-v1": 3}


def get_config(env_id="CartPole-v1"):
    config = base_config(agent="sac", env_id=env_id)
    config.num_steps = 50_000
    config.learning_starts = 1_000
    config.buffer_capacity = 100_000
    config.eval_interval = 5_000
    config.log_interval = 1_000
    config.checkpoint_interval = 10_000
    config.n_step = N_STEP.get(env_id, 1)
    config.sac = sac_config()
    config.sac.hidden_sizes = (64, 64)
    config.sac.discrete_target_entropy_scale = 0.89
    return config
