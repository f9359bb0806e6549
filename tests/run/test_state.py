"""`RunState`: what a checkpoint of a run holds and restores."""

from sac_tf.run.run_dir import read_run_spec
from sac_tf.run.state import RunState
from tests.conftest import (assert_same_checkpoint_values, checkpoint_values,
                            run_training_with_export, small_pendulum_config)


def test_a_checkpoint_restores_every_variable_of_agent_buffer_and_counters(tmp_path):
    config = small_pendulum_config(num_steps=300)
    run_training_with_export(config, tmp_path / "run")
    saved = checkpoint_values(tmp_path / "run" / "checkpoints" / "ckpt-300")
    assert saved["env_step/.ATTRIBUTES/VARIABLE_VALUE"] == 300
    assert saved["replay_buffer/_size/.ATTRIBUTES/VARIABLE_VALUE"] == 300
    assert saved["agent/critic_optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE"] > 0
    state = RunState.create(config, read_run_spec(tmp_path / "run", config))
    assert state.checkpointer(tmp_path / "run").restore_latest()
    resaved = state.checkpointer(tmp_path / "copy").save(300)
    assert_same_checkpoint_values(saved, checkpoint_values(resaved))
