"""``kimedition serve``: preview the edition on a local web server, rebuilt on every save.

A :class:`Preview` does four things:

1. it binds a web server (``http.server``'s :class:`~http.server.ThreadingHTTPServer`),
   on the loopback address unless told otherwise, first, so that a port in use is
   reported at once;
2. it builds the edition with :func:`kimedition.build.build`, incremental like
   ``kimedition build``; when validation fails it keeps serving the last good output
   (the build never touches it) and shows the problems in the page;
3. it serves ``OUT/html`` and nothing else: GET and HEAD only, no folder listings, and a
   path that leaves the folder (``..``, ``%2e%2e``, a symbolic link pointing out) is not
   found. Into each HTML response (never the file on disk) it injects a small script
   that asks ``/__kimedition__/status`` every second for the build number and reloads
   the page when it changes, and, when the last build failed, a ``<div role="alert">``
   listing its problems;
4. it watches the edition's ``tei/`` (sources, registers, schema, templates) and its own
   ``xslt/``, if it has one, with :mod:`watchfiles`: a burst of saves makes one
   rebuild, in a background thread, one build at a time (the output folder's build lock
   keeps other builds out); the server answers meanwhile.

The published pages stay static and work without JavaScript: the script exists only in
the preview. ``/__kimedition__/status`` answers JSON: ``build`` (the number of builds
done), ``ok``, ``building``, ``seconds`` (the last build's duration), ``written`` (the
files it wrote), ``message`` and ``problems`` (each as in ``validate --format json``).
"""

from __future__ import annotations

import errno
import html
import ipaddress
import json
import mimetypes
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from .build import build
from .edition import Edition
from .engine import display_path
from .errors import InvalidEdition, KimeditionError, UsageError
from .problems import Problem

if TYPE_CHECKING:
    from watchfiles import Change

RESERVED = "/__kimedition__/"
"""URL paths under this prefix belong to the preview, not to the edition."""

STATUS_PATH = RESERVED + "status"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

DEBOUNCE_MS = 1600
"""Longest time a burst of changes is gathered before a rebuild."""

QUIET_MS = 100
"""A rebuild starts once no change has come for this long."""

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".svg": "image/svg+xml",
}

Echo = Callable[[str], None]
"""Where the preview says what it does: one line at a time."""


@dataclass(frozen=True)
class BuildOutcome:
    """The result of one build of the preview."""

    number: int
    """1 for the first build, then one more for each."""
    ok: bool
    """Whether the output was (re)published; False: the previous output is served."""
    seconds: float
    problems: list[Problem] = field(default_factory=list)
    """Validation problems (warnings too when ``ok``), or the reason the build failed."""
    written: list[str] = field(default_factory=list)
    message: str = ""
    """One line saying what happened."""

    def as_dict(self, building: bool = False) -> dict[str, object]:
        """The JSON of ``/__kimedition__/status``."""
        return {
            "build": self.number,
            "ok": self.ok,
            "building": building,
            "seconds": round(self.seconds, 3),
            "written": self.written,
            "message": self.message,
            "problems": [problem.as_dict() for problem in self.problems],
        }


def problems_of(error: KimeditionError) -> list[Problem]:
    """The problems a failed build reported; any other error is one problem holding its
    message."""
    if isinstance(error, InvalidEdition) and error.problems:
        return list(error.problems)
    return [Problem("", message=error.message, rule=error.__class__.__name__)]


