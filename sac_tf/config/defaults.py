"""Default hyper-parameters: what the config files in `configs/` build on.

Config files in `configs/` build on these functions; they are the single
source of defaults (agents take every hyper-parameter as a required argument).
Any field can be overridden on the command line, e.g.
`--config.batch_size=512` or `--config.sac.hidden_sizes="(64, 64)"`.
"""

import ml_collections
from ml_collections import config_dict


def base_config(agent: str, env_id: str) -> ml_collections.ConfigDict:
    """Run settings shared by every agent (the loop, replay, evaluation, logging)."""
    config = ml_collections.ConfigDict()
    config.agent = agent
    config.env_id = env_id            # gymnasium id or `package.module:ClassOrFactory`
    config.env_kwargs = ml_collections.ConfigDict()  # keyword arguments of the env
    config.seed = 0
    config.num_steps = 1_000_000      # env steps, summed over vector envs
    config.num_envs = 1               # environments stepped in lockstep
    config.learning_starts = 10_000   # uniform-random env steps before updates
    config.train_every = 20           # vector steps collected per fused learner call
    config.updates_per_step = 1       # gradient updates per env step (update-to-data ratio)
    config.batch_size = 256
    config.buffer_capacity = 1_000_000
    config.jit_compile = True         # XLA-compile the fused update loop
    config.eval_interval = 10_000     # env steps between evaluations
    config.eval_episodes = 10         # deterministic-policy episodes per evaluation
    config.log_interval = 1_000       # env steps between train.csv rows
    config.checkpoint_interval = 50_000
    # Nested (Dict/Tuple) observations: observation leaf → "flatten" (the default for a leaf
    # not named), "dense:N" or "mlp:N,M" in front of every network (sac_tf.networks.encoders).
    config.observation_encoders = ml_collections.ConfigDict()
    # Hindsight experience replay (goal-conditioned Dict envs with compute_reward; sac_tf.her):
    # k "future" goals relabelled per stored transition.
    config.her = False
    config.her_goals_per_transition = 4
    return config


def sac_config() -> ml_collections.ConfigDict:
    """SAC hyper-parameters of Haarnoja et al. (2018b), table 1."""
    return ml_collections.ConfigDict(dict(
        hidden_sizes=(256, 256),
        num_critics=2,
        target_subset_size=config_dict.placeholder(int),  # None: min over all critics
        actor_q_reduction="min",  # over critics in the actor loss; "mean": REDQ, DroQ, TQC
        critic_layer_norm=False,
        critic_dropout_rate=0.0,
        num_quantiles=1,          # TQC: 25
        quantiles_to_drop=0,      # TQC: 2 per critic
        residual_blocks=0,        # SimBa: 1-2, with hidden_sizes=(width,)
        normalize_observations=False,
        reset_interval=0,         # updates between resets of every network; 0: never
        actor_update_interval=1,  # critic updates per actor and α update (REDQ/DroQ: 20)
        actor_lr=3e-4,
        critic_lr=3e-4,
        alpha_lr=3e-4,
        gamma=0.99,
        tau=0.005,
        initial_alpha=1.0,
        target_entropy=config_dict.placeholder(float),  # None: −act_dim
        discrete_target_entropy=config_dict.placeholder(float),  # hybrid; None: ½ Σ log n
        critic_hidden_sizes=config_dict.placeholder(tuple),  # None: hidden_sizes; CrossQ: wider
        batch_renorm=False,           # CrossQ: batch renorm in the critics and the actor
        batch_renorm_momentum=0.99,
        batch_renorm_warmup=100_000,  # training calls of plain batch norm before renorm
        target_networks=True,         # CrossQ: False (joint batch, no target critics)
        adam_beta_1=0.9,              # actor and critics; CrossQ: 0.5
        adam_epsilon=1e-7,            # Adam's ε, every optimiser (PyTorch, optax: 1e-8)
        actor_log_std="tanh",         # "tanh": into [−5, 2] (CleanRL); "clip": [−20, 2] (SB3, SBX)
        kernel_init="glorot_uniform",  # dense kernels; "lecun_normal" is flax's (SBX)
        activation="relu",            # hidden layers of actor and critics; "crelu", "relu2"
        extra_layer_norm=False,       # NormFormer: a layer norm after every hidden activation
        moe_experts=0,                # Soft MoE penultimate critic layer with this many experts
        moe_slots=2,                  # slots per expert
        moe_tokens=8,                 # tokens the layer before it is cut into
        moe_in_actor=False,           # the actor's penultimate layer a Soft MoE too
        regen_rate=0.0,               # λ of λ‖θ − θ₀‖² per network (L2 Init); 0: off
        target_q_reduction="min",     # over target critics; "softmin": softmax(−Q/β)-weighted
        softmin_temperature=1.0,      # β of "softmin" (target and actor), in units of Q
    ))


def td3_config() -> ml_collections.ConfigDict:
    """TD3 hyper-parameters of Fujimoto et al. (2018), as their code's current defaults."""
    return ml_collections.ConfigDict(dict(
        hidden_sizes=(256, 256),
        num_critics=2,
        actor_lr=3e-4,
        critic_lr=3e-4,
        gamma=0.99,
        tau=0.005,
        exploration_noise=0.1,        # σ, in units of half the action range
        noise_type="gaussian",        # or "ornstein_uhlenbeck"
        ou_theta=0.15,
        target_noise=0.2,
        target_noise_clip=0.5,
        policy_delay=2,
    ))


def ddpg_config() -> ml_collections.ConfigDict:
    """DDPG as the TD3 paper re-tuned it ("our DDPG"): TD3 without its three changes."""
    config = td3_config()
    config.num_critics = 1
    config.target_noise = 0.0
    config.policy_delay = 1
    return config


def pendulum_base_config(agent: str, num_steps: int) -> ml_collections.ConfigDict:
    """Run settings for Pendulum-v1: 1k random steps, an evaluation every 1k steps."""
    config = base_config(agent=agent, env_id="Pendulum-v1")
    config.num_steps = num_steps
    config.learning_starts = 1_000
    config.eval_interval = 1_000
    config.log_interval = 500
    config.checkpoint_interval = 2_000
    config.buffer_capacity = 100_000
    return config


def deterministic_pendulum_config(agent: str) -> ml_collections.ConfigDict:
    """DDPG or TD3 (`agent`) on Pendulum-v1: the papers' settings, lr 1e-3, 15k steps."""
    config = pendulum_base_config(agent, num_steps=15_000)
    config[agent] = td3_config() if agent == "td3" else ddpg_config()
    config[agent].actor_lr = config[agent].critic_lr = 1e-3
    return config


#: Entropy targets per task in REDQ's code (Chen et al. 2021, from MBPO), which DroQ's code
#: (Hiraoka et al. 2021) keeps; other tasks use SAC's −act_dim.
REDQ_TARGET_ENTROPY = {"Hopper-v5": -1.0, "HalfCheetah-v5": -3.0, "Walker2d-v5": -3.0,
                       "Ant-v5": -4.0, "Humanoid-v5": -2.0}
