"""`ReplayBuffer` and `StagedWriter`: ring storage, uniform sampling, checkpoints, the
free-memory check before allocating."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core import memory
from sac_tf.core.replay_buffer import ReplayBuffer, StagedWriter
from sac_tf.core.types import NStepTransition, Transition


def transitions(start, count, obs_dim=2, act_dim=1):
    """Transitions whose every field encodes its index, to check what is kept."""
    index = np.arange(start, start + count, dtype=np.float32)
    return Transition(np.repeat(index[:, None], obs_dim, 1), np.repeat(index[:, None], act_dim, 1),
                      index, np.repeat(index[:, None] + 0.5, obs_dim, 1), index % 2)


def stored_indices(buffer, draws=4000):
    batch = buffer.sample(draws)
    return batch.reward.numpy()


def test_size_grows_then_saturates_at_capacity():
    buffer = ReplayBuffer(2, 1, capacity=5, seed=0)
    assert int(buffer.size) == 0
    buffer.add_batch(transitions(0, 3))
    assert int(buffer.size) == 3
    buffer.add_batch(transitions(3, 4))
    assert int(buffer.size) == 5


def test_ring_overwrites_oldest_first():
    buffer = ReplayBuffer(2, 1, capacity=5, seed=0)
    buffer.add_batch(transitions(0, 3))
    buffer.add_batch(transitions(3, 4))  # 0 and 1 are overwritten by 5 and 6
    assert set(np.unique(stored_indices(buffer))) == {2.0, 3.0, 4.0, 5.0, 6.0}


def test_a_batch_larger_than_the_ring_keeps_its_newest_rows():
    buffer = ReplayBuffer(2, 1, capacity=5, seed=0)
    buffer.add_batch(transitions(0, 2))
    buffer.add_batch(transitions(2, 8))  # as if added one by one: 5..9 remain
    assert int(buffer.size) == 5
    assert set(np.unique(stored_indices(buffer))) == {5.0, 6.0, 7.0, 8.0, 9.0}


def test_sample_returns_whole_consistent_transitions():
    buffer = ReplayBuffer(2, 1, capacity=10, seed=0)
    buffer.add_batch(transitions(0, 7))
    batch = buffer.sample(64)
    index = batch.reward.numpy()
    np.testing.assert_array_equal(batch.observation.numpy(), np.repeat(index[:, None], 2, 1))
    np.testing.assert_array_equal(batch.next_observation.numpy()[:, 0], index + 0.5)
    np.testing.assert_array_equal(batch.action.numpy()[:, 0], index)
    np.testing.assert_array_equal(batch.terminated.numpy(), index % 2)


def test_sampling_is_uniform_over_stored_items():
    buffer = ReplayBuffer(2, 1, capacity=8, seed=1)
    buffer.add_batch(transitions(0, 8))
    counts = np.bincount(stored_indices(buffer, draws=80000).astype(int), minlength=8)
    expected = 10000.0
    chi_square = np.sum((counts - expected) ** 2 / expected)
    assert chi_square < 24.3  # p = 0.001 for 7 degrees of freedom


def test_checkpoint_restores_contents_and_position(tmp_path):
    buffer = ReplayBuffer(2, 1, capacity=4, seed=0)
    buffer.add_batch(transitions(0, 3))
    buffer.add_batch(transitions(3, 3))
    path = tf.train.Checkpoint(buffer=buffer).save(str(tmp_path / "ckpt"))
    restored = ReplayBuffer(2, 1, capacity=4, seed=5)
    tf.train.Checkpoint(buffer=restored).read(path).assert_existing_objects_matched()
    assert int(restored.size) == 4
    restored.add_batch(transitions(6, 1))  # overwrites 2, the oldest
    assert set(np.unique(stored_indices(restored))) == {3.0, 4.0, 5.0, 6.0}


def test_staged_writer_writes_on_flush_only():
    buffer = ReplayBuffer(2, 1, capacity=10, seed=0)
    writer = StagedWriter(buffer)
    writer(transitions(0, 1))
    writer(transitions(1, 2))
    assert int(buffer.size) == 0
    writer.flush()
    assert int(buffer.size) == 3
    assert set(np.unique(stored_indices(buffer))) == {0.0, 1.0, 2.0}


def test_stored_windows_are_sampled_as_written_with_their_discount(tmp_path):
    """With `stored_windows` (HER's n-step rows) the writer's `NStepTransition`s come back
    whole, discount included, whatever order they were written in; a checkpoint keeps
    the `discount` column and no `episode_end`."""
    buffer = ReplayBuffer(2, 1, capacity=8, seed=0, n_step=3, gamma=0.9, stored_windows=True)
    rows = transitions(0, 6)
    buffer.add_batch(NStepTransition(*rows, discount=np.arange(6, dtype=np.float32) / 10))
    sample = buffer.sample(64)
    assert isinstance(sample, NStepTransition)
    index = sample.reward.numpy().astype(int)  # rewards 0…5 name the rows
    np.testing.assert_allclose(sample.discount.numpy(), index / 10)
    np.testing.assert_array_equal(sample.observation.numpy()[:, 0], rows.observation[index, 0])
    names = [name for name, _ in tf.train.list_variables(
        tf.train.Checkpoint(buffer=buffer).save(str(tmp_path / "ckpt")))]
    assert any("_discount" in name for name in names)
    assert not any("_episode_end" in name for name in names)


NEST = {"image": tf.TensorSpec((4, 5, 3), tf.uint8, name="image"),
        "state": tf.TensorSpec((2,), tf.float64, name="state")}


@pytest.mark.parametrize("observation, n_step, stored_windows", [
    (3, 1, False), (NEST, 1, False), (NEST, 3, False), (NEST, 3, True)])
def test_storage_bytes_are_the_bytes_of_the_buffers_variables(observation, n_step,
                                                              stored_windows):
    buffer = ReplayBuffer(observation, 2, capacity=50, seed=0, n_step=n_step, gamma=0.9,
                          stored_windows=stored_windows)
    stored = sum(variable.numpy().nbytes for variable in buffer.variables)
    assert 0 <= stored - buffer.storage_bytes <= 64  # the counters and the generator's state


def test_a_buffer_larger_than_the_free_memory_is_refused_before_allocating(monkeypatch):
    monkeypatch.setattr(tf.config, "list_logical_devices", lambda kind=None: [])  # no GPU
    monkeypatch.setattr(memory, "free_memory_bytes", lambda: 10_000)
    with monkeypatch.context() as allocation:
        allocation.setattr(tf, "zeros", lambda *_, **__: pytest.fail("allocated first"))
        with pytest.raises(MemoryError, match=r"^the replay buffer \(1,000 transitions\) "
                                              r"needs 0.0 GB and 0.0 GB of memory is free$"):
            ReplayBuffer(3, 1, capacity=1_000, seed=0)  # 36 bytes a transition
    assert ReplayBuffer(3, 1, capacity=250, seed=0).storage_bytes == 9_000  # 90 % of 10,000
