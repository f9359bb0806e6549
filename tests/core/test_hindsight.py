"""`HindsightWriter`: "future" relabelling of a hand-made episode, checked step by step, with
one-step rows and with n-step windows under each relabelled goal."""

import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core.hindsight import HindsightState, HindsightWriter
from sac_tf.core.replay_buffer import ReplayBuffer, concatenate
from sac_tf.core.types import NStepTransition, Transition

NEST = {key: tf.TensorSpec((size,), tf.float32, name=key)
        for key, size in (("achieved_goal", 1), ("desired_goal", 1), ("observation", 2))}
K = 3


def reward_of(achieved, desired, info):
    """A sparse reward that tells the goals apart: −1 unless within 0.1."""
    assert len(info) == len(achieved)  # one info per row: a vectorised call
    return -(np.abs(np.asarray(achieved) - np.asarray(desired))[..., 0] > 0.1).astype(np.float32)


def step(t, goal=9.0):
    """Step t of an episode: the agent sits at position t and moves to t + 1 (its achieved
    goal), towards a desired goal it never reaches."""
    observation = lambda position: {"achieved_goal": np.array([[position]], np.float32),
                                    "desired_goal": np.array([[goal]], np.float32),
                                    "observation": np.array([[position, -position]], np.float32)}
    return Transition(observation(t), np.array([[0.1 * t, 0.0]], np.float32),
                      np.array([-1.0], np.float32), observation(t + 1),
                      np.array([0.0], np.float32))


def writer_with_buffer(seed=0, k=K, n_step=1, gamma=0.5, **kwargs):
    windows = dict(n_step=n_step, gamma=gamma, stored_windows=True) if n_step > 1 else {}
    buffer = ReplayBuffer(NEST, 2, capacity=100, seed=0, **windows)
    state = HindsightState(NEST, 2, seed=seed)
    writer = HindsightWriter(buffer, state, reward_of, k, num_envs=1, **kwargs)
    return writer, buffer, state


def stored(buffer):
    """The buffer's rows in insertion order (it holds fewer than its capacity); with
    stored n-step windows an `NStepTransition`."""
    size = int(buffer.size)
    rows = tf.nest.map_structure(lambda v: v.numpy()[:size], buffer._columns())
    if buffer.stored_windows:
        return NStepTransition(*rows, discount=buffer._discount.numpy()[:size])
    return rows


def test_future_goals_rewards_and_the_kept_originals_of_a_four_step_episode():
    writer, buffer, state = writer_with_buffer(seed=7)
    for t in range(4):
        writer(step(t), np.array([t == 3]))
    writer.flush()
    rows = stored(buffer)
    assert int(buffer.size) == 4 + 4 * K

    # the originals come first, unchanged
    originals = concatenate([step(t) for t in range(4)])
    for got, want in zip(tf.nest.flatten(tf.nest.map_structure(lambda c: c[:4], rows)),
                         tf.nest.flatten(originals)):
        np.testing.assert_array_equal(got, want)

    # the draws: t' = t + floor(u (T − t)) with u from the state's generator (seed 7)
    u = tf.random.Generator.from_seed(7).uniform([4 * K], dtype=tf.float64).numpy()
    t = np.repeat(np.arange(4), K)
    future = t + np.floor(u * (4 - t)).astype(int)
    assert np.all((future >= t) & (future <= 3))

    relabelled = tf.nest.map_structure(lambda c: c[4:], rows)
    # the new goal is the achieved goal after step t', i.e. position t' + 1, in s and s'
    np.testing.assert_array_equal(relabelled.observation["desired_goal"][:, 0], future + 1)
    np.testing.assert_array_equal(relabelled.next_observation["desired_goal"][:, 0], future + 1)
    # everything else is step t's, repeated K times
    np.testing.assert_array_equal(relabelled.observation["observation"][:, 0], t)
    np.testing.assert_array_equal(relabelled.next_observation["achieved_goal"][:, 0], t + 1)
    np.testing.assert_array_equal(relabelled.action[:, 0], (0.1 * t).astype(np.float32))
    # reward: compute_reward(achieved after t, new goal): 0 exactly when t' = t
    np.testing.assert_array_equal(relabelled.reward, np.where(future == t, 0.0, -1.0))
    np.testing.assert_array_equal(relabelled.terminated, 0.0)


