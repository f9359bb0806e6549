"""`python -m sac_tf.train`: user environments, bad input in one line on stderr with a
non-zero exit and nothing lost, checkpoints that cannot be restored, kill -9 and SIGTERM."""

import hashlib
import json
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from sac_tf.deploy.evaluation import evaluate_policy
from sac_tf.run.logs import read_csv
from tests.conftest import REPO_ROOT, assert_one_line_error, run_train
from tests.envs.test_making import BROKEN, POINT_MASS


def test_command_line_trains_a_user_env_from_an_import_path_with_kwargs(tmp_path):
    result = run_train("--env=tests.fixtures.user_envs:make_point_mass",
                       '--env_kwargs={"max_steps": 25, "size": 0.5}', f"--root_dir={tmp_path}",
                       "--num_steps=300", "--config.learning_starts=100",
                       "--config.sac.hidden_sizes=(16,)", "--config.batch_size=16",
                       "--config.eval_episodes=2", "--config.eval_interval=300",
                       "--config.learner_compile=graph")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["env_step"] == 300
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["env_kwargs"] == {"max_steps": 25, "size": 0.5}
    rows = read_csv(tmp_path / "eval.csv")
    assert [row["env_step"] for row in rows] == [300]
    # the exported policy evaluates in the same env (kwargs kept, no render_mode passed)
    evaluated = evaluate_policy(tmp_path / "policy", episodes=2, seed=1_000_000)
    assert evaluated["return_mean"] == pytest.approx(rows[0]["return_mean"], abs=1e-4)


@pytest.mark.parametrize("args, message", [
    ([f"--env={BROKEN}"], "fails gymnasium's env checker: The first element returned by "
                          "`env.reset()` is not within the observation space."),
    ([f"--env={POINT_MASS}", "--env_kwargs=[1"], "--env_kwargs is not valid JSON"),
    (["--env=Pendulum-v1", '--env_kwargs={"g": "x"}'], "fails gymnasium's env checker: "
                                                       "TypeError: unsupported operand"),
])
def test_command_line_rejects_a_broken_env_in_one_line(tmp_path, args, message):
    assert_one_line_error(run_train(f"--root_dir={tmp_path / 'run'}", *args), message)
    assert not (tmp_path / "run").exists()


def snapshot(directory: pathlib.Path) -> dict:
    return {str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.rglob("*")) if path.is_file()}


def tiny_run_args(root_dir) -> list:
    """Flags of a seconds-long Pendulum run into `root_dir` (add --num_steps)."""
    return [f"--root_dir={root_dir}", "--config.learning_starts=20",
            "--config.sac.hidden_sizes=(8,)", "--config.batch_size=8",
            "--config.eval_episodes=1", "--config.eval_interval=40"]


@pytest.fixture
def existing_run(tmp_path):
    """A root_dir holding earlier results that must survive a failed command."""
    (tmp_path / "eval.csv").write_text("env_step,return_mean\n1000,-500\n")
    (tmp_path / "notes.txt").write_text("keep me")
    return tmp_path


