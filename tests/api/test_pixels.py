"""A pixel agent through the Python API: it learns in the fused learner on frames stored once
with the random shift, saves and loads bit-exactly, and exports a policy that takes uint8
images and acts as trained; float images are refused."""

import numpy as np
import pytest

import sac_tf
from sac_tf.deploy.saved_policy import load_policy, policy_inputs
from sac_tf.errors import UserError
from tests.api.test_nested_observations import collect
from tests.conftest import assert_same_checkpoint_values, checkpoint_values
from tests.fixtures.pixel_envs import SquarePixels

SETTINGS = dict(hidden_sizes=(16, 16), batch_size=8, buffer_capacity=500, learner_compile="graph",
                frame_stack=2, image_shift=2)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    env = SquarePixels(size=20, frames=2)
    agent = sac_tf.SAC.from_env(env, seed=0, **SETTINGS)
    collect(agent, env, episodes=3)
    losses = agent.learn(6)
    return agent, env, losses, tmp_path_factory.mktemp("pixels")


def test_frames_are_stored_once_and_the_agent_learns(trained):
    agent, _, losses, _ = trained
    buffer = agent.tf_agent and agent._state.replay_buffer
    assert len(agent.replay_buffer) == 24
    assert int(buffer._frames_written) == 24 + 3 * 2  # one a step, a stack per episode
    assert np.isfinite(losses["critic_loss"])


def test_save_load_continues_bit_exactly_with_the_shift_generator(trained):
    agent, _, _, root = trained
    prefix = agent.save(root / "run")
    names = checkpoint_values(prefix)
    assert any("image_shift" in name for name in names)
    loaded = sac_tf.SAC.load(root / "run")
    assert_same_checkpoint_values(names, checkpoint_values(loaded.save(root / "b")))
    assert loaded.learn(2) == agent.learn(2)  # same batches, same shifts, same updates


def test_the_export_takes_uint8_images_and_acts_as_trained(trained):
    agent, env, _, root = trained
    policy_dir = agent.export(root / "policy")
    images = {"pixels": np.random.default_rng(1).integers(0, 256, (4, 20, 20, 6), np.uint8)}
    expected = agent.select_action(images, deterministic=True)
    metadata, loaded = load_policy(policy_dir)
    serve = loaded.signatures["serving_default"]
    assert serve.structured_input_signature[1]["pixels"].dtype.name == "uint8"
    np.testing.assert_allclose(serve(**policy_inputs(metadata, images))["action"].numpy(),
                               expected, atol=1e-6)


def test_a_float_image_is_refused(trained):
    agent, env, _, _ = trained
    obs, _ = env.reset(seed=0)
    with pytest.raises(UserError, match="must be uint8"):
        agent.select_action({"pixels": obs["pixels"].astype(np.float32) / 255})
