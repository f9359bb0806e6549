"""Statistics for comparing runs across seeds (pure numpy, seeded)."""

from typing import Tuple

import numpy as np


def bootstrap_ci(samples, confidence: float = 0.95, num_resamples: int = 10_000,
                 seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """Percentile-bootstrap confidence interval of the mean over axis 0.

    Resamples the `n` rows of `samples` with replacement `num_resamples` times
    and takes the `(1 − confidence) / 2` and `(1 + confidence) / 2` quantiles of
    the resampled means.

    Args:
      samples: `[n, ...]` values, e.g. `[num_seeds]` final returns or
        `[num_seeds, num_points]` curves (one interval per point).
      confidence: coverage of the interval, in (0, 1).
      num_resamples: bootstrap resamples.
      seed: seed of the resampling, so the same data give the same interval.

    Returns:
      `(low, high)`, each of shape `samples.shape[1:]`.
    """
    samples = np.asarray(samples, dtype=np.float64)
    if samples.shape[0] < 1:
        raise ValueError("bootstrap_ci needs at least one sample")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, samples.shape[0], size=(num_resamples, samples.shape[0]))
    means = samples[rows].mean(axis=1)
    tail = 50.0 * (1.0 - confidence)
    low, high = np.percentile(means, [tail, 100.0 - tail], axis=0)
    return low, high


def first_step_reaching(steps, values, threshold: float):
    """The first of `steps` whose value is ≥ `threshold`, or None if none is.

    Args:
      steps: `[T]` increasing env steps.
      values: `[T]` values at those steps (e.g. mean evaluation returns).
    """
    reached = np.flatnonzero(np.asarray(values, dtype=np.float64) >= threshold)
    return int(np.asarray(steps)[reached[0]]) if reached.size else None