def format_problem(problem: Problem) -> str:
    """``path:line:col: message [rule]``, as the overlay lists a problem."""
    where = problem.path
    if problem.line:
        where += f":{problem.line}"
        if problem.column:
            where += f":{problem.column}"
    prefix = f"{where}: " if where else ""
    severity = "" if problem.is_error else "warning: "
    suffix = f" [{problem.rule}]" if problem.rule else ""
    return f"{prefix}{severity}{problem.message}{suffix}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1 or localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Preview:
    """A preview server for one edition; see the module's description.

    ``start()`` binds, builds once and starts serving (and watching); ``stop()`` ends
    it all, waiting for a build in progress. Usable in a ``with`` block. ``echo``
    receives one line per event (a build done or failed).
    """

    def __init__(
        self,
        edition: Edition,
        out: Path | None = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        watch: bool = True,
        echo: Echo | None = None,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        self.edition = edition
        self.out = (out or edition.default_output).absolute()
        self.host = host
        self.port = port
        self.watch = watch
        self.echo: Echo = echo or (lambda line: None)
        self.debounce_ms = debounce_ms
        self._server: _Server | None = None
        self._state = threading.Condition()
        self._last: BuildOutcome | None = None
        self._building = False
        self._pending = False
        self._stopping = threading.Event()
        self._watching = threading.Event()
        self._build_lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    # The life of a preview ------------------------------------------------------

    def start(self) -> None:
        """Bind the server, build, then serve and watch in background threads.

        Raises :class:`UsageError` when the address cannot be bound (a port in use) or
        the output folder cannot be written; a failed validation does not stop it.
        """
        self._server = _bind(self.host, self.port, self)
        try:
            self._build(first=True)
        except BaseException:
            self._server.server_close()
            self._server = None
            raise
        self._spawn("kimedition-server", self._server.serve_forever)
        self._spawn("kimedition-builder", self._builder)
        if self.watch:
            self._spawn("kimedition-watcher", self._watcher)
            if not self._watching.wait(timeout=10):
                self.echo("warning: the file watcher did not start; saves will not rebuild")

    def stop(self) -> None:
        """Stop watching and serving; wait for a build in progress to finish."""
        self._stopping.set()
        with self._state:
            self._state.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        self._server = None

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until :meth:`stop` is called (True) or ``timeout`` seconds pass (False)."""
        return self._stopping.wait(timeout)

    @property
    def url(self) -> str:
        """The address of the home page, with the port actually bound."""
        if self._server is None:
            raise RuntimeError("the preview is not started")
        host, port = self._server.server_name, self._server.server_port
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    @property
    def root(self) -> Path:
        """The folder served: ``OUT/html``."""
        return self.out / "html"

    @property
    def build_count(self) -> int:
        """How many builds have finished (succeeded or failed)."""
        with self._state:
            return self._last.number if self._last else 0

    @property
    def last(self) -> BuildOutcome | None:
        """The outcome of the last finished build."""
        with self._state:
            return self._last

    def status(self) -> dict[str, object]:
        """The JSON of ``/__kimedition__/status``."""
        with self._state:
            last, building = self._last, self._building
        if last is None:
            return {"build": 0, "ok": False, "building": True, "problems": []}
        return last.as_dict(building)

    def request_build(self) -> None:
        """Ask for a rebuild; requests made during a build give one more build after it."""
        with self._state:
            self._pending = True
            self._state.notify_all()

    def wait_for_build(self, after: int, timeout: float) -> BuildOutcome | None:
        """The outcome of the first build numbered over ``after``, or None after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._state:
            while self._last is None or self._last.number <= after:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._state.wait(remaining)
            return self._last

    # Building -------------------------------------------------------------------

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _builder(self) -> None:
        while True:
            with self._state:
                while not self._pending and not self._stopping.is_set():
                    self._state.wait()
                if self._stopping.is_set():
                    return
                self._pending = False
            self._build(first=False)

    def _build(self, first: bool) -> None:
        """One build, one at a time; record its outcome and say what happened."""
        with self._build_lock:
            with self._state:
                self._building = True
            started = time.monotonic()
            try:
                result = build(self.edition, self.out)
            except UsageError as error:
                if first:
                    raise
                outcome = self._failed(started, error)
            except KimeditionError as error:
                outcome = self._failed(started, error)
            except Exception as error:  # a bug: show it in the page, keep serving
                outcome = self._failed(
                    started,
                    KimeditionError(f"internal error: {error.__class__.__name__}: {error}"),
                )
            else:
                seconds = time.monotonic() - started
                written = len(result.written)
                outcome = BuildOutcome(
                    self._next_number(),
                    True,
                    seconds,
                    list(result.report.problems),
                    list(result.written),
                    f"built in {seconds:.2f} s: {written} file{'s' if written != 1 else ''} "
                    f"written into {display_path(self.out)}",
                )
            with self._state:
                self._last = outcome
                self._building = False
                self._state.notify_all()
        for problem in outcome.problems:
            self.echo(problem.format() if problem.path else problem.message)
        self.echo(outcome.message)

    def _failed(self, started: float, error: KimeditionError) -> BuildOutcome:
        seconds = time.monotonic() - started
        problems = problems_of(error)
        errors = sum(1 for problem in problems if problem.is_error)
        return BuildOutcome(
            self._next_number(),
            False,
            seconds,
            problems,
            [],
            f"build failed after {seconds:.2f} s ({errors} error{'s' if errors != 1 else ''}); "
            "serving the previous output",
        )

    def _next_number(self) -> int:
        with self._state:
            return (self._last.number if self._last else 0) + 1

    # Watching -------------------------------------------------------------------

    def watched_paths(self) -> list[Path]:
        """The folders where a save starts a rebuild: ``tei/``, and the edition's own
        ``xslt/`` when it has one."""
        paths = [self.edition.tei_dir]
        own = self.edition.root / "xslt"
        if own.is_dir():
            paths.append(own)
        return paths

    def _watcher(self) -> None:
        # Imported here: the other commands need not load watchfiles (and anyio).
        from watchfiles import DefaultFilter, watch

        output = self.out.resolve()
        default = DefaultFilter()

        def relevant(change: Change, path: str) -> bool:
            resolved = Path(path)
            if resolved == output or output in resolved.parents:
                return False
            return bool(default(change, path))

        try:
            for changes in watch(
                *self.watched_paths(),
                watch_filter=relevant,
                debounce=self.debounce_ms,
                step=QUIET_MS,
                stop_event=self._stopping,
                rust_timeout=200,
                yield_on_timeout=True,
                raise_interrupt=False,
            ):
                self._watching.set()
                if changes:
                    self.request_build()
        except Exception as error:  # the watcher is lost, the server goes on
            self.echo(f"warning: watching for changes stopped: {error}")
        finally:
            self._watching.set()

    # Serving --------------------------------------------------------------------

    def snippet(self) -> bytes:
        """What is injected before ``</body>``: the reload script and, after a failed
        build, the list of problems."""
        with self._state:
            last = self._last
        number = last.number if last else 0
        parts: list[str] = []
        if last is not None and not last.ok:
            items = "".join(
                f"<li>{html.escape(format_problem(problem))}</li>" for problem in last.problems
            )
            parts.append(
                '<div role="alert" id="kimedition-preview-problems" style="position:fixed;'
                "left:0;right:0;bottom:0;z-index:2147483647;max-height:50vh;overflow:auto;"
                "margin:0;padding:1em 1.5em;background:#fff4f4;color:#600;"
                'border-top:4px solid #b00;font:14px/1.4 monospace;text-align:left">'
                '<p style="margin:0 0 .5em;font-weight:bold">The last build failed: this is '
                "the previous output. Fix the sources and save; the page reloads by itself.</p>"
                f'<ul style="margin:0;padding-left:1.5em">{items}</ul></div>'
            )
        parts.append(
            f'<script id="kimedition-preview-reload">(function(){{var build={number};'
            "function poll(){fetch('" + STATUS_PATH + "',{cache:'no-store'})"
            ".then(function(r){return r.json();})"
            ".then(function(s){if(s.build!==build){location.reload();}"
            "else{setTimeout(poll,1000);}})"
            ".catch(function(){setTimeout(poll,2000);});}"
            "setTimeout(poll,1000);})();</script>"
        )
        return "".join(parts).encode("utf-8")

    def inject(self, page: bytes) -> bytes:
        """``page`` with :meth:`snippet` before its last ``</body>`` (or at its end)."""
        position = page.lower().rfind(b"</body")
        if position < 0:
            return page + self.snippet()
        return page[:position] + self.snippet() + page[position:]

    def locate(self, url_path: str) -> Path | str | None:
        """The file a request path names inside :attr:`root`, a redirect target (a
        folder asked for without its final ``/``), or None (not found, or outside).

        Raises :class:`UnicodeDecodeError` when the path's escapes are not UTF-8.
        """
        path = unquote(urlsplit(url_path).path, errors="strict")
        if "\x00" in path or "\\" in path or not path.startswith("/"):
            return None
        parts = [part for part in path.split("/") if part not in ("", ".")]
        if ".." in parts:
            return None
        root = self.root
        try:
            real_root = root.resolve(strict=True)
            real = root.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if real != real_root and not real.is_relative_to(real_root):
            return None
        if real.is_dir():
            if not path.endswith("/"):
                # Rebuilt from the parts: "//host" must not become a redirect elsewhere.
                return "/" + "".join(quote(part) + "/" for part in parts)
            real = real / "index.html"
            if not real.is_file():
                return None
        return real if real.is_file() else None


class _Server(ThreadingHTTPServer):
    """The preview's server (IPv4); its handler finds the preview as ``server.preview``."""

    daemon_threads = True
    preview: Preview

    def server_bind(self) -> None:
        # HTTPServer looks the host's name up in the DNS here, which can hang; skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class _Server6(_Server):
    address_family = socket.AF_INET6


def _bind(host: str, port: int, preview: Preview) -> _Server:
    """A server bound to ``host:port`` (not yet serving); :class:`UsageError` when it
    cannot be."""
    try:
        family = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)[0][0]
    except (socket.gaierror, UnicodeError) as error:
        raise UsageError(f"{host}: not an address this machine can listen on ({error})") from None
    server_class = _Server6 if family == socket.AF_INET6 else _Server
    try:
        server = server_class((host.strip("[]"), port), _Handler)
    except OverflowError:
        raise UsageError(f"{port}: not a port number (0 to 65535)") from None
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(
                f"{host}:{port} is already in use (another preview or server?); "
                "choose another port with --port, or --port 0 for any free one"
            ) from None
        if error.errno == errno.EACCES:
            raise UsageError(
                f"{host}:{port}: permission denied (ports below 1024 need privileges); "
                "choose another port with --port"
            ) from None
        raise UsageError(f"{host}:{port}: cannot listen there: {error.strerror}") from None
    server.preview = preview
    return server


