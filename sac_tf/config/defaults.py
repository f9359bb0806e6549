"""Default hyper-parameters: what the config files in `configs/` build on.

Config files in `configs/` build on these functions; they are the single
source of defaults (agents take every hyper-parameter as a required argument).
Any field can be overridden on the command line, e.g.
`--config.batch_size=512` or `--config.sac.hidden_sizes="(64, 64)"`.

Each field is declared once, as `name=(default, meaning)`: the meaning is the one-line
description the documentation's config reference prints (`docs/generate.py` reads
`FIELD_HELP`; `tests/config/test_defaults.py` fails for a field without one). A callable
default (`ConfigDict`, an optional placeholder) is called for a fresh value per config.
"""

import functools

import ml_collections
from ml_collections import config_dict


def _optional(kind):
    """The default of an optional field of type `kind`: None until set."""
    return functools.partial(config_dict.placeholder, kind)


#: Run settings shared by every agent: the loop, replay, evaluation, logging.
RUN_FIELDS = dict(
    agent=("sac", "Agent to train: `sac`, `ddpg` or `td3` (its section holds its settings)."),
    env_id=("Pendulum-v1", "Gymnasium id or `package.module:ClassOrFactory` of the env."),
    env_kwargs=(ml_collections.ConfigDict, "Keyword arguments the env is made with."),
    seed=(0, "Seed of networks, sampling, replay and envs, in [0, 2³²)."),
    num_steps=(1_000_000, "Env steps to train for, summed over the vector envs."),
    num_envs=(1, "Environments stepped in lockstep (a vector env)."),
    learning_starts=(10_000, "Env steps of uniform-random actions before the first update."),
    train_every=(20, "Vector steps collected per fused learner call."),
    updates_per_step=(1, "Gradient updates per env step (the update-to-data ratio)."),
    batch_size=(256, "Transitions per sampled replay batch."),
    buffer_capacity=(1_000_000, "Transitions the replay buffer holds (oldest overwritten)."),
    n_step=(1, "n-step returns: rewards summed over up to n steps of an episode before "
               "bootstrapping (SB3/SBX `n_steps`); 1: one-step targets."),
    precision=("float32", "Dtype the networks compute in: `float32`, `mixed_bfloat16` (CPUs with "
                          "AMX, recent GPUs) or `mixed_float16` (GPUs; loss scaling)."),
    learner_compile=("auto", "How the learner and acting compile: `xla`, `graph` (oneDNN), `fused` "
                             "(graph, elementwise ops fused by XLA) or `auto` (docs: precision)."),
    eval_interval=(10_000, "Env steps between evaluations of the deterministic policy."),
    eval_episodes=(10, "Episodes per evaluation."),
    log_interval=(1_000, "Env steps between `train.csv` rows."),
    checkpoint_interval=(50_000, "Env steps between checkpoints."),
    keep_best=(False, "Also export the best-evaluated policy to `best_policy/`."),
    stop_at_return=(_optional(float), "End the run once `stop_patience` evaluations in a row "
                                      "reach this mean return; None: never."),
    stop_patience=(1, "Evaluations in a row at `stop_at_return` that end the run."),
    observation_encoders=(ml_collections.ConfigDict, "Nested observations: leaf → `flatten` "
                          "(the default), `dense:N`, `mlp:N,M` or `conv[:N]` (images) in front "
                          "of every network."),
    frame_stack=(1, "Frames stacked on the channel axis of each image leaf (uint8 H×W×C); "
                    "the replay buffer stores each frame once."),
    image_shift=(0, "DrQ's random shift of image leaves in each sampled batch, in pixels "
                    "(DrQ: 4 at 84×84); 0: none."),
    her=(False, "Hindsight experience replay for goal-conditioned `Dict` envs with "
                "`compute_reward`."),
    her_goals_per_transition=(4, "HER: `future` goals relabelled per stored transition (k)."),
)

def _schedule_fields(*roles: str) -> dict:
    """Learning-rate schedule fields of the optimisers `roles` (`sac_tf.agents.schedules`)."""
    return dict(
        **{f"{role}_lr_schedule": ("constant", f"Schedule of the {role} learning rate: "
                                               f"`constant`, `linear` or `cosine` decay.")
           for role in roles},
        lr_floor=(0.0, "Fraction of its initial value a decaying learning rate ends at."),
        lr_decay_updates=(_optional(int), "Updates a decaying learning rate takes to reach "
                                          "its floor; None: the run's updates."),
    )


