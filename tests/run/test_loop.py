"""End-to-end runs of the training loop (short, small networks)."""

import json
import os
import signal

import numpy as np
import pytest

from sac_tf.run import loop as training
from sac_tf.run.logs import read_csv
from sac_tf.run.stop_requests import Interrupted
from sac_tf.run.loop import run_training
from tests.conftest import assert_same_checkpoint_values, checkpoint_values, small_pendulum_config


def rerun_finished_run(config, root_dir, final_step: int) -> dict:
    """Reruns a run that ended at `final_step`; asserts that the rerun neither evaluated
    (eval.csv unchanged, no duplicate row) nor saved (`ckpt-{final_step}` untouched).
    Returns what `run_training` returned."""
    eval_rows = read_csv(root_dir / "eval.csv")
    checkpoint = root_dir / "checkpoints" / f"ckpt-{final_step}.index"
    saved_at = checkpoint.stat().st_mtime_ns
    result = run_training(config, root_dir)
    assert read_csv(root_dir / "eval.csv") == eval_rows
    assert checkpoint.stat().st_mtime_ns == saved_at
    return result


def test_short_run_writes_logs_and_checkpoints(tmp_path):
    result = run_training(small_pendulum_config(), tmp_path)
    eval_rows = read_csv(tmp_path / "eval.csv")
    assert [row["env_step"] for row in eval_rows] == [300, 600]
    assert {"env_step", "return_mean", "return_std"} <= set(eval_rows[0])
    train_rows = read_csv(tmp_path / "train.csv")
    assert [row["env_step"] for row in train_rows] == [100, 200, 300, 400, 500, 600]
    assert np.isnan(train_rows[0]["critic_loss"])  # before learning starts
    assert all(np.isfinite(row["critic_loss"]) for row in train_rows[2:])
    assert all(row["steps_per_s"] > 0 for row in train_rows)
    assert result["env_step"] == 600
    assert result["return_mean"] == pytest.approx(eval_rows[-1]["return_mean"], rel=1e-8)
    assert json.loads((tmp_path / "config.json").read_text())["env_id"] == "Pendulum-v1"
    assert (tmp_path / "checkpoints" / "checkpoint").exists()


def test_vector_envs_end_at_the_first_vector_step_past_num_steps_with_an_evaluation(tmp_path):
    config = small_pendulum_config(num_envs=3, num_steps=100, learning_starts=50, eval_interval=60,
                                   log_interval=30, checkpoint_interval=1_000, eval_episodes=1)
    result = run_training(config, tmp_path)
    # chunks of train_every=20 vector steps of 3 envs (60 env steps), the last one 14 (42),
    # end at env steps 60 and 102; a row is written at the end of a chunk that crosses its interval
    assert [row["env_step"] for row in read_csv(tmp_path / "train.csv")] == [60, 102]
    assert [row["env_step"] for row in read_csv(tmp_path / "eval.csv")] == [60, 102]
    assert result["env_step"] == 102
    assert (tmp_path / "checkpoints" / "ckpt-102.index").exists()
    assert json.loads((tmp_path / "policy" / "metadata.json").read_text())["train_step"] == 102
    assert rerun_finished_run(config, tmp_path, 102)["env_step"] == 102


def test_resume_continues_from_the_checkpoint(tmp_path, capsys):
    run_training(small_pendulum_config(num_steps=300), tmp_path)
    first_lines = (tmp_path / "train.csv").read_text().splitlines()
    capsys.readouterr()
    run_training(small_pendulum_config(num_steps=600), tmp_path)
    assert "Resuming from checkpoint" in capsys.readouterr().out
    assert [row["env_step"] for row in read_csv(tmp_path / "eval.csv")] == [300, 600]
    train_rows = read_csv(tmp_path / "train.csv")
    assert [row["env_step"] for row in train_rows] == [100, 200, 300, 400, 500, 600]
    # the first run's rows stand, wall times included (a fresh start would rewrite them),
    # and wall time continues from the checkpoint instead of restarting at zero
    assert (tmp_path / "train.csv").read_text().splitlines()[:4] == first_lines
    assert train_rows[3]["wall_s"] > train_rows[2]["wall_s"]


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_an_evaluation_stops_after_it_with_a_checkpoint(tmp_path, monkeypatch,
                                                                        signal_number):
    """The signal lands inside the evaluation at 300 env steps: that evaluation's row is still
    written, the checkpoint is at 300, and the resumed run needs no row it lacks."""
    real_run_episodes, evaluations = training.run_episodes, []

    def signalled_run_episodes(*args, **kwargs):
        evaluations.append(None)
        if len(evaluations) == 1:
            os.kill(os.getpid(), signal_number)
        return real_run_episodes(*args, **kwargs)

    monkeypatch.setattr(training, "run_episodes", signalled_run_episodes)
    previous_handlers = [signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)]
    with pytest.raises(Interrupted, match="interrupted at env step 300") as stopped:
        run_training(small_pendulum_config(num_steps=600), tmp_path)
    assert stopped.value.exit_status == 128 + signal_number
    assert [signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)] == \
        previous_handlers
    assert [row["env_step"] for row in read_csv(tmp_path / "eval.csv")] == [300]
    assert (tmp_path / "checkpoints" / "ckpt-300.index").exists()
    assert not (tmp_path / "policy").exists()

    run_training(small_pendulum_config(num_steps=600), tmp_path)
    assert [row["env_step"] for row in read_csv(tmp_path / "eval.csv")] == [300, 600]


