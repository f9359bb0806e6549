"""SAC for discrete actions (Christodoulou 2019) on small tasks: CartPole-v1, Acrobot-v1 and
the like, 50,000 env steps. `train --env=<an env with Discrete actions>` picks this file.

    --config=configs/sac_discrete.py:CartPole-v1

Q(s, ·) critics and a categorical actor of 64 × 64 (classic-control sized; the paper's
Atari networks are convolutional), lr 3e-4 for every optimiser, batch 256, γ 0.99,
τ 0.005, 1,000 random steps, and an entropy target of 0.89 · log |A|
(`discrete_target_entropy_scale`; the paper has 0.98). The best target and return length
were measured per task (docs/algorithms/discrete-sac.md), and `TASKS` holds where they
differ: Acrobot-v1 pays −1 a step until its goal, and kept it on 3 of 3 seeds with 0.5,
2 of 3 with 0.89, none with 0.7 or 0.98; with one-step returns (seed 0, every scale) it
never found it.
"""

from sac_tf.config import base_config, sac_config, with_overrides

#: Settings measured per task where they differ from the ones below (run or SAC fields).
TASKS = {"Acrobot-v1": dict(n_step=3, discrete_target_entropy_scale=0.5)}


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
    config.sac.discrete_target_entropy_scale = 0.89
    return with_overrides(config, TASKS.get(env_id, {}))
