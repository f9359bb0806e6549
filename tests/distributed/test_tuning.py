"""`sac_tf.distributed.tuning`: search spaces, trial configs, the best trial and its file."""

import pathlib

import pytest

from sac_tf.config import load_config
from sac_tf.distributed.tuning import (Dimension, TrialResult, best_config_source, best_trial,
                                       parse_dimension, parse_space, trial_config,
                                       trials_markdown)
from sac_tf.errors import UserError

BASE = "configs/sac_pendulum.py"


def test_search_space_flags_become_checked_dimensions():
    config = load_config(BASE)
    assert parse_space({"sac.actor_lr": "loguniform(1e-4, 3e-3)",
                        "batch_size": "choice(128,256,512)", "sac.tau": " uniform(0.001,0.02) "},
                       config) == [
        Dimension("batch_size", "choice", (128, 256, 512)),
        Dimension("sac.actor_lr", "loguniform", (1e-4, 3e-3)),
        Dimension("sac.tau", "uniform", (0.001, 0.02))]


@pytest.mark.parametrize("field, text, message", [
    ("sac.no_such_lr", "uniform(0,1)", "unknown config field 'sac.no_such_lr'"),
    ("batch_size.x", "choice(1)", "unknown config field 'batch_size.x'"),
    ("sac.tau", "uniform(0.02,0.001)", "empty range"),
    ("sac.tau", "uniform(0.01,0.01)", "empty range"),
    ("sac.actor_lr", "loguniform(0,1e-3)", "loguniform needs low > 0"),
    ("sac.actor_lr", "normal(0,1)", "give one of loguniform"),
    ("sac.actor_lr", "uniform(1)", "takes two numbers"),
    ("sac.actor_lr", "uniform(a,b)", "must be numbers or literals"),
    ("batch_size", "choice()", "at least one value"),
])
def test_bad_search_spaces_are_refused(field, text, message):
    with pytest.raises(UserError, match=message.replace("(", r"\(")):
        parse_dimension(field, text, load_config(BASE))
    with pytest.raises(UserError, match="search space is empty"):
        parse_space({}, load_config(BASE))


def test_a_trial_config_is_a_copy_with_the_sampled_fields():
    base = load_config(BASE)
    config = trial_config(base, {"sac.actor_lr": 1.5e-3, "batch_size": 64,
                                 "sac.hidden_sizes": [32, 32]})
    assert (config.sac.actor_lr, config.batch_size, config.sac.hidden_sizes) == (
        1.5e-3, 64, (32, 32))
    assert base.to_dict() == load_config(BASE).to_dict()  # the base is unchanged


def trial(trial_id, env_step, value, **params):
    return TrialResult(trial_id, params, env_step, value, pathlib.Path(trial_id))


def test_the_best_trial_ran_to_the_end_and_its_config_file_loads(tmp_path):
    trials = [trial("a", 3000, -100.0, **{"sac.actor_lr": 1e-3}),  # stopped early: not best
              trial("b", 6000, -150.0, **{"sac.actor_lr": 2e-4}),
              trial("c", 6000, -300.0, **{"sac.actor_lr": 5e-4})]
    best = best_trial(trials, 6000)
    assert best.trial_id == "b"
    assert best_trial(trials[:1], 6000) is None
    path = tmp_path / "best_config.py"
    path.write_text(best_config_source(str(pathlib.Path(BASE).resolve()), best, tmp_path))
    config = load_config(str(path))
    assert config.sac.actor_lr == 2e-4 and config.env_id == "Pendulum-v1"
    table = trials_markdown(trials, 6000)
    assert table.splitlines()[2].startswith("| a | 0.001 | 3,000 (stopped) | -100.0 |")


def test_an_integer_field_is_searched_with_choice_only():
    with pytest.raises(UserError, match="batch_size is an integer field; search it with choice"):
        parse_dimension("batch_size", "uniform(64, 512)", load_config(BASE))
