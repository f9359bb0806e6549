"""Evaluation callbacks: keep the best policy, stop at a return, user hooks in the loop."""

import json

import numpy as np
import pytest

from sac_tf.config import load_config
from sac_tf.deploy.saved_policy import METADATA_FILE
from sac_tf.errors import UserError
from sac_tf.run.callbacks import BEST_FILE, BEST_POLICY_DIR, KeepBest, StopAtReturn
from sac_tf.run.logs import read_csv
from tests.conftest import run_training_with_export


def test_stop_at_return_counts_evaluations_in_a_row_and_carries_its_history():
    stop = StopAtReturn(-200.0, patience=2, history=[-500.0, -150.0])
    assert stop.streak == 1 and not stop.reached()
    assert stop({"return_mean": -250.0}) is True  # streak broken
    assert stop({"return_mean": -190.0}) is True
    assert stop({"return_mean": -200.0}) is False  # two in a row, ≥ counts
    assert StopAtReturn(0.0, 1, history=[1.0]).reached()
    with pytest.raises(UserError, match="stop_patience must be at least 1"):
        StopAtReturn(0.0, 0)


def test_keep_best_exports_only_on_a_new_best_and_reads_it_back(tmp_path):
    exported = []
    keep = KeepBest(tmp_path, lambda directory: exported.append(directory)
                    or directory.mkdir(exist_ok=True))
    for step, value in [(1, -10.0), (2, -20.0), (3, -10.0), (4, -5.0)]:
        keep({"env_step": float(step), "return_mean": value})
    assert len(exported) == 2  # steps 1 and 4; the tie at step 3 keeps the earlier one
    assert keep.best() == {"env_step": 4, "return_mean": -5.0}
    again = KeepBest(tmp_path, lambda directory: exported.append(directory))
    again({"env_step": 5.0, "return_mean": -6.0})
    assert len(exported) == 2  # a resumed run knows the best so far


def small_config(**fields):
    config = load_config("configs/sac_pendulum.py")
    config.update(dict(num_steps=900, learning_starts=200, eval_interval=300, eval_episodes=1,
                       log_interval=300, checkpoint_interval=300, batch_size=32,
                       buffer_capacity=1000))
    config.sac.hidden_sizes = (16, 16)
    config.update(fields)
    return config


def test_a_callback_returning_false_stops_the_run_after_a_checkpoint(tmp_path):
    seen = []
    result = run_training_with_export(small_config(), tmp_path,
                          callbacks=[lambda row: seen.append(row["env_step"]) or len(seen) < 2])
    assert seen == [300, 600] and result["stopped_early"] is True
    assert [row["env_step"] for row in read_csv(tmp_path / "eval.csv")] == [300, 600]
    assert (tmp_path / "policy").exists() and (tmp_path / "checkpoints").exists()


def test_stop_at_return_and_keep_best_in_a_run_and_on_its_rerun(tmp_path, capsys):
    # every Pendulum return is above −1e9: the first evaluation stops the run
    config = small_config(keep_best=True, stop_at_return=-1e9, stop_patience=1)
    result = run_training_with_export(config, tmp_path)
    assert result["stopped_early"] and result["env_step"] == 300
    best = json.loads((tmp_path / BEST_POLICY_DIR / BEST_FILE).read_text())
    assert best == {"env_step": 300, "return_mean": pytest.approx(result["return_mean"])}
    metadata = json.loads((tmp_path / BEST_POLICY_DIR / METADATA_FILE).read_text())
    assert metadata["train_step"] == 300
    again = run_training_with_export(config, tmp_path)  # a rerun does not train on
    assert again["env_step"] == 300 and again["stopped_early"]
    assert len(read_csv(tmp_path / "eval.csv")) == 1
    assert np.isfinite(again["return_mean"])
