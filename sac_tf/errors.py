"""The one exception type that reaches users as a plain message."""


class UserError(ValueError):
    """A problem with the user's input: flags, config, environment, files or API arguments.

    Command-line entry points print its message as one line on stderr and exit
    with a non-zero status, without a traceback. It is a `ValueError`, so
    Python API callers can catch bad input the usual way.
    """