#: SAC (`config.sac`): Haarnoja et al. (2018b), table 1, plus the options' fields (off).
SAC_FIELDS = dict(
    hidden_sizes=((256, 256), "Hidden layer widths of the actor (and of the critics unless "
                              "`critic_hidden_sizes`); one width with `residual_blocks`."),
    num_critics=(2, "Critics in the ensemble (REDQ: 10, TQC: 5)."),
    target_subset_size=(_optional(int), "Target critics drawn per update for the min "
                                        "(REDQ: 2); None: all of them."),
    actor_q_reduction=("min", "How the actor loss combines critics: `min`, `mean` "
                              "(REDQ, DroQ, TQC) or `softmin`."),
    critic_layer_norm=(False, "Layer norm after each hidden layer of the critics (DroQ)."),
    critic_dropout_rate=(0.0, "Dropout rate in the critics' hidden layers (DroQ: 0.01)."),
    num_quantiles=(1, "Quantiles per critic; above 1 the critics are TQC's (25)."),
    quantiles_to_drop=(0, "Top quantiles per critic dropped from TQC's pooled target."),
    residual_blocks=(0, "SimBa residual pre-norm blocks per torso; 0: a plain MLP."),
    normalize_observations=(False, "Standardise observations by running statistics (SimBa)."),
    reset_interval=(0, "Updates between resets of every network, α and optimiser; 0: never."),
    actor_update_interval=(1, "Critic updates per actor and α update (REDQ, DroQ: 20; "
                              "CrossQ: 3)."),
    actor_lr=(3e-4, "Adam learning rate of the actor."),
    critic_lr=(3e-4, "Adam learning rate of the critics."),
    alpha_lr=(3e-4, "Adam learning rate of the temperature α."),
    gamma=(0.99, "Discount factor γ."),
    tau=(0.005, "Polyak rate τ of the target critics."),
    initial_alpha=(1.0, "Temperature α at the start."),
    target_entropy=(_optional(float), "Entropy target of α's loss; None: −act_dim."),
    discrete_target_entropy=(_optional(float), "Discrete actions and the discrete heads of "
                                               "hybrid ones: entropy target in nats; None: "
                                               "`discrete_target_entropy_scale` · Σ log n."),
    discrete_target_entropy_scale=(0.5, "Entropy target of discrete actions as a fraction of "
                                        "the most there is, Σ log n (Christodoulou 2019: 0.98; "
                                        "configs/sac_discrete.py: 0.89, measured)."),
    critic_hidden_sizes=(_optional(tuple), "Hidden layer widths of the critics; None: "
                                           "`hidden_sizes`."),
    batch_renorm=(False, "Batch renormalisation in the critics and the actor (CrossQ)."),
    batch_renorm_momentum=(0.99, "Momentum of batch renorm's moving statistics."),
    batch_renorm_warmup=(100_000, "Training calls of plain batch norm before renorm."),
    target_networks=(True, "Keep target critics; False: CrossQ's joint (s, a), (s′, a′) batch."),
    adam_beta_1=(0.9, "Adam β₁ of the actor and the critics (CrossQ: 0.5)."),
    adam_epsilon=(1e-7, "Adam ε of every optimiser (Keras' default; PyTorch and optax: 1e-8)."),
    actor_log_std=("tanh", "How the actor bounds log σ: `tanh` into [−5, 2] (CleanRL) or "
                           "`clip` to [−20, 2] (SB3, SBX)."),
    kernel_init=("glorot_uniform", "Dense kernel initialiser: `glorot_uniform` or "
                                   "`lecun_normal` (flax's, as SBX)."),
    **_schedule_fields("actor", "critic", "alpha"),
    activation=("relu", "Hidden activation of actor and critics: `relu`, `crelu` or `relu2`."),
    extra_layer_norm=(False, "NormFormer: a layer norm after every hidden activation."),
    moe_experts=(0, "Experts of a Soft MoE penultimate critic layer; 0: no Soft MoE."),
    moe_slots=(2, "Soft MoE slots per expert."),
    moe_tokens=(8, "Tokens the Soft MoE's input layer is cut into."),
    moe_in_actor=(False, "Give the actor a Soft MoE penultimate layer too."),
    regen_rate=(0.0, "λ of L2 Init's λ‖θ − θ₀‖² in each network's loss; 0: off."),
    target_q_reduction=("min", "How the target combines target critics: `min` or `softmin`."),
    softmin_temperature=(1.0, "β of `softmin`'s weights softmax(−Q/β), in units of Q."),
)

#: TD3 (`config.td3`): Fujimoto et al. (2018), as their code's current defaults; DDPG
#: (`config.ddpg`) has the same fields.
TD3_FIELDS = dict(
    hidden_sizes=((256, 256), "Hidden layer widths of the actor and the critics."),
    num_critics=(2, "Critics; the target takes their min (DDPG: 1)."),
    actor_lr=(3e-4, "Adam learning rate of the actor."),
    critic_lr=(3e-4, "Adam learning rate of the critics."),
    gamma=(0.99, "Discount factor γ."),
    tau=(0.005, "Polyak rate τ of the target networks."),
    exploration_noise=(0.1, "σ of the exploration noise, in units of half the action range."),
    noise_type=("gaussian", "Exploration noise: `gaussian` or `ornstein_uhlenbeck`."),
    ou_theta=(0.15, "θ of the Ornstein-Uhlenbeck noise."),
    target_noise=(0.2, "σ of target policy smoothing (DDPG: 0)."),
    target_noise_clip=(0.5, "Clip of the target policy smoothing noise."),
    policy_delay=(2, "Critic updates per actor and target update (DDPG: 1)."),
    **_schedule_fields("actor", "critic"),
)

#: One-line meaning of every field, by section: "" (the run), "sac", "td3", "ddpg".
FIELD_HELP = {section: {name: meaning for name, (_, meaning) in fields.items()}
              for section, fields in (("", RUN_FIELDS), ("sac", SAC_FIELDS),
                                      ("td3", TD3_FIELDS), ("ddpg", TD3_FIELDS))}


def _config(fields: dict, **values) -> ml_collections.ConfigDict:
    """A `ConfigDict` of `fields`' defaults (callables called), with `values` set."""
    defaults = {name: default() if callable(default) else default
                for name, (default, _) in fields.items()}
    return ml_collections.ConfigDict({**defaults, **values})


def base_config(agent: str, env_id: str) -> ml_collections.ConfigDict:
    """Run settings shared by every agent (the loop, replay, evaluation, logging)."""
    return _config(RUN_FIELDS, agent=agent, env_id=env_id)


def sac_config() -> ml_collections.ConfigDict:
    """SAC hyper-parameters of Haarnoja et al. (2018b), table 1."""
    return _config(SAC_FIELDS)


def td3_config() -> ml_collections.ConfigDict:
    """TD3 hyper-parameters of Fujimoto et al. (2018), as their code's current defaults."""
    return _config(TD3_FIELDS)


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
