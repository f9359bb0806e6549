"""SAC with 3-step returns (`n_step=3`): rewards of three steps summed, γ³ bootstrapping at
the third state (cut where an episode ends), as SB3's and SBX's `n_steps` do.

    --config=configs/sac_nstep.py:Hopper-v5
"""

from sac_tf.config import default_config


def get_config(env_id="Hopper-v5"):
    config = default_config("sac", env_id)
    config.n_step = 3
    return config
