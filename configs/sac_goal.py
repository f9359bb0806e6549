"""`configs/sac_her.py` without hindsight relabelling: the same SAC on the same goal task,
for the side-by-side comparison (`python -m sac_tf.compare --agents=sac_her,sac_goal`).

    --config=configs/sac_goal.py:FetchReach-v4
"""

from sac_tf.config import CONFIG_DIR, load_config


def get_config(env_id="FetchReach-v4"):
    config = load_config(f"{CONFIG_DIR / 'sac_her.py'}:{env_id}")
    config.her = False
    return config
