"""Runs a search on Ray Tune: the trainable, the search algorithm, ASHA, resuming, results.

The definitions it runs (search space, trial configs, the best config file) are in
`sac_tf.distributed.tuning`; this module is the part that needs `ray[tune]`.
"""

import pathlib
from typing import List, NamedTuple

import ml_collections

from sac_tf.distributed.ray_session import check_resources, ray_session, worker_runtime_env
from sac_tf.distributed.tuning import (METRIC, SEARCH_DIR, TIME_ATTR, TRIALS_DIR, Dimension,
                                       TrialResult, trial_config)
from sac_tf.errors import UserError

#: Search algorithms by flag value: Optuna's TPE (Bergstra et al. 2011) through Ray Tune,
#: or Tune's own random search.
SEARCHES = ("optuna", "random")
SCHEDULERS = ("asha", "none")


class SearchSettings(NamedTuple):
    """How a search runs (flags of `python -m sac_tf.tune`)."""

    num_samples: int
    num_steps: int
    seed: int
    search: str = "optuna"
    scheduler: str = "asha"
    grace_steps: int = 0          # ASHA's first rung in env steps; 0: num_steps // 3
    reduction_factor: int = 3
    cpus_per_trial: float = 1.0
    address: str = "local"

    def validate(self) -> None:
        if self.num_samples < 1:
            raise UserError(f"--num_samples must be at least 1, got {self.num_samples}")
        if self.search not in SEARCHES:
            raise UserError(f"--search must be one of {SEARCHES}, got {self.search!r}")
        if self.scheduler not in SCHEDULERS:
            raise UserError(f"--scheduler must be one of {SCHEDULERS}, got {self.scheduler!r}")
        if self.reduction_factor < 2:
            raise UserError(f"--reduction_factor must be at least 2, got "
                            f"{self.reduction_factor}")
        if not 0 <= self.grace_steps <= self.num_steps:
            raise UserError(f"--grace_steps must be in [0, num_steps], got {self.grace_steps}")


def train_trial(params: dict, base: ml_collections.ConfigDict, out: str, num_steps: int,
                seed: int) -> None:
    """One trial: the base config with `params`, trained into `OUT/trials/{trial_id}`,
    every evaluation reported to Tune (which may stop the trial there)."""
    from ray import tune

    from sac_tf.deploy.run_policy import export_run_policy
    from sac_tf.run.loop import run_training

    config = trial_config(base, params)
    config.seed, config.num_steps = seed, num_steps
    root_dir = pathlib.Path(out) / TRIALS_DIR / tune.get_context().get_trial_id()

    def report(row: dict) -> None:
        tune.report({METRIC: float(row["return_mean"]), TIME_ATTR: int(row["env_step"])})

    run_training(config, root_dir, callbacks=[report], export=export_run_policy)


def search_algorithm(tune, settings: SearchSettings):
    if settings.search == "random":
        from ray.tune.search import BasicVariantGenerator
        return BasicVariantGenerator(random_state=settings.seed)
    try:
        import optuna
        from ray.tune.search.optuna import OptunaSearch
    except ImportError:
        raise UserError('--search=optuna needs Optuna: pip install -e ".[tune]" (or '
                        '--search=random)') from None
    return OptunaSearch(sampler=optuna.samplers.TPESampler(seed=settings.seed))


def scheduler(settings: SearchSettings):
    if settings.scheduler == "none":
        return None
    from ray.tune.schedulers import ASHAScheduler
    return ASHAScheduler(time_attr=TIME_ATTR, max_t=settings.num_steps,
                         grace_period=settings.grace_steps or max(1, settings.num_steps // 3),
                         reduction_factor=settings.reduction_factor)


def run_search(base: ml_collections.ConfigDict, dimensions: List[Dimension],
               settings: SearchSettings, out: pathlib.Path) -> List[TrialResult]:
    """Runs (or resumes) the search of `dimensions` over `base` into `out`; returns every
    trial's last report."""
    settings.validate()
    out = pathlib.Path(out).resolve()
    with ray_session(settings.address, "--ray_address",
                     runtime_env=worker_runtime_env(settings.cpus_per_trial)) as ray:
        check_resources(ray, settings.cpus_per_trial, 0.0, "lower --cpus_per_trial")
        from ray import tune

        trainable = tune.with_resources(
            tune.with_parameters(train_trial, base=base, out=str(out),
                                 num_steps=settings.num_steps, seed=settings.seed),
            {"cpu": settings.cpus_per_trial})
        path = out / SEARCH_DIR
        if tune.Tuner.can_restore(str(path)):
            print(f"Resuming the search in {path}.", flush=True)
            tuner = tune.Tuner.restore(str(path), trainable=trainable, resume_unfinished=True,
                                       resume_errored=True)
        else:
            tuner = tune.Tuner(
                trainable,
                param_space={d.field: d.domain(tune) for d in dimensions},
                tune_config=tune.TuneConfig(metric=METRIC, mode="max",
                                            num_samples=settings.num_samples,
                                            search_alg=search_algorithm(tune, settings),
                                            scheduler=scheduler(settings)),
                run_config=tune.RunConfig(storage_path=str(out), name=SEARCH_DIR, verbose=1))
        grid = tuner.fit()
    trials = {}  # a restored search's grid may list a trial twice: keep its furthest report
    for result in grid:
        if result.metrics:
            trial = _trial_result(result, out)
            if trial.trial_id not in trials or trial.env_step > trials[trial.trial_id].env_step:
                trials[trial.trial_id] = trial
    return list(trials.values())


def _trial_result(result, out: pathlib.Path) -> TrialResult:
    metrics = result.metrics
    params = {key: value for key, value in (result.config or {}).items()}
    return TrialResult(metrics["trial_id"], params, int(metrics.get(TIME_ATTR, 0)),
                       float(metrics.get(METRIC, float("-inf"))),
                       out / TRIALS_DIR / metrics["trial_id"])
