"""`sac_tf.core.nests` and nested `EnvSpec`s: spaces → nests, JSON round trips, refusals,
and the replay buffer's per-leaf storage against a numpy reference."""

import gymnasium as gym
import numpy as np
import pytest
import tensorflow as tf

from sac_tf.core import nests
from sac_tf.core.replay_buffer import ReplayBuffer, concatenate
from sac_tf.core.specs import EnvSpec, spec_from_spaces
from sac_tf.core.types import Transition
from sac_tf.errors import UserError

BOX = lambda *shape: gym.spaces.Box(-1.0, 1.0, shape, np.float32)
ACTIONS = BOX(2)
NESTED = gym.spaces.Dict({"goal": BOX(3), "parts": gym.spaces.Tuple((BOX(2), BOX(2, 2)))})


def test_a_nested_space_becomes_named_leaf_specs_in_tf_nest_order():
    spec = spec_from_spaces(NESTED, ACTIONS)
    assert spec.is_nested and spec.observation_shape == (3 + 2 + 4,)
    assert nests.leaf_names(spec.observation_nest) == ["goal", "parts_0", "parts_1"]
    assert [s.shape for s in nests.leaf_specs(spec.observation_nest)] == [(3,), (2,), (2, 2)]
    batched = tf.nest.flatten(spec.observation_specs)
    assert [list(s.shape) for s in batched] == [[None, 3], [None, 2], [None, 2, 2]]


def test_env_spec_round_trips_through_json_with_its_nest():
    spec = spec_from_spaces(NESTED, ACTIONS)
    again = EnvSpec.from_dict(spec.to_dict())
    assert again.observation_nest == spec.observation_nest
    assert again.differences(spec) == []
    flat = spec_from_spaces(BOX(5), ACTIONS)
    assert "observation nest" in spec.differences(flat)[0]
    assert "observation_nest" not in flat.to_dict()  # a flat spec's JSON is as before


def test_a_flat_box_is_one_unnamed_leaf_as_before():
    spec = spec_from_spaces(BOX(5), ACTIONS)
    assert not spec.is_nested
    assert spec.observation_specs == tf.TensorSpec([None, 5], tf.float32, "observation")


@pytest.mark.parametrize("leaf", [gym.spaces.Discrete(3), gym.spaces.Text(5)])
def test_a_non_box_leaf_is_refused_by_name(leaf):
    with pytest.raises(UserError, match="unsupported observation leaf 'inner/mode'"):
        spec_from_spaces(gym.spaces.Dict({"inner": gym.spaces.Dict({"mode": leaf})}), ACTIONS)


def nested_transitions(start, count):
    """Rows whose every leaf encodes the row index (next observations + 0.5)."""
    index = np.arange(start, start + count, dtype=np.float32)
    observation = lambda shift: {"goal": np.repeat(index[:, None] + shift, 3, 1),
                                 "parts": (np.repeat(index[:, None] + shift, 2, 1) * -1,
                                           np.tile(index[:, None, None] + shift, (1, 2, 2)))}
    return Transition(observation(0.0), np.repeat(index[:, None], 2, 1), index,
                      observation(0.5), index % 2)


def test_buffer_holds_one_variable_per_leaf_and_samples_them_as_numpy_does():
    nest = spec_from_spaces(NESTED, ACTIONS).observation_nest
    buffer = ReplayBuffer(nest, 2, capacity=8, seed=3)
    names = sorted(v.name for v in buffer.variables if "observation" in v.name)
    assert names == sorted(f"{column}/{leaf}:0" for column in ("observation", "next_observation")
                           for leaf in ("goal", "parts_0", "parts_1"))
    buffer.add_batch(nested_transitions(0, 6))
    buffer.add_batch(nested_transitions(6, 4))  # rows 0 and 1 overwritten by 8 and 9
    batch = buffer.sample(16)

    # the numpy reference: the ring's contents, gathered at the generator's draws
    stored = concatenate([nested_transitions(8, 2), nested_transitions(2, 6)])
    indices = tf.random.Generator.from_seed(3).uniform([16], 0, 8, dtype=tf.int64).numpy()
    expected = tf.nest.map_structure(lambda column: column[indices], stored)
    for got, want in zip(tf.nest.flatten(batch), tf.nest.flatten(expected)):
        np.testing.assert_array_equal(got.numpy(), want)


def test_buffer_checkpoint_restores_every_leaf(tmp_path):
    nest = spec_from_spaces(NESTED, ACTIONS).observation_nest
    buffer = ReplayBuffer(nest, 2, capacity=8, seed=3)
    buffer.add_batch(nested_transitions(0, 5))
    path = tf.train.Checkpoint(buffer=buffer).save(str(tmp_path / "ckpt"))
    restored = ReplayBuffer(nest, 2, capacity=8, seed=3)
    tf.train.Checkpoint(buffer=restored).restore(path).assert_consumed()
    for got, want in zip(tf.nest.flatten(restored.sample(8)), tf.nest.flatten(buffer.sample(8))):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
