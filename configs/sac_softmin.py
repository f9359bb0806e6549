"""SAC with a soft-min over its critics in the target and the actor loss.

    --config=configs/sac_softmin.py:Hopper-v5
Σ_i softmax(−Q/β)_i Q_i instead of min_i Q_i: between the twin critics' min
(β → 0) and their mean (β → ∞), so less pessimistic than clipped double Q
(see `sac_tf.agents.sac_options.soft_min`). β = 1 (in units of Q) is our
choice; with Q differences of several units it stays close to the min.
"""

from sac_tf.config import default_config


def get_config(env_id="Hopper-v5"):
    config = default_config("sac", env_id)
    config.sac.actor_q_reduction = "softmin"
    config.sac.target_q_reduction = "softmin"
    config.sac.softmin_temperature = 1.0
    return config
