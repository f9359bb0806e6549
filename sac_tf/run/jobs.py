"""A training job of a grid (agents × seeds, a search): its config and run directory."""

import pathlib
from typing import NamedTuple

import ml_collections


class GridJob(NamedTuple):
    """One (agent, seed) run still to train: its progress label, config and run directory."""

    label: str
    config: ml_collections.ConfigDict
    directory: pathlib.Path


def finished_message(job: GridJob, result: dict, seconds: float) -> str:
    """`[i/n] agent seed s: final return R (T s)`, the progress line of a finished run."""
    return f"{job.label}: final return {result['return_mean']:.1f} ({seconds:.0f} s)"
