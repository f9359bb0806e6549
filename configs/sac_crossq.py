"""CrossQ (Bhatt et al., ICLR 2024): SAC with batch renorm and no target networks.

`--config=configs/sac_crossq.py:Hopper-v5`. The authors' settings (their code,
`algo == "crossq"`): batch renormalisation (momentum 0.99, ε 1e-3, r_max 3,
d_max 5 after 100,000 training calls of plain batch norm) on the inputs and
hidden layers of the critics and of the actor; no target critics, (s, a) and
(s', a') through the critics as one joint batch; Adam β1 = 0.5 and learning
rate 1e-3; the actor and α updated every 3 critic updates; one update per env
step after 5,000 random steps; actor 256 × 256.

Where ours differs, and why:
- critic width: the paper's critics are 2048 × 2048; this CPU config uses
  `CPU_CRITIC_WIDTH` (chosen by measured cost, README "SAC options"). The
  paper's width: `--config.sac.critic_hidden_sizes="(2048, 2048)"`.
- α's loss is SAC's −log α (log π + H̄) with Adam β1 0.9 (theirs: α (−log π − H̄),
  Adam defaults), as every SAC option here.
- the actor's log σ is squashed into [−5, 2] by tanh (theirs: clipped to [−20, 2]).
"""

from sac_tf.config import default_config

#: Width of the two critic layers in this CPU config (the paper: 2048).
CPU_CRITIC_WIDTH = 256


def get_config(env_id="HalfCheetah-v5"):
    config = default_config("sac", env_id)
    config.learning_starts = min(config.learning_starts, 5_000)
    config.updates_per_step = 1
    sac = config.sac
    sac.hidden_sizes = (256, 256)
    sac.critic_hidden_sizes = (CPU_CRITIC_WIDTH, CPU_CRITIC_WIDTH)
    sac.batch_renorm = True
    sac.target_networks = False
    sac.adam_beta_1 = 0.5
    sac.actor_lr = sac.critic_lr = sac.alpha_lr = 1e-3
    sac.actor_update_interval = 3
    return config
