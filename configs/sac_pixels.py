"""SAC from pixels on the DeepMind Control Suite with DrQ's settings (Kostrikov, Yarats,
Fergus 2020, appendix B), where this CPU allows them.

    --config=configs/sac_pixels.py:cartpole-swingup      (the default argument)

Needs `pip install -e ".[dmc]"` in its own environment (dm-control on mujoco 3). The env is
`dmc/TASK-v0` (`sac_tf/envs/dmc.py`): 84×84 RGB, 3 frames stacked on the channel axis, DrQ's
action repeat per task (cartpole-swingup 8). As DrQ: the pixel encoder (4 × conv 3×3, 32
channels, the first with stride 2 → 50 → LayerNorm → tanh; the critics' conv stack shared
with the actor, detached in the actor loss), random shift by up to 4 pixels of every
sampled observation and next observation, lr 1e-3 for actor, critics and α, initial α 0.1,
target entropy −|A|, γ 0.99, the actor updated every second step, 1,000 random steps, a
100,000-transition buffer, 10 evaluation episodes.

Where it differs, and why:
- `num_steps` counts env steps after action repeat: 100,000 frames of cartpole-swingup are
  12,500 env steps (DrQ's "environment steps" are frames).
- batch 128, not 512, and 256-wide actor and critic MLPs, not 1,024: the conv stack
  dominates an update's cost on a CPU and grows linearly with the batch (updates/s in
  docs/guide/pixels.md, Cost); fewer samples per update may learn slower per step.
- τ = 0.005 every step, not 0.01 every second step (about the same averaging horizon; the
  target networks, encoder included, are updated every step).
- one augmented copy of each observation and next observation (K = M = 1, as DrQ-v2;
  DrQ's main results use K = M = 2, twice the encoder work per update).
- updates in blocks of 25 env steps (`train_every`, 200 frames at action repeat 8), so the
  policy acting lags the learner by up to 25 steps; DrQ updates after every step.
- the actor's log σ squashed into [−5, 2] (sac_tf's default; DrQ bounds it to [−10, 2]).
- one Adam β1 (0.9) for every optimiser; DrQ's α optimiser settings are not matched.
- no XLA on a CPU: `learner_compile="auto"` runs the learner and the policy as TensorFlow
  graphs with oneDNN's convolutions; XLA's CPU convolutions made a batch-128 update about
  60× slower here (on a GPU, "auto" is XLA).
- orthogonal initialisation of the encoder (the MLPs keep sac_tf's Glorot-uniform).
"""

from sac_tf.config import base_config, sac_config
from sac_tf.envs.dmc import ACTION_REPEAT

#: Env frames each task trains for (DrQ's 100k benchmark, counted in frames).
FRAMES = 100_000


def get_config(task="cartpole-swingup"):
    """`task`: `DOMAIN-TASK`, or its env id `dmc/DOMAIN-TASK-v0` (as `compare --env` gives)."""
    task = task.removeprefix("dmc/").removesuffix("-v0")
    config = base_config(agent="sac", env_id=f"dmc/{task}-v0")
    repeat = ACTION_REPEAT.get(task, 4)
    config.num_steps = FRAMES // repeat
    config.learning_starts = 1_000
    config.batch_size = 128
    config.buffer_capacity = 100_000
    config.train_every = 25
    config.eval_interval = config.num_steps // 10
    config.checkpoint_interval = 250  # about 6 minutes of training here
    config.log_interval = 500
    config.frame_stack = 3  # as the env stacks them (sac_tf.envs.dmc.DmcPixels)
    config.image_shift = 4
    config.observation_encoders.update({"pixels": "conv:50"})
    config.sac = sac_config()
    config.sac.hidden_sizes = (256, 256)
    config.sac.actor_lr = config.sac.critic_lr = config.sac.alpha_lr = 1e-3
    config.sac.initial_alpha = 0.1
    config.sac.tau = 0.005
    config.sac.actor_update_interval = 2
    return config