class _Handler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the preview's folder; every other method is refused."""

    server: _Server
    server_version = "kimedition-preview"
    protocol_version = "HTTP/1.1"
    timeout = 60
    """Seconds an idle kept-alive connection is kept open."""

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _refuse(self) -> None:
        self.close_connection = True  # the request's body, if any, is not read
        self._send(
            HTTPStatus.METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            b"405 method not allowed: the preview answers GET and HEAD only\n",
            extra={"Allow": "GET, HEAD"},
        )

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: the preview prints only what the builds do."""

    def _answer(self, body: bool) -> None:
        preview = self.server.preview
        path = urlsplit(self.path).path
        if path == STATUS_PATH:
            data = json.dumps(preview.status(), ensure_ascii=False).encode("utf-8")
            self._send(HTTPStatus.OK, "application/json; charset=utf-8", data, body)
            return
        try:
            found = None if path.startswith(RESERVED) else preview.locate(self.path)
        except UnicodeDecodeError:
            found = None
        if isinstance(found, str):
            self._send(
                HTTPStatus.MOVED_PERMANENTLY,
                "text/plain; charset=utf-8",
                b"",
                body,
                extra={"Location": found},
            )
            return
        if found is None:
            page = (
                b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                b"<title>Not found</title></head><body><h1>Not found</h1>"
                b"<p>No page at this address in the preview.</p></body></html>"
            )
            self._send(HTTPStatus.NOT_FOUND, CONTENT_TYPES[".html"], preview.inject(page), body)
            return
        try:
            data = found.read_bytes()
        except OSError:  # replaced or removed by a build in between
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n", body)
            return
        suffix = found.suffix.lower()
        kind = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(found.name)[0]
        if suffix in (".html", ".htm"):
            data = preview.inject(data)
        self._send(HTTPStatus.OK, kind or "application/octet-stream", data, body)

    def _send(
        self,
        status: HTTPStatus,
        kind: str,
        data: bytes,
        body: bool = True,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body and data:
            self.wfile.write(data)


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "BuildOutcome",
    "Preview",
    "format_problem",
    "is_loopback",
    "problems_of",
]
