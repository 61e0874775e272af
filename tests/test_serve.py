"""``kimedition serve``: a real HTTP client against a preview of the small edition.

Every wait is bounded: the status endpoint is polled until a deadline.
"""

from __future__ import annotations

import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from email.message import Message
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import DOCUMENT_ID, SmallEdition
from kimedition.cli import cli
from kimedition.edition import Edition
from kimedition.errors import UsageError
from kimedition.serve import Preview, is_loopback

DEADLINE = 60.0
"""Seconds a test waits for a rebuild before failing (a rebuild takes about one)."""

PAGE = f"documents/{DOCUMENT_ID}.html"
SNIPPET = 'id="kimedition-preview-reload"'


def get(url: str, method: str = "GET") -> tuple[int, Message, bytes]:
    """Status, headers and body of a request; errors are answers too."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def raw(preview: Preview, path: str, method: str = "GET") -> int:
    """The status of a request sent with ``path`` exactly as given (no normalising)."""
    host, port = preview.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def status(preview: Preview) -> dict[str, Any]:
    code, _, body = get(preview.url + "__kimedition__/status")
    assert code == 200
    result: dict[str, Any] = json.loads(body)
    return result


def wait_for(preview: Preview, condition: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Poll the status endpoint until ``condition`` holds; fail after :data:`DEADLINE`."""
    deadline = time.monotonic() + DEADLINE
    while True:
        current = status(preview)
        if condition(current):
            return current
        assert time.monotonic() < deadline, f"gave up waiting; last status: {current}"
        time.sleep(0.1)


@pytest.fixture
def preview(small: SmallEdition) -> Iterator[Preview]:
    """The small edition, built and served on a free loopback port, watched."""
    running = Preview(Edition.open(small.root), port=0, debounce_ms=500)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """The small edition served without watching, for the tests that only read."""
    edition = SmallEdition(tmp_path_factory.mktemp("served") / "edition")
    running = Preview(Edition.open(edition.root), port=0, watch=False)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_answers_on_loopback_with_the_home_page(preview: Preview, small: SmallEdition) -> None:
    assert preview.url.startswith("http://127.0.0.1:")
    code, headers, body = get(preview.url)
    assert code == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"Test edition" in body
    assert SNIPPET.encode() in body
    assert body.index(SNIPPET.encode()) < body.rindex(b"</body>")
    assert b'role="alert"' not in body
    on_disk = (small.root / "output" / "html" / "index.html").read_bytes()
    assert SNIPPET.encode() not in on_disk
    assert int(headers["Content-Length"]) == len(body) == len(on_disk) + len(preview.snippet())
    code, headers, css = get(preview.url + "assets/kimedition.css")
    assert code == 200 and headers["Content-Type"].startswith("text/css")
    assert css == (small.root / "output" / "html" / "assets" / "kimedition.css").read_bytes()
    current = status(preview)
    assert current["build"] == 1 and current["ok"] is True and current["problems"] == []


def test_head_answers_headers_only(served: Preview) -> None:
    code, headers, body = get(served.url + PAGE, method="HEAD")
    assert code == 200 and body == b""
    assert int(headers["Content-Length"]) > 1000


def test_an_edit_is_rebuilt_and_served(preview: Preview, small: SmallEdition) -> None:
    assert b"swiftly" not in get(preview.url + PAGE)[2]
    started = time.monotonic()
    small.edit_document("writes from", "writes swiftly from")
    current = wait_for(preview, lambda s: s["build"] >= 2 and not s["building"])
    assert current["ok"] is True
    assert f"html/{PAGE}" in current["written"]
    code, _, body = get(preview.url + PAGE)
    assert code == 200 and b"swiftly" in body
    assert time.monotonic() - started < DEADLINE
    assert SNIPPET.encode() not in (small.root / "output" / "html" / PAGE).read_bytes()


