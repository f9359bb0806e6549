"""`SlowEnv`: an environment whose every step first waits, a stand-in for a slow simulator.

Distributed collection (`python -m sac_tf.train --collectors=K`) pays off when env steps
take longer than the learner's updates; with this wrapper that is measurable on a laptop:

    python -m sac_tf.train --config=configs/sac_pendulum.py --collectors=4 \\
        --collector_cpus=0.25 --env=sac_tf.envs.slow:SlowEnv \\
        --env_kwargs='{"wrapped_env_id": "Pendulum-v1", "step_latency_s": 0.02}'
"""

import time

import gymnasium as gym

from sac_tf.envs.making import make_env


class SlowEnv(gym.Wrapper):
    """`wrapped_env_id` made with `env_kwargs`, whose `step` sleeps `step_latency_s` seconds first.

    The sleep holds no CPU, as a simulator on another device or a robot would not.
    """

    def __init__(self, wrapped_env_id: str = "Pendulum-v1", step_latency_s: float = 0.02,
                 **env_kwargs):
        if not step_latency_s >= 0:
            raise ValueError(f"step_latency_s must be >= 0 seconds, got {step_latency_s}")
        super().__init__(make_env(wrapped_env_id, **env_kwargs))
        self.step_latency_s = float(step_latency_s)

    def step(self, action):
        time.sleep(self.step_latency_s)
        return self.env.step(action)
