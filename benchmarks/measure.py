"""Run one command and report its wall time and peak memory, as one line of JSON.

    python benchmarks/measure.py --stdout OUT --stderr ERR [--timeout S] -- COMMAND...

The harness starts a fresh copy of this wrapper for every measurement, so that
``getrusage(RUSAGE_CHILDREN)`` here covers exactly one command: ``ru_maxrss`` is then the
peak resident set size of the largest process of that command's tree that was waited
for (the command itself, or a worker it started and joined), in KB on Linux. It is a
maximum, not a sum: two workers of 200 MB each report 200 MB. The wrapper's own memory
is not included (RUSAGE_CHILDREN counts only children).

Wall time is measured here with ``time.perf_counter`` around the command alone, so the
wrapper's own start-up is not counted, but the command's is (Python start, imports), as a
user experiences it. The wrapper waits for the command in one blocking call, which
returns as soon as it ends (``Popen.wait`` with a timeout would look every 50 ms, and add
up to that much to each figure); a timer kills the command's whole process group when
the timeout passes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stdout", type=Path, required=True, help="file for the command's stdout")
    parser.add_argument("--stderr", type=Path, required=True, help="file for the command's stderr")
    parser.add_argument("--timeout", type=float, default=None, help="seconds before killing it")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    killed = threading.Event()
    with args.stdout.open("wb") as out, args.stderr.open("wb") as err:
        start = time.perf_counter()
        try:
            process = subprocess.Popen(command, stdout=out, stderr=err, start_new_session=True)
        except OSError as error:
            print(json.dumps({"returncode": 127, "error": str(error)}))
            return 0

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(args.timeout, kill) if args.timeout else None
        if timer is not None:
            timer.daemon = True
            timer.start()
        returncode = process.wait()
        wall = time.perf_counter() - start
        if timer is not None:
            timer.cancel()
    timed_out = killed.is_set() and returncode == -signal.SIGKILL
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024
    print(
        json.dumps(
            {
                "returncode": returncode,
                "timed_out": timed_out,
                "wall_s": wall,
                "max_rss_kb": rss_kb,
                "user_s": usage.ru_utime,
                "sys_s": usage.ru_stime,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
