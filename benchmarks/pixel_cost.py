"""What a pixel SAC update costs on this CPU, beside the vector learner, and where it goes.

    python benchmarks/pixel_cost.py --rounds=3 --updates=4

Builds `configs/sac_pixels.py`'s agent (DrQ's encoder, 256-wide MLPs, 3 stacked RGB frames)
for 84×84 and 64×64 images at batch 128 and 256, fills a `FrameReplayBuffer` with random
frames, and times in each round, one setting after another: the fused learner (sample,
shift, update; TensorFlow graph with oneDNN, as the config runs it), in float32 and in mixed
bfloat16 (`precision`, AMX convolutions), in updates/s, and its
parts for one batch: sampling (frames gathered into stacks), the random shift, the critics'
conv stack forward, and forward + backward. The vector learner is SAC on a 17-dimensional
observation (HalfCheetah's) with `configs/sac_mujoco.py`'s networks, XLA-compiled as it
trains. Prints the median over rounds and the range; rounds reverse the settings' order, so a
drift of the machine's speed shows as a range rather than as a difference.
"""

import argparse
import pathlib
import sys
import time

import gymnasium as gym
import numpy as np
import tensorflow as tf

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from sac_tf.config import CONFIG_DIR, load_config  # noqa: E402
from sac_tf.core.specs import spec_from_spaces  # noqa: E402
from sac_tf.run.state import RunState  # noqa: E402
from sac_tf.core.types import Transition  # noqa: E402


def pixel_state(size: int, batch: int, precision: str = "float32") -> RunState:
    config = load_config(f"{CONFIG_DIR / 'sac_pixels.py'}")
    config.batch_size, config.buffer_capacity, config.precision = batch, 2_000, precision
    space = gym.spaces.Dict({"pixels": gym.spaces.Box(0, 255, (size, size, 9), np.uint8)})
    state = RunState.create(config, spec_from_spaces(space, gym.spaces.Box(-1, 1, (1,))))
    rng = np.random.default_rng(0)
    frame = lambda: rng.integers(0, 256, (1, size, size, 3), np.uint8)  # noqa: E731
    for _ in range(20):  # 20 episodes of 50 steps, written a step at a time as the loop does
        stack = np.concatenate([frame()] * 3, axis=-1)  # a reset repeats the first frame
        for t in range(50):
            next_stack = np.concatenate([stack[..., 3:], frame()], axis=-1)
            state.replay_buffer.add_batch(Transition(
                {"pixels": stack}, rng.uniform(-1, 1, (1, 1)).astype(np.float32),
                np.zeros(1, np.float32), {"pixels": next_stack}, np.zeros(1, np.float32)),
                np.array([t == 49]))
            stack = next_stack
    return state


def vector_state(batch: int) -> RunState:
    config = load_config(f"{CONFIG_DIR / 'sac_mujoco.py'}:HalfCheetah-v5")
    config.batch_size, config.buffer_capacity = batch, 2_000
    spec = spec_from_spaces(gym.spaces.Box(-np.inf, np.inf, (17,)), gym.spaces.Box(-1, 1, (6,)))
    state = RunState.create(config, spec)
    rng = np.random.default_rng(0)
    rows = lambda: rng.normal(size=(1_000, 17)).astype(np.float32)
    state.replay_buffer.add_batch(Transition(rows(), rng.uniform(-1, 1, (1_000, 6)).astype(
        np.float32), rng.normal(size=1_000).astype(np.float32), rows(), np.zeros(1_000, np.float32)))
    return state


def timed(function, repeats: int) -> float:
    """Seconds per call of `function` (after one warm-up call)."""
    function()
    start = time.perf_counter()
    for _ in range(repeats):
        function()
    return (time.perf_counter() - start) / repeats


def parts(state: RunState, repeats: int) -> dict:
    """Seconds per batch of each part of a pixel update (compiled as graphs)."""
    buffer, agent, shift = state.replay_buffer, state.agent, state.learner.augment
    batch_size = state.config.batch_size
    conv = agent.critics.encoder.leaf_layers["pixels"].conv
    batch = buffer.sample(batch_size)
    sample = tf.function(lambda: buffer.sample(batch_size).observation["pixels"])
    shifted = tf.function(lambda: shift(batch).observation["pixels"])
    forward = tf.function(lambda: conv(batch.observation["pixels"]))

    @tf.function
    def forward_backward():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(conv(batch.observation["pixels"]))
        return tape.gradient(loss, conv.trainable_variables)

    return {name: timed(fn, repeats) for name, fn in (
        ("sample_s", sample), ("shift_s", shifted), ("conv_forward_s", forward),
        ("conv_forward_backward_s", forward_backward))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--updates", type=int, default=4, help="pixel updates timed per round")
    args = parser.parse_args()
    settings = [("vector", None, 256, "float32")] + [
        ("pixels", size, batch, precision) for precision in ("float32", "mixed_bfloat16")
        for size in (84, 64) for batch in (128, 256)]
    states = {setting: (vector_state(setting[2]) if setting[0] == "vector"
                        else pixel_state(*setting[1:])) for setting in settings}
    results = {setting: [] for setting in settings}
    for round_index in range(args.rounds):
        order = list(states.items())
        for setting, state in (order if round_index % 2 == 0 else order[::-1]):
            updates = 200 if setting[0] == "vector" else args.updates
            seconds = timed(lambda: state.learner.run(updates), 1)
            row = {"updates_per_s": updates / seconds}
            if setting[0] == "pixels":
                row.update(parts(state, 3))
            results[setting].append(row)
            print(f"round {round_index + 1} {setting}: {row}", flush=True)
    print("\n| learner | precision | image | batch | updates/s: median [range] | sample | shift "
          "| conv fwd | conv fwd+bwd |\n|---|---|---|---|---|---|---|---|---|")
    for (kind, size, batch, precision), rows in results.items():
        cell = lambda key, scale=1.0: (
            f"{np.median([r[key] for r in rows]) * scale:,.2f} "
            f"[{min(r[key] for r in rows) * scale:,.2f}, {max(r[key] for r in rows) * scale:,.2f}]")
        times = ([cell(key, 1000) + " ms" for key in ("sample_s", "shift_s", "conv_forward_s",
                                                     "conv_forward_backward_s")]
                 if kind == "pixels" else ["—"] * 4)
        print(f"| {kind} | {precision} | {f'{size}×{size}' if size else '—'} | {batch} | "
              f"{cell('updates_per_s')} | {' | '.join(times)} |")


if __name__ == "__main__":
    main()
