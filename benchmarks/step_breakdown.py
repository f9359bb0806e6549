"""Where one env step's time goes in `python -m sac_tf.train`'s loop.

The real loop runs with timers wrapped around its parts; each moment of the timed window is
charged to the innermost part running, except inside an evaluation, which keeps the time of
its own env steps and greedy actions:

| part | what is timed |
|---|---|
| updates | `Learner.run` (the fused, compiled sample-and-update calls) and its loss check |
| policy call | the compiled exploration action, called from numpy |
| env step | the vector env's `step` |
| buffer writes | staging transitions and `StagedWriter.flush` (one `add_batch` per block) |
| driver, other | the rest of the driver and the loop (numpy, observers, counters) |
| logging / evaluation / checkpoint | `train.csv` rows, evaluation episodes, checkpoints |
"""

import collections
import contextlib
import functools
import tempfile
import time

PARTS = ("updates", "policy call", "env step", "buffer writes", "driver, other", "logging",
         "evaluation", "checkpoint")


#: Parts that keep the time of the parts running inside them.
ABSORBING = ("evaluation",)


class ExclusiveTimer:
    """Seconds per part, each moment charged to the innermost running part (or to the
    outermost `ABSORBING` part running)."""

    def __init__(self):
        self.seconds = collections.defaultdict(float)
        self.stack = []
        self.enabled = False
        self.mark = time.perf_counter()

    def _switch(self):
        now = time.perf_counter()
        if self.enabled and self.stack:
            self.seconds[self.stack[-1]] += now - self.mark
        self.mark = now

    @contextlib.contextmanager
    def part(self, name: str):
        self._switch()
        absorbing = [part for part in self.stack if part in ABSORBING]
        self.stack.append(absorbing[0] if absorbing else name)
        try:
            yield
        finally:
            self._switch()
            self.stack.pop()

    def wrap(self, name: str, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            with self.part(name):
                return function(*args, **kwargs)
        return timed

    def start(self):
        self._switch()
        self.seconds.clear()
        self.enabled = True


def breakdown(config, learning_starts: int, warmup_steps: int, measure_steps: int) -> dict:
    """Runs the train loop on `config` with timers; returns {part: ms per env step} over the
    `measure_steps` that follow `learning_starts` random and `warmup_steps` untimed steps,
    plus "total" (their sum: wall ms per env step inside the loop) and "steps".

    The config's own log, evaluation and checkpoint intervals apply; the run's end (at
    `learning_starts + warmup_steps + measure_steps`) adds a final evaluation and
    checkpoint, as every run's does."""
    from sac_tf.core import acting, drivers, learner, replay_buffer
    from sac_tf.run import loop

    timer = ExclusiveTimer()
    start_at = learning_starts + warmup_steps
    config.update(dict(num_steps=start_at + measure_steps, learning_starts=learning_starts))
    patches = [(loop.TrainingLoop, "run", "driver, other"), (learner.Learner, "run", "updates"), (drivers.StepDriver, "run", "driver, other"),
               (replay_buffer.StagedWriter, "__call__", "buffer writes"),
               (replay_buffer.StagedWriter, "flush", "buffer writes"),
               (loop.TrainingLoop, "log_training", "logging"),
               (loop.TrainingLoop, "evaluate", "evaluation"),
               (loop.TrainingLoop, "save", "checkpoint")]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    original_action_fn, original_make_env = acting.numpy_action_fn, loop.make_vector_env
    original_collect = loop.TrainingLoop.collect_and_train
    timings = {}

    def collect_and_train(self):
        if self.step >= start_at and not timer.enabled:
            timer.start()
            timings["start"] = (time.perf_counter(), self.step)
        with timer.part("driver, other"):
            return original_collect(self)

    def make_vector_env(*args, **kwargs):
        env = original_make_env(*args, **kwargs)
        env.step = timer.wrap("env step", env.step)
        return env

    try:
        for owner, name, part in patches:
            setattr(owner, name, timer.wrap(part, getattr(owner, name)))
        acting.numpy_action_fn = lambda *args, **kwargs: timer.wrap(
            "policy call", original_action_fn(*args, **kwargs))
        loop.make_vector_env = make_vector_env
        loop.TrainingLoop.collect_and_train = collect_and_train
        with tempfile.TemporaryDirectory() as root:
            loop.run_training(config, root)
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
        acting.numpy_action_fn, loop.make_vector_env = original_action_fn, original_make_env
        loop.TrainingLoop.collect_and_train = original_collect
    steps = config.num_steps - timings["start"][1]
    result = {part: 1000 * timer.seconds.get(part, 0.0) / steps for part in PARTS}
    result.update(total=sum(result.values()), steps=steps)
    return result
