"""Updates/s of SAC's fused learner on a GPU, float32 against mixed precision, XLA-compiled.

    python benchmarks/gpu_precision.py --out=$OUT/gpu_precision.json

One call measures everything (for a lent GPU machine with little time): for each batch
size (256, 1024) and critic width (256, 1024), the learner of `configs/sac_mujoco.py` on
HalfCheetah's shapes (17-dimensional observations, 6 actions) with `precision` float32,
mixed_float16 (loss scaling) and mixed_bfloat16, `learner_compile="xla"`, on random replay
data; `--train_every` updates per call (one host round trip), after one untimed call
(tracing, XLA compilation). Rounds alternate the order of the precisions; prints a
markdown table of the median updates/s with the range, and writes the rounds as JSON.
On a machine without a GPU it runs on the CPU (slowly; for checking the script).
"""

import argparse
import json
import pathlib
import statistics
import sys
import time

import gymnasium as gym
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from sac_tf.config import CONFIG_DIR, load_config  # noqa: E402
from sac_tf.core.specs import spec_from_spaces  # noqa: E402
from sac_tf.core.types import Transition  # noqa: E402
from sac_tf.run.state import RunState  # noqa: E402

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


def learner(precision: str, batch: int, width: int, train_every: int):
    """A fused learner of `precision` with a replay buffer of random HalfCheetah-shaped rows."""
    config = load_config(f"{CONFIG_DIR / 'sac_mujoco.py'}:HalfCheetah-v5")
    config.update(dict(batch_size=batch, buffer_capacity=10_000, train_every=train_every,
                       precision=precision, learner_compile="xla"))
    config.sac.critic_hidden_sizes = (width, width)
    spec = spec_from_spaces(gym.spaces.Box(-np.inf, np.inf, (17,)), gym.spaces.Box(-1, 1, (6,)))
    state = RunState.create(config, spec)
    rng = np.random.default_rng(0)
    rows = lambda: rng.normal(size=(10_000, 17)).astype(np.float32)  # noqa: E731
    state.replay_buffer.add_batch(Transition(
        rows(), rng.uniform(-1, 1, (10_000, 6)).astype(np.float32),
        rng.normal(size=10_000).astype(np.float32), rows(), np.zeros(10_000, np.float32)))
    return state.learner


def updates_per_s(learn, updates: int, calls: int) -> float:
    learn.run(updates).loss.numpy()  # trace and compile
    start = time.perf_counter()
    for _ in range(calls):
        info = learn.run(updates)
    info.loss.numpy()
    return updates * calls / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="256,1024")
    parser.add_argument("--widths", default="256,1024")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--train_every", type=int, default=50)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--out", default=None, help="JSON file for every round's figures.")
    args = parser.parse_args()
    import tensorflow as tf

    device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU (no GPU found)"
    results = []
    print(f"device: {device}\n| batch | critic width | "
          + " | ".join(PRECISIONS) + " | f16 / f32 | bf16 / f32 |\n|---|---|" + "---|" * 5)
    for batch in map(int, args.batches.split(",")):
        for width in map(int, args.widths.split(",")):
            learners = {p: learner(p, batch, width, args.train_every) for p in PRECISIONS}
            rounds = []
            for index in range(args.rounds):
                order = PRECISIONS if index % 2 == 0 else PRECISIONS[::-1]
                rounds.append({p: updates_per_s(learners[p], args.train_every, args.calls)
                               for p in order})
            results.append(dict(batch=batch, width=width, rounds=rounds))
            median = {p: statistics.median(r[p] for r in rounds) for p in PRECISIONS}
            cells = [f"{median[p]:.0f} [{min(r[p] for r in rounds):.0f}, "
                     f"{max(r[p] for r in rounds):.0f}]" for p in PRECISIONS]
            ratios = [statistics.median(r[p] / r["float32"] for r in rounds)
                      for p in PRECISIONS[1:]]
            print(f"| {batch} | {width} | {' | '.join(cells)} | "
                  f"{ratios[0]:.2f}× | {ratios[1]:.2f}× |", flush=True)
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(dict(device=device, results=results),
                                                     indent=2))


if __name__ == "__main__":
    main()
