"""Golden runs: short training runs whose logs must stay identical across refactors.

Each case runs as a subprocess from the repository root (so `python -m sac_tf.…`
imports this checkout's `sac_tf`), single-threaded TensorFlow on the CPU, and is
compared with `tests/golden/{case}.json`:

* command-line runs: `train.csv` and `eval.csv` (every column but the clock ones,
  `EXCLUDED_COLUMNS`, compared as the CSV strings), and the result JSON the
  command prints last (full float precision, less `root_dir` and `wall_s`);
* the Python-API loop (`tests/golden/api_loop.py`): its printed JSON.

Record (on the commit that defines "unchanged"):

    SAC_TF_RECORD_GOLDEN=1 python -m pytest tests/test_golden_runs.py

XLA's CPU code depends on the CPU's features, so runs are only bit-comparable on
the machine kind they were recorded on. Each machine kind has its own recordings
(`tests/golden/{name}.json`, the first kind, and `tests/golden/{kind}/{name}.json` for
others); a case skips on a machine kind (CPU model, a digest of the CPU's flags,
`platform.machine()`, TensorFlow version) that none was recorded on. Recording writes this
machine kind's files only; record a new kind on the commit that defines "unchanged" (a
worktree of it), then compare.
"""

import concurrent.futures
import csv
import hashlib
import importlib.metadata
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
import time

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN_DIR = pathlib.Path(__file__).resolve().parent / "golden"
RECORD = os.environ.get("SAC_TF_RECORD_GOLDEN") == "1"

#: Columns that hold wall-clock time or speed; every other column is compared exactly.
EXCLUDED_COLUMNS = {"train.csv": ("wall_s", "steps_per_s"), "eval.csv": ("wall_s",)}
#: Keys of the result JSON `python -m sac_tf.train` prints last that are not compared.
EXCLUDED_RESULT_KEYS = ("root_dir", "wall_s")

#: Environment of every run: one TensorFlow thread of each kind, so results do not depend on
#: the core count; the CPU only; this checkout's `sac_tf` ahead of any installed one.
RUN_ENV = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
           "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": str(REPO_ROOT)}

TRAIN = ("-m", "sac_tf.train")
CASES = {
    "sac_pendulum": TRAIN + ("--env=Pendulum-v1", "--agent=sac", "--num_steps=2000", "--seed=0"),
    "td3_pendulum": TRAIN + ("--env=Pendulum-v1", "--agent=td3", "--num_steps=2000", "--seed=0"),
    "sac_tqc_pendulum": TRAIN + ("--config=configs/sac_tqc.py:Pendulum-v1", "--num_steps=1500",
                                 "--seed=0"),
    "sac_hybrid": TRAIN + ("--config=configs/sac_hybrid.py", "--num_steps=1500", "--seed=0"),
    "api_loop": ("tests/golden/api_loop.py",),
}

#: Versions recorded for information (a mismatch is reported, not skipped).
INFO_PACKAGES = ("numpy", "gymnasium", "keras", "tensorflow-probability", "tf-keras")


def _cpuinfo_field(name: str):
    try:
        lines = pathlib.Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return None


def _version(package: str):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_kind() -> dict:
    """What must match for a bit-exact comparison: the CPU's flags too (a digest), since
    CPUs of one model name ("AMD EPYC") come with and without AVX-512."""
    flags = _cpuinfo_field("flags")
    return {"platform_machine": platform.machine(), "cpu_model": _cpuinfo_field("model name"),
            "cpu_flags_sha256": flags and hashlib.sha256(flags.encode()).hexdigest()[:16],
            "tensorflow": _version("tensorflow")}


def machine_info() -> dict:
    """Recorded for information only: other packages' versions."""
    return {"python": platform.python_version(),
            **{package: _version(package) for package in INFO_PACKAGES}}


def kind_directory(kind: dict) -> str:
    """A folder name for a machine kind: its CPU model, flags digest and TensorFlow version,
    slugged."""
    text = f"{kind['cpu_model'] or 'cpu'} {kind['cpu_flags_sha256']} tf{kind['tensorflow']}"
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")


def recordings(name: str) -> list:
    """Every golden file of case `name`, one per machine kind it was recorded on."""
    paths = [GOLDEN_DIR / f"{name}.json", *sorted(GOLDEN_DIR.glob(f"*/{name}.json"))]
    return [path for path in paths if path.exists()]


def recording_path(name: str) -> pathlib.Path:
    """Where this machine kind's recording of `name` is (or goes)."""
    for path in recordings(name):
        if json.loads(path.read_text())["machine_kind"] == machine_kind():
            return path
    return GOLDEN_DIR / kind_directory(machine_kind()) / f"{name}.json"


def _git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=30).stdout.strip() or None
    except OSError:
        return None