@pytest.mark.parametrize("args, message", [
    (["--env=NoSuchEnv-v0"], "unknown environment 'NoSuchEnv-v0'"),
    (["--env=FrozenLake-v1"], "unsupported observation space"),
    (["--env=CartPole-v1", "--agent=ddpg"], "agent 'ddpg' needs a continuous Box action space"),
    (["--env=Acrobot-v1", "--agent=td3"], "agent 'td3' needs a continuous Box action space"),
    (["--num_steps=0"], "num_steps must be at least 1"),
    (["--num_steps=-5"], "num_steps must be at least 1"),
    (["--config=configs/does_not_exist.py"], "no config file 'configs/does_not_exist.py'"),
    (["--config", "configs/does_not_exist.py"], "no config file 'configs/does_not_exist.py'"),
    (["--config=configs/sac_pendulum.py:Hopper-v5"], "does not fit get_config()"),
    (["--config=README.md"], "README.md is not valid Python"),
    (["--seed=-1"], "seed must be in [0, 2**32), got -1"),
    (["--config.sac.hidden_sizes=abc"], "sac.hidden_sizes must be a tuple of layer widths"),
    (["--config.sac.hidden_sizes=(64, 0)"], "got (64, 0)"),
    (["--config.no_such_field=3"], "no_such_field"),
    (["--agent=ppo"], "ppo"),
    (["unexpected_positional"], "unexpected arguments"),
    (["--root_dir="], "--root_dir is empty"),
    (["--stop_at_return=-100", "--stop_patience=0"], "stop_patience"),
    (["--config.n_step=0"], "n_step must be at least 1, got 0"),
])
def test_bad_input_ends_in_one_line_error(existing_run, args, message):
    before = snapshot(existing_run)
    assert_one_line_error(run_train(f"--root_dir={existing_run}", *args), message)
    after = snapshot(existing_run)
    assert {name: after[name] for name in before} == before


def test_a_buffer_larger_than_the_free_memory_is_one_line_and_writes_nothing(tmp_path):
    result = run_train(f"--root_dir={tmp_path / 'run'}", "--config.buffer_capacity=1000000000000")
    assert_one_line_error(result, "the replay buffer (1,000,000,000,000 transitions) needs "
                                  "36,000.0 GB")
    assert result.returncode == 2 and not (tmp_path / "run").exists()


