"""The one exception type that reaches users as a plain message."""


class UserError(Exception):
    """A problem with the user's input: flags, config, environment or files.

    Command-line entry points print its message as one line on stderr and exit
    with a non-zero status, without a traceback.
    """