def test_rerunning_a_finished_run_neither_trains_nor_evaluates_again(tmp_path, capsys):
    first = run_training(small_pendulum_config(num_steps=300), tmp_path)
    capsys.readouterr()
    again = rerun_finished_run(small_pendulum_config(num_steps=300), tmp_path, 300)
    assert "at env step 300" in capsys.readouterr().out
    assert again == pytest.approx(first, rel=1e-8)  # the row as eval.csv holds it
    assert isinstance(again["env_step"], int)


def test_a_checkpoint_restores_every_variable_of_agent_buffer_and_counters(tmp_path):
    from sac_tf.run.state import build_components, read_run_spec

    config = small_pendulum_config(num_steps=300)
    run_training(config, tmp_path / "run")
    saved = checkpoint_values(tmp_path / "run" / "checkpoints" / "ckpt-300")
    assert saved["env_step/.ATTRIBUTES/VARIABLE_VALUE"] == 300
    assert saved["replay_buffer/_size/.ATTRIBUTES/VARIABLE_VALUE"] == 300
    assert saved["agent/critic_optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE"] > 0
    components = build_components(config, read_run_spec(tmp_path / "run", config))
    assert components.checkpointer(tmp_path / "run").restore_latest()
    resaved = components.checkpointer(tmp_path / "copy").save(300)
    assert_same_checkpoint_values(saved, checkpoint_values(resaved))


def test_same_seed_gives_the_same_losses(tmp_path):
    config = dict(num_steps=2_000, learning_starts=1_000, eval_interval=2_000, log_interval=250,
                  checkpoint_interval=2_000)
    curves = []
    for name in ("a", "b"):
        run_training(small_pendulum_config(**config), tmp_path / name)
        curves.append([(row["critic_loss"], row["actor_loss"], row["alpha"])
                       for row in read_csv(tmp_path / name / "train.csv")][4:])
    assert len(curves[0]) == 4
    assert curves[0] == curves[1]


@pytest.mark.parametrize("checkpoint_interval, kept", [
    (100, r"the last checkpoint \(.*ckpt-100\) is kept"),
    (10_000, "no checkpoint had been written yet"),
])
def test_nan_loss_stops_with_a_user_error_and_keeps_the_checkpoint(tmp_path, checkpoint_interval,
                                                                   kept):
    import gymnasium as gym
    import tensorflow as tf

    from sac_tf.errors import UserError

    if "SacTfNanReward-v0" not in gym.registry:
        gym.register("SacTfNanReward-v0", entry_point="tests.fixtures.counting_env:NanRewardEnv",
                     max_episode_steps=50)
    config = small_pendulum_config(env_id="SacTfNanReward-v0", num_steps=600,
                                   learning_starts=100, checkpoint_interval=checkpoint_interval)
    with pytest.raises(UserError, match=f"training diverged: non-finite loss .*; {kept}; "):
        run_training(config, tmp_path)
    latest = tf.train.latest_checkpoint(str(tmp_path / "checkpoints"))
    assert latest.endswith("ckpt-100") if checkpoint_interval == 100 else latest is None


@pytest.mark.parametrize("field, value, message", [
    ("seed", -1, r"seed must be in \[0, 2\*\*32\), got -1"),
    ("seed", 2**32, "seed must be in"),
    ("sac.quantiles_to_drop", 1, r"quantiles_to_drop must be in \[0, num_quantiles\)"),
])
def test_a_run_that_cannot_start_leaves_no_run_directory(tmp_path, field, value, message):
    from sac_tf.errors import UserError

    config = small_pendulum_config()
    *sections, name = field.split(".")
    target = config[sections[0]] if sections else config
    target[name] = value
    with pytest.raises(UserError, match=message):
        run_training(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("env_id, folder", [
    ("Pendulum-v1", "runs/sac_Pendulum-v1_seed3"),
    ("sac_tf/HybridPointMass-v0", "runs/sac_sac_tf_HybridPointMass-v0_seed3"),
    ("tests.fixtures.user_envs:PointMass", "runs/sac_tests.fixtures.user_envs_PointMass_seed3"),
])
def test_the_default_run_directory_is_one_folder_named_after_agent_env_and_seed(env_id, folder):
    from sac_tf.run.loop import default_root_dir

    assert default_root_dir(small_pendulum_config(env_id=env_id, seed=3)) == folder
