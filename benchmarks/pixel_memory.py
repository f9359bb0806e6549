"""Resident memory of a 100,000-transition replay buffer of 84×84 RGB frames stacked 3 deep.

    python benchmarks/pixel_memory.py

Prints the process's resident set size (VmRSS) before and after creating the buffer
(`sac_tf.core.frames.FrameReplayBuffer`, frames stored once), and the difference: the
buffer's own cost, TensorFlow's start-up excluded.
"""

import gymnasium as gym
import numpy as np

from sac_tf.core.frames import FrameReplayBuffer
from sac_tf.core.specs import spec_from_spaces


def resident_gb() -> float:
    """This process's VmRSS in GB (10⁹ bytes)."""
    status = open("/proc/self/status").read()
    return int(status.split("VmRSS:")[1].split()[0]) * 1024 / 1e9


def main():
    space = gym.spaces.Dict({"pixels": gym.spaces.Box(0, 255, (84, 84, 9), np.uint8)})
    spec = spec_from_spaces(space, gym.spaces.Box(-1, 1, (1,)))
    before = resident_gb()
    buffer = FrameReplayBuffer(spec.observation_nest, spec.action_dim, capacity=100_000, seed=0,
                               frame_stack=3)
    after = resident_gb()
    print(f"resident before {before:.2f} GB, after {after:.2f} GB: the buffer "
          f"({buffer.capacity:,} transitions) takes {after - before:.2f} GB")


if __name__ == "__main__":
    main()
