"""End-to-end runs of the training loop (short, small networks), and learning runs with the
shipped configs (minutes each: `pytest -m slow`)."""

import json
import os
import signal

import gymnasium as gym
import numpy as np
import pytest
import tensorflow as tf

from sac_tf.config import CONFIG_DIR, ddpg_config, load_config
from sac_tf.deploy.evaluation import evaluate_policy
from sac_tf.deploy.saved_policy import load_policy_metadata
from sac_tf.envs.making import env_spec, make_vector_env
from sac_tf.errors import UserError
from sac_tf.run import loop as training
from sac_tf.run.logs import read_csv
from sac_tf.run.state import RunState
from sac_tf.run.stop_requests import Interrupted
from tests.agents.test_sac import HYBRID_ID
from tests.conftest import run_training_with_export, small_pendulum_config


def rerun_finished_run(config, root_dir, final_step: int) -> dict:
    """Reruns a run that ended at `final_step`; asserts that the rerun neither evaluated
    (eval.csv unchanged, no duplicate row) nor saved (`ckpt-{final_step}` untouched).
    Returns what `run_training` returned."""
    eval_rows = read_csv(root_dir / "eval.csv")
    checkpoint = root_dir / "checkpoints" / f"ckpt-{final_step}.index"
    saved_at = checkpoint.stat().st_mtime_ns
    result = run_training_with_export(config, root_dir)
    assert read_csv(root_dir / "eval.csv") == eval_rows
    assert checkpoint.stat().st_mtime_ns == saved_at
    return result


def test_short_run_writes_logs_and_checkpoints(tmp_path):
    result = run_training_with_export(small_pendulum_config(), tmp_path)
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
    result = run_training_with_export(config, tmp_path)
    # chunks of train_every=20 vector steps of 3 envs (60 env steps), the last one 14 (42),
    # end at env steps 60 and 102; a row is written at the end of a chunk that crosses its interval
    assert [row["env_step"] for row in read_csv(tmp_path / "train.csv")] == [60, 102]
    assert [row["env_step"] for row in read_csv(tmp_path / "eval.csv")] == [60, 102]
    assert result["env_step"] == 102
    assert (tmp_path / "checkpoints" / "ckpt-102.index").exists()
    assert json.loads((tmp_path / "policy" / "metadata.json").read_text())["train_step"] == 102
    assert rerun_finished_run(config, tmp_path, 102)["env_step"] == 102


def test_resume_continues_from_the_checkpoint(tmp_path, capsys):
    run_training_with_export(small_pendulum_config(num_steps=300), tmp_path)
    first_lines = (tmp_path / "train.csv").read_text().splitlines()
    capsys.readouterr()
    run_training_with_export(small_pendulum_config(num_steps=600), tmp_path)
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
        run_training_with_export(small_pendulum_config(num_steps=600), tmp_path)
    assert stopped.value.exit_status == 128 + signal_number
    assert [signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)] == \
        previous_handlers
    assert [row["env_step"] for row in read_csv(tmp_path / "eval.csv")] == [300]
    assert (tmp_path / "checkpoints" / "ckpt-300.index").exists()
    assert not (tmp_path / "policy").exists()

    run_training_with_export(small_pendulum_config(num_steps=600), tmp_path)
    assert [row["env_step"] for row in read_csv(tmp_path / "eval.csv")] == [300, 600]


def test_rerunning_a_finished_run_neither_trains_nor_evaluates_again(tmp_path, capsys):
    first = run_training_with_export(small_pendulum_config(num_steps=300), tmp_path)
    capsys.readouterr()
    again = rerun_finished_run(small_pendulum_config(num_steps=300), tmp_path, 300)
    assert "at env step 300" in capsys.readouterr().out
    assert again == pytest.approx(first, rel=1e-8)  # the row as eval.csv holds it
    assert isinstance(again["env_step"], int)


