"""Distributed collection: K Ray actors step envs, this process learns (`--collectors=K`).

Each `Collector` actor has its own `config.num_envs` envs and a copy of the agent that acts.
The learner (`RayCollection`, inside the usual `TrainingLoop`) keeps one request for a chunk
of `config.train_every` vector steps outstanding per collector. When a chunk arrives it is
staged into the replay buffer, the collector is asked for the next one, and the loop runs
`updates_per_step` updates per env step of the chunk, so the update-to-data ratio is the
configured one exactly (Reverb's rate limiter, with a tolerance of one chunk per collector):
the learner waits for data, and a collector waits for the learner once its chunk is sent.

The actor's weights (and observation statistics) are sent with one `ray.put` every
`weight_sync_interval` learner calls; a collector's chunk is acted with the weights it last
received, one chunk behind the learner or more. Before `learning_starts` env steps the
requests ask for uniform random actions. A collector that dies is restarted (a new actor,
new seeds) and reported; its lost chunk was never counted, so no transition counts twice.

Unlike a single-process run, the order in which chunks arrive depends on timing: a run with
collectors is not reproducible step for step.
"""

import contextlib
import os
from types import SimpleNamespace
from typing import Optional, Sequence

import ml_collections
import numpy as np

from sac_tf.core.replay_buffer import StagedWriter, concatenate
from sac_tf.core.types import Transition
from sac_tf.distributed.ray_session import (CollectorSettings, check_resources,
                                            failure_message, ray_session, worker_runtime_env)
from sac_tf.errors import UserError
from sac_tf.run.collection import LocalCollection, block_vector_steps

#: Collector deaths tolerated over a run, per collector on average (one pool for all: a run
#: whose collectors keep dying stops with the last death's message).
RESTARTS_PER_COLLECTOR = 3


@contextlib.contextmanager
def collector_cluster(settings: CollectorSettings):
    """Connected to the Ray cluster of `settings`, checked to have the collectors' CPUs, for
    the block: a run opens it before it writes anything, so a bad address or too many
    collectors fail first; its `RayCollection` then uses the same session."""
    settings.validate()
    with ray_session(settings.address, "--collectors") as ray:
        check_resources(ray, settings.num_collectors * settings.cpus_per_collector, 0,
                        "lower --collector_cpus (a collector waiting on a slow simulator needs "
                        "little CPU, e.g. 0.25) or --collectors")
        yield ray


def collector_seed(seed: int, index: int, incarnation: int, start_step: int) -> int:
    """Seed of collector `index`'s envs, random actions and exploration noise: distinct per
    collector, per restart of it, and per resumption (`start_step`), in [0, 2**31)."""
    return (seed + 1_000_003 * (index + 1) + 7_919 * incarnation + start_step) % 2**31


class Collector:
    """A Ray actor: collects chunks of transitions with its own envs and copy of the agent.

    Args:
      config: the run's config, as a dict.
      seed: this collector's seed (`collector_seed`).
    """

    def __init__(self, config: dict, seed: int):
        from sac_tf import tf_setup

        tf_setup.import_tensorflow_quietly()
        from sac_tf.agents import make_agent
        from sac_tf.config import env_kwargs
        from sac_tf.core.acting import numpy_action_fn
        from sac_tf.core.precision import compile_choice
        from sac_tf.envs.making import env_spec, make_vector_env

        config = ml_collections.ConfigDict(config)
        config.seed = seed
        config.precision = "float32"  # acting with the learner's float32 weights; a worker may
        # have no GPU for float16 (as exported policies, `sac_tf.deploy.run_policy`)
        env = make_vector_env(config.env_id, config.num_envs, env_kwargs(config))
        spec = env_spec(env)
        self.agent = make_agent(config, spec)
        explore = numpy_action_fn(self.agent.explore_action, spec.observation_specs,
                                  compile_choice(config, spec)[0])
        self.staged: list = []
        self.ends: list = []  # each staged step's episode_end mask
        # the single-process collection, its transitions staged here instead of in a buffer
        self.local = LocalCollection(SimpleNamespace(config=config, spec=spec, agent=self.agent),
                                     env, explore, self.stage, start_step=0)

    def stage(self, transition: Transition, episode_end: np.ndarray) -> None:
        self.staged.append(transition)
        self.ends.append(np.asarray(episode_end, bool))

    def collect(self, vector_steps: int, use_policy: bool,
                policy_weights: Optional[Sequence[np.ndarray]]) -> tuple:
        """Takes `vector_steps` steps of its envs.

        Args:
          use_policy: act with the agent's exploration policy, else uniformly at random.
          policy_weights: new values of `agent.policy_variables()`, or None to keep them.

        Returns:
          (the transitions `[vector_steps × num_envs]`, their episode_end masks with the
          chunk's last vector step marked (another chunk follows it in the learner's buffer:
          n-step windows stop there), returns of the episodes finished).
        """
        if policy_weights is not None:
            for variable, value in zip(self.agent.policy_variables(), policy_weights):
                variable.assign(value)
        self.local.run_block(vector_steps, learning=use_policy)
        chunk, self.staged = concatenate(self.staged), []
        self.ends[-1] = np.ones_like(self.ends[-1])
        ends, self.ends = np.concatenate(self.ends), []
        episodes = self.local.episodes
        returns, episodes.completed_returns = episodes.completed_returns, []
        return chunk, ends, returns

    def policy_weights(self) -> list:
        """The values of its agent's policy variables (what the learner last sent)."""
        return [variable.numpy() for variable in self.agent.policy_variables()]

    def pid(self) -> int:
        """The actor's process id (tests and benchmarks kill it)."""
        return os.getpid()


