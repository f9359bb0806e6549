r"""Trains several agents on several seeds and compares their evaluation curves.

    python -m sac_tf.compare --env=Pendulum-v1 --agents=sac,ddpg,td3 --seeds=0,1,2 \
        --num_steps=15000 --threshold=-200 --out=runs/compare_pendulum

Each (agent, seed) trains with its default config (`configs/{agent}_pendulum.py`
or `configs/{agent}_mujoco.py:{env}`) into `OUT/runs/{agent}_seed{seed}`.
Rerunning the command skips runs whose `eval.csv` already reached
`--num_steps` and resumes interrupted ones from their checkpoints. Then it
writes `OUT/curves.csv`, `OUT/summary.md` and `OUT/comparison.png`.
"""

import pathlib
import sys
import time

from sac_tf import tf_setup

tf_setup.import_tensorflow_quietly()

from absl import flags  # noqa: E402

from sac_tf import cli, comparison  # noqa: E402
from sac_tf.agents import AGENTS  # noqa: E402
from sac_tf.config import default_config_argument, load_config  # noqa: E402
from sac_tf.errors import UserError  # noqa: E402
from sac_tf.metrics import read_csv  # noqa: E402
from sac_tf.training import run_training  # noqa: E402

flags.DEFINE_string("env", "Pendulum-v1", "Gymnasium environment id.")
flags.DEFINE_list("agents", ["sac", "ddpg", "td3"], "Comma-separated agents to compare.")
flags.DEFINE_list("seeds", ["0", "1", "2"], "Comma-separated integer seeds.")
flags.DEFINE_integer("num_steps", None, "Env steps per run.", lower_bound=1)
flags.DEFINE_string("out", None, "Output directory (runs/, curves.csv, summary.md, plot).")
flags.DEFINE_float("threshold", None, "Return whose first crossing summary.md reports.")
flags.mark_flags_as_required(["num_steps", "out"])


def run_dir(out: pathlib.Path, agent: str, seed: int) -> pathlib.Path:
    return out / "runs" / f"{agent}_seed{seed}"


def finished(directory: pathlib.Path, num_steps: int) -> bool:
    """Whether the run in `directory` has evaluated at `num_steps` env steps or later."""
    eval_csv = directory / "eval.csv"
    if not eval_csv.exists():
        return False
    rows = read_csv(eval_csv)
    return bool(rows) and rows[-1]["env_step"] >= num_steps


def parse_seeds(values) -> list:
    try:
        return [int(value) for value in values]
    except ValueError:
        raise UserError(f"--seeds must be comma-separated integers, got {','.join(values)}") \
            from None


def agent_config(agent: str, env_id: str, seed: int, num_steps: int):
    """The default config of `agent` on `env_id` with `seed` and `num_steps` set."""
    argument = default_config_argument(agent, env_id)
    if not pathlib.Path(argument.partition(":")[0]).exists():
        raise UserError(f"agent {agent!r} has no config for {env_id} ({argument})")
    config = load_config(argument)
    config.env_id, config.seed, config.num_steps = env_id, seed, num_steps
    return config


def log(message: str) -> None:
    print(f"compare: {message}", file=sys.stderr, flush=True)


def run_all(env_id: str, agents: list, seeds: list, num_steps: int,
            out: pathlib.Path) -> list:
    """Trains every missing (agent, seed) run; returns every run's `RunCurve`."""
    unknown = [agent for agent in agents if agent not in AGENTS]
    if unknown:
        raise UserError(f"unknown agents {unknown}; choose from {sorted(AGENTS)}")
    jobs = [(agent, seed) for agent in agents for seed in seeds]
    configs = {(agent, seed): agent_config(agent, env_id, seed, num_steps)
               for agent, seed in jobs}
    curves = []
    for index, (agent, seed) in enumerate(jobs, start=1):
        directory = run_dir(out, agent, seed)
        label = f"[{index}/{len(jobs)}] {agent} seed {seed}"
        if finished(directory, num_steps):
            log(f"{label}: already finished in {directory}, skipped")
        else:
            log(f"{label}: training to {num_steps:,} env steps in {directory}")
            start = time.perf_counter()
            result = run_training(configs[agent, seed], directory)
            log(f"{label}: final return {result['return_mean']:.1f} "
                f"({time.perf_counter() - start:.0f} s)")
        curves.append(comparison.load_curve(directory / "eval.csv", agent, seed))
    return curves


def main(argv):
    if len(argv) > 1:
        raise UserError(f"unexpected arguments: {' '.join(argv[1:])}")
    values = flags.FLAGS
    out = pathlib.Path(values.out)
    curves = run_all(values.env, values.agents, parse_seeds(values.seeds), values.num_steps, out)
    comparison.write_curves_csv(curves, out / "curves.csv")
    summary = comparison.summary_markdown(
        comparison.summarize(curves, values.threshold), values.env, values.num_steps,
        values.threshold)
    (out / "summary.md").write_text(summary)
    comparison.plot_comparison(curves, out / "comparison.png",
                               f"{values.env}: evaluation return over {len(values.seeds)} seeds")
    log(f"wrote {out / 'curves.csv'}, {out / 'summary.md'}, {out / 'comparison.png'}")
    print(summary, end="")


if __name__ == "__main__":
    cli.run(main)
