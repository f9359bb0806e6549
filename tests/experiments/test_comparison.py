"""Comparisons: the summary, the report's files, resumability, agents and their configs."""

import csv

import numpy as np
import pytest

from sac_tf.config import ddpg_config
from sac_tf.errors import UserError
from sac_tf.experiments import comparison
from sac_tf.run.logs import read_csv
from sac_tf.run.loop import run_training
from tests.conftest import small_pendulum_config


def curve(agent, seed, returns, wall_s=10.0):
    steps = 1000 * np.arange(1, len(returns) + 1)
    return comparison.RunCurve(agent, seed, steps, np.array(returns, float), wall_s)


def test_summary_statistics_and_threshold():
    curves = [curve("a", 0, [-900, -300, -100]), curve("a", 1, [-900, -150, -300]),
              curve("b", 0, [-900, -800, -700], wall_s=30.0)]
    a, b = comparison.summarize(curves, threshold=-200.0)
    assert (a.agent, a.num_seeds, b.num_seeds) == ("a", 2, 1)
    assert a.final_mean == pytest.approx(-200.0) and a.final_std == pytest.approx(100.0)
    assert a.ci_low == pytest.approx(-300.0) and a.ci_high == pytest.approx(-100.0)
    assert a.threshold_steps == [3000, 2000] and b.threshold_steps == [None]
    assert b.steps_per_s == pytest.approx(100.0)
    table = comparison.summary_markdown([a, b], "Pendulum-v1", 3000, -200.0)
    assert "| a | -200.0 ± 100.0 | [-300.0, -100.0] | 2,500 (2/2 seeds) |" in table
    assert "| b | -700.0 ± 0.0 | [-700.0, -700.0] | not reached (0/1) |" in table
    assert "env steps to return ≥ -200" in table


def tiny_config(agent, env_id, seed, num_steps):
    config = small_pendulum_config(agent=agent, seed=seed, num_steps=num_steps,
                                   learning_starts=100, eval_interval=100, eval_episodes=1,
                                   checkpoint_interval=100)
    if agent != "sac":
        config[agent] = ddpg_config()
        config[agent].hidden_sizes = (32, 32)
    return config


def test_two_agents_two_seeds_write_the_files_and_a_rerun_skips_finished_runs(tmp_path,
                                                                              capfd):
    interrupted = comparison.run_dir(tmp_path, "ddpg", 1)
    run_training(tiny_config("ddpg", "Pendulum-v1", 1, 100), interrupted)  # stopped at 100
    messages = []
    curves = comparison.train_missing("Pendulum-v1", ["sac", "ddpg"], [0, 1], 200, tmp_path,
                                      messages.append, make_config=tiny_config)
    assert sum("training to 200 env steps" in message for message in messages) == 4
    assert "Resuming from checkpoint" in capfd.readouterr().out
    assert [row["env_step"] for row in read_csv(interrupted / "eval.csv")] == [100, 200]

    comparison.write_report(curves, tmp_path, "Pendulum-v1", 200, threshold=-1e9)
    with open(tmp_path / "curves.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert {(row["agent"], row["seed"]) for row in rows} == {
        ("sac", "0"), ("sac", "1"), ("ddpg", "0"), ("ddpg", "1")}
    assert sorted({int(row["env_step"]) for row in rows}) == [100, 200]
    summary = (tmp_path / "summary.md").read_text()
    assert "| sac |" in summary and "| ddpg |" in summary and "100 (2/2 seeds)" in summary
    assert (tmp_path / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # runs to 200 steps cannot be reported as 100-step runs
    with pytest.raises(UserError, match="holds a run to 200 env steps, more than --num_steps=100"):
        comparison.train_missing("Pendulum-v1", ["sac", "ddpg"], [0, 1], 100, tmp_path,
                                 messages.append, make_config=tiny_config)
    finished_eval = (comparison.run_dir(tmp_path, "sac", 0) / "eval.csv").read_bytes()
    messages.clear()
    comparison.train_missing("Pendulum-v1", ["sac", "ddpg"], [0, 1], 200, tmp_path,
                             messages.append, make_config=tiny_config)
    assert sum("skipped" in message for message in messages) == 4
    assert (comparison.run_dir(tmp_path, "sac", 0) / "eval.csv").read_bytes() == finished_eval


@pytest.mark.parametrize("agents, seeds, message", [
    ([], [0], "nothing to compare"),
    (["sac"], [], "nothing to compare"),
    (["sac"], [0, -1], "seed must be in"),
    (["sac", "sac"], [0], "--agents repeats a value"),
    (["sac"], [0, 1, 0], "--seeds repeats a value"),
    (["sac_tqc", "benchmarks/sac_tqc.py"], [0], "would all run as 'sac_tqc': rename one"),
])
def test_no_run_starts_without_agents_seeds_or_with_a_bad_seed(tmp_path, agents, seeds, message):
    with pytest.raises(UserError, match=message):
        comparison.train_missing("Pendulum-v1", agents, seeds, 10, tmp_path, print)
    assert not (tmp_path / "runs").exists()


def test_the_saved_run_config_is_not_an_agent():
    with pytest.raises(UserError, match="unknown agent 'saved_run'"):
        comparison.agent_config("saved_run", "Pendulum-v1", 0, 10)


def test_option_configs_can_be_compared_as_agents():
    config = comparison.agent_config("sac_tqc", "Pendulum-v1", seed=3, num_steps=5000)
    assert (config.agent, config.env_id, config.seed, config.num_steps) == (
        "sac", "Pendulum-v1", 3, 5000)
    assert config.sac.num_quantiles == 25 and config.learning_starts == 1000
    assert config.checkpoint_interval == config.eval_interval == 1000  # Pendulum's default: 2,000
    with pytest.raises(UserError, match="sac_pendulum.py does not take an env id"):
        comparison.agent_config("sac_pendulum", "Pendulum-v1", seed=0, num_steps=10)


def test_a_config_file_of_ones_own_can_be_compared_as_an_agent(tmp_path):
    path = tmp_path / "wide_sac.py"
    path.write_text("from sac_tf.config import default_config\n\n"
                    "def get_config(env_id):\n"
                    "    config = default_config('sac', env_id)\n"
                    "    config.sac.hidden_sizes = (512, 512)\n"
                    "    return config\n")
    config = comparison.agent_config(str(path), "Pendulum-v1", seed=1, num_steps=3000)
    assert (config.agent, config.seed, config.sac.hidden_sizes) == ("sac", 1, (512, 512))
    assert comparison.run_dir(tmp_path, str(path), 1) == tmp_path / "runs" / "wide_sac_seed1"
    with pytest.raises(UserError, match="no config file"):
        comparison.agent_config(str(tmp_path / "missing.py"), "Pendulum-v1", 0, 10)


def test_agent_config_applies_env_kwargs_to_every_run():
    config = comparison.agent_config("sac", "Ant-v5", 1, 100_000,
                                     env_kwargs={"contact_cost_weight": 0.0})
    assert config.env_kwargs.to_dict() == {"contact_cost_weight": 0.0}
    assert config.seed == 1 and config.num_steps == 100_000
    assert comparison.agent_config("sac", "Ant-v5", 1, 100_000).env_kwargs.to_dict() == {}
