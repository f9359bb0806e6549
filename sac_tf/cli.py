"""What every `python -m sac_tf.*` command shares: one-line errors, no tracebacks."""

import json
import logging as python_logging
import sys
from typing import Callable, Optional

from absl import app, flags, logging

from sac_tf.errors import UserError
from sac_tf.run.stop_requests import Interrupted

#: Exit status for bad flags or input (absl uses 1 for its own usage errors).
EXIT_USAGE = 2


def fail(message: str, status: int = EXIT_USAGE):
    """Prints `error: message` as one line on stderr and exits with `status`."""
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr, flush=True)
    # The process ends here; TensorFlow's warnings about objects collected on the
    # way out (a checkpoint that failed to restore) would only bury the error.
    python_logging.getLogger("tensorflow").setLevel(python_logging.ERROR)
    sys.exit(status)


def parse_env_kwargs(text: str) -> dict:
    """`--env_kwargs` as a dict; `UserError` unless it is a JSON object."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise UserError(f"--env_kwargs is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise UserError(f"--env_kwargs must be a JSON object, got {text}")
    return value


def _parse_flags(argv):
    try:
        return flags.FLAGS(argv)
    except flags.Error as error:
        fail(error)
    except (AttributeError, KeyError) as error:  # how ml_collections rejects --config.NAME
        field = str(error).strip("\"'")
        fail(f"unknown config field '{field}' in a --config.FIELD override")


def run(main: Callable[[], None], prepare_argv: Optional[Callable[[list], list]] = None) -> None:
    """`absl.app.run` of a command that takes flags only, where flag errors,
    positional arguments, `UserError`s and file-system errors end as one line.

    `prepare_argv(argv) -> argv`, if given, runs before the flags are parsed
    (to add defaults or check files); its `UserError`s end as one line too.
    """

    def parse(argv):
        if prepare_argv is not None:
            try:
                argv = prepare_argv(argv)
            except UserError as error:
                fail(error)
        return _parse_flags(argv)

    def guarded_main(argv):
        if not flags.FLAGS["verbosity"].present:
            logging.set_verbosity(logging.WARNING)  # TensorFlow's savers log at INFO
        try:
            if len(argv) > 1:
                raise UserError(f"unexpected arguments: {' '.join(argv[1:])}")
            main()
        except UserError as error:
            fail(error)
        except OSError as error:  # a path that cannot be written or read: say which
            fail(error, status=1)
        except Interrupted as error:  # the run stopped at a safe point and saved
            fail(error, status=error.exit_status)
        except KeyboardInterrupt:
            fail("interrupted", status=130)

    app.run(guarded_main, flags_parser=parse)