def test_a_broken_document_keeps_the_old_page_and_shows_the_problem(
    preview: Preview, small: SmallEdition
) -> None:
    before = (small.root / "output" / "html" / PAGE).read_bytes()
    line = small.edit_document(
        'writes from <placeName ref="place:pyongyang">',
        'writes vainly from <placeName ref="place:nowhere">',
    )
    current = wait_for(preview, lambda s: s["build"] >= 2 and not s["building"])
    assert current["ok"] is False
    rules = {problem["rule"] for problem in current["problems"]}
    assert "ref-resolves" in rules
    problem = next(p for p in current["problems"] if p["rule"] == "ref-resolves")
    assert problem["line"] == line and problem["path"].endswith(f"{DOCUMENT_ID}.xml")
    code, _, body = get(preview.url + PAGE)
    assert code == 200
    assert b"vainly" not in body
    assert (small.root / "output" / "html" / PAGE).read_bytes() == before
    assert b'<div role="alert"' in body
    alert = body[body.index(b'<div role="alert"') :]
    assert b"[ref-resolves]" in alert
    assert f"{DOCUMENT_ID}.xml:{line}:".encode() in alert
    assert b"nowhere" in alert

    small.edit_document('<placeName ref="place:nowhere">', '<placeName ref="place:pyongyang">')
    current = wait_for(preview, lambda s: s["build"] >= 3 and not s["building"])
    assert current["ok"] is True and current["problems"] == []
    code, _, body = get(preview.url + PAGE)
    assert b"vainly" in body
    assert b'role="alert"' not in body


def test_problems_are_escaped_in_the_page(preview: Preview, small: SmallEdition) -> None:
    small.edit_document('ref="org:kwp"', 'ref="org:&lt;script&gt;x"')
    wait_for(preview, lambda s: s["build"] >= 2 and not s["building"])
    _, _, body = get(preview.url)
    alert = body[body.index(b'<div role="alert"') :]
    assert b"<script>x" not in alert
    assert b"&lt;script&gt;x" in alert


@pytest.mark.parametrize(
    "path",
    [
        "/../edition/tei/edition.xml",
        "/../../conftest.py",
        "/%2e%2e/%2e%2e/tei/edition.xml",
        "/%2E%2E%2F%2E%2E%2Ftei%2Fedition.xml",
        "/documents/..%2f..%2f..%2ftei%2fedition.xml",
        "/..%5c..%5ctei%5cedition.xml",
        "/%00index.html",
        "/%ff.html",
        "/documents/",
        "/nothing-here.html",
        "/__kimedition__/nothing",
        "//etc/hostname",
    ],
)
def test_paths_outside_the_html_folder_are_not_found(served: Preview, path: str) -> None:
    assert raw(served, path) == 404


def test_a_symbolic_link_leading_out_is_not_followed(preview: Preview, small: SmallEdition) -> None:
    html = small.root / "output" / "html"
    os.symlink(small.root / "tei" / "edition.xml", html / "edition.xml")
    os.symlink(html / "index.html", html / "home.html")
    assert raw(preview, "/edition.xml") == 404
    assert raw(preview, "/home.html") == 200


@pytest.mark.parametrize("path", ["/assets", "//assets", "/./assets", "/%61ssets"])
def test_a_folder_without_its_slash_is_redirected(served: Preview, path: str) -> None:
    host, port = served.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        assert response.status == 301
        assert response.getheader("Location") == "/assets/"
    finally:
        connection.close()


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head(served: Preview, method: str) -> None:
    code, headers, _ = get(served.url + "index.html", method=method)
    assert code == 405
    assert headers["Allow"] == "GET, HEAD"


def test_a_first_build_that_fails_serves_the_problems(small: SmallEdition) -> None:
    small.edit_document('ref="org:kwp"', 'ref="org:nope"')
    with Preview(Edition.open(small.root), port=0, watch=False) as running:
        assert running.last is not None and not running.last.ok
        code, _, body = get(running.url)
        assert code == 404
        assert b'<div role="alert"' in body and b"[ref-resolves]" in body


def test_the_port_in_use_is_a_usage_error(runner: CliRunner, small: SmallEdition) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["-C", str(small.root), "serve", "--port", str(port)])
        assert result.exit_code == 2, result.output
        assert "already in use" in result.stderr and "--port" in result.stderr
        assert "Traceback" not in result.output
        assert not (small.root / "output").exists()
        with pytest.raises(UsageError):
            Preview(Edition.open(small.root), port=port).start()


def test_loopback_addresses() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.2", "example.org"))


def test_ctrl_c_stops_cleanly(small: SmallEdition) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "kimedition", "-C", str(small.root), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], DEADLINE)
        assert ready, "the preview did not start"
        line = process.stdout.readline()
        assert line.startswith("serving "), line
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        assert url.startswith("http://127.0.0.1:")
        assert get(url)[0] == 200
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert err.splitlines()[-1] == "stopped"
    assert "Traceback" not in err
