"""Learning runs with the shipped configs (minutes each: `pytest -m slow`)."""

import numpy as np
import pytest

from sac_tf.config import CONFIG_DIR, load_config
from sac_tf.run.loop import run_training


@pytest.mark.slow
def test_sac_solves_pendulum_in_10k_steps_on_five_seeds(tmp_path):
    finals = []
    for seed in range(5):
        config = load_config(str(CONFIG_DIR / "sac_pendulum.py"))
        config.seed = seed
        finals.append(run_training(config, tmp_path / f"seed{seed}")["return_mean"])
    assert np.mean(finals) >= -200, finals
    assert min(finals) >= -300, finals


@pytest.mark.slow
@pytest.mark.parametrize("agent", ["ddpg", "td3"])
def test_ddpg_and_td3_learn_pendulum_in_15k_steps_on_three_seeds(tmp_path, agent):
    finals = []
    for seed in range(3):
        config = load_config(str(CONFIG_DIR / f"{agent}_pendulum.py"))
        config.seed = seed
        finals.append(run_training(config, tmp_path / f"seed{seed}")["return_mean"])
    assert np.mean(finals) >= -250, finals