def test_the_last_step_always_relabels_with_its_own_outcome():
    writer, buffer, _ = writer_with_buffer()
    for t in range(3):
        writer(step(t), np.array([t == 2]))
    writer.flush()
    last = tf.nest.map_structure(lambda c: c[3 + 2 * K:], stored(buffer))
    np.testing.assert_array_equal(last.observation["desired_goal"][:, 0], [3.0] * K)
    np.testing.assert_array_equal(last.reward, [0.0] * K)


def test_compute_terminated_decides_the_relabelled_terminal_flag():
    writer, buffer, _ = writer_with_buffer(
        compute_terminated=lambda achieved, desired, info: abs(achieved[0] - desired[0]) < 0.1)
    for t in range(2):
        writer(step(t), np.array([t == 1]))
    writer.flush()
    relabelled = tf.nest.map_structure(lambda c: c[2:], stored(buffer))
    np.testing.assert_array_equal(relabelled.terminated, relabelled.reward + 1.0)


@pytest.mark.parametrize("n_step", [1, 3])
def test_an_episode_in_progress_survives_a_checkpoint_and_relabels_as_uninterrupted(
        tmp_path, n_step):
    """Steps 0–1 are written and checkpointed; a writer restored from that checkpoint
    finishes the episode exactly as the uninterrupted writer does."""
    uninterrupted, buffer_a, _ = writer_with_buffer(seed=5, n_step=n_step)
    interrupted, buffer_b, state_b = writer_with_buffer(seed=5, n_step=n_step)
    for t in range(2):
        for writer in (uninterrupted, interrupted):
            writer(step(t), np.array([False]))
    interrupted.flush()
    path = tf.train.Checkpoint(buffer=buffer_b, her=state_b).save(str(tmp_path / "ckpt"))

    resumed, buffer_c, state_c = writer_with_buffer(seed=99, n_step=n_step)  # from the ckpt
    tf.train.Checkpoint(buffer=buffer_c, her=state_c).restore(path).assert_consumed()
    resumed = HindsightWriter(buffer_c, state_c, reward_of, K, num_envs=1)
    for t in (2, 3):
        for writer in (uninterrupted, resumed):
            writer(step(t), np.array([t == 3]))
    uninterrupted.flush()
    resumed.flush()
    for got, want in zip(tf.nest.flatten(stored(buffer_c)), tf.nest.flatten(stored(buffer_a))):
        np.testing.assert_array_equal(got, want)


def test_observation_statistics_count_only_real_transitions():
    seen = []
    writer, _, _ = writer_with_buffer(on_write=lambda rows: seen.append(len(rows.reward)))
    for t in range(2):
        writer(step(t), np.array([t == 1]))
    writer.flush()
    assert seen == [2]


def test_one_row_per_env_is_required():
    writer, _, _ = writer_with_buffer()
    with pytest.raises(ValueError, match="one transition per env"):
        writer(concatenate([step(0), step(1)]), np.array([False, False]))


def reference_window(t, goal, length, n_step, gamma, terminal_at_goal):
    """Step by step: the window of step t under `goal` (None: the stored −1 rewards, never
    terminal) → (reward sum, steps m, terminated). The achieved goal after step s is s + 1."""
    total, terminated = 0.0, False
    for j in range(n_step):
        s = t + j
        if s >= length:
            break
        reached = goal is not None and abs(s + 1 - goal) <= 0.1
        total += gamma ** j * (0.0 if reached else -1.0)
        terminated = terminal_at_goal and reached
        if terminated:
            return total, j + 1, terminated
    return total, min(n_step, length - t), terminated


