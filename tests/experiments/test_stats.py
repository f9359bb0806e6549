"""Statistics of `python -m sac_tf.compare`: bootstrap intervals, steps to a threshold."""

import numpy as np
import pytest

from sac_tf.experiments.stats import bootstrap_ci, first_step_reaching


def test_bootstrap_ci_of_constant_data_has_zero_width():
    low, high = bootstrap_ci(np.full(5, -150.0))
    assert low == high == -150.0


def test_bootstrap_ci_of_a_normal_sample_matches_the_normal_interval():
    sample = np.random.default_rng(0).normal(3.0, 2.0, size=400)
    low, high = bootstrap_ci(sample)
    assert low < sample.mean() < high
    # the normal-theory interval: ± 1.96 σ / √n = ± 0.196
    assert high - low == pytest.approx(2 * 1.96 * 2.0 / np.sqrt(400), rel=0.1)
    assert (low, high) == bootstrap_ci(sample)  # seeded


def test_bootstrap_ci_per_column_and_bad_input():
    samples = np.stack([np.zeros(4), np.ones(4)], axis=1)  # two columns, 4 seeds
    low, high = bootstrap_ci(samples)
    np.testing.assert_array_equal(low, [0.0, 1.0])
    np.testing.assert_array_equal(high, [0.0, 1.0])
    with pytest.raises(ValueError):
        bootstrap_ci(np.zeros(0))
    with pytest.raises(ValueError):
        bootstrap_ci(np.zeros(3), confidence=1.5)


def test_first_step_reaching():
    steps, values = [1000, 2000, 3000], [-900.0, -200.0, -150.0]
    assert first_step_reaching(steps, values, -200.0) == 2000
    assert first_step_reaching(steps, values, -100.0) is None
