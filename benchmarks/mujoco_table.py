r"""The README's MuJoCo table: our 100k-step runs beside the published figures.

    python benchmarks/mujoco_table.py --results=docs/results/mujoco_100k \
        --figure=docs/mujoco_100k_overview.png

Reads every finished run under `RESULTS/{env_id}/runs/{agent}_seed{seed}/eval.csv`
(written by `python -m sac_tf.compare --env=... --out=RESULTS/{env_id}`), and prints
a markdown table: per task and agent the final return (mean ± std over seeds,
95 % bootstrap CI), the env steps to the published SAC return at 100k (mean
over the seeds that reached it), the wall time per run on this machine, and the
published mean at 100k env steps. Also writes `RESULTS/{env_id}/comparison.png`
per task and one overview figure (final returns divided by the published SAC
figure). Cells with fewer than `--seeds` finished runs say how many there are.
"""

import pathlib
import sys

import numpy as np

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from absl import app, flags  # noqa: E402

from sac_tf.experiments.comparison import load_curve, plot_comparison, summarize  # noqa: E402

#: The tasks, each in the folder of its id under --results.
TASKS = ("HalfCheetah-v5", "Hopper-v5", "Walker2d-v5", "Ant-v5")
AGENTS = ("sac", "td3", "ddpg", "sac_crossq")
#: Mean return at 100k env steps, MuJoCo v4, 10 seeds (SimbaV2 repository baselines).
PUBLISHED_SOURCE = "SimbaV2 repository baselines (MuJoCo v4, 10 seeds, mean at 100k env steps)"
PUBLISHED = {
    "sac": {"HalfCheetah-v5": 6156, "Hopper-v5": 1103, "Walker2d-v5": 690, "Ant-v5": 747},
    "sac_crossq": {"HalfCheetah-v5": 8112, "Hopper-v5": 2764, "Walker2d-v5": 3914,
                   "Ant-v5": 2299},
}

flags.DEFINE_string("results", str(REPO_ROOT / "docs/results/mujoco_100k"),
                    "Folder with one compare --out per task.")
flags.DEFINE_integer("num_steps", 100_000, "Env steps a finished run reached.")
flags.DEFINE_integer("seeds", 3, "Seeds a complete cell has.")
flags.DEFINE_string("figure", str(REPO_ROOT / "docs/mujoco_100k_overview.png"),
                    "Overview figure to write; empty: none.")
FLAGS = flags.FLAGS


def finished_curves(task_dir: pathlib.Path, num_steps: int) -> list:
    """The `RunCurve` of every run under `task_dir/runs` that evaluated at `num_steps`."""
    curves = []
    for run in sorted((task_dir / "runs").glob("*_seed*")):
        agent, _, seed = run.name.rpartition("_seed")
        eval_csv = run / "eval.csv"
        if eval_csv.exists():
            curve = load_curve(eval_csv, agent, int(seed))
            if len(curve.env_steps) and curve.env_steps[-1] >= num_steps:
                curves.append(curve)
    return curves


def table(results: pathlib.Path, num_steps: int, seeds: int) -> tuple:
    """(markdown table, {(task, agent): final mean / published SAC mean})."""
    lines = [f"| task | agent | final return at {num_steps // 1000}k | 95 % CI | "
             f"env steps to published SAC@{num_steps // 1000}k | wall time per run | "
             f"published@{num_steps // 1000}k |",
             "|---|---|---|---|---|---|---|"]
    normalised = {}
    for env_id in TASKS:
        task = env_id
        curves = finished_curves(results / task, num_steps)
        sac_reference = PUBLISHED["sac"][task]
        by_agent = {row.agent: row for row in summarize(curves, sac_reference)}
        for agent in AGENTS:
            published = PUBLISHED.get(agent, {}).get(task)
            published_cell = f"{published:,}" if published else "—"
            row = by_agent.get(agent)
            if row is None:
                if published:
                    lines.append(f"| {env_id} | {agent} | not run | | | | {published_cell} |")
                continue
            count = "" if row.num_seeds >= seeds else f" ({row.num_seeds}/{seeds} seeds)"
            reached = [step for step in row.threshold_steps if step is not None]
            steps_cell = (f"{np.mean(reached):,.0f} ({len(reached)}/{row.num_seeds})"
                          if reached else f"not reached (0/{row.num_seeds})")
            lines.append(
                f"| {env_id} | {agent} | {row.final_mean:,.0f} ± {row.final_std:,.0f}{count} "
                f"| [{row.ci_low:,.0f}, {row.ci_high:,.0f}] | {steps_cell} "
                f"| {row.wall_s / 60:.0f} min | {published_cell} |")
            normalised[task, agent] = row.final_mean / sac_reference
        if curves:
            plot_comparison(curves, results / task / "comparison.png",
                            f"{env_id}: evaluation return, {num_steps:,} env steps")
    return "\n".join(lines) + "\n", normalised


def plot_overview(normalised: dict, path: pathlib.Path) -> None:
    """Bars of final return / published SAC return at 100k, per task and agent."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4), dpi=120)
    axes = figure.subplots()
    agents = [agent for agent in AGENTS if any(key[1] == agent for key in normalised)]
    width = 0.8 / max(len(agents), 1)
    for index, agent in enumerate(agents):
        values = [normalised.get((task, agent), np.nan) for task in TASKS]
        axes.bar(np.arange(len(TASKS)) + index * width, values, width, label=agent)
    axes.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
    axes.set_xticks(np.arange(len(TASKS)) + width * (len(agents) - 1) / 2, list(TASKS))
    axes.set_ylabel("final return / published SAC at 100k")
    axes.set_title("sac_tf at 100k env steps, relative to published SAC (dashed line)")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)


def main(argv):
    del argv
    markdown, normalised = table(pathlib.Path(FLAGS.results), FLAGS.num_steps, FLAGS.seeds)
    print(markdown, end="")
    print(f"\nPublished: {PUBLISHED_SOURCE}.")
    if FLAGS.figure and normalised:
        plot_overview(normalised, pathlib.Path(FLAGS.figure))


if __name__ == "__main__":
    app.run(main)
