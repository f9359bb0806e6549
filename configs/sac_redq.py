"""REDQ (Chen et al. 2021): 10 critics, target = min over a random 2, 20 updates per env step.

    --config=configs/sac_redq.py:Hopper-v5
Twenty updates per env step make each env step about 20× as expensive.
"""

from sac_tf.config import base_config, sac_config


def get_config(env_id="Hopper-v5"):
    config = base_config(agent="sac", env_id=env_id)
    config.learning_starts = 5_000
    config.updates_per_step = 20
    config.sac = sac_config()
    config.sac.num_critics = 10
    config.sac.target_subset_size = 2
    return config
