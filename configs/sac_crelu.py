"""SAC with concatenated ReLUs (Shang et al. 2016) in the actor and the critics.

    --config=configs/sac_crelu.py:Hopper-v5
Each hidden layer outputs [relu(x), relu(−x)], so the next layer sees twice
the width (256 units → 512 inputs): Abbas et al. (2023, "Loss of Plasticity in
Continual Deep Reinforcement Learning") find CReLU keeps networks plastic. The
layer widths stay as in SAC, so the next layers' weights double (our choice;
halving the widths would keep the parameter count; not checked against their
code).
"""

from sac_tf.config import default_config


def get_config(env_id="Hopper-v5"):
    config = default_config("sac", env_id)
    config.sac.activation = "crelu"
    return config
