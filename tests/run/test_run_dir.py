"""The run directory's layout: its default location; configs saved by earlier versions."""

import json

import pytest

from sac_tf.run.run_dir import CONFIG_FILE, default_root_dir, read_run_config
from tests.conftest import small_pendulum_config


@pytest.mark.parametrize("env_id, folder", [
    ("Pendulum-v1", "runs/sac_Pendulum-v1_seed3"),
    ("sac_tf/HybridPointMass-v0", "runs/sac_sac_tf_HybridPointMass-v0_seed3"),
    ("tests.fixtures.user_envs:PointMass", "runs/sac_tests.fixtures.user_envs_PointMass_seed3"),
])
def test_the_default_run_directory_is_one_folder_named_after_agent_env_and_seed(env_id, folder):
    assert default_root_dir(small_pendulum_config(env_id=env_id, seed=3)) == folder


@pytest.mark.parametrize("jit_compile, learner_compile", [(True, "xla"), (False, "graph")])
def test_a_saved_jit_compile_reads_back_as_learner_compile(tmp_path, jit_compile,
                                                           learner_compile):
    saved = json.loads(small_pendulum_config().to_json())
    del saved["learner_compile"]
    saved["jit_compile"] = jit_compile  # as runs saved it before learner_compile
    (tmp_path / CONFIG_FILE).write_text(json.dumps(saved))
    config = read_run_config(tmp_path)
    assert config.learner_compile == learner_compile and "jit_compile" not in config
