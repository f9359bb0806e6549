"""The built wheel holds every shipped config file, so a non-editable install can train.

(Checked by hand as well: `pip install .` in a fresh venv, the source tree removed, then
`python -m sac_tf.train --num_steps=1200` from another directory trains and exports.)
"""

import importlib.util
import pathlib
import subprocess
import sys
import zipfile

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_the_wheel_installs_the_configs_as_sac_tf_configs(tmp_path):
    for needed in ("setuptools", "wheel"):
        if importlib.util.find_spec(needed) is None:
            pytest.skip(f"building a wheel without build isolation needs {needed}")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(tmp_path), str(REPO_ROOT)], check=True,
                   capture_output=True, timeout=300)
    wheel, = tmp_path.glob("sac_tf-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"sac_tf/configs/{path.name}" for path in (REPO_ROOT / "configs").glob("*.py")}
    assert shipped and shipped <= names, sorted(shipped - names)
    assert "sac_tf/config/files.py" in names
    assert not any(name.startswith("tests/") for name in names)