@pytest.mark.parametrize("terminal_at_goal", [False, True])
def test_n_step_windows_follow_each_goal_to_the_episode_end_or_its_termination(
        terminal_at_goal):
    """A 5-step episode, n = 3, γ = 0.5: the real windows come first (written at the
    episode's end, none before), then K relabelled windows per step, each summing the
    rewards of its own goal; `compute_terminated` (when given) cuts a window at its goal."""
    extra = dict(compute_terminated=lambda achieved, desired, info:
                 abs(achieved[0] - desired[0]) <= 0.1) if terminal_at_goal else {}
    length, n_step, gamma = 5, 3, 0.5
    seen = []
    writer, buffer, _ = writer_with_buffer(seed=3, n_step=n_step, gamma=gamma,
                                           on_write=lambda rows: seen.append(rows), **extra)
    for t in range(length):
        writer(step(t), np.array([t == length - 1]))
        if t == 2:
            writer.flush()
            assert int(buffer.size) == 0 and not seen  # real rows wait for the episode's end
    writer.flush()
    rows = stored(buffer)
    assert int(buffer.size) == length * (1 + K)
    assert len(seen) == 1 and isinstance(seen[0], Transition)  # the real one-step rows
    np.testing.assert_array_equal(seen[0].reward, [-1.0] * length)

    u = tf.random.Generator.from_seed(3).uniform([length * K], dtype=tf.float64).numpy()
    starts = np.concatenate([np.arange(length), np.repeat(np.arange(length), K)])
    future = starts[length:] + np.floor(u * (length - starts[length:])).astype(int)
    goals = np.concatenate([np.full(length, np.nan), future + 1.0])  # nan: the real goal 9
    for row, (t, goal) in enumerate(zip(starts, goals)):
        real = np.isnan(goal)
        reward, m, terminated = reference_window(
            t, None if real else goal, length, n_step, gamma, terminal_at_goal and not real)
        assert rows.reward[row] == pytest.approx(reward), row
        assert rows.discount[row] == pytest.approx(0.0 if terminated else gamma ** m), row
        assert rows.terminated[row] == float(terminated)
        np.testing.assert_array_equal(rows.observation["observation"][row], [t, -t])
        np.testing.assert_array_equal(rows.next_observation["achieved_goal"][row], [t + m])
        np.testing.assert_array_equal(rows.action[row], np.float32([0.1 * t, 0.0]))
        want_goal = 9.0 if real else goal
        assert rows.observation["desired_goal"][row, 0] == want_goal
        assert rows.next_observation["desired_goal"][row, 0] == want_goal
    if terminal_at_goal:  # some window is cut by its goal before the episode's end
        assert np.any((rows.terminated == 1.0) & (rows.next_observation["achieved_goal"][:, 0]
                                                  < np.minimum(starts + n_step, length)))


def test_n_step_windows_that_reach_a_real_termination_do_not_bootstrap():
    """The episode's last step terminated (stored flag 1): every window that reaches it, real
    or relabelled (no compute_terminated: the stored flag), has discount 0; others γ^m."""
    writer, buffer, _ = writer_with_buffer(k=2, n_step=3, gamma=0.5)
    for t in range(5):
        row = step(t)
        if t == 4:
            row = row._replace(terminated=np.array([1.0], np.float32))
        writer(row, np.array([t == 4]))
    writer.flush()
    rows = stored(buffer)
    starts = np.concatenate([np.arange(5), np.repeat(np.arange(5), 2)])
    reaches_end = starts + 3 > 4
    np.testing.assert_array_equal(rows.terminated, reaches_end.astype(np.float32))
    np.testing.assert_allclose(rows.discount, np.where(reaches_end, 0.0, 0.5 ** 3))
    np.testing.assert_array_equal(rows.reward[:5], [-1.75, -1.75, -1.75, -1.5, -1.0])
