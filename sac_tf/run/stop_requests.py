"""Ctrl-C and SIGTERM that stop a training loop between two iterations, never inside one.

A signal that lands in the middle of an iteration (after the env steps and the
updates, before that step's log rows and evaluation) would otherwise leave a
checkpoint whose step has no evaluation row, and resuming would never write it.
`StopRequests` records the first SIGINT or SIGTERM; the loop finishes its
iteration, saves and stops. A second signal acts at once, as it normally would
(Ctrl-C raises `KeyboardInterrupt`, SIGTERM ends the process), without saving.
"""

import signal
import threading

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """Raised by the loop after it saved at a requested stop; `exit_status` is 128 + the
    signal number (130 for Ctrl-C, 143 for SIGTERM)."""

    def __init__(self, message: str, signal_number: int):
        super().__init__(message)
        self.exit_status = 128 + signal_number


class StopRequests:
    """A context manager that catches SIGINT and SIGTERM while it is active.

    `requested` is the first signal's number, or None. Outside the main thread
    (where Python cannot handle signals) it catches nothing and stays None.
    """

    def __init__(self):
        self.requested = None
        self._previous = {}

    def __enter__(self) -> "StopRequests":
        if threading.current_thread() is threading.main_thread():
            self._previous = {number: signal.getsignal(number) for number in SIGNALS}
            for number in SIGNALS:
                signal.signal(number, self._record)
        return self

    def _record(self, number, frame):
        self.requested = number
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # on stdout: stderr is kept to the one `error:` line the stop then ends with
        print(f"\n{signal.Signals(number).name}: stopping after this step's logs and checkpoint "
              f"(send it again to stop at once, from the last checkpoint).", flush=True)

    def __exit__(self, *exc_info):
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous = {}
