"""SAC with NormFormer's extra layer norm (Shleifer et al. 2021) after every hidden
activation of the actor and the critics.

    --config=configs/sac_extra_norm.py:Hopper-v5
In NormFormer the extra norm follows the activation inside each pre-norm
block; with SimBa's residual torsos (`configs/sac_simba.py` plus
`--config.sac.extra_layer_norm=True`) that is exactly its place. SAC's plain MLPs
have no pre-norm, so here each hidden block is dense → ReLU → layer norm.
"""

from sac_tf.config import default_config


def get_config(env_id="Hopper-v5"):
    config = default_config("sac", env_id)
    config.sac.extra_layer_norm = True
    return config