def test_same_seed_gives_the_same_losses(tmp_path):
    config = dict(num_steps=2_000, learning_starts=1_000, eval_interval=2_000, log_interval=250,
                  checkpoint_interval=2_000)
    curves = []
    for name in ("a", "b"):
        run_training_with_export(small_pendulum_config(**config), tmp_path / name)
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
    if "SacTfNanReward-v0" not in gym.registry:
        gym.register("SacTfNanReward-v0", entry_point="tests.fixtures.counting_env:NanRewardEnv",
                     max_episode_steps=50)
    config = small_pendulum_config(env_id="SacTfNanReward-v0", num_steps=600,
                                   learning_starts=100, checkpoint_interval=checkpoint_interval)
    with pytest.raises(UserError, match=f"training diverged: non-finite loss .*; {kept}; "):
        run_training_with_export(config, tmp_path)
    latest = tf.train.latest_checkpoint(str(tmp_path / "checkpoints"))
    assert latest.endswith("ckpt-100") if checkpoint_interval == 100 else latest is None


@pytest.mark.parametrize("field, value, message", [
    ("seed", -1, r"seed must be in \[0, 2\*\*32\), got -1"),
    ("seed", 2**32, "seed must be in"),
    ("sac.quantiles_to_drop", 1, r"quantiles_to_drop must be in \[0, num_quantiles\)"),
])
def test_a_run_that_cannot_start_leaves_no_run_directory(tmp_path, field, value, message):
    config = small_pendulum_config()
    *sections, name = field.split(".")
    target = config[sections[0]] if sections else config
    target[name] = value
    with pytest.raises(UserError, match=message):
        run_training_with_export(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_observation_statistics_count_each_collected_observation_once(tmp_path):
    """SimBa's RSNorm: the running statistics are those of every observation the driver
    collected (two envs, random then exploration steps), not of the replay batches."""
    config = small_pendulum_config(num_steps=400, num_envs=2)
    config.sac.normalize_observations = True
    env = make_vector_env(config.env_id, config.num_envs)
    state = RunState.create(config, env_spec(env))
    loop = training.TrainingLoop(state, env, make_vector_env(config.env_id, 2), tmp_path)
    collected = []
    loop.collection.driver.observers.append(
        lambda transition, _: collected.append(transition.observation))
    loop.run()
    observations = np.concatenate(collected).astype(np.float64)
    normalizer = state.agent.observation_normalizer
    assert normalizer.count.numpy() == len(observations) == 400
    np.testing.assert_allclose(normalizer.mean.numpy(), observations.mean(axis=0), rtol=1e-9)
    np.testing.assert_allclose(normalizer.variance.numpy(), observations.var(axis=0), rtol=1e-9)


def test_ddpg_ou_noise_restarts_when_the_driver_starts_an_episode(tmp_path):
    """Pendulum's episodes end every 200 steps: the OU process is zero right after the
    ending step (the autoreset starts the next episode) and not before."""
    config = small_pendulum_config(agent="ddpg", num_steps=400, learning_starts=100)
    config.ddpg = ddpg_config()
    config.ddpg.update(hidden_sizes=(32, 32), noise_type="ornstein_uhlenbeck")
    env = make_vector_env(config.env_id, 1)
    state = RunState.create(config, env_spec(env))
    loop = training.TrainingLoop(state, env, make_vector_env(config.env_id, 2), tmp_path)
    noise = []
    loop.collection.driver.observers.append(
        lambda transition, end: noise.append(state.agent.ou_noise.numpy()[0].copy()))
    loop.run()
    noise = np.abs(np.array(noise)).max(axis=1)
    assert noise[199] == 0.0 and noise[198] > 0.0 and noise[200] > 0.0  # after step 200
    assert np.count_nonzero(noise[100:] == 0.0) == 2  # steps 200 and 400 only


def test_training_exports_the_final_policy(tiny_run):
    metadata = load_policy_metadata(tiny_run / "policy")
    assert metadata["train_step"] == 300 and metadata["env_id"] == "Pendulum-v1"


def test_training_on_the_hybrid_task_end_to_end(tmp_path):
    config = small_pendulum_config(env_id=HYBRID_ID, num_steps=400)
    row = run_training_with_export(config, tmp_path)
    assert row["env_step"] == 400 and np.isfinite(row["return_mean"])
    assert "entropy_discrete" in (tmp_path / "train.csv").read_text().splitlines()[0]

    # The exported policy returns the speed in its bounds and the direction's index.
    serve = tf.saved_model.load(str(tmp_path / "policy")).signatures["serving_default"]
    outputs = serve(observation=tf.constant([[0.5, -0.5], [-0.5, 0.5]]))
    assert outputs["action"].shape == (2, 1) and outputs["discrete_action"].shape == (2, 1)
    assert np.all((outputs["action"].numpy() >= 0.0) & (outputs["action"].numpy() <= 1.0))
    assert set(outputs["discrete_action"].numpy().ravel()) <= {0, 1}

    # sac_tf.evaluate steps the env with the Dict action the SavedModel's outputs make.
    env, expected = gym.make(HYBRID_ID), []
    for episode in range(2):
        observation, _ = env.reset(seed=7 + episode)
        episode_return, done = 0.0, False
        while not done:
            outputs = serve(observation=tf.constant(observation[None]))
            action = {"speed": outputs["action"].numpy()[0],
                      "direction": int(outputs["discrete_action"].numpy()[0, 0])}
            observation, reward, terminated, truncated, _ = env.step(action)
            episode_return, done = episode_return + reward, terminated or truncated
        expected.append(episode_return)
    result = evaluate_policy(tmp_path / "policy", episodes=2, seed=7)
    np.testing.assert_allclose(result["returns"], expected, rtol=1e-5)
    filmed = evaluate_policy(tmp_path / "policy", episodes=1, seed=7, video=tmp_path / "h.mp4")
    assert filmed["video_frames"] == 50 and filmed["returns"][0] == pytest.approx(expected[0])


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sac_learns_the_hybrid_task(seed, tmp_path):
    config = load_config(str(CONFIG_DIR / "sac_hybrid.py"))
    config.seed = seed
    assert run_training_with_export(config, tmp_path)["return_mean"] >= -10.0


@pytest.mark.slow
@pytest.mark.parametrize("env_id, steps, reached", [("CartPole-v1", 30_000, 475.0),
                                                   ("Acrobot-v1", 20_000, -100.0)])
def test_discrete_sac_learns_cartpole_and_acrobot(env_id, steps, reached, tmp_path):
    """configs/sac_discrete.py, seed 0 (the measured runs: CartPole-v1 ≥ 475 from 25k steps,
    Acrobot-v1 ≥ −100 from 15k)."""
    config = load_config(f"{CONFIG_DIR / 'sac_discrete.py'}:{env_id}")
    config.num_steps = steps
    assert run_training_with_export(config, tmp_path)["return_mean"] >= reached


@pytest.mark.slow
def test_sac_solves_pendulum_in_10k_steps_on_five_seeds(tmp_path):
    finals = []
    for seed in range(5):
        config = load_config(str(CONFIG_DIR / "sac_pendulum.py"))
        config.seed = seed
        finals.append(run_training_with_export(config, tmp_path / f"seed{seed}")["return_mean"])
    assert np.mean(finals) >= -200, finals
    assert min(finals) >= -300, finals


@pytest.mark.slow
@pytest.mark.parametrize("agent", ["ddpg", "td3"])
def test_ddpg_and_td3_learn_pendulum_in_15k_steps_on_three_seeds(tmp_path, agent):
    finals = []
    for seed in range(3):
        config = load_config(str(CONFIG_DIR / f"{agent}_pendulum.py"))
        config.seed = seed
        finals.append(run_training_with_export(config, tmp_path / f"seed{seed}")["return_mean"])
    assert np.mean(finals) >= -250, finals


def test_success_rate_reads_fetchs_and_pointmazes_keys():
    from sac_tf.run.loop import success_rate

    assert success_rate([{"is_success": 1.0}, {"is_success": 0.0}]) == 0.5
    assert success_rate([{"success": True}, {"success": True}]) == 1.0
    assert np.isnan(success_rate([{"success": True}, {}]))


def test_without_an_export_a_run_writes_no_policy_and_keep_best_is_refused(tmp_path):
    """`sac_tf.run` does not export by itself: the entry points pass the export."""
    from sac_tf.run.loop import run_training

    run_training(small_pendulum_config(num_steps=150, learning_starts=100), tmp_path / "run")
    assert (tmp_path / "run" / "eval.csv").exists() and not (tmp_path / "run" / "policy").exists()
    with pytest.raises(ValueError, match="keep_best exports the best policy"):
        run_training(small_pendulum_config(num_steps=150, keep_best=True), tmp_path / "best")
