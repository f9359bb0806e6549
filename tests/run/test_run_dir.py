"""The run directory's layout: its default location."""

import pytest

from sac_tf.run.run_dir import default_root_dir
from tests.conftest import small_pendulum_config


@pytest.mark.parametrize("env_id, folder", [
    ("Pendulum-v1", "runs/sac_Pendulum-v1_seed3"),
    ("sac_tf/HybridPointMass-v0", "runs/sac_sac_tf_HybridPointMass-v0_seed3"),
    ("tests.fixtures.user_envs:PointMass", "runs/sac_tests.fixtures.user_envs_PointMass_seed3"),
])
def test_the_default_run_directory_is_one_folder_named_after_agent_env_and_seed(env_id, folder):
    assert default_root_dir(small_pendulum_config(env_id=env_id, seed=3)) == folder
