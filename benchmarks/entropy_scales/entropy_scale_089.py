"""configs/sac_discrete.py with discrete_target_entropy_scale = 0.89."""

from sac_tf.config import CONFIG_DIR, load_config


def get_config(env_id="CartPole-v1"):
    config = load_config(f"{CONFIG_DIR / 'sac_discrete.py'}:{env_id}")
    config.sac.discrete_target_entropy_scale = 0.89
    return config