def run_case(name: str, root_dir: pathlib.Path) -> dict:
    """Runs case `name` and returns what is compared."""
    args = list(CASES[name])
    is_train = args[:2] == list(TRAIN)
    if is_train:
        args.append(f"--root_dir={root_dir}")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=1800, env={**os.environ, **RUN_ENV})
    print(f"golden case {name}: {time.perf_counter() - start:.1f} s")
    assert result.returncode == 0, f"{name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    printed = json.loads(result.stdout.strip().splitlines()[-1])
    if not is_train:
        return {"printed": printed}
    outcome = {"result": {key: value for key, value in printed.items()
                          if key not in EXCLUDED_RESULT_KEYS}}
    for file_name, excluded in EXCLUDED_COLUMNS.items():
        with (root_dir / file_name).open(newline="") as file:
            rows = list(csv.reader(file))
        header = rows[0]
        kept = [index for index, column in enumerate(header) if column not in excluded]
        outcome[file_name] = {"header": header, "columns": [header[i] for i in kept],
                              "rows": [[row[i] for i in kept] for row in rows[1:]]}
    return outcome


def first_difference(name: str, expected: dict, actual: dict) -> str:
    """A readable account of the first difference between two `run_case` outcomes."""
    for key in expected.keys() | actual.keys():
        if key not in expected or key not in actual:
            return f"{name}: {key!r} only in {'actual' if key in actual else 'golden'} output"
    for file_name in EXCLUDED_COLUMNS:
        if file_name not in expected:
            continue
        want, got = expected[file_name], actual[file_name]
        if want["header"] != got["header"]:
            return (f"{name}: {file_name} header differs\n  golden: {want['header']}\n"
                    f"  actual: {got['header']}")
        columns = want["columns"]
        for index, (want_row, got_row) in enumerate(zip(want["rows"], got["rows"])):
            if want_row != got_row:
                cells = "\n".join(f"    {column}: golden {w!r}, actual {g!r}"
                                  for column, w, g in zip(columns, want_row, got_row) if w != g)
                return (f"{name}: {file_name} data row {index + 1} (env_step {want_row[0]}) "
                        f"differs first:\n{cells}\n  golden row: {want_row}\n"
                        f"  actual row: {got_row}")
        if len(want["rows"]) != len(got["rows"]):
            return (f"{name}: {file_name} has {len(got['rows'])} data rows, "
                    f"golden {len(want['rows'])}")
    for key in ("result", "printed"):
        if key in expected and expected[key] != actual[key]:
            return _json_difference(f"{name}: printed JSON", expected[key], actual[key])
    return f"{name}: outputs differ"


def _json_difference(where: str, want, got) -> str:
    """The path to the first differing leaf of two JSON values."""
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(want.keys() | got.keys()):
            if want.get(key, "<missing>") != got.get(key, "<missing>"):
                return _json_difference(f"{where}[{key!r}]", want.get(key, "<missing>"),
                                        got.get(key, "<missing>"))
    if isinstance(want, list) and isinstance(got, list):
        for index, (w, g) in enumerate(zip(want, got)):
            if w != g:
                return _json_difference(f"{where}[{index}]", w, g)
        if len(want) != len(got):
            return f"{where}: {len(got)} items, golden {len(want)}"
    return f"{where}: golden {want!r}, actual {got!r}"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Every case's outcome (or the exception it raised), run two at a time: each run is
    single-threaded, so on 2 cores the five take about half as long as one after another."""
    def outcome_or_error(name):
        try:
            return run_case(name, tmp_path_factory.mktemp(name) / "run")
        except Exception as error:  # reported by that case's test
            return error

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(sorted(CASES), pool.map(outcome_or_error, sorted(CASES))))


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_run(name, tmp_path, request):
    golden_file = recording_path(name)
    if RECORD:
        golden_file.parent.mkdir(exist_ok=True)
        outcome = run_case(name, tmp_path / "run")
        golden = {"case": name, "command": ["python", *CASES[name]], "env": RUN_ENV | {
                      "PYTHONPATH": "<repository root>"},
                  "commit": _git_commit(), "machine_kind": machine_kind(),
                  "machine_info": machine_info(), "outcome": outcome}
        golden_file.write_text(json.dumps(golden, indent=1) + "\n")
        return
    assert recordings(name), (f"no recording of {name}: record it with "
                              f"SAC_TF_RECORD_GOLDEN=1 python -m pytest {__file__}")
    if not golden_file.exists():
        kinds = [json.loads(path.read_text())["machine_kind"] for path in recordings(name)]
        pytest.skip(f"golden runs are only bit-comparable on the machine kind they were recorded "
                    f"on (XLA CPU code differs by CPU features): recorded on {kinds}, this is "
                    f"{machine_kind()}")
    golden = json.loads(golden_file.read_text())
    outcome = request.getfixturevalue("outcomes")[name]
    if isinstance(outcome, Exception):
        raise outcome
    if outcome != golden["outcome"]:
        notes = [f"  recorded {key}={value!r}, now {machine_info().get(key)!r}"
                 for key, value in golden["machine_info"].items()
                 if machine_info().get(key) != value]
        pytest.fail(first_difference(name, golden["outcome"], outcome)
                    + (f"\n(recorded at commit {golden['commit']}; differences from the "
                       f"recording machine, which may explain it:\n" + "\n".join(notes) + ")"
                       if notes else f"\n(recorded at commit {golden['commit']})"))
