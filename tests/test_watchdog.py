"""The watchdog: a task past its limit ends the process, naming it; tasks that end in
time are never stopped, however many follow one another."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a process of its own: the watchdog ends the process it is in."""
    prelude = "import time\nfrom kimedition.watchdog import Watchdog\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_tasks_that_end_in_time_are_not_stopped() -> None:
    # Forty tasks of a fifth of the limit each, one after the other: eight times as long
    # as the limit in all, so a deadline seen for an earlier task passes during a later
    # one; then twice the limit with no task, when the last one's deadline passes.
    completed = _run(
        """
        dog = Watchdog(0.25)
        for number in range(40):
            with dog.watch(f"task {number}"):
                time.sleep(0.05)
            time.sleep(0.005)
        time.sleep(0.5)
        print("done")
        """
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "done\n"
    assert completed.stderr == ""


def test_a_task_past_its_limit_ends_the_process_naming_it() -> None:
    completed = _run(
        """
        dog = Watchdog(0.3)
        with dog.watch("first.xml"):
            time.sleep(0.05)
        time.sleep(0.4)  # the watchdog is idle when the next task begins
        started = time.monotonic()
        try:
            with dog.watch("second.xml"):
                time.sleep(5)
        finally:
            print(time.monotonic() - started)
        """
    )
    assert completed.returncode == 1
    assert completed.stderr.startswith("second.xml: stopped after 0.3 s:")
    assert "--timeout" in completed.stderr
    # Nothing after the stop runs: the process ends at once, not when the task would.
    assert completed.stdout == ""


def test_the_stop_comes_at_the_limit_not_later() -> None:
    # The task begins while the watchdog sleeps, having seen no task: it must still be
    # stopped at its own deadline, not one limit after the watchdog next looks.
    completed = _run(
        """
        import os, sys
        started = []
        def note(message):
            os.write(2, f"{time.monotonic() - started[0]:.3f}\\n".encode())
        dog = Watchdog(1.0, note)
        with dog.watch("first.xml"):
            pass
        time.sleep(1.2)
        started.append(time.monotonic())
        with dog.watch("second.xml"):
            time.sleep(10)
        """
    )
    assert completed.returncode == 1
    elapsed = float(completed.stderr.strip())
    assert 1.0 <= elapsed < 1.6, elapsed


def test_no_limit_watches_nothing() -> None:
    completed = _run(
        """
        dog = Watchdog(0)
        with dog.watch("task"):
            time.sleep(0.2)
        print(dog._thread is None)
        """
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "True\n"


def test_a_task_that_overran_while_the_thread_could_not_look_is_stopped_at_its_end() -> None:
    # saxonche keeps the interpreter lock while Saxon works; a call that holds it past the
    # deadline (here a busy loop in native code that never lets the thread run, stood in
    # for by a regular expression that backtracks for a second) ends the task after its
    # deadline: the end of the task stops the process, naming the file.
    completed = _run(
        """
        import re, sys
        sys.setswitchinterval(1000)  # the thread would not get the lock in time either
        dog = Watchdog(0.2)
        with dog.watch("slow.xml"):
            started = time.monotonic()
            while time.monotonic() - started < 0.5:
                re.match(r"(a+)+$", "a" * 22 + "b")
        print("after the task")
        """
    )
    assert completed.returncode == 1, completed.stderr
    assert completed.stderr.startswith("slow.xml: stopped after 0.2 s:")
    assert completed.stdout == ""
