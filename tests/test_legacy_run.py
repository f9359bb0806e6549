"""A run directory and an exported policy written by sac_tf 0.1 (tests/fixtures/legacy_run_v0_1,
see its README.md) still work: the run resumes from its checkpoint, the policy loads and runs.

On the machine kind the fixture was recorded on (see `tests/test_golden_runs.py`), the resumed
rows and the policy's returns must also equal the ones sac_tf 0.1 gave (`expected.json`).
"""

import csv
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from tests.test_golden_runs import EXCLUDED_COLUMNS, EXCLUDED_RESULT_KEYS, RUN_ENV, machine_kind

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURE = pathlib.Path(__file__).resolve().parent / "fixtures" / "legacy_run_v0_1"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text())
NOT_RUN_FILES = ("README.md", "expected.json")  # the fixture's notes, not part of the run
SAVED_STEP = 1200
RESUME_TO = 1400


def copy_of_fixture(directory: pathlib.Path) -> pathlib.Path:
    root = directory / "legacy_run"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(*NOT_RUN_FILES))
    return root


def run_python(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=900, env={**os.environ, **RUN_ENV})


def read_rows(path: pathlib.Path) -> list:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def compared(rows: list, file_name: str) -> list:
    """Rows after the saved checkpoint, clock columns left out (as `expected.json` holds them)."""
    return [{key: value for key, value in row.items() if key not in EXCLUDED_COLUMNS[file_name]}
            for row in rows if int(row["env_step"]) > SAVED_STEP]


def skip_unless_recording_machine():
    if EXPECTED["machine_kind"] != machine_kind():
        pytest.skip(f"values are only bit-comparable on the machine kind the fixture was "
                    f"recorded on (XLA CPU code differs by CPU features): recorded on "
                    f"{EXPECTED['machine_kind']}, this is {machine_kind()}")


@pytest.fixture(scope="module")
def resumed(tmp_path_factory):
    """(the root dir, the finished process) of the fixture resumed to `RESUME_TO` env steps."""
    root = copy_of_fixture(tmp_path_factory.mktemp("resume"))
    result = run_python("-m", "sac_tf.train", f"--root_dir={root}", f"--num_steps={RESUME_TO}")
    return root, result


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    """The finished `python -m sac_tf.evaluate` of the fixture's exported policy."""
    root = copy_of_fixture(tmp_path_factory.mktemp("evaluate"))
    return run_python("-m", "sac_tf.evaluate", f"--policy_dir={root / 'policy'}",
                      "--episodes=2", "--seed=100")


def test_legacy_run_resumes_from_its_checkpoint(resumed):
    root, result = resumed
    assert result.returncode == 0, result.stderr
    assert "Using the config saved in" in result.stdout
    assert f"Resuming from checkpoint {root / 'checkpoints' / f'ckpt-{SAVED_STEP}'} at env step " \
           f"{SAVED_STEP}." in result.stdout, result.stdout
    assert json.loads(result.stdout.strip().splitlines()[-1])["env_step"] == RESUME_TO
    for file_name in EXCLUDED_COLUMNS:
        old_rows = read_rows(FIXTURE / file_name)
        rows = read_rows(root / file_name)
        assert rows[:len(old_rows)] == old_rows, f"{file_name}: the saved run's rows changed"
        assert int(old_rows[-1]["env_step"]) == SAVED_STEP
        assert [int(row["env_step"]) for row in rows[len(old_rows):]] == \
            EXPECTED["resumed"]["env_steps"][file_name]
    assert (root / "checkpoints" / f"ckpt-{RESUME_TO}.index").exists()
    assert json.loads((root / "policy" / "metadata.json").read_text())["train_step"] == RESUME_TO


def test_legacy_run_resumes_as_sac_tf_0_1_did(resumed):
    skip_unless_recording_machine()
    root, result = resumed
    assert result.returncode == 0, result.stderr
    for file_name in EXCLUDED_COLUMNS:
        assert compared(read_rows(root / file_name), file_name) == \
            EXPECTED["resumed"]["rows"][file_name], file_name
    printed = json.loads(result.stdout.strip().splitlines()[-1])
    assert {key: value for key, value in printed.items() if key not in EXCLUDED_RESULT_KEYS} == \
        EXPECTED["resumed"]["result"]


def test_legacy_policy_loads_and_runs(evaluated):
    assert evaluated.returncode == 0, evaluated.stderr
    printed = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert printed["episodes"] == 2 and len(printed["returns"]) == 2
    assert all(-3300 < value <= 0 for value in printed["returns"])  # 200 steps of [-16.3, 0]


def test_legacy_policy_returns_as_sac_tf_0_1_gave(evaluated):
    skip_unless_recording_machine()
    assert evaluated.returncode == 0, evaluated.stderr
    printed = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert printed["returns"] == EXPECTED["evaluate"]["returns"]
    # Every key sac_tf 0.1 printed, with its value (later versions may print more keys).
    recorded = EXPECTED["evaluate"]["printed"]
    assert {key: printed.get(key) for key in recorded} == recorded
