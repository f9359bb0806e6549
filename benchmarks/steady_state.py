"""The measurement the benchmark scripts share: steady-state env-steps/s of the train loop."""

import math
import tempfile

from absl import app


def steady_state_steps_per_s(config, learning_starts: int, warmup_steps: int,
                             measure_steps: int) -> float:
    """Env-steps/s of `python -m sac_tf.train`'s loop with `config`, over `measure_steps`
    steps that start `warmup_steps` after the `learning_starts` random ones."""
    from sac_tf.run.logs import read_csv
    from sac_tf.run.loop import run_training

    start = learning_starts + warmup_steps
    chunk = config.train_every * config.num_envs  # the train loop's step between log points
    if any(steps % chunk for steps in (learning_starts, warmup_steps, measure_steps)):
        raise app.UsageError(
            f"--learning_starts, --warmup_steps and --measure_steps must be multiples of "
            f"{chunk} (train_every × num_envs of the config), got {learning_starts}, "
            f"{warmup_steps} and {measure_steps}")
    config.update(dict(num_steps=start + measure_steps, learning_starts=learning_starts,
                       log_interval=math.gcd(start, measure_steps),
                       eval_interval=10**9, eval_episodes=1, checkpoint_interval=10**9))
    with tempfile.TemporaryDirectory() as root:
        run_training(config, root)
        wall = {int(row["env_step"]): row["wall_s"] for row in read_csv(f"{root}/train.csv")}
    return measure_steps / (wall[config.num_steps] - wall[start])