class RayCollection:
    """The learner's side: K `Collector` actors, one request outstanding per collector.

    Used by `TrainingLoop` in place of `LocalCollection` (same methods).

    Args:
      state: the run's `RunState` (config and agent).
      writer: the run's `StagedWriter`.
      start_step: env steps already in the run (0, or the checkpoint's on resume).
      settings: the `CollectorSettings`.
    """

    def __init__(self, state, writer: StagedWriter, start_step: int,
                 settings: CollectorSettings):
        self.config, self.agent, self.writer = state.config, state.agent, writer
        self.settings, self.start_step = settings, start_step
        self.pending = {}                 # request → (collector index, env steps asked for)
        self.requested = start_step       # env steps collected or asked for
        self.weights, self.version = None, 0
        self.versions_sent = [-1] * settings.num_collectors
        self.learner_calls = 0
        self.completed_returns: list = []
        self.restarts = 0
        self.collectors = []
        self._cluster = collector_cluster(settings)
        self.ray = self._cluster.__enter__()
        try:
            self.actor_class = self.ray.remote(Collector).options(
                num_cpus=settings.cpus_per_collector, max_restarts=0,
                runtime_env=worker_runtime_env(settings.cpus_per_collector))
            self.incarnations = [0] * settings.num_collectors
            for index in range(settings.num_collectors):
                self.collectors.append(self._start(index))
            for index in range(settings.num_collectors):
                self._request(index)
        except BaseException:
            self.close()
            raise

    def _start(self, index: int):
        seed = collector_seed(self.config.seed, index, self.incarnations[index], self.start_step)
        return self.actor_class.remote(self.config.to_dict(), seed)

    def publish_weights(self) -> None:
        """Puts the agent's current policy variables in Ray's object store, once for all."""
        self.weights = self.ray.put([v.numpy() for v in self.agent.policy_variables()])
        self.version += 1

    def _request(self, index: int) -> None:
        """Asks collector `index` for its next chunk, unless the run has all it needs."""
        config = self.config
        left = config.num_steps - self.requested
        if left <= 0:
            return
        vector_steps = block_vector_steps(config, self.requested)
        use_policy = self.requested >= config.learning_starts
        weights = None
        if use_policy:
            if self.weights is None:
                self.writer.flush()  # the observation statistics count what was collected
                self.publish_weights()
            if self.versions_sent[index] != self.version:
                weights, self.versions_sent[index] = self.weights, self.version
        request = self.collectors[index].collect.remote(vector_steps, use_policy, weights)
        self.pending[request] = (index, vector_steps * config.num_envs)
        self.requested += vector_steps * config.num_envs

    def collect(self, step: int) -> int:
        """Stages the first chunk to arrive; returns its env steps."""
        ray = self.ray
        while True:
            if not self.pending:
                raise UserError("no collector has work left (internal error: the loop asked "
                                "for more env steps than the run needs)")
            (ready,), _ = ray.wait(list(self.pending), num_returns=1)
            index, steps = self.pending.pop(ready)
            try:
                chunk, ends, returns = ray.get(ready)
            except ray.exceptions.RayActorError as error:
                if error.actor_init_failed:  # it would fail again: a missing env module, say
                    raise UserError(f"collector {index} could not start: "
                                    f"{failure_message(error)}") from None
                self.requested -= steps
                self._restart(index, error)
                continue
            except ray.exceptions.RayError as error:
                raise UserError(f"collector {index} failed: {failure_message(error)}") from None
            self.writer(chunk, ends if self.config.get("n_step", 1) > 1 else None)
            self.completed_returns.extend(returns)
            self._request(index)
            return steps

    def _restart(self, index: int, error: BaseException) -> None:
        """Replaces dead collector `index` with a new actor and asks it for a chunk."""
        self.restarts += 1
        if self.restarts > RESTARTS_PER_COLLECTOR * len(self.collectors):
            raise UserError(f"collectors died {self.restarts} times; the last: "
                            f"{failure_message(error)}")
        self.incarnations[index] += 1
        self.ray.kill(self.collectors[index])
        self.collectors[index] = self._start(index)
        self.versions_sent[index] = -1
        # stdout, as "Resuming from checkpoint": stderr is kept for the one `error:` line
        print(f"collector {index} died ({type(error).__name__}); restarted it "
              f"({self.restarts} restart(s) in this run)", flush=True)
        self._request(index)

    def learner_called(self) -> None:
        """Counts a learner call; every `weight_sync_interval` calls sends the new weights
        to the collectors (with their next request)."""
        self.learner_calls += 1
        if (self.learner_calls - 1) % self.settings.weight_sync_interval == 0:
            self.publish_weights()

    def close(self) -> None:
        """Stops the collectors and leaves Ray (shutting it down if this run started it)."""
        try:
            for collector in self.collectors:
                self.ray.kill(collector)
        finally:
            self._cluster.__exit__(None, None, None)


class RayCollectionSource:
    """What `python -m sac_tf.train --collectors=K` hands `run_training`: the Ray cluster to
    open before the run writes anything (`cluster`) and the `RayCollection` that then feeds
    the loop (`make`). `sac_tf.run` only calls these two; it never imports this package."""

    def __init__(self, settings: CollectorSettings):
        self.settings = settings

    def cluster(self):
        return collector_cluster(self.settings)

    def make(self, state, writer: StagedWriter, start_step: int) -> RayCollection:
        return RayCollection(state, writer, start_step, self.settings)
