"""DeepMind Control Suite tasks from pixels, as gymnasium envs: `dmc/DOMAIN-TASK-v0`.

`DmcPixels` renders the task's camera to `size`×`size` RGB after every step, stacks the
last `frame_stack` frames on the channel axis and repeats each action `action_repeat`
times (summing the rewards), as DrQ (Kostrikov et al. 2020) and DrQ-v2 do. The observation
is a `Dict` with one uint8 leaf, `pixels` `[size, size, 3 · frame_stack]`; a reset fills
the stack with its first frame repeated (DrQ's `FrameStack`). An episode of the suite's
1,000 physics steps is `1,000 / action_repeat` env steps, truncated at its end (the suite
has no terminal states in these tasks; a `discount` of 0 at the last step would terminate).

Requires `pip install -e ".[dmc]"` (dm-control 1.0.50 on mujoco 3: it fails on mujoco 4).
Render headless with `MUJOCO_GL=egl` (the default without a display) or `osmesa`.
"""

import collections

import gymnasium as gym
import numpy as np

from sac_tf.envs.rendering import prepare_mujoco_rendering
from sac_tf.errors import UserError

#: The gymnasium id prefix of the suite's tasks: `dmc/cartpole-swingup-v0`.
PREFIX = "dmc/"
#: DrQ's action repeat per task (Kostrikov et al. 2020, appendix; PlaNet's benchmark);
#: tasks not listed get 4.
ACTION_REPEAT = {"cartpole-swingup": 8, "reacher-easy": 4, "cheetah-run": 4,
                 "walker-walk": 2, "finger-spin": 2, "ball_in_cup-catch": 4}


def load_suite():
    """dm_control's suite, with rendering prepared; a one-line `UserError` when missing."""
    prepare_mujoco_rendering()
    try:
        from dm_control import suite
    except ImportError as error:
        raise UserError(f"DeepMind Control tasks need dm-control: pip install -e \".[dmc]\" "
                        f"in its own environment (mujoco 3) ({error})") from None
    return suite


class DmcPixels(gym.Env):
    """A DeepMind Control task seen through its camera (module docstring).

    Args:
      task: `DOMAIN-TASK`, e.g. `cartpole-swingup`.
      size: image height and width in pixels (DrQ: 84).
      frame_stack: frames per observation (DrQ: 3).
      action_repeat: physics steps per env step (None: DrQ's for the task).
      camera_id: the camera rendered (DrQ: 0, and 2 for quadruped, which its ids set).
      render_mode: `rgb_array` renders a larger view for videos.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 30}

    def __init__(self, task: str = "cartpole-swingup", size: int = 84, frame_stack: int = 3,
                 action_repeat=None, camera_id: int = 0, render_mode=None):
        domain, _, task_name = task.partition("-")
        suite = load_suite()
        if (domain, task_name) not in suite.ALL_TASKS:
            raise UserError(f"unknown DeepMind Control task {task!r}; known: "
                            f"{', '.join(f'{d}-{t}' for d, t in sorted(suite.ALL_TASKS))}")
        try:
            self._env = suite.load(domain, task_name, task_kwargs={"random": 0})
        except AttributeError as error:  # dm-control 1.0.50's bindings on mujoco 4
            raise UserError(f"dm-control cannot load {task!r} on this mujoco ({error}); install "
                            f"the dmc extra in its own environment: pip install -e \".[dmc]\"") \
                from None
        self.size, self.frame_stack, self.camera_id = int(size), int(frame_stack), camera_id
        self.action_repeat = int(action_repeat or ACTION_REPEAT.get(task, 4))
        self.render_mode = render_mode
        spec = self._env.action_spec()
        self.action_space = gym.spaces.Box(spec.minimum.astype(np.float32),
                                           spec.maximum.astype(np.float32), dtype=np.float32)
        self.observation_space = gym.spaces.Dict({"pixels": gym.spaces.Box(
            0, 255, (self.size, self.size, 3 * self.frame_stack), np.uint8)})
        self._frames = collections.deque(maxlen=self.frame_stack)

    def _frame(self) -> np.ndarray:
        return self._env.physics.render(self.size, self.size, camera_id=self.camera_id)

    def _observation(self) -> dict:
        return {"pixels": np.concatenate(list(self._frames), axis=-1)}

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        if seed is not None:  # the task's own generator draws the initial state
            self._env.task.random.seed(seed)
        self._env.reset()
        frame = self._frame()
        for _ in range(self.frame_stack):
            self._frames.append(frame)
        return self._observation(), {}

    def step(self, action):
        reward, terminated, truncated = 0.0, False, False
        for _ in range(self.action_repeat):
            time_step = self._env.step(action)
            reward += time_step.reward or 0.0
            if time_step.last():
                terminated = time_step.discount == 0.0
                truncated = not terminated
                break
        self._frames.append(self._frame())
        return self._observation(), reward, terminated, truncated, {}

    def render(self):
        return self._env.physics.render(480, 480, camera_id=self.camera_id)


def register_dmc(env_id: str) -> None:
    """Registers `env_id` (`dmc/DOMAIN-TASK-v0`) with gymnasium if it is not yet known."""
    if not env_id.startswith(PREFIX) or env_id in gym.registry:
        return
    name = env_id[len(PREFIX):]
    task = name[:-3] if name.endswith("-v0") else name
    camera = {"camera_id": 2} if task.startswith("quadruped-") else {}  # DrQ's view of it
    gym.register(env_id, entry_point="sac_tf.envs.dmc:DmcPixels", kwargs={"task": task, **camera})
