"""sac_tf's SAC beside a peer's (SBX), same settings, same task, N seeds, side by side.

    python benchmarks/parity.py --env=Walker2d-v5 --seeds=0,1,2,3,4 --num_steps=100000 \
        --peer_python=/path/to/sbxvenv/bin/python --out=runs/parity/Walker2d-v5

trains every missing run, one per core of `--cores` at a time (each with one TensorFlow / XLA
thread, pinned to its core; a run another process is training is skipped), then prints per
seed the final and the mean-of-last-three evaluation returns, per variant their means with
95 % percentile-bootstrap CIs (with 3 seeds this is the seeds' range) and each variant's
difference from `sac_tf` with its bootstrap CI, and writes `OUT/curves.csv`,
`OUT/summary.md`, `OUT/parity.png` (sbx and sac_tf) and `OUT/ablation.png` (every variant).
The report covers every variant defined with `--variant` that has runs, whatever
`--variants` trained. A rerun resumes unfinished runs and skips finished ones;
`--report_only` trains nothing.

Variants: `sbx` (the peer, `benchmarks/peers/sbx_sac.py` run with `--peer_python`, a venv
of its own: the peer is never a dependency of sac_tf), `sac_tf` (SAC with
`configs/sac_mujoco.py`'s settings), and any number of variants of either, each
`--variant=LABEL:FIELD=VALUE[,FIELD=VALUE]`: for sac_tf config fields as `train` takes them
(`--variant=clip:sac.actor_log_std=clip`), for a label starting with `sbx` the peer
script's flags (`--variant=sbx_ls100:learning_starts=100`). `--variants` picks which run.
"""

import argparse
import fcntl
import os
import pathlib
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, NamedTuple

import numpy as np

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from sac_tf.experiments.comparison import (finished, load_curve, plot_comparison,  # noqa: E402
                                           run_dir, write_curves_csv)
from sac_tf.experiments.stats import bootstrap_ci  # noqa: E402

PEER_SCRIPT = REPO_ROOT / "benchmarks" / "peers" / "sbx_sac.py"
#: Threads of each run: one, so two runs share two cores without stepping on each other.
ONE_THREAD = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
              "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false", "OMP_NUM_THREADS": "1",
              "CUDA_VISIBLE_DEVICES": "", "JAX_PLATFORMS": "cpu"}


class Job(NamedTuple):
    label: str
    seed: int
    command: List[str]
    directory: pathlib.Path


def parse_variants(specs: List[str]) -> Dict[str, List[str]]:
    """`LABEL:FIELD=VALUE,...` → {label: extra flags}: `--config.FIELD=VALUE` for sac_tf,
    `--FIELD=VALUE` for a peer label (`sbx...`); `sbx` and `sac_tf` are the defaults."""
    variants = {"sbx": [], "sac_tf": []}
    for spec in specs:
        label, _, fields = spec.partition(":")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", label) or label in variants or "=" not in fields:
            sys.exit(f"error: --variant={spec!r}: give LABEL:FIELD=VALUE[,FIELD=VALUE] with a "
                     f"new label of letters, digits, _ and - (a label starting with sbx runs "
                     f"the peer)")
        prefix = "--" if label.startswith("sbx") else "--config."
        variants[label] = [prefix + item.strip() for item in fields.split(",")]
    return variants


def make_jobs(args, variants: Dict[str, List[str]]) -> List[Job]:
    """Every (variant, seed) run that `args.variants` asks for, in that order."""
    jobs = []
    for label in args.variants:
        for seed in args.seeds:
            directory = run_dir(args.out, label, seed)
            if label not in variants:
                sys.exit(f"error: unknown variant {label!r}; defined: {', '.join(variants)}")
            if label.startswith("sbx"):
                command = [args.peer_python, str(PEER_SCRIPT), f"--env={args.env}",
                           f"--seed={seed}", f"--num_steps={args.num_steps}",
                           f"--out={directory}", *variants[label]]
            else:
                command = [sys.executable, "-m", "sac_tf.train",
                           f"--config=configs/sac_mujoco.py:{args.env}", f"--seed={seed}",
                           f"--num_steps={args.num_steps}", f"--root_dir={directory}",
                           "--config.checkpoint_interval=10000", *variants[label]]
            jobs.append(Job(label, seed, command, directory))
    return jobs


