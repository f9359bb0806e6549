"""`DelayedUpdate`: runs on every interval-th call and reports its latest results between."""

import pytest
import tensorflow as tf

from sac_tf.agents.delayed import DelayedUpdate


@pytest.mark.parametrize("interval", [1, 3])
def test_update_runs_on_every_interval_th_call_and_its_results_persist(interval):
    delayed = DelayedUpdate(interval, ["runs"])
    runs = tf.Variable(0.0)

    def update():
        runs.assign_add(1.0)
        return {"runs": runs.read_value()}

    step = tf.function(lambda: delayed(update))
    reported = [float(step()["runs"]) for _ in range(7)]
    expected = [float((call + 1) // interval) for call in range(7)]
    assert reported == expected and float(runs.numpy()) == 7 // interval
    assert int(delayed.calls.numpy()) == 7


def test_a_delay_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        DelayedUpdate(0, ["loss"])
