"""TQC (Kuznetsov et al. 2020): 5 quantile critics × 25 quantiles, truncated target mixture;
the actor maximises the mean of all 125 quantiles.

    --config=configs/sac_tqc.py:Hopper-v5
The paper drops the top d quantiles per critic from the pooled target: d = 5 on
Hopper, 0 on HalfCheetah, 2 elsewhere. The paper's critics are 3×512 MLPs;
these keep SAC's 256×256 (shared with the actor); a TQC env step still costs
about 4× a SAC step on a 2-core CPU (5 critics, the quantile loss; README).
"""

from sac_tf.config import default_config

#: Quantiles dropped per critic, from the TQC paper.
QUANTILES_TO_DROP = {"Hopper-v5": 5, "HalfCheetah-v5": 0, "Pendulum-v1": 2}


def get_config(env_id="Hopper-v5"):
    config = default_config("sac", env_id)
    config.sac.num_critics = 5
    config.sac.num_quantiles = 25
    config.sac.quantiles_to_drop = QUANTILES_TO_DROP.get(env_id, 2)
    config.sac.actor_q_reduction = "mean"
    return config
