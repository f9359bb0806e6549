"""Agents × seeds results: evaluation curves, a summary table and a plot.

Reads the `eval.csv` of finished runs (see `sac_tf.training`); writes
`curves.csv`, `summary.md` and `comparison.png` for `python -m sac_tf.compare`.
"""

import csv
import pathlib
from typing import List, NamedTuple, Optional, Sequence

import numpy as np

from sac_tf.metrics import read_csv
from sac_tf.stats import bootstrap_ci, first_step_reaching

CURVE_FIELDS = ("agent", "seed", "env_step", "return_mean")


class RunCurve(NamedTuple):
    """One (agent, seed) run's evaluations.

    Attributes:
      agent: the agent's name.
      seed: the run's seed.
      env_steps: `[T]` env steps of the evaluations, increasing.
      returns: `[T]` mean evaluation return at each of them.
      wall_s: training wall time in seconds up to the last evaluation
        (evaluations included, summed over resumptions).
    """

    agent: str
    seed: int
    env_steps: np.ndarray
    returns: np.ndarray
    wall_s: float


class AgentSummary(NamedTuple):
    """Across-seed statistics of one agent (returns in env reward units)."""

    agent: str
    num_seeds: int
    final_mean: float
    final_std: float
    ci_low: float
    ci_high: float
    threshold_steps: List[Optional[int]]  # per seed: first env step ≥ threshold, or None
    wall_s: float                         # mean over seeds
    steps_per_s: float                    # mean over seeds, env steps / wall_s


def load_curve(eval_csv, agent: str, seed: int) -> RunCurve:
    """The `RunCurve` of a run from its `eval.csv`."""
    rows = read_csv(eval_csv)
    return RunCurve(agent, seed, np.array([row["env_step"] for row in rows], np.int64),
                    np.array([row["return_mean"] for row in rows]),
                    rows[-1]["wall_s"] if rows else float("nan"))


def write_curves_csv(curves: Sequence[RunCurve], path) -> None:
    """One row per evaluation: agent, seed, env_step, return_mean."""
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(CURVE_FIELDS)
        for curve in curves:
            for step, value in zip(curve.env_steps, curve.returns):
                writer.writerow([curve.agent, curve.seed, int(step), f"{value:.6g}"])


def _by_agent(curves: Sequence[RunCurve]) -> dict:
    grouped = {}
    for curve in curves:
        grouped.setdefault(curve.agent, []).append(curve)
    return grouped


def summarize(curves: Sequence[RunCurve], threshold: Optional[float]) -> List[AgentSummary]:
    """Per agent (in order of first appearance): final returns, CI, threshold, speed."""
    summaries = []
    for agent, runs in _by_agent(curves).items():
        finals = np.array([run.returns[-1] for run in runs])
        low, high = bootstrap_ci(finals)
        summaries.append(AgentSummary(
            agent=agent, num_seeds=len(runs), final_mean=float(finals.mean()),
            final_std=float(finals.std()), ci_low=float(low), ci_high=float(high),
            threshold_steps=[None if threshold is None else
                             first_step_reaching(run.env_steps, run.returns, threshold)
                             for run in runs],
            wall_s=float(np.mean([run.wall_s for run in runs])),
            steps_per_s=float(np.mean([run.env_steps[-1] / run.wall_s for run in runs]))))
    return summaries


def _threshold_cell(steps: Sequence[Optional[int]]) -> str:
    reached = [step for step in steps if step is not None]
    if not reached:
        return f"not reached (0/{len(steps)})"
    return f"{np.mean(reached):,.0f} ({len(reached)}/{len(steps)} seeds)"


def summary_markdown(summaries: Sequence[AgentSummary], env_id: str, num_steps: int,
                     threshold: Optional[float]) -> str:
    """A markdown table, one row per agent."""
    threshold_header = ("env steps to return ≥ " + f"{threshold:g}" if threshold is not None
                        else "env steps to threshold")
    lines = [
        f"# {env_id}: {num_steps:,} env steps, {summaries[0].num_seeds if summaries else 0} seeds",
        "",
        "Final return: mean ± std over seeds of the last evaluation's mean return; "
        "95 % CI: percentile bootstrap of the mean over seeds; env steps to the threshold: "
        "mean over the seeds that reached it; wall time includes evaluations.",
        "",
        f"| agent | final return | 95 % CI | {threshold_header} | wall time (s) | env-steps/s |",
        "|---|---|---|---|---|---|",
    ]
    for row in summaries:
        threshold_cell = "—" if threshold is None else _threshold_cell(row.threshold_steps)
        lines.append(
            f"| {row.agent} | {row.final_mean:.1f} ± {row.final_std:.1f} "
            f"| [{row.ci_low:.1f}, {row.ci_high:.1f}] | {threshold_cell} "
            f"| {row.wall_s:.0f} | {row.steps_per_s:.1f} |")
    return "\n".join(lines) + "\n"


def plot_comparison(curves: Sequence[RunCurve], path, title: str) -> None:
    """Mean evaluation return vs env steps per agent, with a 95 % bootstrap band."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=120)
    for agent, runs in _by_agent(curves).items():
        steps = sorted(set.intersection(*(set(run.env_steps.tolist()) for run in runs)))
        returns = np.array([[dict(zip(run.env_steps.tolist(), run.returns))[step]
                             for step in steps] for run in runs])
        low, high = bootstrap_ci(returns)
        line, = axes.plot(steps, returns.mean(axis=0), label=f"{agent} ({len(runs)} seeds)")
        axes.fill_between(steps, low, high, color=line.get_color(), alpha=0.25)
    axes.set_xlabel("env steps")
    axes.set_ylabel("mean evaluation return")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(title="mean, 95 % bootstrap CI", loc="lower right")
    figure.tight_layout()
    figure.savefig(pathlib.Path(path))
    plt.close(figure)
