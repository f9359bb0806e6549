"""Reward curves of a run as PNG figures.

Figures are drawn with matplotlib's object API (`Figure`, Agg canvas), so no
display is needed and pyplot's global backend (e.g. a notebook's) is untouched.
"""

import pathlib

import numpy as np
from matplotlib.figure import Figure

from sac_tf.errors import UserError
from sac_tf.run.logs import read_csv
from sac_tf.run.run_dir import EVAL_LOG


def read_eval_csv(path) -> dict:
    """Reads `eval.csv` into float arrays `env_step`, `return_mean`, `return_std` (`[rows]`)."""
    columns = ("env_step", "return_mean", "return_std")
    rows = read_csv(path)
    if not rows or any(column not in rows[0] for column in columns):
        raise UserError(f"{path} has no evaluation rows with columns {', '.join(columns)}")
    return {column: np.array([row[column] for row in rows]) for column in columns}


def plot_eval_returns(root_dir, png_path) -> pathlib.Path:
    """Draws `root_dir/eval.csv` (mean return ± one std against env steps) to `png_path`.

    Returns:
      `png_path` as a `pathlib.Path`.
    """
    root_dir, png_path = pathlib.Path(root_dir), pathlib.Path(png_path)
    curve = read_eval_csv(root_dir / EVAL_LOG)
    figure = Figure(figsize=(7, 4.5), dpi=100)
    axes = figure.subplots()
    axes.plot(curve["env_step"], curve["return_mean"], marker="o", label="mean return")
    axes.fill_between(curve["env_step"], curve["return_mean"] - curve["return_std"],
                      curve["return_mean"] + curve["return_std"], alpha=0.25, label="± 1 std")
    axes.set_xlabel("env steps")
    axes.set_ylabel("evaluation return (deterministic policy)")
    axes.set_title(f"Evaluation returns: {root_dir.name}")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right")
    figure.tight_layout()
    try:
        figure.savefig(png_path)
    except OSError as error:
        raise UserError(f"cannot write {png_path}: {error.strerror}") from None
    return png_path
