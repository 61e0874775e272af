"""Memory a worker process gives back between the pages it makes.

A finishing worker of a large edition makes hundreds of index pages, each from an index
of megabytes given as text. Two heaps keep what those pages leave behind: Saxon's, whose
collector lets garbage grow by hundreds of megabytes before it runs, and the C library's,
which keeps the memory of large freed strings for later instead of giving it back. Left
alone, a worker grew to 460–575 MB at 10,000 documents; :func:`keep_within`, called
after each page, holds it near its bound for a few dozen collections of 25 ms.
"""

from __future__ import annotations

import ctypes
import os
import sys
from contextlib import suppress

from .saxon import SaxonRuntime

WORKER_MEMORY_MB = 350.0
"""The resident memory above which a finishing worker gives memory back after a page."""


def resident_megabytes() -> float:
    """This process's resident memory, in MB (0.0 where ``/proc`` does not tell it)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _trim() -> bool:
    """Give the C library's free memory back to the system (glibc's ``malloc_trim``);
    whether that could be asked."""
    if sys.platform != "linux":
        return False
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
        return True
    return False


def keep_within(runtime: SaxonRuntime, limit_mb: float = WORKER_MEMORY_MB) -> bool:
    """When this process's resident memory is over ``limit_mb``, collect the heap of
    ``runtime`` (this process's) and give the C library's free memory back; whether it
    was over."""
    if resident_megabytes() <= limit_mb:
        return False
    runtime.collect_garbage()
    _trim()
    return True