def run_jobs(jobs: List[Job], cores: List[int], num_steps: int, log_dir: pathlib.Path) -> None:
    """Runs the unfinished `jobs`, one per core of `cores` at a time, each pinned to its core."""
    todo = [job for job in jobs if not finished(job.directory, num_steps)]
    print(f"{len(jobs) - len(todo)} of {len(jobs)} runs finished; training {len(todo)}",
          flush=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    free_cores = list(cores)

    def run(index_job):
        index, job = index_job
        core = free_cores.pop(0)
        started = time.time()
        command = ["taskset", "-c", str(core), *job.command]
        with open(log_dir / f"{job.label}_seed{job.seed}.lock", "w") as lock, \
                open(log_dir / f"{job.label}_seed{job.seed}.log", "a") as log:
            try:  # two processes training one run directory would interleave its CSVs
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                code = "busy"
            else:
                code = subprocess.call(command, cwd=REPO_ROOT, stdout=log,
                                       stderr=subprocess.STDOUT, env={**os.environ, **ONE_THREAD})
        free_cores.append(core)
        state = ("done" if code == 0 else "skipped: another process is training it"
                 if code == "busy" else f"FAILED (exit {code}; see its log)")
        print(f"[{index + 1}/{len(todo)}] {job.label} seed {job.seed}: {state} in "
              f"{(time.time() - started) / 60:.1f} min", flush=True)

    with ThreadPoolExecutor(max_workers=len(cores)) as pool:
        list(pool.map(run, enumerate(todo)))


def report(jobs: List[Job], args) -> str:
    """Per-seed and per-variant returns as Markdown; writes curves.csv and parity.png."""
    curves = [up_to(load_curve(job.directory / "eval.csv", job.label, job.seed),
                    args.num_steps) for job in jobs if (job.directory / "eval.csv").exists()]
    curves = [curve for curve in curves if len(curve.returns)]
    lines = [f"**{args.env}, {args.num_steps:,} env steps**: each seed's final evaluation "
             f"and the mean of its last three", "",
             "| variant | seed | final | mean of last 3 | last step | wall (min) |",
             "|---|---|---|---|---|---|"]
    for curve in curves:
        lines.append(f"| {curve.agent} | {curve.seed} | {curve.returns[-1]:,.1f} | "
                     f"{curve.returns[-3:].mean():,.1f} | {curve.env_steps[-1]:,} | "
                     f"{curve.wall_s / 60:.0f} |")
    lines += ["", "| variant | seeds | final: mean [95 % CI] | last 3: mean [95 % CI] | "
              "final − reference [95 % CI] |", "|---|---|---|---|---|"]
    finals = {}
    for label in dict.fromkeys(curve.agent for curve in curves):
        done = [c for c in curves if c.agent == label and c.env_steps[-1] >= args.num_steps]
        if not done:
            continue
        final = finals[label] = np.array([c.returns[-1] for c in done])
        last3 = np.array([c.returns[-3:].mean() for c in done])
        cells = []
        for values in (final, last3):
            low, high = bootstrap_ci(values[:, None]) if len(values) > 1 else (values, values)
            cells.append(f"{values.mean():,.1f} [{float(low[0]):,.1f}, {float(high[0]):,.1f}]")
        reference = finals.get("sbx" if label.startswith("sbx") or label == "sac_tf"
                               else "sac_tf")
        cells.append("—" if reference is None or label == "sbx"
                     else difference_ci(final, reference))
        lines.append(f"| {label} | {len(done)} | {' | '.join(cells)} |")
    lines += ["", "CIs: percentile bootstrap over seeds (with 3 seeds, the seeds' range). The "
              "difference resamples both sets of seeds; its reference is `sbx` for `sac_tf` "
              "and the `sbx_*` variants, `sac_tf` for the others."]
    args.out.mkdir(parents=True, exist_ok=True)
    write_curves_csv(curves, args.out / "curves.csv")
    pair = [curve for curve in curves if curve.agent in ("sbx", "sac_tf")]
    if pair:
        plot_comparison(pair, args.out / "parity.png", f"{args.env}: sac_tf and SBX SAC")
    if len(pair) < len(curves):
        plot_comparison(curves, args.out / "ablation.png", f"{args.env}: SAC variants")
    text = "\n".join(lines) + "\n"
    (args.out / "summary.md").write_text(text)
    return text


def up_to(curve, num_steps: int):
    """`curve` up to `num_steps` env steps (a longer run is reported at `num_steps`).

    Exits with an error for env steps that do not increase (two processes wrote the run)."""
    if np.any(np.diff(curve.env_steps) <= 0):
        sys.exit(f"error: {curve.agent} seed {curve.seed}: its eval.csv repeats env steps "
                 f"(two processes trained it); delete the run and train it again")
    keep = curve.env_steps <= num_steps
    return curve._replace(env_steps=curve.env_steps[keep], returns=curve.returns[keep])


def difference_ci(values: np.ndarray, reference: np.ndarray, resamples: int = 10_000) -> str:
    """mean(values) − mean(reference) [95 % percentile bootstrap, seeds resampled in each]."""
    rng = np.random.default_rng(0)
    pick = lambda data: data[rng.integers(0, len(data), (resamples, len(data)))].mean(axis=1)
    low, high = np.quantile(pick(values) - pick(reference), [0.025, 0.975])
    return f"{values.mean() - reference.mean():+,.1f} [{low:+,.1f}, {high:+,.1f}]"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env", required=True)
    parser.add_argument("--seeds", default="0,1,2,3,4",
                        type=lambda text: [int(seed) for seed in text.split(",")])
    parser.add_argument("--num_steps", type=int, default=100_000)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--peer_python", help="Python of the venv with sbx-rl (for `sbx`)")
    parser.add_argument("--variant", action="append", default=[],
                        help="LABEL:FIELD=VALUE[,FIELD=VALUE], an ablation of sac_tf")
    parser.add_argument("--variants", default="sbx,sac_tf",
                        type=lambda text: text.split(","), help="which variants to run")
    parser.add_argument("--cores", default=list(range(min(2, os.cpu_count() or 1))),
                        type=lambda text: [int(core) for core in text.split(",")],
                        help="cores to pin runs to, one run per core at a time (default: 0,1)")
    parser.add_argument("--report_only", action="store_true")
    args = parser.parse_args()
    args.out = args.out.resolve()
    peers = [label for label in args.variants if label.startswith("sbx")]
    if peers and not args.report_only and not args.peer_python:
        sys.exit("error: the sbx variant needs --peer_python (a venv with sbx-rl, as "
                 "docs/results/sac-parity.md installs it)")
    variants = parse_variants(args.variant)
    if not args.report_only:
        run_jobs(make_jobs(args, variants), args.cores, args.num_steps, args.out / "logs")
    every_variant = argparse.Namespace(**{**vars(args), "variants": list(variants)})
    print(report(make_jobs(every_variant, variants), args), end="")


if __name__ == "__main__":
    main()
