"""SAC with SimBa networks (Lee et al. 2024): pre-norm residual torsos and running
observation normalisation (BRO's post-norm BroNet block is not implemented).

    --config=configs/sac_simba.py:Hopper-v5
Residual, layer-normalised torsos (width 128, 2 blocks, 4× bottleneck: 512-wide
inner layers) for the actor and both critics, and observations standardised by
running statistics. SimBa's SAC uses width 128 × 1 block for the actor and
512 × 2 for the critic (on GPUs); here actor and critics share one setting,
sized for a CPU — `--config.sac.hidden_sizes="(512,)"` gives the paper's critic
width at about 16× the cost of plain SAC's networks.
"""

from sac_tf.config import default_config


def get_config(env_id="Hopper-v5"):
    config = default_config("sac", env_id)
    config.sac.hidden_sizes = (128,)
    config.sac.residual_blocks = 2
    config.sac.normalize_observations = True
    return config
