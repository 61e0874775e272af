"""Stopping a parse or a transformation that takes too long.

Saxon runs native code that Python cannot interrupt. A :class:`Watchdog` is a thread
that watches the task in progress; when a task runs past its limit, it writes one line
naming the file to standard error, calls the clean-up it was given (removing a staging
folder, say) and ends the process with exit code 1. In a worker process, the main
process sees the worker end and reports the build as failed.

saxonche keeps Python's interpreter lock while Saxon works, so the thread cannot run
during one call into Saxon: a call that runs past the limit is stopped when it returns,
by the thread if the task goes on, and otherwise by the end of the task itself, which
looks at the clock (a task that ended past its deadline stops the process all the
same). A call that never returns is not stopped; the parsers' limits on size and depth
bound what one call is given.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .saxon import real_stderr

DEFAULT_TIMEOUT = 60.0
"""Seconds one file may take in one stage before the command is stopped."""

EXIT_TIMEOUT = 1


class Watchdog:
    """Watches one task at a time; see the module's description.

    Starting and ending a task only records it: the thread is never woken for it. It
    sleeps until the deadline of the task it last saw, or for one limit when it saw
    none, and looks again; a task that began while it slept cannot reach its deadline before
    the thread wakes. (Waking the thread at the start and end of every task cost about
    4% of the processor time of a validation of 10,000 documents.)
    """

    def __init__(
        self,
        limit: float = DEFAULT_TIMEOUT,
        on_timeout: Callable[[str], None] | None = None,
    ) -> None:
        self.limit = limit
        self.on_timeout = on_timeout
        self._watched: tuple[str, float] | None = None
        """The task in progress and its deadline, replaced whole (a new tuple for each
        task), so that the thread reads both as they were set together."""
        self._thread: threading.Thread | None = None
        self._firing = threading.Lock()
        """Held by whichever of the thread and the task's end stops the process first."""

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="kimedition-watchdog", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while True:
            watched = self._watched
            if watched is None:
                time.sleep(self.limit)
                continue
            remaining = watched[1] - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
            elif self._watched is watched:
                self._fire(watched[0])

    def _fire(self, task: str) -> None:
        if not self._firing.acquire(blocking=False):
            # The other one is stopping the process, with its message: wait for the end.
            while True:
                time.sleep(self.limit)
        message = (
            f"{task}: stopped after {self.limit:g} s: processing this file took longer than the "
            "limit; check it for unusual size or nesting, or raise the limit with --timeout"
        )
        try:
            if self.on_timeout is not None:
                self.on_timeout(message)
            else:
                os.write(real_stderr(), (message + "\n").encode("utf-8"))
        finally:
            os._exit(EXIT_TIMEOUT)

    @contextmanager
    def watch(self, task: str) -> Iterator[None]:
        """Watch the work done inside the ``with`` block, naming ``task`` if it overruns."""
        if self.limit <= 0:
            yield
            return
        self._start()
        watched = (task, time.monotonic() + self.limit)
        self._watched = watched
        try:
            yield
        finally:
            if self._watched is watched:
                self._watched = None
        # A task whose last call into Saxon ran past the deadline, when the thread could
        # not look: it is stopped now, as the thread would have stopped it.
        if time.monotonic() > watched[1]:
            self._fire(task)
