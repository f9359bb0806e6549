"""SAC with regenerative regularisation, "L2 Init" (Kumar et al. 2023, "Maintaining
Plasticity in Continual Learning via Regenerative Regularization").

    --config=configs/sac_regen.py:Hopper-v5
λ ‖θ − θ₀‖² is added to the actor's loss for the actor's weights and to the
critics' loss for theirs, θ₀ the initial draw (kept in the checkpoint, the
same copy resets use). λ = 1e-3 is our choice, not tuned: the paper tunes λ
per problem on supervised and continual tasks, not on SAC.
"""

from sac_tf.config import default_config


def get_config(env_id="Hopper-v5"):
    config = default_config("sac", env_id)
    config.sac.regen_rate = 1e-3
    return config
