"""What a run does after each evaluation: keep the best policy, stop early, user hooks.

An evaluation callback is any callable `callback(row) -> Optional[bool]` taking the
evaluation's `eval.csv` row (`env_step`, `return_mean`, ... as floats); returning `False`
ends the run after that evaluation (its checkpoint and final policy are still written).
`TrainingLoop` calls them in order after every evaluation, `KeepBest` and `StopAtReturn`
included when the config asks for them (`keep_best`, `stop_at_return`).
"""

import json
import pathlib
from typing import Callable, List, Optional, Sequence

import ml_collections

from sac_tf.errors import UserError

#: Where `KeepBest` exports, under the run directory (beside the final `policy/`).
BEST_POLICY_DIR = "best_policy"
#: The best evaluation's step and return, inside `BEST_POLICY_DIR`.
BEST_FILE = "best_evaluation.json"

EvaluationCallback = Callable[[dict], Optional[bool]]


class KeepBest:
    """Exports the policy to `ROOT/best_policy` whenever an evaluation's mean return beats
    every earlier one of the run, with `best_evaluation.json` (`env_step`, `return_mean`)
    beside the SavedModel. The best so far is read back from that file, so it survives a
    resume; a tie keeps the earlier policy.

    Args:
      root_dir: the run directory.
      export: writes the current policy as a SavedModel into the directory it is given.
    """

    def __init__(self, root_dir, export: Callable[[pathlib.Path], object]):
        self.directory = pathlib.Path(root_dir) / BEST_POLICY_DIR
        self.export = export

    def best(self) -> Optional[dict]:
        """The best evaluation kept so far (`env_step`, `return_mean`), or None."""
        path = self.directory / BEST_FILE
        return json.loads(path.read_text()) if path.exists() else None

    def __call__(self, row: dict) -> None:
        best = self.best()
        if best is not None and row["return_mean"] <= best["return_mean"]:
            return
        self.export(self.directory)
        record = dict(env_step=int(row["env_step"]), return_mean=float(row["return_mean"]))
        (self.directory / BEST_FILE).write_text(json.dumps(record) + "\n")


class StopAtReturn:
    """Ends a run once `patience` evaluations in a row reach a mean return ≥ `threshold`.

    `history` holds the run's earlier evaluation returns (from `eval.csv` on a resume), so
    the count carries over.
    """

    def __init__(self, threshold: float, patience: int, history: Sequence[float] = ()):
        if patience < 1:
            raise UserError(f"stop_patience must be at least 1, got {patience}")
        self.threshold, self.patience = float(threshold), int(patience)
        self.streak = 0
        for value in history:
            self.streak = self.streak + 1 if value >= self.threshold else 0

    def reached(self) -> bool:
        return self.streak >= self.patience

    def __call__(self, row: dict) -> bool:
        self.streak = self.streak + 1 if row["return_mean"] >= self.threshold else 0
        return not self.reached()


def config_callbacks(config: ml_collections.ConfigDict, root_dir,
                     export: Callable[[pathlib.Path], object],
                     history: Sequence[float]) -> List[EvaluationCallback]:
    """The callbacks a config asks for: `KeepBest` with `keep_best`, `StopAtReturn` with
    `stop_at_return` (and `stop_patience`); `history` is the run's earlier returns."""
    callbacks: List[EvaluationCallback] = []
    if config.get("keep_best", False):
        callbacks.append(KeepBest(root_dir, export))
    if config.get("stop_at_return") is not None:
        callbacks.append(StopAtReturn(config.stop_at_return, config.get("stop_patience", 1),
                                      history))
    return callbacks
