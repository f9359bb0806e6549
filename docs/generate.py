"""The documentation's references, generated from the code so that nothing is written twice.

* the config field reference: every field of `sac_tf/config/defaults.py` with its default,
  its one-line meaning (`FIELD_HELP`) and the shipped config files that change it;
* the command-line reference: the absl flags of every `python -m sac_tf.NAME` entry point
  (every module of the package with a `__main__` block), with their help texts.

`docs/hooks.py` adds both pages at `mkdocs build`; `tests/test_docs.py` checks that every
field and flag has a description and parses every documented command against these flags.

    python docs/generate.py config    # the config reference, as markdown
    python docs/generate.py cli       # the command-line reference
    python docs/generate.py dump      # flags as JSON; stdin: JSON [[target, [args...]], ...]
                                      # commands to parse against them (errors in the JSON)
"""

import importlib
import importlib.util
import json
import pathlib
import re
import subprocess
import sys

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
SECTIONS = ("", "sac", "td3", "ddpg")


def entry_points() -> list:
    """`sac_tf.NAME` of every module in the package that runs as `python -m`."""
    names = []
    for path in sorted((REPO_ROOT / "sac_tf").rglob("*.py")):
        if re.search(r'^if __name__ == "__main__":', path.read_text(), re.MULTILINE):
            names.append(".".join(path.relative_to(REPO_ROOT).with_suffix("").parts))
    order = ["sac_tf.train", "sac_tf.compare", "sac_tf.export", "sac_tf.evaluate"]
    return sorted(names, key=lambda name: (order.index(name) if name in order else 99, name))


# ---------------------------------------------------------------------------------------------
# Config fields

def shipped_configs() -> dict:
    """`{name: ConfigDict}` of every shipped config file (`configs/NAME.py`) at its default
    argument (option configs: their default env)."""
    from sac_tf.config import CONFIG_DIR, load_config

    return {path.stem: load_config(str(path)) for path in sorted(CONFIG_DIR.glob("*.py"))
            if path.stem not in ("__init__", "saved_run")}


def _flat(config) -> dict:
    """`{(section, field): value}` of a run config; section "" for the run's own fields."""
    values = {}
    for name, value in config.items():
        if name in SECTIONS[1:]:
            values.update({(name, field): inner for field, inner in value.items()})
        else:
            values[("", name)] = value
    return values


def _defaults(section: str, config) -> dict:
    from sac_tf.config import defaults

    if section == "":
        return defaults.base_config(config.agent, config.env_id)
    return {"sac": defaults.sac_config, "td3": defaults.td3_config,
            "ddpg": defaults.ddpg_config}[section]()


def _show(value) -> str:
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, float) and value and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"`{value:g}`"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1_000:
        return f"`{value:_}`"
    return f"`{value!r}`"


def set_by() -> dict:
    """`{(section, field): ["name (value)", ...]}`: the shipped configs that change a field
    from its default in `sac_tf/config/defaults.py`."""
    changes = {}
    for name, config in shipped_configs().items():
        for section in SECTIONS:
            if section and section not in config:
                continue
            base = _flat(_defaults(section, config)) if section == "" else {
                (section, field): value for field, value in _defaults(section, config).items()}
            current = {key: value for key, value in _flat(config).items() if key[0] == section}
            for key, value in current.items():
                default = base.get(key)
                if key[1] in ("agent", "env_id"):
                    continue
                if hasattr(value, "to_dict"):
                    value, default = value.to_dict(), getattr(default, "to_dict", dict)()
                if value != default:
                    changes.setdefault(key, []).append(f"`{name}` ({_show(value).strip('`')})")
    return changes


def config_reference() -> str:
    """The config field reference page, as markdown."""
    from sac_tf.config import defaults

    changed = set_by()
    lines = [
        "# Config fields",
        "",
        "Every field a run config has, generated from `sac_tf/config/defaults.py` (defaults "
        "and meanings) and the config files in `configs/` (which of them change a field; "
        "option configs shown at their default env, so a per-task value is that env's). "
        "Override any field on the command line: `--config.FIELD=VALUE` for the run's "
        "fields, `--config.sac.FIELD=VALUE` (or `td3.`, `ddpg.`) for the agent's. "
        "See [Configs](../guide/configs.md) for how a config is chosen.",
        "",
    ]
    tables = (("Run fields (`config.FIELD`)", "", defaults.RUN_FIELDS, None),
              ("SAC fields (`config.sac.FIELD`)", "sac", defaults.SAC_FIELDS, None),
              ("TD3 and DDPG fields (`config.td3.FIELD`, `config.ddpg.FIELD`)", "td3",
               defaults.TD3_FIELDS, defaults.ddpg_config()))
    for title, section, fields, ddpg in tables:
        lines += [f"## {title}", ""]
        if section == "":
            lines += ["`agent` and `env_id` are set by the config file (or `--agent`, "
                      "`--env`); the defaults below are those of `base_config`.", ""]
        default_header = "default (TD3 / DDPG)" if ddpg is not None else "default"
        lines += [f"| field | {default_header} | meaning | set by |", "|---|---|---|---|"]
        fresh = _defaults(section, defaults.base_config("sac", "Pendulum-v1"))
        for field in fields:
            default = _show(fresh[field])
            if ddpg is not None and ddpg[field] != fresh[field]:
                default += f" / {_show(ddpg[field])}"
            setters = changed.get((section, field), [])
            if ddpg is not None:
                setters = setters + [s for s in changed.get(("ddpg", field), [])
                                     if s not in setters]
            meaning = defaults.FIELD_HELP[section][field].replace("|", "\\|")
            lines.append(f"| `{field}` | {default} | {meaning} | {', '.join(setters) or '—'} |")
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Command-line flags

