"""The tutorial notebook runs headless, top to bottom, without errors (short run)."""

import nbformat
from nbclient import NotebookClient

from tests.conftest import REPO_ROOT


def test_tutorial_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_NUM_STEPS", "300")
    monkeypatch.setenv("TUTORIAL_ROOT", str(tmp_path / "run"))
    notebook = nbformat.read(REPO_ROOT / "notebooks" / "tutorial.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO_ROOT)}}).execute()
    errors = [output for cell in notebook.cells for output in cell.get("outputs", [])
              if output.get("output_type") == "error"]
    assert not errors
    assert (tmp_path / "run" / "policy" / "saved_model.pb").is_file()
    assert (tmp_path / "run" / "pendulum.mp4").is_file()
