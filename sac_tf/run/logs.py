"""Training records: CSV files that survive resumption, TensorBoard, a progress bar."""

import csv
import pathlib
import sys
from typing import Mapping, Sequence

import tensorflow as tf
import tqdm

from sac_tf.errors import UserError
from sac_tf.files import write_atomically


class CsvLog:
    """Appends rows keyed by `env_step` to a CSV file.

    On opening, rows with `env_step` beyond `keep_until_step` are dropped (they
    came from work after the checkpoint being resumed), so a resumed run's
    file reads as if the run had never stopped.

    Args:
      path: the CSV file.
      fieldnames: its columns; the first must be `env_step`.
      keep_until_step: last env step whose rows are kept (0 on a fresh start).

    Raises:
      UserError: when an existing file has a row whose `env_step` is not a number.
    """

    def __init__(self, path: pathlib.Path, fieldnames: Sequence[str], keep_until_step: int):
        self.path = pathlib.Path(path)
        self.fieldnames = list(fieldnames)
        kept = []
        if self.path.exists():
            with self.path.open(newline="") as file:
                try:
                    kept = [row for row in csv.DictReader(file)
                            if int(float(row["env_step"])) <= keep_until_step]
                except (KeyError, TypeError, ValueError) as error:
                    raise UserError(f"{self.path} has a row without a numeric env_step "
                                    f"({type(error).__name__}: {error}); repair it or move it "
                                    f"aside to resume") from None
        lines = [",".join(self.fieldnames)]
        lines += [",".join(row.get(name, "") or "" for name in self.fieldnames) for row in kept]
        write_atomically(self.path, "\n".join(lines) + "\n")

    def write(self, row: Mapping[str, float]) -> None:
        with self.path.open("a", newline="") as file:
            csv.DictWriter(file, self.fieldnames).writerow(
                {name: _format(row.get(name)) for name in self.fieldnames})


def _format(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def read_csv(path) -> list:
    """The rows of a `CsvLog` file as dicts of floats (empty cells → NaN).

    Raises:
      UserError: when the file cannot be read or holds a cell that is not a number.
    """
    try:
        with open(path, newline="") as file:
            return [{key: float(value) if value != "" else float("nan")
                     for key, value in row.items()} for row in csv.DictReader(file)]
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from None
    except (TypeError, ValueError) as error:  # TypeError: a row with more or fewer cells
        raise UserError(f"{path} holds a value that is not a number: {error}") from None


class TensorBoardLog:
    """Scalars under `directory`, one `tf.summary` file writer."""

    def __init__(self, directory: pathlib.Path):
        self._writer = tf.summary.create_file_writer(str(directory))

    def write(self, prefix: str, step: int, values: Mapping[str, float]) -> None:
        with self._writer.as_default(step=step):
            for name, value in values.items():
                if value is not None:
                    tf.summary.scalar(f"{prefix}/{name}", value)
        self._writer.flush()


#: The progress bar: steps, time elapsed, ETA (tqdm's estimate from the recent rate), rate.
BAR_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}, ETA {remaining}, {rate_fmt}{postfix}]"
#: Runs with at least this many env steps still to go say how long they are and will take.
LONG_RUN_STEPS = 100_000


def progress_bar(total: int, initial: int, description: str) -> tqdm.tqdm:
    """A tqdm bar (`BAR_FORMAT`) on stderr, shown only when stderr is a terminal."""
    return tqdm.tqdm(total=total, initial=initial, desc=description, unit="step",
                     dynamic_ncols=True, disable=not sys.stderr.isatty(), file=sys.stderr,
                     bar_format=BAR_FORMAT)


def duration(seconds: float) -> str:
    """`3 h 05 min`, `12 min` or `40 s`."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes} min"


class LongRunNotice:
    """What a long run (`LONG_RUN_STEPS` or more to go) prints on stdout: its length when it
    starts, then its expected duration once a rate with updates has been measured (the
    second `train.csv` interval with updates, after XLA compilation and the random steps).

    Args:
      write: prints one line (`tqdm.write`, which keeps a progress bar intact).
    """

    def __init__(self, config, step: int, write):
        self.num_steps, self.write, self.rates = config.num_steps, write, 0
        self.long = config.num_steps - step >= LONG_RUN_STEPS
        if self.long:
            write(f"Training {config.agent} on {config.env_id} for {config.num_steps:,} env "
                  f"steps (config.num_steps; --num_steps to change), from step {step:,}. "
                  f"A time estimate follows once updates have run for a while.")

    def measured(self, step: int, steps_per_s: float) -> None:
        """Called with each `train.csv` row's rate once updates run."""
        self.rates += 1
        if self.long and self.rates == 2 and steps_per_s > 0:
            left = self.num_steps - step
            self.write(f"At {steps_per_s:.0f} env-steps/s the remaining {left:,} env steps "
                       f"take about {duration(left / steps_per_s)}.")
