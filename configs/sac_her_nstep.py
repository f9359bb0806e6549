"""SAC + hindsight experience replay with 3-step returns on gymnasium-robotics' goal tasks:
`configs/sac_her.py` with `n_step=3`. Each real and each relabelled transition is written
as a 3-step window under its own goal when its episode ends (`sac_tf/core/hindsight.py`);
SB3 and SBX refuse n-step returns with `Dict` observations, so HER there is one-step only.

    --config=configs/sac_her_nstep.py:PointMaze_UMaze-v3
"""

from sac_tf.config import CONFIG_DIR, load_config


def get_config(env_id="FetchReach-v4"):
    config = load_config(f"{CONFIG_DIR / 'sac_her.py'}:{env_id}")
    config.n_step = 3
    return config
