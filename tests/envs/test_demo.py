"""The shipped hybrid-action task, `sac_tf/HybridPointMass-v0`."""

import gymnasium as gym
import numpy as np

from sac_tf.deploy.video import annotate
from tests.agents.test_sac import HYBRID_ID


def test_hybrid_env_passes_the_gymnasium_checker():
    from gymnasium.utils.env_checker import check_env

    check_env(gym.make(HYBRID_ID).unwrapped)


def test_hybrid_env_renders_the_goal_and_the_point_where_they_are():
    env = gym.make(HYBRID_ID, render_mode="rgb_array")
    (position, goal), _ = env.reset(seed=3)
    frame = env.render()
    assert frame.shape == (128, 320, 3) and frame.dtype == np.uint8
    row = frame[96]
    for x, colour in ((goal, (40, 170, 60)), (position, (40, 90, 220))):
        column = int(round((x + 1.0) / 2.0 * 319))
        assert tuple(row[column]) == colour
        assert tuple(frame[96 - 6, column]) == tuple(frame[96 + 6, column]) == colour  # centred
    # the text box of evaluate's video leaves the track, goal and point in sight
    annotated = annotate(frame, ["episode 1/1  step 50", "reward -0.123", "return -12.34"])
    np.testing.assert_array_equal(annotated[80:], frame[80:])
