r"""Env steps per second collected by K Ray collectors from a slow simulator, beside the
single-process driver, in one run.

    python benchmarks/collect_scaling.py --collectors=1,2,4,8 --latency_s=0.02 --seconds=30

The simulator is `sac_tf.envs.slow:SlowEnv` around Pendulum-v1: every step sleeps
`--latency_s` first, as a simulator on other hardware or a robot would keep the process
waiting. What is timed is the whole collection path of `python -m sac_tf.train
--collectors=K`: each collector acts with a copy of the SAC actor network (its exploration
policy), sends chunks of `train_every` steps, and this process stages them into the replay
buffer and broadcasts the actor's weights after every chunk (`--weight_sync_interval=1`,
the default). The learner does not train here: with one update per env step it would be the
bottleneck, and this measures what the collectors deliver. Each setting first waits until
every collector has delivered a chunk (TensorFlow's start-up and tracing are not timed),
then counts the env steps staged in `--seconds` of wall time.
"""

import os
import time

from absl import app, flags, logging

from sac_tf import tf_setup

tf_setup.import_tensorflow_quietly()

from sac_tf.config import load_config  # noqa: E402
from sac_tf.core.acting import CompiledActions  # noqa: E402
from sac_tf.core.precision import compile_choice  # noqa: E402
from sac_tf.distributed import CollectorSettings  # noqa: E402
from sac_tf.distributed.collection import RayCollection  # noqa: E402
from sac_tf.distributed.ray_session import ray_session  # noqa: E402
from sac_tf.envs.making import env_spec, make_vector_env  # noqa: E402
from sac_tf.run.collection import LocalCollection  # noqa: E402
from sac_tf.run.state import RunState  # noqa: E402

flags.DEFINE_list("collectors", ["1", "2", "4", "8"], "Numbers of collectors to measure.")
flags.DEFINE_float("latency_s", 0.02, "Seconds each simulator step waits.")
flags.DEFINE_float("seconds", 30.0, "Timed wall seconds per setting.")
flags.DEFINE_float("collector_cpus", None,
                   "CPUs each collector reserves; default: the machine's CPUs / the most "
                   "collectors measured.")
FLAGS = flags.FLAGS


def benchmark_config():
    config = load_config("configs/sac_pendulum.py")
    config.env_id = "sac_tf.envs.slow:SlowEnv"
    config.env_kwargs = {"wrapped_env_id": "Pendulum-v1", "step_latency_s": FLAGS.latency_s}
    config.update(dict(learning_starts=0, num_steps=10**9))
    return config


def steps_per_s(collection, state, writer, seconds: float, warmup_chunks: int) -> float:
    """Env steps staged per wall second over `seconds`, after `warmup_chunks` chunks."""
    step = 0
    for _ in range(warmup_chunks):
        step += collection.collect(step)
        writer.flush()
        collection.learner_called()
    start, first = time.perf_counter(), step
    while time.perf_counter() - start < seconds:
        step += collection.collect(step)
        writer.flush()
        collection.learner_called()
    return (step - first) / (time.perf_counter() - start)


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)
    counts = [int(value) for value in FLAGS.collectors]
    cpus = os.cpu_count()
    collector_cpus = FLAGS.collector_cpus or cpus / max(counts)
    config = benchmark_config()
    env = make_vector_env(config.env_id, 1, config.env_kwargs)
    state = RunState.create(config, env_spec(env))
    writer = state.staged_writer()
    actions = CompiledActions.of(state.agent, state.spec.observation_dim,
                                compile_choice(config, state.spec)[0])
    local = LocalCollection(state, env, actions.explore, writer, start_step=0)
    rows = [("single-process driver", steps_per_s(local, state, writer, FLAGS.seconds, 2))]
    print(f"{rows[0][0]}: {rows[0][1]:.1f} env-steps/s", flush=True)
    with ray_session("local", "benchmark"):
        for count in counts:
            settings = CollectorSettings(count, "local", collector_cpus)
            collection = RayCollection(state, writer, 0, settings)
            try:
                rate = steps_per_s(collection, state, writer, FLAGS.seconds, 2 * count)
            finally:
                collection.close()
            rows.append((f"{count} collector(s)", rate))
            print(f"{rows[-1][0]}: {rate:.1f} env-steps/s", flush=True)
    one = dict(rows)["1 collector(s)"] if 1 in counts else None
    ideal = 1.0 / FLAGS.latency_s
    print(f"\nSAC actor acting in SlowEnv(Pendulum-v1), {FLAGS.latency_s * 1000:g} ms per step "
          f"(at most {ideal:.0f} env-steps/s per env), {FLAGS.seconds:g} s timed per setting, "
          f"{cpus} CPUs, {collector_cpus:g} CPU reserved per collector\n")
    print("| collection | env-steps/s | × 1 collector | of K × 1 collector |")
    print("|---|---|---|---|")
    for name, rate in rows:
        count = int(name.split()[0]) if name[0].isdigit() else None
        ratio = f"{rate / one:.2f}×" if one else "—"
        efficiency = f"{rate / (one * count):.0%}" if one and count else "—"
        print(f"| {name} | {rate:.1f} | {ratio} | {efficiency} |")


if __name__ == "__main__":
    app.run(main)
