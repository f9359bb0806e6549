r"""REDQ's update with only its drawn target critics computed, against all of them.

    TF_NUM_INTRAOP_THREADS=1 python benchmarks/redq_target_subset.py --env=Hopper-v5

`SacAgent` computes only the `target_subset_size` target critics it draws for
the Bellman target; the reference computes every target critic and takes the
drawn rows, as the code did before. Both run the `sac_redq` config's fused
XLA learner calls on one random replay buffer, interleaved in one process, and
the script prints ms per update of each and their ratio.
"""

import time

import numpy as np
from absl import app, flags, logging

flags.DEFINE_string("env", "Hopper-v5", "Environment id (for the observation and action sizes).")
flags.DEFINE_integer("calls", 10, "Learner calls per timing (each `updates_per_step` updates).")
flags.DEFINE_integer("repeats", 4, "Alternating timings of each variant.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)
    import sac_tf  # noqa: F401  (quiet TensorFlow import)
    import tensorflow as tf

    from sac_tf.agents.sac import SacAgent
    from sac_tf.config import CONFIG_DIR, load_config
    from sac_tf.envs.making import env_spec, make_env
    from sac_tf.core.learner import Learner
    from sac_tf.core.precision import compile_choice
    from sac_tf.core.replay_buffer import ReplayBuffer
    from sac_tf.core.types import Transition

    class WholeEnsembleTargetSac(SacAgent):
        """Every target critic computed, then the drawn rows gathered."""

        def target_subset(self):
            self.drawn = super().target_subset()
            return None

        def soft_target_value(self, target_q, penalty):
            return super().soft_target_value(tf.gather(target_q, self.drawn), penalty)

    config = load_config(f"{CONFIG_DIR / 'sac_redq'}.py:{FLAGS.env}")
    spec = env_spec(make_env(FLAGS.env))
    rng = np.random.default_rng(0)
    size = 10 * config.batch_size
    observation_shape, action_shape = (size, spec.observation_dim), (size, spec.action_dim)
    data = Transition(rng.normal(size=observation_shape).astype(np.float32),
                      rng.uniform(-1, 1, action_shape).astype(np.float32),
                      rng.normal(size=size).astype(np.float32),
                      rng.normal(size=observation_shape).astype(np.float32),
                      np.zeros(size, np.float32))
    learners = {}
    for name, agent_class in (("drawn target critics only", SacAgent),
                              ("every target critic", WholeEnsembleTargetSac)):
        agent = agent_class(spec, seed=config.seed, **config.sac.to_dict())
        replay_buffer = ReplayBuffer(spec.observation_dim, spec.action_dim, size, seed=1)
        replay_buffer.add_batch(data)
        learners[name] = Learner(agent, replay_buffer, config.batch_size,
                                 compile_choice(config, spec)[0])
        learners[name].run(config.updates_per_step)  # compile

    updates = FLAGS.calls * config.updates_per_step
    times = {name: [] for name in learners}
    for _ in range(FLAGS.repeats):
        for name, learner in learners.items():
            start = time.perf_counter()
            for _ in range(FLAGS.calls):
                info = learner.run(config.updates_per_step)
            info.loss.numpy()
            times[name].append((time.perf_counter() - start) / updates * 1e3)
    for name, values in times.items():
        print(f"{FLAGS.env}  REDQ, {name}: {np.mean(values):.2f} ms/update "
              f"({', '.join(f'{value:.2f}' for value in values)})")
    drawn, whole = (np.mean(values) for values in times.values())
    print(f"{FLAGS.env}  speed-up: {whole / drawn:.2f}x")


if __name__ == "__main__":
    app.run(main)
