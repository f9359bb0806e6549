"""DDPG on the MuJoCo v5 tasks as the TD3 paper re-tuned it ("our DDPG").

TD3's settings without its three changes: one critic, no target policy
smoothing, actor and targets every update; 10k random steps first. Pick the
task after a colon: `--config=configs/ddpg_mujoco.py:Hopper-v5`.
"""

from sac_tf.config import base_config, ddpg_config


def get_config(env_id="HalfCheetah-v5"):
    config = base_config(agent="ddpg", env_id=env_id)
    config.learning_starts = 10_000
    config.ddpg = ddpg_config()
    return config
