"""`ray_session`: without the ray extra everything else works, and the Ray flags say how to
install it."""

import os
import subprocess
import sys

import pytest

from sac_tf.distributed.ray_session import INSTALL_HINT, import_ray
from sac_tf.errors import UserError
from tests.conftest import REPO_ROOT, assert_one_line_error


@pytest.fixture
def no_ray(tmp_path):
    """An environment in which `import ray` fails, as without the extra."""
    (tmp_path / "ray").mkdir()
    (tmp_path / "ray" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'ray'\")\n")
    return dict(os.environ, PYTHONPATH=str(tmp_path))


def run_command(module, *args, env):
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_import_ray_names_the_flag_and_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # what a failed import leaves
    with pytest.raises(UserError, match="--collectors needs Ray, which is not installed: pip "
                                        r"install -e \"\.\[ray\]\""):
        import_ray("--collectors")


@pytest.mark.parametrize("module, args", [
    ("sac_tf.train", ["--collectors=2", "--num_steps=100"]),
    ("sac_tf.compare", ["--ray_address=local", "--num_steps=100", "--agents=sac",
                        "--seeds=0"]),
])
def test_ray_flags_without_ray_fail_in_one_line_before_any_run(module, args, no_ray, tmp_path):
    out = tmp_path / "out"
    flag = "--root_dir" if module == "sac_tf.train" else "--out"
    result = run_command(module, *args, f"{flag}={out}", env=no_ray)
    assert_one_line_error(result, f"needs Ray, which is not installed: {INSTALL_HINT}")
    assert not out.exists()


def test_collector_flags_without_collectors_are_refused(tmp_path):
    result = run_command("sac_tf.train", "--ray_address=local", f"--root_dir={tmp_path / 'r'}",
                         env=os.environ)
    assert_one_line_error(result, "--ray_address only applies with --collectors=K")


def test_every_module_imports_without_ray(no_ray):
    modules = ["sac_tf.train", "sac_tf.distributed", "sac_tf.distributed.collection",
               "sac_tf.distributed.grid", "sac_tf.experiments.comparison"]  # not two commands:
    # their absl flags would clash
    result = subprocess.run([sys.executable, "-c", f"import {', '.join(modules)}"],
                            cwd=REPO_ROOT, env=no_ray, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
