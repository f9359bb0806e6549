"""The README's custom-loop example runs as written and learns Pendulum-v1."""

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


def readme_api_example() -> str:
    """The first ```python block of the README's "Python API" section."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Python API", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def test_the_example_is_the_documented_custom_loop():
    code = readme_api_example()
    for call in ("sac_tf.SAC.from_env", "select_action", "replay_buffer.add", "learn(",
                 "evaluate(", "range(1, 10_001)"):
        assert call in code


@pytest.mark.slow
def test_readme_custom_loop_reaches_minus_300_within_10k_steps(tmp_path):
    script = tmp_path / "example.py"
    script.write_text(readme_api_example())
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=1500)
    assert result.returncode == 0, result.stderr
    match = re.search(r"mean eval return: (-?[\d.]+)", result.stdout)
    assert match, result.stdout
    assert float(match.group(1)) >= -300
