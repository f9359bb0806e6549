"""Hyper-parameter search on Ray Tune: a search space over config fields, trials that are
ordinary run directories, early stopping by ASHA on the runs' evaluations.

What `python -m sac_tf.tune` runs. A search space maps config fields (`batch_size`,
`sac.actor_lr`) to one of `loguniform(low, high)`, `uniform(low, high)` or
`choice(a, b, ...)`. Each trial trains the base config with its sampled fields, the
search's seed and `num_steps` into `OUT/trials/{trial_id}` (resumable like any run) and
reports every evaluation (`return_mean` at `env_step`) to Tune, whose scheduler (ASHA,
Li et al. 2020) stops the weaker trials at its rungs. The search itself is saved under
`OUT/search` and resumes after a kill.
"""

import ast
import copy
import pathlib
import re
from typing import Dict, List, NamedTuple, Optional

import ml_collections

from sac_tf.errors import UserError

#: The distributions a search-space flag may name, with their arguments' meaning.
DISTRIBUTIONS = ("loguniform(low, high)", "uniform(low, high)", "choice(a, b, ...)")
SPACE_VALUE = re.compile(r"^\s*(loguniform|uniform|choice)\s*\((.*)\)\s*$")
#: What trials report and ASHA ranks them by.
METRIC, TIME_ATTR = "return_mean", "env_step"
SEARCH_DIR, TRIALS_DIR = "search", "trials"


class Dimension(NamedTuple):
    """One searched config field: `field` (dotted, as `train --config.FIELD` takes it), the
    distribution's `kind` and its `arguments`."""

    field: str
    kind: str
    arguments: tuple

    def domain(self, tune):
        """The Ray Tune sampler of this dimension."""
        if self.kind == "choice":
            return tune.choice(list(self.arguments))
        return (tune.loguniform if self.kind == "loguniform" else tune.uniform)(*self.arguments)


def field_value(config: ml_collections.ConfigDict, field: str):
    """The value of dotted `field` in `config`; `UserError` for a field it does not have."""
    node = config
    for part in field.split("."):
        if not isinstance(node, ml_collections.ConfigDict) or part not in node:
            raise UserError(f"unknown config field {field!r} in the search space")
        node = node[part]
    return node


def set_field(config: ml_collections.ConfigDict, field: str, value) -> None:
    *parents, name = field.split(".")
    node = config
    for part in parents:
        node = node[part]
    node[name] = value


def parse_dimension(field: str, text: str, config: ml_collections.ConfigDict) -> Dimension:
    """`--space.FIELD=TEXT` as a `Dimension`, checked against `config`.

    Raises:
      UserError: for a field the config lacks, an unknown distribution, arguments that are
        not literals, an empty range (low ≥ high), a non-positive log-uniform bound or an
        empty choice.
    """
    current = field_value(config, field)
    match = SPACE_VALUE.match(text)
    if not match:
        raise UserError(f"--space.{field}={text!r}: give one of {', '.join(DISTRIBUTIONS)}")
    kind, inside = match.groups()
    try:
        arguments = ast.literal_eval(f"({inside},)") if inside.strip() else ()
    except (ValueError, SyntaxError):
        raise UserError(f"--space.{field}={text!r}: the arguments must be numbers or "
                        f"literals") from None
    if kind == "choice":
        if not arguments:
            raise UserError(f"--space.{field}: choice() needs at least one value")
        return Dimension(field, kind, tuple(arguments))
    if len(arguments) != 2 or not all(isinstance(a, (int, float)) for a in arguments):
        raise UserError(f"--space.{field}={text!r}: {kind} takes two numbers (low, high)")
    if isinstance(current, int) and not isinstance(current, bool):
        raise UserError(f"--space.{field}={text!r}: {field} is an integer field; search it "
                        f"with choice(...)")
    low, high = (float(a) for a in arguments)
    if not low < high:
        raise UserError(f"--space.{field}={text!r}: empty range, low must be below high")
    if kind == "loguniform" and low <= 0:
        raise UserError(f"--space.{field}={text!r}: loguniform needs low > 0")
    return Dimension(field, kind, (low, high))


def parse_space(flags: Dict[str, str], config: ml_collections.ConfigDict) -> List[Dimension]:
    """Every `--space.FIELD=...` flag (`{FIELD: TEXT}`) as a checked `Dimension`."""
    if not flags:
        raise UserError("the search space is empty: give at least one --space.FIELD=..., "
                        "e.g. --space.sac.actor_lr=\"loguniform(1e-4,3e-3)\"")
    return [parse_dimension(field, text, config) for field, text in sorted(flags.items())]


def trial_config(base: ml_collections.ConfigDict, params: Dict[str, object]
                 ) -> ml_collections.ConfigDict:
    """A copy of `base` with each sampled `params` field set (a tuple where a list came)."""
    config = copy.deepcopy(base)
    for field, value in params.items():
        set_field(config, field, tuple(value) if isinstance(value, list) else value)
    return config


class TrialResult(NamedTuple):
    """One trial at its end: its id, sampled fields, last evaluation and run directory."""

    trial_id: str
    params: Dict[str, object]
    env_step: int
    return_mean: float
    root_dir: pathlib.Path


def best_trial(trials: List[TrialResult], num_steps: int) -> Optional[TrialResult]:
    """The trial with the highest last evaluation among those that ran to `num_steps`
    (a trial ASHA stopped early is never the best), or None."""
    finished = [trial for trial in trials if trial.env_step >= num_steps]
    return max(finished, key=lambda trial: trial.return_mean) if finished else None


def best_config_source(base_argument: str, best: TrialResult, out: pathlib.Path) -> str:
    """A config file for `train --config=`: the base config with the best trial's fields."""
    fields = "".join(f"    {field!r}: {value!r},\n" for field, value in sorted(best.params.items()))
    return (f'"""The best config of the search in {out}: trial {best.trial_id}, mean evaluation '
            f'return {best.return_mean:.1f} at env step {best.env_step:,}.\n\n'
            f'    python -m sac_tf.train --config={out / "best_config.py"} --seed=1\n"""\n\n'
            f"from sac_tf.config import load_config\n"
            f"from sac_tf.distributed.tuning import set_field\n\n"
            f"BASE = {base_argument!r}\n"
            f"SEARCHED = {{\n{fields}}}\n\n\n"
            f"def get_config():\n"
            f"    config = load_config(BASE)\n"
            f"    for field, value in SEARCHED.items():\n"
            f"        set_field(config, field, value)\n"
            f"    return config\n")


def trials_markdown(trials: List[TrialResult], num_steps: int) -> str:
    """The trials as a Markdown table, best last evaluation first."""
    fields = sorted({field for trial in trials for field in trial.params})
    lines = ["| trial | " + " | ".join(fields) + " | env steps | last return |",
             "|---" * (len(fields) + 3) + "|"]
    for trial in sorted(trials, key=lambda trial: -trial.return_mean):
        values = " | ".join(_cell(trial.params.get(field)) for field in fields)
        stopped = "" if trial.env_step >= num_steps else " (stopped)"
        lines.append(f"| {trial.trial_id} | {values} | {trial.env_step:,}{stopped} | "
                     f"{trial.return_mean:.1f} |")
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
