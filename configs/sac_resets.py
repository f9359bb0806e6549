"""SAC with a high update-to-data ratio and periodic resets (Nikishin et al. 2022; D'Oro et al. 2023).

    --config=configs/sac_resets.py:Hopper-v5
Eight updates per env step; every 200,000 updates (25,000 env steps) the actor,
critics, targets, α and the optimisers go back to their initial state while the
replay buffer is kept. Each env step costs about 8× a SAC step.

The interval is our choice, not the papers': D'Oro et al.'s code resets every
2.56M updates (320,000 env steps at 8 updates per step), which runs of
100,000 env steps or less, the only ones this project can afford, would
never reach; every 25,000 env steps gives such runs three or four resets.
"""

from sac_tf.config import default_config


def get_config(env_id="Hopper-v5"):
    config = default_config("sac", env_id)
    config.learning_starts = min(config.learning_starts, 5_000)
    config.updates_per_step = 8
    config.sac.reset_interval = 200_000
    return config
