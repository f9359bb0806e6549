"""The package's layout rules: small modules, a small API class, and packages that only
import the ones below them (DESIGN.md's table; docs/development.md)."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "sac_tf"
#: Lowest first: a package may import itself and any package before it. Top-level modules
#: (`errors`, `files`, `tf_setup`) are below every package; the entry points
#: (`train`, `compare`, `evaluate`, `export`, `tune`, `cli`) above all of them.
ORDER = ("core", "config", "networks", "agents", "envs", "run", "deploy", "distributed",
         "experiments", "api")
MAX_MODULE_LINES = 300
MAX_API_AGENT_LINES = 150


def modules():
    return sorted(PACKAGE.rglob("*.py"))


def imported_packages(path: pathlib.Path):
    """`(line, package)` of every `sac_tf.<package>` import in `path`, nested ones too."""
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "sac_tf" and len(parts) > 1:
                yield node.lineno, parts[1]


def test_no_package_imports_one_above_it():
    wrong = []
    for path in modules():
        relative = path.relative_to(PACKAGE)
        if len(relative.parts) == 1:  # top-level modules: entry points and utilities
            continue
        level = ORDER.index(relative.parts[0])
        for line, package in imported_packages(path):
            if package in ORDER and ORDER.index(package) > level:
                wrong.append(f"{relative}:{line} imports sac_tf.{package}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_modules_stay_small(path):
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


def test_the_api_agent_class_stays_small():
    tree = ast.parse((PACKAGE / "api" / "agent.py").read_text())
    agent = next(node for node in tree.body if isinstance(node, ast.ClassDef)
                 and node.name == "Agent")
    assert agent.end_lineno - agent.lineno + 1 <= MAX_API_AGENT_LINES
