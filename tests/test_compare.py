"""`python -m sac_tf.compare` on bad input: one line on stderr, no run started."""

import subprocess
import sys

from tests.conftest import REPO_ROOT, assert_one_line_error


def test_compare_command_rejects_an_unknown_agent_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sac_tf.compare", "--agents=sac,ppo", "--num_steps=10",
         f"--out={tmp_path}"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert_one_line_error(result, "'ppo'")
    assert not (tmp_path / "runs").exists()


def test_an_agent_that_cannot_act_in_the_env_fails_before_any_run(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sac_tf.compare", "--env=sac_tf/HybridPointMass-v0",
         "--agents=sac,ddpg", "--seeds=0", "--num_steps=10", f"--out={tmp_path}"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert_one_line_error(result, "'ddpg'")
    assert not (tmp_path / "runs").exists()
