"""Agents × seeds: train the missing runs, then curves, a summary table and a plot.

What `python -m sac_tf.compare` does, importable without its flags. Each
(agent, seed) trains with its default config into `OUT/runs/{agent}_seed{seed}`
(see `sac_tf.run.loop`); the report reads their `eval.csv` files and writes
`OUT/curves.csv`, `OUT/summary.md` and `OUT/comparison.png`.
"""

import csv
import pathlib
import time
from typing import Callable, List, NamedTuple, Optional, Sequence

import ml_collections
import numpy as np

from sac_tf.agents import AGENTS, make_agent
from sac_tf.config import (ConfigArgumentError, env_kwargs, load_config, named_config_argument,
                           validate, with_overrides)
from sac_tf.deploy.run_policy import export_run_policy
from sac_tf.envs.making import env_spec, make_env
from sac_tf.errors import UserError
from sac_tf.experiments.stats import bootstrap_ci, first_step_reaching
from sac_tf.run.logs import read_csv
from sac_tf.run.jobs import GridJob, finished_message
from sac_tf.run.loop import run_training
from sac_tf.run.run_dir import CONFIG_FILE, EVAL_LOG, read_run_config

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
            steps_per_s=float(np.mean([run.env_steps[-1] / max(run.wall_s, 1e-9)
                                       for run in runs]))))
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
        "mean over the seeds that reached it; wall time: training up to the last "
        "evaluation, earlier evaluations included.",
        "",
        f"| agent | final return | 95 % CI | {threshold_header} | wall time (s) | env-steps/s |",
        "|---|---|---|---|---|---|",
    ]
    for row in summaries:
        threshold_cell = "—" if threshold is None else _threshold_cell(row.threshold_steps)
        lines.append(
            f"| {row.agent} | {row.final_mean:.1f} ± {row.final_std:.1f} "
            f"| [{row.ci_low:.1f}, {row.ci_high:.1f}] | {threshold_cell} "
            f"| {row.wall_s:.1f} | {row.steps_per_s:.1f} |")
    return "\n".join(lines) + "\n"


