"""REDQ (Chen et al. 2021): 10 critics, target = min over a random 2, 20 updates per env step;
the actor maximises the mean of the 10 critics.

    --config=configs/sac_redq.py:Hopper-v5
Twenty updates per env step make each env step about 20× as expensive.
"""

from sac_tf.config import high_update_ratio_sac_config


def get_config(env_id="Hopper-v5"):
    config = high_update_ratio_sac_config(env_id)
    config.sac.num_critics = 10
    config.sac.target_subset_size = 2
    config.sac.actor_q_reduction = "mean"
    return config
