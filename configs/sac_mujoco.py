"""SAC on the MuJoCo v5 tasks with the hyper-parameters of Haarnoja et al. (2018b).

Pick the task after a colon: `--config=configs/sac_mujoco.py:Hopper-v5`.
"""

from sac_tf.config import base_config, sac_config

#: Steps the SAC paper trains each task for.
NUM_STEPS = {
    "HalfCheetah-v5": 3_000_000,
    "Hopper-v5": 1_000_000,
    "Walker2d-v5": 3_000_000,
    "Ant-v5": 3_000_000,
    "Humanoid-v5": 10_000_000,
}


def get_config(env_id="HalfCheetah-v5"):
    config = base_config(agent="sac", env_id=env_id)
    config.num_steps = NUM_STEPS.get(env_id, 1_000_000)
    config.sac = sac_config()
    return config
