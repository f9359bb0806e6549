"""TD3 on the MuJoCo v5 tasks with the hyper-parameters of Fujimoto et al. (2018).

256×256 networks, Adam 3e-4, batch 256, exploration noise 0.1, target noise 0.2
clipped at 0.5, actor and targets every 2 critic updates, 25k random steps
first (the authors' code). Pick the task after a colon:
`--config=configs/td3_mujoco.py:Hopper-v5`.
"""

from sac_tf.config import base_config, td3_config


def get_config(env_id="HalfCheetah-v5"):
    config = base_config(agent="td3", env_id=env_id)
    config.learning_starts = 25_000
    config.td3 = td3_config()
    return config
