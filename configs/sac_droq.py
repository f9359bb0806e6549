"""DroQ (Hiraoka et al. 2021): twin dropout + layer-norm critics, 20 updates per env step;
the actor maximises the critics' mean (the paper's Algorithm 2, line 10), as REDQ's does.

    --config=configs/sac_droq.py:Hopper-v5
Twenty updates per env step make each env step about 20× as expensive.
"""

from sac_tf.config import high_update_ratio_sac_config


def get_config(env_id="Hopper-v5"):
    config = high_update_ratio_sac_config(env_id)
    config.sac.critic_layer_norm = True
    config.sac.critic_dropout_rate = 0.01
    config.sac.actor_q_reduction = "mean"
    return config
