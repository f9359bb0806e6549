"""Small environments shipped with the package, for tests and demos.

`HybridPointMass` (registered as `sac_tf/HybridPointMass-v0`) needs a hybrid
action: a discrete direction and a continuous speed.
"""

import gymnasium as gym
import numpy as np

#: Largest move per step, in position units.
MAX_STEP = 0.1


class HybridPointMass(gym.Env):
    """A point on [-1, 1] that must reach a goal, moving by a direction and a speed.

    Observation: float32 `[position, goal]`, both uniform in [-1, 1] at reset.
    Action: `{"direction": Discrete(2), "speed": Box(0, 1, (1,))}`; the point
    moves by `(+1 if direction else −1) · speed · MAX_STEP`, clipped to [-1, 1].
    Reward: −|position − goal| per step. Episodes are 50 steps (a truncation,
    never a termination). A uniformly random policy scores about −32 per
    episode; going straight to the goal at full speed and stopping on it, −2.9.
    `render_mode="rgb_array"` draws the track, the goal (green) and the point
    (blue) as a uint8 `[RENDER_HEIGHT, RENDER_WIDTH, 3]` frame; the track runs
    along `TRACK_ROW`, below the text box `sac_tf.evaluate --video` draws.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 20}
    RENDER_WIDTH, RENDER_HEIGHT, TRACK_ROW = 320, 128, 96

    def __init__(self, render_mode=None):
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        self.render_mode = render_mode
        self.observation_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)
        self.action_space = gym.spaces.Dict({
            "direction": gym.spaces.Discrete(2),
            "speed": gym.spaces.Box(0.0, 1.0, (1,), np.float32),
        })
        self._position = 0.0
        self._goal = 0.0

    def _observation(self) -> np.ndarray:
        return np.array([self._position, self._goal], np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self._position, self._goal = self.np_random.uniform(-1.0, 1.0, 2)
        return self._observation(), {}

    def step(self, action):
        sign = 1.0 if int(action["direction"]) == 1 else -1.0
        speed = float(np.clip(np.asarray(action["speed"]).reshape(-1)[0], 0.0, 1.0))
        self._position = float(np.clip(self._position + sign * speed * MAX_STEP, -1.0, 1.0))
        reward = -abs(self._position - self._goal)
        return self._observation(), reward, False, False, {}

    def render(self):
        if self.render_mode != "rgb_array":
            return None
        frame = np.full((self.RENDER_HEIGHT, self.RENDER_WIDTH, 3), 255, np.uint8)
        row = self.TRACK_ROW
        frame[row - 1:row + 2, :] = 160  # the track [-1, 1]
        for x, colour, half_size in ((self._goal, (40, 170, 60), 10), (self._position,
                                                                       (40, 90, 220), 6)):
            column = int(round((x + 1.0) / 2.0 * (self.RENDER_WIDTH - 1)))
            frame[row - half_size:row + half_size + 1,
                  max(column - half_size, 0):column + half_size + 1] = colour
        return frame


def register() -> None:
    """Registers the environments above with gymnasium (idempotent)."""
    if "sac_tf/HybridPointMass-v0" not in gym.registry:
        gym.register("sac_tf/HybridPointMass-v0", entry_point=HybridPointMass,
                     max_episode_steps=50)
