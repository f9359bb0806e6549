"""SAC + hindsight experience replay on gymnasium-robotics' goal tasks.

    --config=configs/sac_her.py:FetchReach-v4      (the default argument)

Starts from the RL Baselines3 Zoo's HER settings for FetchReach (hyperparams/her.yml:
SAC, `future` goals, k = 4, 20,000 steps, batch 256, γ 0.95, lr 1e-3, [64, 64]
networks, 1,000 random steps, observations normalised). Differences, stated:
- relabelling happens when an episode ends, k copies per transition into the buffer
  (SB3's `online_sampling=False`), not when a batch is sampled (SB3 ≥ 1.8);
- observations are normalised per leaf (each goal leaf with its own statistics) by running
  statistics of the collected ones (clip 10, like VecNormalize); relabelled goals are not
  counted into them;
- no TimeFeatureWrapper (the zoo adds the remaining time to the observation);
- updates run in blocks of 20 env steps (`train_every`), one per env step, as every
  sac_tf config; the actor's log std is squashed into [−5, 2] (sac_tf's default,
  SB3 clips into [−20, 2]);
- `buffer_capacity` (1,000,000) counts the k relabelled copies too, so it holds the last
  200,000 env steps (SB3's `buffer_size` counts real transitions); 2 critics as SAC (the
  zoo's TQC + HER card for FetchReach uses one critic);
- evaluations (and checkpoints) every tenth of the run, at most every 10,000 steps (2,000 on
  FetchReach), over 10 episodes, with `success_rate` in eval.csv.
Other tasks keep these settings with their own length (`NUM_STEPS`).
`configs/sac_goal.py` is the same without HER, for side-by-side comparisons.
"""

from sac_tf.config import base_config, sac_config
from sac_tf.core.hindsight import GOAL_KEYS

#: Env steps per task (FetchReach: the zoo's 20,000).
NUM_STEPS = {"FetchReach-v4": 20_000, "PointMaze_UMaze-v3": 100_000, "FetchPush-v4": 1_000_000}


def get_config(env_id="FetchReach-v4"):
    config = base_config(agent="sac", env_id=env_id)
    config.num_steps = NUM_STEPS.get(env_id, 100_000)
    config.learning_starts = 1_000
    config.eval_interval = min(config.num_steps // 10, 10_000)  # checkpoints at least every 10k
    config.checkpoint_interval = config.eval_interval
    config.log_interval = 1_000
    config.her = True
    config.her_goals_per_transition = 4
    config.sac = sac_config()
    config.sac.hidden_sizes = (64, 64)
    config.sac.gamma = 0.95
    config.sac.actor_lr = config.sac.critic_lr = config.sac.alpha_lr = 1e-3
    config.sac.normalize_observations = True
    # The goal tasks' leaves, each flattened (the default): named so that the command line
    # can change one, e.g. --config.observation_encoders.observation=mlp:64,64.
    config.observation_encoders.update({key: "flatten" for key in GOAL_KEYS})
    return config