def _describe(flag) -> dict:
    default = flag.default
    if flag.name == "config":
        default = None
    return {"name": flag.name, "type": flag.flag_type(), "help": flag.help or "",
            "default": default if isinstance(default, (int, float, str, list, type(None)))
            else str(default), "required": any(
                "must have a value" in str(getattr(v, "message", "")) for v in flag.validators),
            "enum": sorted(getattr(flag.parser, "enum_values", None) or []) or None}


def _import_script(path: pathlib.Path):
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parse(flag_values, module, args: list):
    """None if `args` parse against the flags `module` defined (as its command would parse
    them), else the error in words."""
    from sac_tf.errors import UserError

    flag_values.unparse_flags()
    for name in [name for name in flag_values if "." in name]:  # last parse's overrides
        delattr(flag_values, name)
    argv = ["prog", *args]
    try:
        if hasattr(module, "prepare_argv"):
            argv = module.prepare_argv(argv)
        sys.argv = argv  # ml_collections reads `--config.FIELD` overrides from sys.argv
        rest = flag_values(argv)
    except (Exception, SystemExit) as error:  # absl, ml_collections and our UserError
        kind = "UserError" if isinstance(error, UserError) else type(error).__name__
        return f"{kind}: {error}"
    if len(rest) > 1:
        return f"unexpected arguments: {rest[1:]}"
    return None


def _argparse_flags(path: pathlib.Path) -> list:
    """Option names of a script that parses with argparse, read from its source."""
    return re.findall(r'add_argument\(\s*"(--[\w-]+)"', path.read_text())


def dump(commands=()) -> dict:
    """Every entry point's flags (and those of the scripts `commands` name), each command
    parsed against its target's flags. Imports TensorFlow: run it in a fresh process."""
    from absl import flags

    from sac_tf import tf_setup

    tf_setup.import_tensorflow_quietly()
    flag_values = flags.FLAGS
    targets = entry_points() + sorted({target for target, _ in commands
                                       if target not in entry_points()})
    result = {"flags": {}, "errors": []}
    for target in targets:
        mine = [args for name, args in commands if name == target]
        before = set(flag_values)
        if target.startswith("sac_tf."):
            module = importlib.import_module(target)
        else:
            path = REPO_ROOT / target
            if not path.is_file():
                result["errors"].append([target, [], "no such script"])
                continue
            if "flags.DEFINE" not in path.read_text():
                known = _argparse_flags(path)
                result["flags"][target] = [{"name": name.lstrip("-")} for name in known]
                for args in mine:
                    unknown = [arg for arg in args if arg.startswith("--")
                               and arg.split("=")[0] not in known]
                    if unknown:
                        result["errors"].append([target, args, f"unknown options {unknown}"])
                continue
            module = _import_script(path)
        # the flags this import defined (a script's are registered under importlib's name)
        defined = [flag_values[name] for name in flag_values if name not in before]
        result["flags"][target] = [_describe(flag) for flag in defined]
        for args in mine:
            error = _parse(flag_values, module, args)
            if error:
                result["errors"].append([target, args, error])
        flag_values.unparse_flags()
        for flag in defined:
            delattr(flag_values, flag.name)
    return result


def collect(commands=()) -> dict:
    """`dump(commands)` in a fresh Python process (flags of different entry points share
    names, and each entry point defines its flags on import)."""
    result = subprocess.run([sys.executable, str(pathlib.Path(__file__).resolve()), "dump"],
                            input=json.dumps([list(command) for command in commands]),
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=600,
                            env={**__import__("os").environ, "PYTHONPATH": str(REPO_ROOT),
                                 "TF_CPP_MIN_LOG_LEVEL": "3"})
    if result.returncode != 0:
        raise RuntimeError(f"docs/generate.py dump failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _default_cell(flag: dict) -> str:
    if flag["required"]:
        return "required"
    if flag["default"] in (None, ""):
        return "—"
    default = flag["default"]
    return f"`{','.join(default) if isinstance(default, list) else default}`"


def cli_reference(dumped=None) -> str:
    """The command-line reference page, as markdown."""
    dumped = dumped or collect()
    lines = ["# Command-line flags", "",
             "The flags of every command, generated from their absl flag definitions. "
             "Every command also takes absl's own flags (`--helpfull` lists them; "
             "`--verbosity` sets the log level). Flags take `--name=value`; booleans also "
             "`--name` and `--noname`. A default of — means none of the flag's own: "
             "`train`'s `--env`, `--seed` and `--num_steps` then take the config's value.", ""]
    for target in entry_points():
        module = importlib.util.find_spec(target)
        doc = pathlib.Path(module.origin).read_text().split('"""')[1].strip().splitlines()[0]
        lines += [f"## `python -m {target}`", "", doc, "",
                  "| flag | type | default | meaning |", "|---|---|---|---|"]
        for flag in dumped["flags"][target]:
            kind = flag["type"] if not flag["enum"] else " \\| ".join(
                f"`{value}`" for value in flag["enum"])
            meaning = " ".join(flag["help"].split())
            if flag["enum"]:  # absl prefixes an enum's help with its values
                meaning = re.sub(r"^<[^>]*>: ", "", meaning)
            meaning = meaning.replace("|", "\\|")
            if flag["name"] == "config":
                meaning += (" Any field can then be set with `--config.FIELD=VALUE` "
                            "(see [Config fields](config.md)).")
            lines.append(f"| `--{flag['name']}` | {kind} | {_default_cell(flag)} | {meaning} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT))
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "dump":
        commands = json.loads(sys.stdin.read() or "[]")
        print(json.dumps(dump([(target, args) for target, args in commands]), default=str))
    elif what == "config":
        print(config_reference())
    elif what == "cli":
        print(cli_reference())
    else:
        sys.exit(__doc__)