def plot_comparison(curves: Sequence[RunCurve], path, title: str) -> None:
    """Mean evaluation return vs env steps per agent, with a 95 % bootstrap band.

    Drawn on a `matplotlib.figure.Figure` (Agg canvas), leaving pyplot's backend as it is.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.5), dpi=120)
    axes = figure.subplots()
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


def run_label(agent: str) -> str:
    """What runs, tables and plots call `agent`: its name, or a config file `path/name.py`'s
    `name`."""
    return pathlib.Path(agent).stem


def run_dir(out: pathlib.Path, agent: str, seed: int) -> pathlib.Path:
    """`OUT/runs/{run_label(agent)}_seed{seed}`."""
    return pathlib.Path(out) / "runs" / f"{run_label(agent)}_seed{seed}"


def finished(directory: pathlib.Path, num_steps: int) -> bool:
    """Whether the run in `directory` has evaluated at `num_steps` env steps or later."""
    eval_csv = pathlib.Path(directory) / EVAL_LOG
    if not eval_csv.exists():
        return False
    rows = read_csv(eval_csv)
    return bool(rows) and rows[-1]["env_step"] >= num_steps


def check_not_longer(directory: pathlib.Path, num_steps: int) -> None:
    """Raises `UserError` when `directory` holds a run configured for more than `num_steps`
    env steps: its curve and final return would be reported under `num_steps`."""
    if not (pathlib.Path(directory) / CONFIG_FILE).exists():
        return
    trained_to = int(read_run_config(directory).num_steps)
    if trained_to > num_steps:
        raise UserError(f"{directory} holds a run to {trained_to:,} env steps, more than "
                        f"--num_steps={num_steps:,}; give --num_steps={trained_to} or "
                        f"another --out")


def agent_config(agent: str, env_id: str, seed: int, num_steps: int,
                 env_kwargs: Optional[dict] = None) -> ml_collections.ConfigDict:
    """The config of a compared `agent` on `env_id`, with `seed` and `num_steps` (and
    `env_kwargs`, if given) set and a checkpoint at least every evaluation.

    `agent` is an agent name (`sac`, `ddpg`, `td3`: its default config), the
    name of an option config in `configs/` that takes the env id, such as
    `sac_tqc` (`configs/sac_tqc.py:{env_id}`), or a config file `path.py` whose
    `get_config` takes the env id.
    """
    argument = named_config_argument(agent, env_id, AGENTS)
    try:
        config = load_config(argument)
    except ConfigArgumentError:
        raise UserError(f"{argument.partition(':')[0]} does not take an env id; compare agents "
                        f"or option configs such as sac_tqc") from None
    with_overrides(config, dict(env_id=env_id, seed=seed, num_steps=num_steps))
    if env_kwargs is not None:
        with_overrides(config, dict(env_kwargs=env_kwargs))
    # A checkpoint at every evaluation, so a cut-off run resumes from its last one (MuJoCo's
    # default of 50,000 steps would restart a 50,000-step comparison run from scratch).
    config.checkpoint_interval = min(config.checkpoint_interval, config.eval_interval)
    return config


def check_agent_fits_env(config: ml_collections.ConfigDict) -> None:
    """Raises `UserError` now for an agent that cannot act in the config's env (DDPG in a
    hybrid action space, say), or a setting of its section that it refuses."""
    env = make_env(config.env_id, **env_kwargs(config))
    try:
        make_agent(config, env_spec(env))
    finally:
        env.close()


def train_in_turn(jobs: Sequence[GridJob], log: Callable[[str], None]) -> None:
    """Trains `jobs` one after another in this process."""
    for job in jobs:
        log(f"{job.label}: training to {job.config.num_steps:,} env steps in {job.directory}")
        start = time.perf_counter()
        result = run_training(job.config, job.directory, export=export_run_policy)
        log(finished_message(job, result, time.perf_counter() - start))


def train_missing(env_id: str, agents: Sequence[str], seeds: Sequence[int], num_steps: int,
                  out: pathlib.Path, log: Callable[[str], None],
                  make_config=agent_config, train_jobs=train_in_turn) -> List[RunCurve]:
    """Trains every (agent, seed) run not yet finished; returns every run's `RunCurve`.

    Finished runs are skipped; interrupted ones resume from their checkpoint.
    All configs are built and validated, and each agent built once in its env, before
    the first run starts (a bad seed or agent fails before any training).

    Args:
      make_config: `(agent, env_id, seed, num_steps)` → run config.
      train_jobs: `(jobs, log)` → trains the unfinished runs: `train_in_turn`, or
        `sac_tf.distributed.grid.train_on_ray` with its cluster settings bound.
    """
    if not agents or not seeds:
        raise UserError("nothing to compare: give at least one agent and one seed")
    for name, values in (("agents", agents), ("seeds", seeds)):
        if len(set(values)) < len(values):
            raise UserError(f"--{name} repeats a value ({','.join(map(str, values))}): each run "
                            f"would count once per repeat")
    labels = [run_label(agent) for agent in agents]
    for agent, label in zip(agents, labels):
        if labels.count(label) > 1:
            same = [other for other, other_label in zip(agents, labels) if other_label == label]
            raise UserError(f"{' and '.join(same)} would all run as {label!r}: rename one")
    runs = [(agent, seed) for agent in agents for seed in seeds]
    for agent, seed in runs:
        check_not_longer(run_dir(out, agent, seed), num_steps)
    configs = {(agent, seed): make_config(agent, env_id, seed, num_steps)
               for agent, seed in runs}
    for config in configs.values():
        validate(config)
    for agent in agents:
        check_agent_fits_env(configs[agent, seeds[0]])
    jobs = []
    for index, (agent, seed) in enumerate(runs, start=1):
        directory = run_dir(out, agent, seed)
        label = f"[{index}/{len(runs)}] {agent} seed {seed}"
        if finished(directory, num_steps):
            log(f"{label}: already finished in {directory}, skipped")
        else:
            jobs.append(GridJob(label, configs[agent, seed], directory))
    if jobs:
        train_jobs(jobs, log)
    return [load_curve(run_dir(out, agent, seed) / EVAL_LOG, run_label(agent), seed)
            for agent, seed in runs]


def write_report(curves: Sequence[RunCurve], out: pathlib.Path, env_id: str, num_steps: int,
                 threshold: Optional[float]) -> str:
    """Writes `curves.csv`, `summary.md` and `comparison.png` under `out`; returns the summary."""
    out = pathlib.Path(out)
    write_curves_csv(curves, out / "curves.csv")
    summary = summary_markdown(summarize(curves, threshold), env_id, num_steps, threshold)
    (out / "summary.md").write_text(summary)
    num_seeds = len({curve.seed for curve in curves})
    plot_comparison(curves, out / "comparison.png",
                    f"{env_id}: evaluation return over {num_seeds} seeds")
    return summary
