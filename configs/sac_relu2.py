"""SAC with squared ReLUs, relu(x)² ("ReLU² Wins", Zhang et al. 2024; So et al. 2021),
in every hidden layer of the actor and the critics.

    --config=configs/sac_relu2.py:Hopper-v5
"""

from sac_tf.config import default_config


def get_config(env_id="Hopper-v5"):
    config = default_config("sac", env_id)
    config.sac.activation = "relu2"
    return config