def test_a_run_directory_that_cannot_be_made_is_one_line(tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    result = run_train(f"--root_dir={tmp_path / 'a_file' / 'run'}", "--num_steps=10")
    assert_one_line_error(result, f"Not a directory: '{tmp_path / 'a_file' / 'run'}'")


@pytest.fixture(scope="module")
def forty_step_run(tmp_path_factory) -> pathlib.Path:
    """A finished 40-step run of `tiny_run_args` (tests copy it with `copy_run`)."""
    root_dir = tmp_path_factory.mktemp("forty_step_run")
    result = run_train(*tiny_run_args(root_dir), "--num_steps=40")
    assert result.returncode == 0, result.stderr
    return root_dir


def copy_run(run_dir: pathlib.Path, tmp_path: pathlib.Path) -> list:
    """Copies the run in `run_dir` into `tmp_path`; returns `tiny_run_args(tmp_path)`."""
    shutil.copytree(run_dir, tmp_path, dirs_exist_ok=True)
    return tiny_run_args(tmp_path)


@pytest.mark.parametrize("corrupt", ["index", "data"])
def test_unreadable_checkpoint_is_reported_and_left_in_place(tmp_path, forty_step_run,
                                                             corrupt):
    args = copy_run(forty_step_run, tmp_path)
    checkpoints = tmp_path / "checkpoints"
    if corrupt == "index":
        (checkpoints / "checkpoint").write_text("this is not a checkpoint state \x00\x01")
    else:
        for data in checkpoints.glob("*.data-*"):
            data.write_bytes(data.read_bytes()[:100])
    before = snapshot(tmp_path)
    assert_one_line_error(run_train(*args, "--num_steps=80"), "checkpoint")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("change, message", [
    ("--config.sac.hidden_sizes=(16,)", "incompatible tensor with shape (8, 2)"),
    ("--config.sac.actor_update_interval=2", "(calls, latest_actor_loss, latest_alpha_loss, "
                                             "latest_entropy missing)"),
])
def test_checkpoint_of_another_config_is_reported_and_left_in_place(tmp_path, forty_step_run,
                                                                   change, message):
    args = copy_run(forty_step_run, tmp_path)
    before = snapshot(tmp_path)
    assert_one_line_error(run_train(*args, "--num_steps=80", change), message)
    assert snapshot(tmp_path) == before


def test_an_n_step_run_trains_checkpoints_and_resumes(tmp_path):
    import tensorflow as tf

    args = [f"--root_dir={tmp_path}", "--env=Pendulum-v1", "--config.learning_starts=200",
            "--config.n_step=3", "--config.num_envs=2", "--config.sac.hidden_sizes=(16,)",
            "--config.batch_size=16", "--config.eval_episodes=1", "--config.eval_interval=300",
            "--config.checkpoint_interval=300", "--config.log_interval=100"]
    first = run_train(*args, "--num_steps=600")
    assert first.returncode == 0, first.stderr
    prefix = tmp_path / "checkpoints" / "ckpt-600"
    names = [name for name, _ in tf.train.list_variables(str(prefix))]
    assert any("replay_buffer/_episode_end" in name for name in names)
    ends = tf.train.load_variable(str(prefix), next(n for n in names if "_episode_end" in n))
    assert ends[:600].sum() >= 2  # Pendulum's truncations at step 200 of each env

    resumed = run_train(*args, "--num_steps=900")
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming from checkpoint" in resumed.stdout
    rows = read_csv(tmp_path / "train.csv")
    assert rows[-1]["env_step"] == 900 and rows[-2]["env_step"] > 600  # continued past 600
    losses = [row["critic_loss"] for row in rows if row["env_step"] > 600]
    assert losses and all(abs(loss) < float("inf") for loss in losses)
    assert (tmp_path / "checkpoints" / "ckpt-900.index").exists()


def test_her_with_n_step_trains_checkpoints_mid_episode_and_resumes(tmp_path):
    """HER + 3-step windows on 10-step goal episodes: training starts before the first
    episode has ended (its rows wait), checkpoints fall mid-episode, and the rerun resumes."""
    import tensorflow as tf

    args = [f"--root_dir={tmp_path}", "--env=tests.fixtures.goal_envs:GoalPointMass",
            "--config.her=True", "--config.her_goals_per_transition=2", "--config.n_step=3",
            "--config.learning_starts=0", "--config.train_every=4",
            "--config.sac.hidden_sizes=(16,)", "--config.batch_size=8",
            "--config.eval_episodes=1", "--config.eval_interval=35",
            "--config.checkpoint_interval=35", "--config.log_interval=4"]
    first = run_train(*args, "--num_steps=36")
    assert first.returncode == 0, first.stderr
    prefix = str(tmp_path / "checkpoints" / "ckpt-36")
    names = [name for name, _ in tf.train.list_variables(prefix)]
    discount_name = next(name for name in names if "replay_buffer/_discount" in name)
    size = int(tf.train.load_variable(prefix, next(n for n in names if "_size/" in n)))
    assert size == 30 * (1 + 2)  # three finished episodes; steps 30–35 wait in "hindsight"
    discounts = tf.train.load_variable(prefix, discount_name)[:size]
    allowed = np.array([0.0, 0.99, 0.99 ** 2, 0.99 ** 3])  # γ^m (1 − terminated), m ≤ 3
    assert np.isclose(discounts[:, None], allowed).any(axis=1).all()
    assert any(0.0 < d < 0.98 for d in discounts)  # some windows span several steps

    resumed = run_train(*args, "--num_steps=72")
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming from checkpoint" in resumed.stdout
    prefix = str(tmp_path / "checkpoints" / "ckpt-72")
    size = int(tf.train.load_variable(prefix, next(n for n in names if "_size/" in n)))
    assert size == 66 * (1 + 2)  # the cut 6-step episode ended at the resume, then 3 more
    rows = read_csv(tmp_path / "train.csv")
    assert [row["env_step"] for row in rows if np.isnan(row["critic_loss"])] == [4, 8]
    assert len(rows) == 18 and all(np.isfinite(row["critic_loss"]) for row in rows[2:])


def long_run_command(root_dir) -> list:
    """A 3,000-step Pendulum training command with a checkpoint every 200 steps."""
    return [sys.executable, "-m", "sac_tf.train", f"--root_dir={root_dir}", "--num_steps=3000",
            "--config.learning_starts=100", "--config.sac.hidden_sizes=(16,)",
            "--config.batch_size=16", "--config.checkpoint_interval=200",
            "--config.eval_interval=1000", "--config.eval_episodes=1"]


def wait_for_checkpoint(process, root_dir, name: str) -> pathlib.Path:
    """Waits (4 minutes at most) until `process` has written checkpoint `name`, or ended;
    returns the checkpoint index file."""
    index = pathlib.Path(root_dir) / "checkpoints" / "checkpoint"
    deadline = time.time() + 240
    while time.time() < deadline and process.poll() is None and not (
            index.exists() and name in index.read_text()):
        time.sleep(0.2)
    return index


def test_kill_9_then_rerun_resumes_from_the_last_checkpoint(tmp_path):
    args = long_run_command(tmp_path)
    process = subprocess.Popen(args, cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    index = wait_for_checkpoint(process, tmp_path, "ckpt-400")
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = int(index.read_text().split('"ckpt-')[1].split('"')[0])
    assert 400 <= killed_at < 3000

    result = subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Resuming from checkpoint" in result.stdout
    assert f"at env step {killed_at}" in result.stdout
    steps = [line.split(",")[0] for line in (tmp_path / "eval.csv").read_text().splitlines()[1:]]
    assert steps == ["1000", "2000", "3000"]


def test_sigterm_stops_a_run_at_a_saved_step_in_one_line(tmp_path):
    process = subprocess.Popen(long_run_command(tmp_path), cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    index = wait_for_checkpoint(process, tmp_path, "ckpt-")
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM
    assert "SIGTERM: stopping after this step" in stdout
    error_lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and "rerun the same command to resume" in error_lines[0]
    stopped_at = int(error_lines[0].split("interrupted at env step ")[1].split(";")[0])
    assert f'"ckpt-{stopped_at}"' in index.read_text()
    train_steps = [int(line.split(",")[0])
                   for line in (tmp_path / "train.csv").read_text().splitlines()[1:]]
    assert train_steps == list(range(500, stopped_at + 1, 500))  # log_interval 500, none later


def test_keep_best_and_stop_at_return_flags(tmp_path):
    result = run_train(*tiny_run_args(tmp_path), "--num_steps=200", "--keep_best",
                       "--stop_at_return=-1e9", "--stop_patience=2")
    assert result.returncode == 0, result.stderr
    assert "Stopped early at env step 80" in result.stdout
    assert json.loads(result.stdout.strip().splitlines()[-1])["stopped_early"] is True
    assert (tmp_path / "best_policy" / "best_evaluation.json").exists()


def test_a_discrete_env_trains_discrete_sac_whose_exported_policy_acts_as_trained(tmp_path):
    """`--env=CartPole-v1` without `--config` gets configs/sac_discrete.py; the exported
    policy, in the TF-only example and in `evaluate`, returns what the run's evaluation did."""
    from sac_tf.run.loop import EVAL_SEED_OFFSET

    result = run_train("--env=CartPole-v1", "--num_steps=1500", f"--root_dir={tmp_path}",
                       "--config.learning_starts=500", "--config.eval_interval=1500",
                       "--config.eval_episodes=3")
    assert result.returncode == 0, result.stderr
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["sac"]["hidden_sizes"] == [64, 64]  # sac_discrete.py's, not sac_mujoco.py's
    last = read_csv(tmp_path / "eval.csv")[-1]
    seed = EVAL_SEED_OFFSET  # the run's seed 0 + the evaluation offset
    assert evaluate_policy(tmp_path / "policy", episodes=3,
                           seed=seed)["return_mean"] == pytest.approx(last["return_mean"])
    standalone = subprocess.run(
        [sys.executable, str(REPO_ROOT / "examples" / "load_policy_tf_only.py"),
         str(tmp_path / "policy"), "--episodes=3", f"--seed={seed}"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert standalone.returncode == 0, standalone.stderr
    assert json.loads(standalone.stdout.strip().splitlines()[-1])["return_mean"] == \
        pytest.approx(last["return_mean"])
