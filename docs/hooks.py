"""mkdocs hooks: the generated reference pages (`docs/generate.py`) join the site's files."""

import pathlib
import sys

from mkdocs.structure.files import File

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import generate  # noqa: E402

GENERATED = {"reference/config.md": generate.config_reference,
             "reference/cli.md": generate.cli_reference}


def on_files(files, config):
    for uri, make in GENERATED.items():
        files.append(File.generated(config, uri, content=make()))
    return files
