"""The one exception type that reaches users as a plain message, and two ways to turn
other errors into one line (`first_line`, `failures_reported_as`)."""

import contextlib


class UserError(ValueError):
    """A problem with the user's input: flags, config, environment, files or API arguments.

    Command-line entry points print its message as one line on stderr and exit
    with a non-zero status, without a traceback. It is a `ValueError`, so
    Python API callers can catch bad input the usual way.
    """


def first_line(error: BaseException) -> str:
    """The first line of `error`'s message (its type's name when it has none), for
    one-line reports of TensorFlow's many-line errors."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextlib.contextmanager
def failures_reported_as(what: str):
    """Turns an exception raised inside the block into `UserError("{what} failed: …")`
    whose cause is the original; a `UserError` passes through unchanged."""
    try:
        yield
    except UserError:
        raise
    except Exception as error:
        raise UserError(f"{what} failed: {type(error).__name__}: {error}") from error
