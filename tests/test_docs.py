"""The documentation can be trusted: every command in README.md and docs/ parses against the
real flags, every Python block compiles, and the generated references cover every config
field and flag, each with a description.

Shell blocks (bash, sh, shell, console): each `python -m sac_tf.NAME` command is parsed by
NAME's own absl flags (with `prepare_argv` where the command has one, and `--config.FIELD`
overrides against the config it loads), without running; `python benchmarks/X.py` and
`python examples/X.py` against that script's flags; other commands must be in `TOOLS`.
"""

import re
import shlex
import sys

import pytest

from sac_tf.config import defaults
from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "docs"))
import generate  # noqa: E402

SHELL = ("bash", "sh", "shell", "console")
#: Commands other than sac_tf's and the repository's scripts that the docs may show, and
#: what checks them: CI runs the install, pytest and mkdocs lines in a fresh environment.
TOOLS = {
    ("python3", "-m", "venv"): "CI creates its venv this way",
    (".",): "activating a venv",
    ("source",): "activating a venv",
    ("pip", "install"): "CI installs the extras this way",
    ("python", "-m", "pytest"): "CI runs the suite this way",
    ("python", "-m", "build"): "CI builds the wheel and sdist this way",
    ("mkdocs",): "CI builds the site with mkdocs build --strict",
    ("tensorboard",): "TensorBoard, installed with the package",
    ("sudo", "apt-get", "install"): "system libraries for MuJoCo rendering",
    ("apt-get", "install"): "system libraries for MuJoCo rendering",
    ("cd",): "changing directory",
}


def markdown_files():
    files = [REPO_ROOT / "README.md"]
    for path in sorted((REPO_ROOT / "docs").rglob("*.md")):
        relative = path.relative_to(REPO_ROOT / "docs").as_posix()
        if "/runs/" in relative or relative.endswith("summary.md"):
            continue  # run records and compare's reports, not pages (mkdocs.yml excludes them)
        files.append(path)
    return files


FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```",
                   re.MULTILINE | re.DOTALL)


def code_blocks():
    """`(file, line, language, code)` of every fenced block."""
    blocks = []
    for path in markdown_files():
        text = path.read_text()
        for match in FENCE.finditer(text):
            indent = match.group("indent")
            code = "".join(line[len(indent):] if line.startswith(indent) else line
                           for line in match.group("body").splitlines(keepends=True))
            line = text.count("\n", 0, match.start()) + 1
            blocks.append((path.relative_to(REPO_ROOT).as_posix(), line,
                           match.group("lang").lower(), code))
    return blocks


RUN_MARKER = "<!-- docs-test: run -->"


def marked_python_blocks():
    """`(where, code)` of the Python blocks right after a `RUN_MARKER` line: cheap to run."""
    marked = []
    for path in markdown_files():
        text = path.read_text()
        for match in FENCE.finditer(text):
            before = text[:match.start()].rstrip().splitlines()
            if match.group("lang") == "python" and before and before[-1].strip() == RUN_MARKER:
                marked.append((path.relative_to(REPO_ROOT).as_posix(), match.group("body")))
    return marked


def shell_commands(code: str, language: str) -> list:
    """The commands of a shell block as token lists: continuation lines joined, comments
    dropped, split at newlines, `&&`, `;` and `|`, leading `VAR=value` assignments removed."""
    lines = code.splitlines()
    if language == "console":
        lines = [line[2:] for line in lines if line.startswith("$ ")]
    commands = []
    for text in "\n".join(lines).replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split, lexer.commenters = True, "#"
        current = []
        for token in list(lexer) + [";"]:
            if token in (";", "&&", "|", "||", "&"):
                while current and re.match(r"^[A-Z_][A-Z0-9_]*=", current[0]):
                    current.pop(0)
                if current:
                    commands.append(current)
                current = []
            else:
                current.append(token)
    return commands


def classify(command: list):
    """`("sac_tf.NAME" or a script path, args)` to parse, or `("tool", reason)`, or
    `("unknown", ...)`; a `taskset -c CPUS` prefix is looked through."""
    if command[:2] == ["taskset", "-c"]:
        return classify(command[3:])
    if command[:2] == ["python", "-m"] and command[2].startswith("sac_tf."):
        return command[2], command[3:]
    if command[0] == "python" and re.match(r"^(benchmarks|examples)/[\w/]+\.py$", command[1]):
        return command[1], command[2:]
    for prefix, reason in TOOLS.items():
        if tuple(command[:len(prefix)]) == prefix:
            return "tool", reason
    return "unknown", " ".join(command)


def documented_commands():
    """`(where, target, args)` of every command to parse, and the unknown ones."""
    to_parse, unknown = [], []
    for where, line, language, code in code_blocks():
        if language not in SHELL:
            continue
        for command in shell_commands(code, language):
            target, rest = classify(command)
            if target == "unknown":
                unknown.append(f"{where}:{line}: {rest}")
            elif target != "tool":
                to_parse.append((f"{where}:{line}", target, rest))
    return to_parse, unknown


@pytest.fixture(scope="module")
def parsed():
    """The flags of every entry point and script, and each documented command's parse."""
    to_parse, _ = documented_commands()
    return to_parse, generate.collect([(target, args) for _, target, args in to_parse])


def test_the_docs_have_commands_and_python_to_check():
    to_parse, _ = documented_commands()
    targets = {target for _, target, _ in to_parse}
    assert {"sac_tf.train", "sac_tf.compare", "sac_tf.export", "sac_tf.evaluate"} <= targets
    assert any(language == "python" for _, _, language, _ in code_blocks())


def test_every_shell_command_is_a_known_kind():
    _, unknown = documented_commands()
    assert not unknown, "commands the docs test cannot check (add a kind to TOOLS?):\n" + \
        "\n".join(unknown)


def test_every_documented_command_parses_against_the_real_flags(parsed):
    to_parse, result = parsed
    where = {(target, tuple(args)): place for place, target, args in to_parse}
    errors = [f"{where.get((target, tuple(args)), '?')}: {target} {' '.join(args)}\n  {error}"
              for target, args, error in result["errors"]]
    assert not errors, "\n".join(errors)


def test_every_documented_compare_names_agents_that_exist():
    from sac_tf.agents import AGENTS
    from sac_tf.config import named_config_argument

    to_parse, _ = documented_commands()
    for where, target, args in to_parse:
        if target != "sac_tf.compare":
            continue
        values = dict(arg[2:].split("=", 1) for arg in args if "=" in arg)
        for agent in values.get("agents", "sac,ddpg,td3").split(","):
            named_config_argument(agent, values.get("env", "Pendulum-v1"), AGENTS)  # raises


def test_a_renamed_flag_or_field_would_fail(parsed):
    result = generate.collect([("sac_tf.train", ["--train_every=20"]),
                               ("sac_tf.train", ["--config.sac.no_such_field=1"]),
                               ("sac_tf.compare", ["--env=Pendulum-v1"]),
                               ("benchmarks/throughput.py", ["--train_every=20"])])
    assert len(result["errors"]) == 4, result["errors"]


def test_the_shell_splitter():
    code = ("TF_NUM_INTRAOP_THREADS=1 python -m sac_tf.compare --env=Ant-v5 \\\n"
            "    --env_kwargs='{\"a\": 1}' --out=x   # comment\n"
            "python3 -m venv .venv && . .venv/bin/activate && pip install -e \".[test]\"\n")
    assert shell_commands(code, "bash") == [
        ["python", "-m", "sac_tf.compare", "--env=Ant-v5", '--env_kwargs={"a": 1}', "--out=x"],
        ["python3", "-m", "venv", ".venv"], [".", ".venv/bin/activate"],
        ["pip", "install", "-e", ".[test]"]]


@pytest.mark.parametrize("where,line,language,code",
                         [block for block in code_blocks() if block[2] == "python"],
                         ids=lambda value: str(value)[:40])
def test_every_python_block_compiles(where, line, language, code):
    compile(code, f"{where}:{line}", "exec")


@pytest.mark.parametrize("where,code", marked_python_blocks(), ids=lambda value: value[:30])
def test_the_cheap_python_blocks_run(where, code):
    """Marked blocks run; a config file's `get_config` builds a valid config."""
    from sac_tf.config import validate

    namespace = {"__name__": "docs_block"}
    exec(compile(code, where, "exec"), namespace)
    if "get_config" in namespace:
        validate(namespace["get_config"]())


def test_some_python_blocks_are_run():
    assert len(marked_python_blocks()) >= 2


def test_every_flag_of_every_entry_point_has_help(parsed):
    _, result = parsed
    for target in generate.entry_points():
        flags = result["flags"][target]
        assert flags, target
        for flag in flags:
            assert flag["help"].strip(), f"{target} --{flag['name']} has no help text"


def test_the_cli_reference_covers_every_flag(parsed):
    _, result = parsed
    page = generate.cli_reference(result)
    for target in generate.entry_points():
        assert f"## `python -m {target}`" in page
        for flag in result["flags"][target]:
            assert f"| `--{flag['name']}` |" in page, (target, flag["name"])


def test_the_config_reference_covers_every_field_with_its_meaning():
    page = generate.config_reference()
    sections = {"": "## Run fields", "sac": "## SAC fields", "td3": "## TD3 and DDPG fields"}
    for section, fields in (("", defaults.RUN_FIELDS), ("sac", defaults.SAC_FIELDS),
                            ("td3", defaults.TD3_FIELDS)):
        table = page.split(sections[section], 1)[1].split("\n## ", 1)[0]
        for name in fields:
            row = re.search(rf"^\| `{name}` \|.*$", table, re.MULTILINE)
            meaning = defaults.FIELD_HELP[section][name].replace("|", "\\|")
            assert row and meaning in row.group(0), (section, name)
    assert "`sac_crossq` (False)" in page  # which configs set a field: CrossQ's target_networks


def test_the_site_lists_the_pages_it_promises():
    mkdocs = (REPO_ROOT / "mkdocs.yml").read_text()
    for page in re.findall(r":\s+([\w/.-]+\.md)$", mkdocs, re.MULTILINE):
        assert (REPO_ROOT / "docs" / page).exists() or page in ("reference/config.md",
                                                                "reference/cli.md"), page
    for needed in ("getting-started.md", "guide/training.md", "guide/configs.md",
                   "guide/resuming.md", "guide/logging.md", "guide/evaluation.md",
                   "guide/export.md", "guide/python-api.md", "guide/environments.md",
                   "guide/ray.md", "results/index.md", "benchmarks.md", "development.md",
                   "faq.md", "changelog.md", "reference/config.md", "reference/cli.md",
                   "reference/api.md"):
        assert needed in mkdocs, needed


def test_every_picture_is_on_a_page():
    pages = "\n".join(path.read_text() for path in markdown_files()[1:])
    for picture in sorted((REPO_ROOT / "docs").rglob("*.png")):
        name = picture.relative_to(REPO_ROOT / "docs").as_posix()
        assert name in pages or name.split("/", 1)[-1] in pages, f"docs/{name} is on no page"


def test_the_readme_is_a_short_front_door():
    readme = (REPO_ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    assert "python -m pytest" in readme  # the command CI runs
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    # the README's command as it is, its exit status kept (`|| status=$?`) while jobs end
    assert re.search(r"^python -m pytest( \|\| status=\$\?)?$", ci, re.MULTILINE), ci
