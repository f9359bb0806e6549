r"""Trains several agents on several seeds and compares their evaluation curves.

    python -m sac_tf.compare --env=Pendulum-v1 --agents=sac,ddpg,td3 --seeds=0,1,2 \
        --num_steps=15000 --threshold=-200 --out=runs/compare_pendulum

Each (agent, seed) trains with its default config (`configs/{agent}_pendulum.py`
or `configs/{agent}_mujoco.py:{env}`) into `OUT/runs/{agent}_seed{seed}`; an
option config's name (`sac_tqc` → `configs/sac_tqc.py:{env}`), or a config file
`path/name.py` whose `get_config` takes the env id, can stand for an agent.
With `--ray_address` (`local`, `auto` or a cluster's `host:port`) the runs
train in parallel as Ray tasks (`sac_tf.distributed.grid`; needs the `ray`
extra). Rerunning the command skips runs whose `eval.csv` already reached
`--num_steps` and resumes interrupted ones from their checkpoints. Then it
writes `OUT/curves.csv`, `OUT/summary.md` and `OUT/comparison.png` and prints
the summary.
"""

import functools
import pathlib
import sys

from sac_tf import tf_setup

tf_setup.import_tensorflow_quietly()

from absl import flags  # noqa: E402

from sac_tf import cli  # noqa: E402
from sac_tf.experiments import comparison  # noqa: E402
from sac_tf.errors import UserError  # noqa: E402

flags.DEFINE_string("env", "Pendulum-v1", "Gymnasium environment id.")
flags.DEFINE_string("env_kwargs", None, "JSON object of keyword arguments for the environment "
                    "of every run (e.g. a variant of the task).")
flags.DEFINE_list("agents", ["sac", "ddpg", "td3"],
                  "Comma-separated agents (sac, ddpg, td3), shipped option configs "
                  "(sac_tqc, sac_redq, ...) or your config files (path/name.py, with a "
                  "get_config(env_id)) to compare.")
flags.DEFINE_list("seeds", ["0", "1", "2"], "Comma-separated integer seeds.")
flags.DEFINE_integer("num_steps", None, "Env steps per run.", lower_bound=1)
flags.DEFINE_string("out", None, "Output directory (runs/, curves.csv, summary.md, plot).")
flags.DEFINE_float("threshold", None, "Return whose first crossing summary.md reports.")
flags.DEFINE_string("ray_address", None,
                    "Train the runs in parallel as Ray tasks: `local` (a Ray instance on this "
                    "machine), `auto` or a cluster's host:port. Default: one after another here.")
flags.DEFINE_float("ray_cpus_per_run", 1.0, "CPUs each Ray task reserves.")
flags.DEFINE_float("ray_gpus_per_run", 0.0, "GPUs each Ray task reserves.")
flags.mark_flags_as_required(["num_steps", "out"])


def parse_seeds(values) -> list:
    try:
        return [int(value) for value in values]
    except ValueError:
        raise UserError(f"--seeds must be comma-separated integers, got {','.join(values)}") \
            from None


def log(message: str) -> None:
    print(f"compare: {message}", file=sys.stderr, flush=True)


def main():
    values = flags.FLAGS
    out = pathlib.Path(values.out)
    train_jobs = comparison.train_in_turn
    if values.ray_address is None:
        for name in ("ray_cpus_per_run", "ray_gpus_per_run"):
            if values[name].present:
                raise UserError(f"--{name} only applies with --ray_address")
    else:
        from sac_tf.distributed.grid import train_on_ray
        from sac_tf.distributed.ray_session import import_ray

        import_ray("--ray_address")  # before any config is built or run trained
        train_jobs = functools.partial(train_on_ray, address=values.ray_address,
                                       cpus_per_run=values.ray_cpus_per_run,
                                       gpus_per_run=values.ray_gpus_per_run)
    make_config = comparison.agent_config
    if values.env_kwargs is not None:
        make_config = functools.partial(comparison.agent_config,
                                        env_kwargs=cli.parse_env_kwargs(values.env_kwargs))
    curves = comparison.train_missing(values.env, values.agents, parse_seeds(values.seeds),
                                      values.num_steps, out, log, make_config=make_config,
                                      train_jobs=train_jobs)
    summary = comparison.write_report(curves, out, values.env, values.num_steps,
                                      values.threshold)
    log(f"wrote {out / 'curves.csv'}, {out / 'summary.md'}, {out / 'comparison.png'}")
    print(summary, end="")


if __name__ == "__main__":
    cli.run(main)
