"""Helpers for the real-browser tests and the README's screenshots.

The browser is Debian's ``chromium`` (installed by ``tests/install-browser.sh``), driven by
Playwright's Python API through ``executable_path``: Playwright never downloads a browser
of its own. Pages are opened from ``file://``, with every other request refused, so that
the tests also prove that the edition works from disk and offline.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Playwright, Request, Route

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def chromium_path() -> Path | None:
    """Debian's Chromium, or None when it is not installed."""
    found = shutil.which("chromium")
    if found:
        return Path(found)
    fallback = Path("/usr/bin/chromium")
    return fallback if fallback.is_file() else None


def launch(playwright: Playwright) -> Browser:
    """Headless Chromium; raises RuntimeError when Debian's Chromium is missing."""
    executable = chromium_path()
    if executable is None:
        raise RuntimeError(
            "Chromium is not installed: run `sh tests/install-browser.sh` "
            "(it installs Debian's chromium package; `make test` runs it)"
        )
    return playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)


class NetworkGuard:
    """Refuses every request that is not for a local file, and remembers all requests.

    ``blocked`` lists the URLs refused (the edition must not need the network);
    ``requested`` every URL the pages asked for, local or not.
    """

    def __init__(self, context: BrowserContext) -> None:
        self.blocked: list[str] = []
        self.requested: list[str] = []
        context.route("**/*", self._route)
        context.on("request", self._request)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _request(self, request: Request) -> None:
        self.requested.append(request.url)

    def remote(self) -> list[str]:
        """Every URL asked for that is neither a local file nor inline data."""
        return [u for u in self.requested + self.blocked if not u.startswith(("file:", "data:"))]


def build_edition(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """Run ``kimedition -C ROOT build --out OUT`` as a separate process."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kimedition",
            "-C",
            str(root),
            "build",
            "--quiet",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
