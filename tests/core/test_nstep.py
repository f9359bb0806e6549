"""n-step windows (`sac_tf.core.nstep`, `ReplayBuffer(n_step > 1)`), checked against a numpy
reference that walks each env's own list of steps (not the buffer's rows)."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core.replay_buffer import ReplayBuffer, StagedWriter
from sac_tf.core.types import NStepTransition, Transition

GAMMA = 0.9


def env_steps(length, seed, terminate=(), truncate=()):
    """One env's steps: rewards, terminated and truncated flags."""
    rng = np.random.default_rng(seed)
    terminated = np.isin(np.arange(length), terminate).astype(np.float32)
    truncated = np.isin(np.arange(length), truncate)
    return rng.normal(size=length).astype(np.float32), terminated, truncated


def reference(steps, t, n, gamma=GAMMA):
    """SB3's n-step target terms of step t of one env's list: (reward sum, discount, index of
    the step bootstrapped from)."""
    reward, terminated, truncated = steps
    total, k = 0.0, 0
    while True:
        total += gamma ** k * reward[t + k]
        ended = terminated[t + k] or truncated[t + k]
        if k + 1 == n or ended or t + k + 1 == len(reward):
            return total, gamma ** (k + 1) * (1.0 - terminated[t + k]), t + k
        k += 1


def fill(buffer, envs, nested=False):
    """Writes the envs' steps in vector steps, env by env; observation = 1000·env + t,
    next_observation = that + 0.5 (or as the leaves of a dict)."""
    length = len(envs[0][0])
    for t in range(length):
        ids = np.array([1000.0 * env + t for env in range(len(envs))], np.float32)
        obs, next_obs = ids[:, None], ids[:, None] + 0.5
        if nested:
            obs = {"a": np.repeat(obs, 2, 1), "b": np.repeat(obs, 3, 1) * 2}
            next_obs = {"a": np.repeat(next_obs, 2, 1), "b": np.repeat(next_obs, 3, 1) * 2}
        transition = Transition(obs, np.zeros((len(envs), 1), np.float32),
                                np.array([steps[0][t] for steps in envs]), next_obs,
                                np.array([steps[1][t] for steps in envs]))
        ends = np.array([steps[1][t] > 0 or steps[2][t] for steps in envs])
        buffer.add_batch(transition, ends)


def check(batch, envs, n, first_kept=0):
    ids = (batch.observation["a"][:, 0] if isinstance(batch.observation, dict)
           else batch.observation[:, 0]).numpy().astype(int)
    next_ids = (batch.next_observation["a"][:, 0] if isinstance(batch.observation, dict)
                else batch.next_observation[:, 0]).numpy()
    for row, sample in enumerate(ids):
        env, t = divmod(sample, 1000)
        assert t >= first_kept
        total, discount, last = reference(envs[env], t, n)
        np.testing.assert_allclose(batch.reward.numpy()[row], total, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(batch.discount.numpy()[row], discount, rtol=1e-6)
        assert next_ids[row] == 1000 * env + last + 0.5
        assert batch.terminated.numpy()[row] == envs[env][1][last]


def test_windows_stop_at_terminations_truncations_and_the_newest_step():
    # terminated at 3, truncated at 8, window of 4: cut inside the window either way;
    # the last steps (12, 13) reach the newest transition
    envs = [env_steps(14, seed=0, terminate=[3], truncate=[8])]
    buffer = ReplayBuffer(1, 1, capacity=32, seed=0, n_step=4, gamma=GAMMA)
    fill(buffer, envs)
    batch = buffer.sample(400)
    assert isinstance(batch, NStepTransition)
    check(batch, envs, n=4)
    assert set(batch.observation.numpy()[:, 0].astype(int)) == set(range(14))


def test_two_envs_interleave_and_the_ring_wraps():
    envs = [env_steps(30, seed=1, terminate=[7, 20], truncate=[12]),
            env_steps(30, seed=2, terminate=[25], truncate=[4, 15])]
    # 60 rows in a ring of 40 (not a multiple of anything): the first 10 vector steps are gone
    buffer = ReplayBuffer(1, 1, capacity=40, seed=3, n_step=3, gamma=GAMMA, num_envs=2)
    fill(buffer, envs)
    batch = buffer.sample(600)
    check(batch, envs, n=3, first_kept=10)
    assert len(set(batch.observation.numpy()[:, 0].astype(int))) == 40


def test_nested_observations_with_n_step_3():
    envs = [env_steps(10, seed=4, terminate=[5])]
    leaves = {"a": tf.TensorSpec([2], tf.float32, name="a"),
              "b": tf.TensorSpec([3], tf.float32, name="b")}
    buffer = ReplayBuffer(leaves, 1, capacity=16, seed=0, n_step=3, gamma=GAMMA)
    fill(buffer, envs, nested=True)
    batch = buffer.sample(200)
    check(batch, envs, n=3)
    np.testing.assert_array_equal(batch.next_observation["b"].numpy(),
                                  2 * np.repeat(batch.next_observation["a"].numpy()[:, :1], 3, 1))


def test_a_restored_buffer_ends_its_newest_step_and_n_step_1_stores_no_flags():
    assert not any("episode_end" in v.name for v in ReplayBuffer(1, 1, 8, seed=0).variables)
    envs = [env_steps(5, seed=5), env_steps(5, seed=6)]
    buffer = ReplayBuffer(1, 1, capacity=16, seed=0, n_step=5, gamma=GAMMA, num_envs=2)
    fill(buffer, envs)
    buffer.end_newest_episodes()
    fill(buffer, [env_steps(5, seed=7), env_steps(5, seed=8)])  # a new start, same ids
    batch = buffer.sample(300)
    ids = batch.observation.numpy()[:, 0].astype(int)
    reward = batch.reward.numpy()
    for row in np.flatnonzero(ids % 1000 == 4):  # both writes' last steps: one step each
        assert batch.discount.numpy()[row] == pytest.approx(GAMMA)
    assert np.isin(reward[ids % 1000 == 4], np.concatenate(
        [s[0][4:] for s in (env_steps(5, seed=k) for k in (5, 6, 7, 8))])).all()


def test_staged_writer_passes_episode_ends_and_whole_vector_steps_are_required():
    buffer = ReplayBuffer(1, 1, capacity=16, seed=0, n_step=2, gamma=GAMMA, num_envs=2)
    writer = StagedWriter(buffer)
    step = Transition(np.zeros((2, 1), np.float32), np.zeros((2, 1), np.float32),
                      np.ones(2, np.float32), np.zeros((2, 1), np.float32), np.zeros(2, np.float32))
    writer(step, np.array([True, False]))
    writer(step, np.array([False, False]))
    writer.flush()
    np.testing.assert_array_equal(buffer._episode_end.numpy()[:4], [1, 0, 0, 0])
    with pytest.raises(ValueError, match="num_envs"):
        buffer.add_batch(tf.nest.map_structure(lambda x: x[:1], step))
