"""The docs' examples run as written (slow: they train).

* the Python API guide's custom loop learns Pendulum-v1;
* the README's quick starts (train, compare, export + evaluate, loading the policy with
  TensorFlow alone) run in order, with `--num_steps` and `--seeds` made short.
"""

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from tests.test_docs import FENCE, shell_commands

API_GUIDE = REPO_ROOT / "docs" / "guide" / "python-api.md"


def api_example() -> str:
    """The first ```python block of the Python API guide."""
    return re.search(r"```python\n(.*?)```", API_GUIDE.read_text(), re.DOTALL).group(1)


def test_the_example_is_the_documented_custom_loop():
    code = api_example()
    for call in ("sac_tf.SAC.from_env", "select_action", "replay_buffer.add", "learn(",
                 "evaluate(", "range(1, 10_001)"):
        assert call in code


def _environment():
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TF_NUM_INTRAOP_THREADS": "1"}


@pytest.mark.slow
def test_the_python_api_example_reaches_minus_300_within_10k_steps(tmp_path):
    script = tmp_path / "example.py"
    script.write_text(api_example())
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=1500, env=_environment())
    assert result.returncode == 0, result.stderr
    match = re.search(r"mean eval return: (-?[\d.]+)", result.stdout)
    assert match, result.stdout
    assert float(match.group(1)) >= -300


def quick_start_blocks() -> list:
    """`(language, code)` of the README's "Quick start" sections, in order."""
    readme = (REPO_ROOT / "README.md").read_text()
    blocks = []
    for section in re.split(r"^## ", readme, flags=re.MULTILINE):
        if section.startswith("Quick start"):
            blocks += [(match.group("lang"), match.group("body"))
                       for match in FENCE.finditer(section)]
    return blocks


def shortened(args: list, command: str) -> list:
    """A documented command made short: few steps, one seed, small evaluations; the
    repository's `configs/` by absolute path (the command runs in a scratch directory)."""
    args = [re.sub(r"^--num_steps=\d+", "--num_steps=300", arg) for arg in args]
    args = [re.sub(r"^--seeds=.*", "--seeds=0", arg) for arg in args]
    args = [arg.replace("configs/", f"{REPO_ROOT}/configs/") for arg in args]
    if command == "sac_tf.train":
        if not any(arg.startswith("--num_steps=") for arg in args):
            args.append("--num_steps=300")
        args.append("--config.eval_episodes=1")
    return args


@pytest.mark.slow
def test_the_readme_quick_starts_run(tmp_path):
    blocks = quick_start_blocks()
    assert [language for language, _ in blocks] == ["bash", "bash", "bash", "bash", "python"]
    for language, code in blocks:
        if language == "python":
            result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, text=True,
                                    capture_output=True, timeout=300, env=_environment())
            assert result.returncode == 0, result.stderr[-2000:]
            continue
        for command in shell_commands(code, language):
            assert command[:2] == ["python", "-m"], command
            args = shortened(command[3:], command[2])
            result = subprocess.run([sys.executable, "-m", command[2], *args], cwd=tmp_path,
                                    text=True, capture_output=True, timeout=900,
                                    env=_environment())
            assert result.returncode == 0, (command, result.stderr[-2000:])
    assert (tmp_path / "runs" / "sac_Pendulum-v1_seed0" / "policy" / "policy.tflite").exists()
    assert (tmp_path / "runs" / "compare_pendulum" / "summary.md").exists()
    assert (tmp_path / "pendulum.mp4").exists()
