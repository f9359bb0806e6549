"""`python -m sac_tf.tune`: a tiny search on local Ray, killed and resumed; bad flags."""

import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO_ROOT, assert_one_line_error

pytest.importorskip("ray.tune", reason="the tune extra is not installed")

CONFIG = """
from sac_tf.config import load_config

def get_config():
    config = load_config({base!r})
    config.update(dict(num_steps=400, learning_starts=100, eval_interval=100, eval_episodes=1,
                       log_interval=100, checkpoint_interval=100, batch_size=16,
                       buffer_capacity=1000))
    config.sac.hidden_sizes = (8,)
    return config
"""


def tune_command(tmp_path, *extra):
    config = tmp_path / "tiny.py"
    config.write_text(CONFIG.format(base=str(REPO_ROOT / "configs" / "sac_pendulum.py")))
    return [sys.executable, "-m", "sac_tf.tune", f"--config={config}", "--num_samples=3",
            "--num_steps=400", f"--out={tmp_path / 'search'}", "--search=random",
            "--grace_steps=200", "--reduction_factor=2", "--cpus_per_trial=1",
            "--space.sac.actor_lr=loguniform(1e-4,3e-3)", *extra]


def test_a_killed_search_resumes_and_writes_its_results(tmp_path):
    command = tune_command(tmp_path)
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    trials = tmp_path / "search" / "trials"
    deadline = time.time() + 240
    while time.time() < deadline and not list(trials.glob("*/checkpoints/*.index")):
        time.sleep(0.5)
    assert list(trials.glob("*/checkpoints/*.index")), "no trial checkpointed in time"
    process.send_signal(signal.SIGKILL)
    process.wait()
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Resuming the search" in result.stdout
    rows = (tmp_path / "search" / "trials.md").read_text().splitlines()[2:]
    assert len(rows) == 3 and len({row.split("|")[1] for row in rows}) == 3
    assert (tmp_path / "search" / "best_config.py").exists()
    assert (tmp_path / "search" / "search.png").exists()


@pytest.mark.parametrize("extra, message", [
    (["--space.sac.no_such_field=uniform(0,1)"], "unknown config field 'sac.no_such_field'"),
    (["--space.sac.tau=uniform(0.02,0.01)"], "empty range"),
    (["--space.sac.tau"], "give --space.FIELD=DISTRIBUTION"),
])
def test_bad_search_flags_end_in_one_line(tmp_path, extra, message):
    result = subprocess.run(tune_command(tmp_path, *extra), cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=300)
    assert_one_line_error(result, message)
    assert not (tmp_path / "search").exists()
