"""`RunState`: what a checkpoint of a run holds and restores."""

import pytest

from sac_tf.core import memory
from sac_tf.errors import UserError
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


def test_restoring_needs_room_for_the_saved_buffer_beside_the_new_one(tiny_run, monkeypatch):
    """The free memory after the new buffer was filled must hold the checkpoint's values."""
    monkeypatch.setattr(memory, "available_bytes", iter([10 ** 10, 1_000]).__next__)
    monkeypatch.setattr(memory, "cgroup_free_bytes", lambda: None)
    monkeypatch.setattr(memory.tf.config, "list_logical_devices", lambda kind=None: [])
    with pytest.raises(UserError, match="loading the replay buffer from its checkpoint needs"):
        RunState.restore(tiny_run)
