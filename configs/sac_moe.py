"""SAC whose critics' penultimate layer is a Soft Mixture of Experts (Puigcerver et al.
2023), as Obando-Ceron et al. (2024, "Mixtures of Experts Unlock Parameter Scaling for
Deep RL") put one in DQN's and Rainbow's.

    --config=configs/sac_moe.py:Hopper-v5
The first hidden layer's 256 features are cut into 8 tokens of 32; 4 experts
with 2 slots each (capacity factor 1: slots = tokens, as in the paper), every
expert 32 → 256 → 32. `--config.sac.moe_in_actor=True` gives the actor one
too. The paper's tokens are a convolutional encoder's spatial positions; a
token here is a chunk of an MLP layer's features (see `sac_tf.networks.soft_moe`).
"""

from sac_tf.config import default_config


def get_config(env_id="Hopper-v5"):
    config = default_config("sac", env_id)
    config.sac.moe_experts = 4
    config.sac.moe_slots = 2
    config.sac.moe_tokens = 8
    return config
