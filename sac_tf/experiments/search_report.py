"""The picture of a hyper-parameter search: every trial's evaluation curve."""

import pathlib
from typing import Sequence

from sac_tf.run.logs import read_csv
from sac_tf.run.run_dir import EVAL_LOG


def plot_trials(trial_dirs: Sequence[pathlib.Path], path) -> None:
    """Mean evaluation return vs env steps of each trial (its run directory's eval.csv),
    the best final return drawn bold; trials ASHA stopped end early."""
    from matplotlib.figure import Figure

    curves = {}
    for directory in trial_dirs:
        eval_csv = pathlib.Path(directory) / EVAL_LOG
        rows = read_csv(eval_csv) if eval_csv.exists() else []
        if rows:
            curves[pathlib.Path(directory).name] = ([row["env_step"] for row in rows],
                                                    [row["return_mean"] for row in rows])
    figure = Figure(figsize=(7, 4.5), dpi=120)
    axes = figure.subplots()
    best = max(curves, key=lambda name: curves[name][1][-1]) if curves else None
    for name, (steps, returns) in sorted(curves.items()):
        axes.plot(steps, returns, linewidth=2.5 if name == best else 1.0,
                  alpha=1.0 if name == best else 0.5, label=f"{name} (best)" if name == best
                  else None)
    axes.set_xlabel("env steps")
    axes.set_ylabel("mean evaluation return")
    axes.set_title(f"{len(curves)} trials")
    axes.grid(alpha=0.3)
    if best is not None:
        axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(pathlib.Path(path))
