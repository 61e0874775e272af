"""Hostile and broken input: every threat of the security issue, one test (or case) each.

Editions take contributions by pull request, and CI runs ``kimedition validate`` and
``kimedition build`` on whatever arrives. Each test here breaks a copy of the small
edition (``tests/conftest.py``), never the real sources, runs the command line (in a
real process where standard error, exit codes or signals matter, else in-process) and
checks the exit code, the ``path:line:col: error: message [rule]`` line naming the
file, that the other files are still reported, that no traceback is printed, that the
answer comes within seconds and, for the attempts to read outside the edition, that the
token of a file outside it appears nowhere: not in any output file, not on standard
output, not on standard error.

The threats and the protection each test proves are listed in docs/security.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html

from conftest import DOCUMENT_ID, DOCUMENT_XML, ROOT, SmallEdition
from kimedition.cli import REPORT_HINT, cli
from kimedition.parsing import MAX_ATTRIBUTES, MAX_DEPTH, MAX_NAME
from test_engine import add_documents

pytestmark = pytest.mark.timeout(180)

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"

ANSWER_WITHIN = 20.0
"""Seconds any hostile input may take to be answered (most take one or two)."""

LINE = re.compile(
    r"^(?P<path>[^\n]+?):(?:(?P<line>\d+):(?:(?P<col>\d+):)?)? (?P<severity>error|warning): (?P<message>.+) \[(?P<rule>[a-z-]+)\]$"
)
"""One problem line: ``path:line:col: error: message [rule]`` (line and column when known)."""


# Running the command line -----------------------------------------------------------


@dataclass
class Run:
    """What one command printed, how it ended, and how long it took."""

    code: int
    out: str
    err: str
    seconds: float

    @property
    def text(self) -> str:
        return self.out + self.err

    def problems(self) -> list[dict[str, str]]:
        """Every ``path:line:col: severity: message [rule]`` line, parsed."""
        found = []
        for line in self.text.splitlines():
            line = line.removeprefix("Error: ")
            match = LINE.match(line)
            if match:
                found.append(match.groupdict())
        return found

    def find(self, rule: str, file: str) -> dict[str, str]:
        """The first problem of ``rule`` in the file named ``file`` (its last part)."""
        for problem in self.problems():
            if problem["rule"] == rule and Path(problem["path"]).name == file:
                return problem
        raise AssertionError(f"no [{rule}] for {file} in:\n{self.text}")


def kimedition(
    root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> Run:
    """``python -m kimedition -C ROOT ARGS`` in a real process, from the edition folder."""
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "kimedition", "-C", str(root), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=root,
        env={**os.environ, **(env or {})},
    )
    return Run(completed.returncode, completed.stdout, completed.stderr, time.monotonic() - started)


def invoke(root: Path, *args: str) -> Run:
    """The same in this process (faster; Saxon's own standard error is not seen)."""
    started = time.monotonic()
    here = Path.cwd()
    os.chdir(root)  # paths in messages are relative to the current folder
    try:
        result = CliRunner().invoke(cli, ["-C", str(root), *args])
    finally:
        os.chdir(here)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr, time.monotonic() - started)


def assert_clean(run: Run, code: int) -> None:
    """The exit code; no traceback; answered in time."""
    assert run.code == code, run.text
    assert "Traceback" not in run.text
    assert run.seconds < ANSWER_WITHIN, f"took {run.seconds:.1f} s"


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (not following links) with the SHA-256 of its content."""
    hashes: dict[str, str] = {}
    for directory, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            path = Path(directory) / name
            key = path.relative_to(folder).as_posix()
            hashes[key] = (
                "link:" + os.readlink(path)
                if path.is_symlink()
                else hashlib.sha256(path.read_bytes()).hexdigest()
            )
    return hashes


def second_document(small: SmallEdition, error: bool = True) -> Path:
    """Another document, with an unknown reference when ``error``: it must still be
    reported whatever happens to the first."""
    path = small.tei / "documents" / "kim-1950-01-20-second.xml"
    text = DOCUMENT_XML.replace(DOCUMENT_ID, "kim-1950-01-20-second").replace(
        'when="1950-01-19"', 'when="1950-01-20"'
    )
    if error:
        text = text.replace('<orgName ref="org:kwp">', '<orgName ref="org:kwpp">')
    path.write_text(text, encoding="utf-8")
    return path


# Secrets: nothing outside the edition is ever read -----------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the edition folder holding a random token."""
    folder = tmp_path / "outside"
    folder.mkdir()
    path = folder / "secret.txt"
    path.write_text(f"TOKEN-{secrets.token_hex(16)}\n", encoding="utf-8")
    return path


def token(secret: Path) -> str:
    return secret.read_text(encoding="utf-8").strip()


def assert_no_secret(secret: Path, folder: Path, *runs: Run) -> None:
    """The token is in no output and in no file under ``folder`` (links not followed)."""
    value = token(secret)
    for run in runs:
        assert value not in run.out and value not in run.err
    for directory, _, files in os.walk(folder):
        for name in files:
            path = Path(directory) / name
            if path.is_symlink():
                continue
            assert value.encode() not in path.read_bytes(), path


def plant_in_document(old: str, new: str) -> Callable[[SmallEdition, Path], Path]:
    def plant(small: SmallEdition, secret: Path) -> Path:
        small.edit_document(
            old,
            new.replace("@SECRET_URI@", secret.as_uri())
            .replace("@SECRET_PATH@", str(secret))
            .replace("@SECRET_RELATIVE@", os.path.relpath(secret, small.document.parent)),
        )
        return small.document

    return plant


def fixture_document(name: str) -> Callable[[SmallEdition, Path], Path]:
    def plant(small: SmallEdition, secret: Path) -> Path:
        text = (FIXTURES / name).read_text(encoding="utf-8")
        xml_id = re.search(r'xml:id="([^"]+)"', text)
        assert xml_id is not None
        path = small.tei / "documents" / f"{xml_id.group(1)}.xml"
        path.write_text(text.replace("@SECRET_URI@", secret.as_uri()), encoding="utf-8")
        return path

    return plant


def register_link(small: SmallEdition, secret: Path) -> Path:
    path = small.tei / "persons.xml"
    path.unlink()
    path.symlink_to(secret)
    return path


def document_link(small: SmallEdition, secret: Path) -> Path:
    path = small.tei / "documents" / "kim-1950-01-22-link.xml"
    path.symlink_to(secret)
    return path


def document_link_to_tei(small: SmallEdition, secret: Path) -> Path:
    """A link to a valid TEI document outside the edition: it would be published."""
    outside = secret.parent / "kim-1950-01-22-outside.xml"
    outside.write_text(
        DOCUMENT_XML.replace(DOCUMENT_ID, "kim-1950-01-22-outside")
        .replace('when="1950-01-19"', 'when="1950-01-22"')
        .replace("writes from", f"writes {token(secret)} from"),
        encoding="utf-8",
    )
    path = small.tei / "documents" / outside.name
    path.symlink_to(outside)
    return path


# (planting, exit code of validate, the rule that reports it)
SECRET_CASES: dict[str, tuple[Callable[[SmallEdition, Path], Path], int, str | None]] = {
    "external-entity": (fixture_document("external-entity.xml"), 1, "xml"),
    "parameter-entity": (fixture_document("parameter-entity.xml"), 1, "xml"),
    "xinclude": (
        plant_in_document(
            "<p><persName",
            '<p><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="@SECRET_URI@" '
            'parse="text"/><persName',
        ),
        1,
        "rng",
    ),
    "xml-stylesheet": (
        plant_in_document(
            "<?xml-model", '<?xml-stylesheet type="text/xsl" href="@SECRET_URI@"?>\n<?xml-model'
        ),
        0,
        None,
    ),
    "xml-model": (
        plant_in_document(
            '<?xml-model href="../schema/kimedition.rng"', '<?xml-model href="@SECRET_URI@"'
        ),
        0,
        None,
    ),
    "facs": (plant_in_document("<p><persName", '<p facs="@SECRET_URI@"><persName'), 1, "rng"),
    "source": (plant_in_document("<p><persName", '<p source="@SECRET_PATH@"><persName'), 1, "rng"),
    "xml-base": (
        plant_in_document("<p><persName", '<p xml:base="@SECRET_URI@"><persName'),
        1,
        "rng",
    ),
    "graphic-url": (
        plant_in_document("<p><persName", '<p><graphic url="@SECRET_URI@"/><persName'),
        1,
        "rng",
    ),
    "target-file-uri": (
        plant_in_document('target="../edition.xml#type-telegram"', 'target="@SECRET_URI@"'),
        1,
        "url-scheme",
    ),
    "target-relative": (  # only the fragment names the category; the path is never read
        plant_in_document(
            'target="../edition.xml#type-telegram"', 'target="@SECRET_RELATIVE@#type-telegram"'
        ),
        0,
        None,
    ),
    "ref-relative": (
        plant_in_document('<orgName ref="org:kwp">', '<orgName ref="../../../outside/secret.txt">'),
        1,
        "ref-syntax",
    ),
    "ref-file-uri": (
        plant_in_document('<orgName ref="org:kwp">', '<orgName ref="@SECRET_URI@">'),
        1,
        "url-scheme",
    ),
    "register-link": (register_link, 1, "file"),
    "document-link": (document_link, 1, "file"),
    "document-link-to-tei": (document_link_to_tei, 1, "file"),
}


@pytest.mark.parametrize("case", sorted(SECRET_CASES))
def test_nothing_outside_the_edition_is_read(small: SmallEdition, secret: Path, case: str) -> None:
    """validate, build and suggest never read the planted file: the token of a file
    outside the edition appears in no output; the construct is reported cleanly."""
    plant, code, rule = SECRET_CASES[case]
    path = plant(small, secret)
    second = second_document(small, error=code == 1)
    validate = kimedition(small.root, "validate")
    assert_clean(validate, code)
    if rule is not None:
        problem = validate.find(rule, path.name)
        assert problem["severity"] == "error"
        validate.find("ref-resolves", second.name)  # the other file is still checked
    build = kimedition(small.root, "build")
    assert_clean(build, code)
    if code:
        assert "nothing was written" in build.err
        assert not (small.root / "output").exists()
    else:
        assert (small.root / "output" / "html" / "index.html").is_file()
    suggest = kimedition(small.root, "suggest")  # reads every document too
    assert "Traceback" not in suggest.text
    assert_no_secret(secret, small.root, validate, build, suggest)


def test_a_symbolic_link_inside_the_edition_is_read(small: SmallEdition) -> None:
    """Links are refused only when they lead out of the edition folder."""
    shared = small.root / "shared"
    shared.mkdir()
    (small.tei / "places.xml").rename(shared / "places.xml")
    (small.tei / "places.xml").symlink_to(Path("..") / "shared" / "places.xml")
    assert_clean(kimedition(small.root, "validate"), 0)


def test_a_pipe_is_not_read(small: SmallEdition) -> None:
    """A register that is not a regular file (a pipe, a device) is refused unread: reading
    it would block or never end."""
    path = small.tei / "orgs.xml"
    path.unlink()
    os.mkfifo(path)
    run = kimedition(small.root, "validate", timeout=30)
    assert_clean(run, 1)
    assert "not a regular file" in run.find("file", "orgs.xml")["message"]


def test_a_pipe_does_not_hang_the_build(small: SmallEdition) -> None:
    path = small.tei / "orgs.xml"
    path.unlink()
    os.mkfifo(path)
    try:
        run = kimedition(small.root, "build", timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("the build waited on the pipe")
    assert_clean(run, 1)
    assert "not a regular file" in run.text


# Stylesheets and Schematron: Saxon reads nothing, writes nothing, sees no environment --


def edition_stylesheets(small: SmallEdition) -> Path:
    """The toolkit's stylesheets copied into the edition (which then uses its own)."""
    xslt = small.root / "xslt"
    shutil.copytree(ROOT / "xslt", xslt)
    return xslt


def add_to_stylesheet(path: Path, declarations: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("</xsl:stylesheet>", declarations + "\n</xsl:stylesheet>"), encoding="utf-8"
    )


PAGE_TEMPLATE = '<xsl:template match="/" priority="100">{body}</xsl:template>'


STYLESHEET_CASES: dict[str, tuple[str, int, str]] = {
    # name: (declarations added to html-document.xsl, exit code, words of the message)
    "unparsed-text": (
        PAGE_TEMPLATE.format(
            body="<html><xsl:value-of select=\"unparsed-text('@SECRET_URI@')\"/></html>"
        ),
        1,
        "has been prohibited",
    ),
    "doc": (
        PAGE_TEMPLATE.format(body="<html><xsl:copy-of select=\"doc('@SECRET_XML_URI@')\"/></html>"),
        1,
        "has been prohibited",
    ),
    "parse-xml-entity": (
        PAGE_TEMPLATE.format(
            body="<html><xsl:copy-of select=\"parse-xml('&lt;!DOCTYPE x [&lt;!ENTITY e SYSTEM "
            "&quot;@SECRET_URI@&quot;&gt;]&gt;&lt;x&gt;&amp;e;&lt;/x&gt;')\"/></html>"
        ),
        1,
        "prohibited",
    ),
    "static-variable": (
        '<xsl:variable name="leak" static="yes" select="unparsed-text(\'@SECRET_URI@\')"/>'
        + PAGE_TEMPLATE.format(body="<html><xsl:value-of _select=\"'{$leak}'\"/></html>"),
        2,
        "@static is evaluated while the stylesheet is compiled",
    ),
    "use-when": (
        PAGE_TEMPLATE.format(
            body="<html xsl:use-when=\"unparsed-text-available('@SECRET_URI@')\"/>"
        ),
        2,
        "@xsl:use-when is evaluated while the stylesheet is compiled",
    ),
    "include-outside": (
        '<xsl:include href="@SECRET_XSL_URI@"/>',
        2,
        "is not a relative address inside the stylesheet's folder",
    ),
    "environment-variable": (
        PAGE_TEMPLATE.format(
            body="<html><xsl:value-of select=\"environment-variable('KIMEDITION_TEST_SECRET')\"/>"
            "</html>"
        ),
        2,
        "environment-variable() is not allowed",
    ),
    "function-lookup": (
        PAGE_TEMPLATE.format(
            body='<html><xsl:value-of select="function-lookup(QName('
            "'http://www.w3.org/2005/xpath-functions', 'environment-' || 'variable'), 1)"
            "('KIMEDITION_TEST_SECRET')\"/></html>"
        ),
        2,
        "function-lookup() is not allowed",
    ),
    "evaluate": (
        PAGE_TEMPLATE.format(
            body="<html><xsl:evaluate xpath=\"'environment-' || "
            "'variable(&quot;KIMEDITION_TEST_SECRET&quot;)'\"/></html>"
        ),
        2,
        "xsl:evaluate is not allowed",
    ),
}


@pytest.mark.parametrize("case", sorted(STYLESHEET_CASES))
def test_stylesheets_cannot_read_files_or_the_environment(
    small: SmallEdition, secret: Path, case: str
) -> None:
    """The edition's own stylesheets: a read fails once Saxon is locked (exit 1, the
    previous output kept); what the lock cannot stop is refused before compiling (exit 2)."""
    declarations, code, message = STYLESHEET_CASES[case]
    out = small.root / "output"
    assert_clean(kimedition(small.root, "build", "-q"), 0)
    before = tree_hashes(out)
    secret_xml = secret.with_suffix(".xml")
    secret_xml.write_text(f"<secret>{token(secret)}</secret>", encoding="utf-8")
    secret_xsl = secret.with_suffix(".xsl")
    secret_xsl.write_text(
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"/>',
        encoding="utf-8",
    )
    xslt = edition_stylesheets(small)
    add_to_stylesheet(
        xslt / "html-document.xsl",
        declarations.replace("@SECRET_URI@", secret.as_uri())
        .replace("@SECRET_XML_URI@", secret_xml.as_uri())
        .replace("@SECRET_XSL_URI@", secret_xsl.as_uri()),
    )
    run = kimedition(small.root, "build", "-q", env={"KIMEDITION_TEST_SECRET": token(secret)})
    assert_clean(run, code)
    assert message in run.err
    lines = run.err.strip().splitlines()
    # One problem: the failing read, named after the document, then the summary line.
    assert len([line for line in lines if not line.startswith("build stopped")]) == 1, run.err
    if code == 1:
        assert "kim-1950-01-19-test.xml" in lines[0] and "[xslt]" in lines[0]
    if code == 2:
        assert "html-document.xsl" in run.err
    assert tree_hashes(out) == before
    assert_no_secret(secret, small.root, run)


def test_result_documents_are_never_written(small: SmallEdition, tmp_path: Path) -> None:
    """``xsl:result-document`` would write anywhere, lock or not; its output is kept in
    memory and dropped."""
    target = tmp_path / "outside" / "written.html"
    xslt = edition_stylesheets(small)
    add_to_stylesheet(
        xslt / "html-document.xsl",
        '<xsl:template match="/" priority="100"><html/>'
        f'<xsl:result-document href="{target.as_uri()}" method="text">pwned</xsl:result-document>'
        "</xsl:template>",
    )
    run = kimedition(small.root, "build", "-q")
    assert_clean(run, 0)
    assert not target.exists()
    assert not target.parent.exists() or list(target.parent.iterdir()) == []


@pytest.mark.parametrize(
    ("case", "message", "code", "expected"),
    [
        (
            "unparsed-text",
            "<sch:value-of select=\"unparsed-text('@SECRET_URI@')\"/>",
            1,
            "prohibited",
        ),
        (
            "environment-variable",
            "<sch:value-of select=\"environment-variable('KIMEDITION_TEST_SECRET')\"/>",
            2,
            "environment-variable() is not allowed",
        ),
    ],
    ids=["unparsed-text", "environment-variable"],
)
def test_schematron_cannot_read_files_or_the_environment(
    small: SmallEdition, secret: Path, case: str, message: str, code: int, expected: str
) -> None:
    schema = small.tei / "schema"
    schema.mkdir()
    for name in ("kimedition.rng", "kimedition.sch"):
        shutil.copy(ROOT / "tei" / "schema" / name, schema / name)
    rules = schema / "kimedition.sch"
    text = rules.read_text(encoding="utf-8")
    assertion = '<sch:assert id="name-not-empty" role="error" test="normalize-space(.)">'
    assert assertion in text
    rules.write_text(
        text.replace(
            assertion,
            '<sch:assert id="name-not-empty" role="error" test="false()">'
            + message.replace("@SECRET_URI@", secret.as_uri()),
        ),
        encoding="utf-8",
    )
    run = kimedition(small.root, "validate", env={"KIMEDITION_TEST_SECRET": token(secret)})
    assert_clean(run, code)
    assert expected in run.text
    assert_no_secret(secret, small.root, run)


# Parser bombs and very large files --------------------------------------------------


def nested(depth: int) -> str:
    return "<seg>" * depth + "deep" + "</seg>" * depth


BOMBS: dict[str, tuple[Callable[[SmallEdition], Path], str, str, tuple[str, ...]]] = {
    # name: (make the file, rule, words of the message, extra options)
    "billion-laughs": (
        lambda small: fixture_document("billion-laughs.xml")(small, small.document),
        "xml",
        "document type declarations (<!DOCTYPE …>) are not allowed",
        (),
    ),
    "nesting-10000": (
        lambda small: _edit(small, "writes from", f"writes {nested(10_000)} from"),
        "xml",
        "nested too deeply",
        (),
    ),
    "nesting-over-saxon-limit": (
        lambda small: _edit(small, "writes from", f"writes {nested(MAX_DEPTH + 20)} from"),
        "xml",
        f"nested more than {MAX_DEPTH} levels deep",
        (),
    ),
    "many-attributes": (
        lambda small: _edit(
            small,
            "<p><persName",
            "<p " + " ".join(f'a{i}="x"' for i in range(MAX_ATTRIBUTES + 100)) + "><persName",
        ),
        "xml",
        f"over the limit of {MAX_ATTRIBUTES}",
        (),
    ),
    "long-name": (
        lambda small: _edit(small, "<p><persName", f"<p><{'n' * (MAX_NAME + 500)}/><persName"),
        "xml",
        f"a name of {MAX_NAME + 500:,} characters",
        (),
    ),
    "over-max-file-size": (
        lambda small: _edit(small, "writes from", "writes " + "word " * 300_000 + "from"),
        "file",
        "over the limit of 1,048,576 bytes; split it, or raise the limit with --max-file-size",
        ("--max-file-size", "1"),
    ),
    "huge-text-node": (
        lambda small: _edit(small, "writes from", "writes " + "a" * 11_000_000 + " from"),
        "xml",
        "a text is longer than the parser accepts",
        (),
    ),
}


def _edit(small: SmallEdition, old: str, new: str) -> Path:
    small.edit_document(old, new)
    return small.document


@pytest.mark.parametrize("case", sorted(BOMBS))
def test_bombs_and_huge_files_are_refused_quickly(small: SmallEdition, case: str) -> None:
    make, rule, words, options = BOMBS[case]
    path = make(small)
    second = second_document(small)
    for command in ("validate", "build"):
        run = kimedition(small.root, command, *options)
        assert_clean(run, 1)
        problem = run.find(rule, path.name)
        assert words in problem["message"], problem
        if rule == "xml" and case not in ("billion-laughs",):
            assert int(problem["line"]) > 0
        run.find("ref-resolves", second.name)
    assert not (small.root / "output").exists()


def test_a_slow_file_is_stopped_naming_it(small: SmallEdition) -> None:
    """Validation too stops a file that runs past --timeout, naming it (build: test_engine)."""
    names = '<persName ref="person:stalin">Stalin</persName> and ' * 60000
    small.edit_document("<p><persName", f"<p>{names}<persName")
    run = kimedition(small.root, "validate", "--timeout", "0.2")
    assert_clean(run, 1)
    assert f"{small.document.name}: stopped after 0.2 s" in run.err


# Broken files: encodings, binary, empty, wrong roots -----------------------------------


def _bytes(small: SmallEdition) -> bytes:
    return small.document.read_bytes()


BROKEN: dict[str, tuple[Callable[[bytes], bytes], int, str | None, str]] = {
    # name: (transform the file's bytes, exit code, rule, words of the message)
    "utf-8-bom": (lambda data: b"\xef\xbb\xbf" + data, 0, None, ""),
    "no-declaration": (lambda data: data.split(b"\n", 1)[1], 0, None, ""),
    "utf-16-le": (
        lambda data: (
            b"\xff\xfe"
            + data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")
        ),
        1,
        "file",
        "UTF-16 or UTF-32; save it as UTF-8",
    ),
    "utf-16-be": (
        lambda data: (
            b"\xfe\xff"
            + data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-be")
        ),
        1,
        "file",
        "UTF-16 or UTF-32; save it as UTF-8",
    ),
    "utf-16-without-bom": (
        lambda data: (
            data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")
        ),
        1,
        "file",
        "binary data",
    ),
    "iso-8859-1": (
        lambda data: data.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"').replace(
            b"writes", b"\xe9crit"
        ),
        1,
        "file",
        "declares encoding 'ISO-8859-1'",
    ),
    "binary": (lambda data: bytes(range(256)) * 64, 1, "file", "binary data (a NUL byte)"),
    "empty": (lambda data: b"", 1, "file", "the file is empty"),
    "white-space-only": (lambda data: b" \r\n\t\n", 1, "file", "the file is empty"),
    "tei-without-namespace": (
        lambda data: data.replace(b' xmlns="http://www.tei-c.org/ns/1.0"', b""),
        1,
        "xml",
        "the root element is <TEI> in no namespace",
    ),
    "html-root": (
        lambda data: (
            b"<html><head><title>x</title></head><body><script>alert(1)</script></body></html>"
        ),
        1,
        "xml",
        "the root element is <html>",
    ),
    "malformed": (
        lambda data: data.replace(b"</head>", b"</hed>"),
        1,
        "xml",
        "not well-formed XML: Opening and ending tag mismatch",
    ),
    "truncated": (lambda data: data[: len(data) // 2], 1, "xml", "not well-formed XML"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_is_one_clear_line(small: SmallEdition, case: str) -> None:
    change, code, rule, words = BROKEN[case]
    small.document.write_bytes(change(_bytes(small)))
    second = second_document(small)
    run = invoke(small.root, "validate")
    assert_clean(run, 1)
    run.find("ref-resolves", second.name)  # the other file is still checked
    mine = [p for p in run.problems() if Path(p["path"]).name == small.document.name]
    if code == 0:
        assert mine == []
        return
    assert rule is not None
    problem = run.find(rule, small.document.name)
    assert words in problem["message"], problem
    assert problem["path"] == f"tei/documents/{small.document.name}"
    assert [p["rule"] for p in mine] == [rule], mine  # one line, no cascade


def test_invalid_utf8_byte_is_located(small: SmallEdition) -> None:
    data = _bytes(small)
    offset = data.index(b"writes from") + len(b"writes ")
    small.document.write_bytes(data[:offset] + b"\xff" + data[offset:])
    line = data[:offset].count(b"\n") + 1
    column = offset - data[:offset].rfind(b"\n")
    run = invoke(small.root, "validate")
    assert_clean(run, 1)
    problem = run.find("file", small.document.name)
    assert (int(problem["line"]), int(problem["col"])) == (line, column)
    assert "0xFF is not valid UTF-8" in problem["message"]


def test_windows_line_ends_are_accepted_and_lines_stay_right(small: SmallEdition) -> None:
    line = small.edit_document('<orgName ref="org:kwp">', '<orgName ref="org:kwpp">')
    small.document.write_bytes(_bytes(small).replace(b"\n", b"\r\n"))
    run = invoke(small.root, "validate")
    assert_clean(run, 1)
    problems = [p for p in run.problems() if Path(p["path"]).name == small.document.name]
    assert [p["rule"] for p in problems] == ["ref-resolves"], run.text
    assert int(problems[0]["line"]) == line
    assert int(problems[0]["col"]) > 1


def test_malformed_reports_line_and_column(small: SmallEdition) -> None:
    line = small.edit_document("</head>", "</hed>")
    run = invoke(small.root, "validate")
    problem = run.find("xml", small.document.name)
    assert int(problem["line"]) == line and int(problem["col"]) > 1


# Registers ----------------------------------------------------------------------------

REGISTERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "missing": (lambda path: path.unlink(), "register is missing"),
    "empty": (lambda path: path.write_bytes(b""), "the file is empty"),
    "malformed": (
        lambda path: path.write_bytes(
            path.read_bytes().replace(b"</listPerson>", b"</listPersons>")
        ),
        "not well-formed XML",
    ),
    "not-tei": (
        lambda path: path.write_text("<persons><person id='stalin'/></persons>", encoding="utf-8"),
        "the root element is <persons>",
    ),
}


@pytest.mark.parametrize("case", sorted(REGISTERS))
def test_broken_register_is_one_error_not_one_per_reference(small: SmallEdition, case: str) -> None:
    change, words = REGISTERS[case]
    change(small.tei / "persons.xml")
    for command in ("validate", "build"):
        run = invoke(small.root, command)
        assert_clean(run, 1)
        errors = [p for p in run.problems() if p["severity"] == "error"]
        assert len(errors) == 1, run.text
        assert Path(errors[0]["path"]).name == "persons.xml"
        assert words in errors[0]["message"]
    assert not (small.root / "output").exists()


# Identifiers, references, dates, file names --------------------------------------------


def test_duplicate_id_in_one_file(small: SmallEdition) -> None:
    first = small.edit_document("<head>", '<head xml:id="twice">')
    second = small.edit_document("<p><persName", '<p xml:id="twice"><persName')
    run = invoke(small.root, "validate")
    assert_clean(run, 1)
    problems = run.problems()
    assert {p["rule"] for p in problems} == {"id-unique"}, run.text  # no misleading RNG line
    assert sorted(int(p["line"]) for p in problems) == [first, second]


def test_duplicate_id_across_files(small: SmallEdition) -> None:
    second = second_document(small, error=False)
    second.write_text(
        second.read_text(encoding="utf-8").replace("<p><persName", '<p xml:id="shared"><persName'),
        encoding="utf-8",
    )
    small.edit_document("<p><persName", '<p xml:id="shared"><persName')
    run = invoke(small.root, "validate")
    assert_clean(run, 1)
    problems = [p for p in run.problems() if p["rule"] == "id-unique"]
    assert {Path(p["path"]).name for p in problems} == {small.document.name, second.name}
    assert all(f"documents/{second.name}" in p["message"] for p in problems)


def test_unknown_reference_names_the_closest_ids(small: SmallEdition) -> None:
    small.edit_document(
        '<persName ref="person:pak-heon-yeong">Pak Heon-yeong',
        '<persName ref="person:pak-heon-yong">Pak Heon-yeong',
    )
    run = invoke(small.root, "validate")
    assert_clean(run, 1)
    assert "closest: pak-heon-yeong" in run.find("ref-resolves", small.document.name)["message"]


@pytest.mark.parametrize("value", ["1950-02-30", "1950-13", "0000", "1950-00-10", "19500"])
def test_impossible_dates(small: SmallEdition, value: str) -> None:
    line = small.edit_document('<date when="1950-01-20">', f'<date when="{value}">')
    run = invoke(small.root, "validate")
    assert_clean(run, 1)
    rules = {p["rule"] for p in run.problems() if int(p["line"] or 0) == line}
    assert rules & {"date-valid", "rng"}, run.text
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        problem = run.find("date-valid", small.document.name)
        assert f'@when="{value}" is not a valid calendar date' in problem["message"]


@pytest.mark.parametrize(
    "name", ["kim 1950-01-19-test.xml", "kim-1950-01-19-tést.xml", "kim-1950-01-19-test .xml"]
)
def test_file_names_with_spaces_or_accents(small: SmallEdition, name: str) -> None:
    small.document.rename(small.document.with_name(name))
    for command in ("validate", "build"):
        run = invoke(small.root, command)
        assert_clean(run, 1)
        problem = run.find("id-filename", name)
        assert problem["path"] == f"tei/documents/{name}"
        assert "rename the file to kim-1950-01-19-test.xml" in problem["message"]
    assert not (small.root / "output").exists()


def test_ids_with_accents_are_refused(small: SmallEdition) -> None:
    small.document.write_text(
        small.document.read_text(encoding="utf-8").replace(DOCUMENT_ID, "kim-1950-01-19-tést"),
        encoding="utf-8",
    )
    small.document.rename(small.document.with_name("kim-1950-01-19-tést.xml"))
    run = invoke(small.root, "validate")
    assert_clean(run, 1)
    run.find("document-id", "kim-1950-01-19-tést.xml")


def test_two_dated_sources_do_not_stop_the_rules(small: SmallEdition) -> None:
    """A header with two dated sources is valid; the rules comparing the date line with
    the source's date used to fail on it, hiding every other problem of the file."""
    bibl = DOCUMENT_XML[DOCUMENT_XML.index("<bibl") : DOCUMENT_XML.index("</bibl>") + 7]
    small.edit_document(bibl, bibl + bibl)
    small.edit_document('<orgName ref="org:kwp">', '<orgName ref="org:kwpp">')
    run = invoke(small.root, "validate")
    assert_clean(run, 1)
    assert [p["rule"] for p in run.problems() if p["severity"] == "error"] == ["ref-resolves"]


def test_build_of_an_invalid_document_reports_its_problems(small: SmallEdition) -> None:
    text = DOCUMENT_XML[DOCUMENT_XML.index("  <text>") : DOCUMENT_XML.index("</text>") + 7]
    small.edit_document(text, text + "\n" + text)
    validate = invoke(small.root, "validate")
    assert_clean(validate, 1)
    build = invoke(small.root, "build")
    assert_clean(build, 1)
    assert build.find("rng", small.document.name)


# Output safety: escaping and URL schemes -----------------------------------------------

PAYLOAD = '<script>alert("xss-{n}")</script> "><img src=x onerror=alert({n})> javascript:alert({n}) </script><!-- ]]>'


def escaped(n: int) -> str:
    return PAYLOAD.format(n=n).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "cite",
    "data",
    "background",
    "srcset",
    "ping",
}


def safe_url(element: html.HtmlElement, value: str) -> bool:
    """Relative, http or https (browsers ignore white space and controls in a scheme)."""
    cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    if scheme is None:
        return True
    if scheme.group(1) in ("http", "https"):
        return True
    # The edition's own empty icon, which spares browsers a request for favicon.ico.
    return element.tag == "link" and element.get("rel") == "icon" and value == "data:,"


def assert_page_is_safe(path: Path) -> None:
    """No script but the edition's own, no event handler, no unsafe URL."""
    page = html.parse(str(path)).getroot()
    for script in page.iter("script"):
        if script.get("src") is not None:
            assert script.get("src", "").endswith("assets/kimedition.js"), path
            assert not (script.text or "").strip(), path
        else:
            assert script.get("type") == "application/ld+json", path
            json.loads(script.text or "")
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ("iframe", "object", "embed", "img", "svg", "form", "base"), (
            path,
            element.tag,
        )
        if element.tag == "meta":
            assert (element.get("http-equiv") or "").lower() != "refresh", path
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (path, name, value)
            if name.lower() in URL_ATTRIBUTES:
                assert safe_url(element, value), (path, name, value)


@pytest.fixture
def payloads(small: SmallEdition) -> SmallEdition:
    """Script payloads as text everywhere the sources allow free text."""
    small.edit_document(
        "<title>Telegram Stalin to Pak</title>", f"<title>Telegram {escaped(1)}</title>", count=2
    )
    small.edit_document("writes from", f"writes {escaped(2)} from")
    small.edit_document("January 19, 1950</docDate>", f"January 19, 1950 {escaped(3)}</docDate>")
    small.edit(
        small.tei / "edition.xml",
        "<title>Test edition</title>",
        f"<title>Test edition {escaped(4)}</title>",
    )
    small.edit(small.tei / "edition.xml", "<p>A test.</p>", f"<p>A test {escaped(5)}.</p>")
    small.edit(
        small.tei / "edition.xml",
        "<catDesc>Telegram</catDesc>",
        f"<catDesc>Telegram {escaped(6)}</catDesc>",
    )
    small.edit(
        small.tei / "persons.xml",
        '<persName type="variant">Stalin</persName>',
        f'<persName type="variant">Stalin {escaped(7)}</persName>',
    )
    small.edit(
        small.tei / "persons.xml",
        'sortKey="stalin-joseph"',
        "sortKey='&quot;&gt;&lt;svg/onload=alert(8)&gt;'",
    )
    small.edit(
        small.tei / "places.xml",
        '<placeName type="standard">Pyongyang</placeName>',
        f'<placeName type="standard">Pyongyang {escaped(9)}</placeName>',
    )
    return small


def test_text_payloads_are_escaped_in_every_output(payloads: SmallEdition) -> None:
    run = invoke(payloads.root, "validate")
    assert_clean(run, 0)
    out = payloads.root / "output"
    assert_clean(invoke(payloads.root, "build"), 0)
    pages = sorted((out / "html").rglob("*.html"))
    assert len(pages) >= 5
    shown: set[int] = set()
    for page in pages:
        assert_page_is_safe(page)
        text = " ".join(html.parse(str(page)).getroot().text_content().split())
        shown.update(n for n in range(1, 10) if PAYLOAD.format(n=n) in text)
    assert shown >= {1, 2, 4, 5, 7, 9}, shown  # shown as text, not run as markup
    for path in (out / "data").glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    for path in (out / "text").glob("*.txt"):
        assert "\x1b" not in path.read_text(encoding="utf-8")


def test_payloads_inside_the_json_ld_cannot_close_the_script(payloads: SmallEdition) -> None:
    assert_clean(invoke(payloads.root, "build"), 0)
    page = payloads.root / "output" / "html" / "documents" / f"{DOCUMENT_ID}.html"
    raw = page.read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', raw, re.DOTALL)
    assert len(blocks) == 1
    assert "<" not in blocks[0]
    assert any(PAYLOAD.format(n=1) in value for value in strings(json.loads(blocks[0])))


def strings(value: object) -> list[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


FORMULA = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = ("id", "name", "type", "document_id", "document_title", "roles")


def test_csv_cells_cannot_start_a_formula(small: SmallEdition) -> None:
    import csv
    import io

    small.edit(
        small.tei / "orgs.xml",
        '<orgName type="standard">Workers\' Party of Korea</orgName>',
        '<orgName type="standard">=HYPERLINK("http://example.org","x")</orgName>',
    )
    small.edit(
        small.tei / "places.xml",
        '<placeName type="standard">Pyongyang</placeName>',
        '<placeName type="standard">@SUM(1+1)</placeName>',
    )
    small.edit_document(
        "<title>Telegram Stalin to Pak</title>", "<title>+1+cmd|' /C calc'!A0</title>", count=2
    )
    assert_clean(invoke(small.root, "build"), 0)
    for path in (small.root / "output" / "data").glob("*.csv"):
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
            for column in TEXT_COLUMNS:
                assert not (row.get(column) or "").startswith(FORMULA), (
                    path.name,
                    column,
                    row[column],
                )


ATTRIBUTE_PAYLOADS: dict[str, tuple[str, str, str, set[str]]] = {
    # name: (file, old, new, rules that must report it)
    "onclick": ("doc", "<p><persName", '<p onclick="alert(1)"><persName', {"rng"}),
    "ref-javascript": (
        "doc",
        '<orgName ref="org:kwp">',
        '<orgName ref="javascript:alert(1)">',
        # The schema's pattern error is left to ref-syntax, which says more.
        {"ref-syntax", "url-scheme"},
    ),
    "target-data": (
        "doc",
        'target="../edition.xml#type-telegram"',
        'target="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"',
        {"url-scheme"},
    ),
    "scheme-javascript": (
        "doc",
        'scheme="../edition.xml#document-types"',
        'scheme="JavaScript:alert(1)"',
        {"url-scheme"},
    ),
    "licence-javascript": (
        "edition",
        'target="https://creativecommons.org/licenses/by/4.0/"',
        'target="javascript:alert(1)"',
        {"rng", "url-scheme"},
    ),
    "licence-vbscript": (
        "edition",
        'target="https://creativecommons.org/licenses/by/4.0/"',
        'target="vbscript:msgbox(1)"',
        {"rng", "url-scheme"},
    ),
    "style": (
        "doc",
        "<p><persName",
        '<p style="background:url(javascript:alert(1))"><persName',
        {"rng"},
    ),
    "html-element": (
        "doc",
        "<p><persName",
        '<p><script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script><persName',
        {"rng"},
    ),
}


@pytest.mark.parametrize("case", sorted(ATTRIBUTE_PAYLOADS))
def test_attribute_payloads_are_rejected_and_nothing_is_written(
    small: SmallEdition, case: str
) -> None:
    target, old, new, rules = ATTRIBUTE_PAYLOADS[case]
    path = small.document if target == "doc" else small.tei / "edition.xml"
    out = small.root / "output"
    assert_clean(invoke(small.root, "build"), 0)
    before = tree_hashes(out)
    small.edit(path, old, new)
    validate = invoke(small.root, "validate")
    assert_clean(validate, 1)
    reported = {p["rule"] for p in validate.problems() if Path(p["path"]).name == path.name}
    assert rules <= reported, validate.text
    build = invoke(small.root, "build")
    assert_clean(build, 1)
    assert "nothing was written" in build.err
    assert tree_hashes(out) == before


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)//",
        "data:text/html,x",
        '"><script>alert(1)</script>',
        "file:///etc/",
        "https:///no-host/",
        "https://example.org/kim/?q=1",
        "https://example.org/kim/#top",
    ],
)
def test_base_url_must_be_http(small: SmallEdition, url: str) -> None:
    run = invoke(small.root, "build", "--base-url", url)
    assert_clean(run, 2)
    assert "--base-url" in run.err and "https://example.org/kim/" in run.err
    assert not (small.root / "output").exists()


def test_output_file_names_come_only_from_validated_ids(small: SmallEdition) -> None:
    assert_clean(invoke(small.root, "build"), 0)
    allowed = re.compile(
        r"^(html/)?((documents|text|tei|data|assets)/)?[a-z0-9][a-z0-9.-]*"
        r"\.(html|txt|xml|json|csv|css|js|svg|png|woff2?|ico)$"
    )
    for name in tree_hashes(small.root / "output"):
        assert allowed.match(name), name


# Nothing lost: signals, locks, sources, internal errors ---------------------------------


def output_leftovers(root: Path) -> list[str]:
    """Temporary folders and journals a build leaves next to its output, if any."""
    return sorted(
        p.name
        for p in root.iterdir()
        if p.name.startswith((".output.build-", ".output.old-", ".output.journal"))
    )


@pytest.fixture
def busy(small: SmallEdition) -> Iterator[SmallEdition]:
    """A 151-document edition built once, then with a register changed so that the next
    build rewrites every page (long enough to be interrupted)."""
    add_documents(small, 150)
    assert_clean(kimedition(small.root, "build", "-q", timeout=300), 0)
    small.edit(
        small.tei / "persons.xml", "<forename>Joseph</forename>", "<forename>Iosif</forename>"
    )
    yield small


def start_build(root: Path, tmp: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kimedition", "-C", str(root), "build", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "TMPDIR": str(tmp)},
    )


def wait_for_pages(root: Path, process: subprocess.Popen[str]) -> None:
    """Until the build has staged its first page: in the middle of its work."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(root.glob(".output.build-*/html/documents/*.html")):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    pytest.fail("the build staged no page")


@pytest.mark.parametrize(("name", "code"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_interrupted_build_leaves_the_output_as_it_was(
    busy: SmallEdition, tmp_path: Path, name: str, code: int
) -> None:
    out = busy.root / "output"
    before = tree_hashes(out)
    sources = tree_hashes(busy.tei)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    process = start_build(busy.root, tmp)
    wait_for_pages(busy.root, process)
    process.send_signal(getattr(signal, name))
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert tree_hashes(out) == before
    assert output_leftovers(busy.root) == []
    assert list(tmp.iterdir()) == []
    assert tree_hashes(busy.tei) == sources


def test_a_concurrent_build_is_refused(busy: SmallEdition, tmp_path: Path) -> None:
    process = start_build(busy.root, tmp_path)
    wait_for_pages(busy.root, process)
    second = kimedition(busy.root, "build", "-q")
    assert_clean(second, 1)
    assert "another build is writing this folder" in second.err
    assert len(second.err.strip().splitlines()) == 1
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert "Iosif" in (busy.root / "output" / "html" / "persons.html").read_text(encoding="utf-8")
    assert output_leftovers(busy.root) == []


COMMANDS: list[tuple[str, ...]] = [
    ("validate",),
    ("validate", "--format", "json"),
    ("validate", "--format", "github"),
    ("validate", "--strict", "tei/documents"),
    ("build",),
    ("build",),
    ("suggest",),
    ("check-links",),
]


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "invalid"])
def test_no_command_modifies_the_sources(small: SmallEdition, broken: bool) -> None:
    if broken:
        small.edit_document("on <date", "and Pak Hon-yong on <date")  # untagged: suggest
        second_document(small)  # and an error
    before = tree_hashes(small.tei)
    for command in COMMANDS:
        run = kimedition(small.root, *command)
        assert "Traceback" not in run.text, command
        assert tree_hashes(small.tei) == before, command


def test_output_link_does_not_lead_the_build_outside(small: SmallEdition, tmp_path: Path) -> None:
    """An output/ that is a link to another folder: the build replaces the link, and never
    writes into (or deletes from) the folder it pointed to."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("keep\n", encoding="utf-8")
    (small.root / "output").symlink_to(elsewhere)
    for _ in range(2):
        assert_clean(invoke(small.root, "build"), 0)
    assert [p.name for p in elsewhere.iterdir()] == ["precious.txt"]
    assert (small.root / "output" / "html" / "index.html").is_file()


def test_output_link_leaves_no_temporary_folder(small: SmallEdition, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (small.root / "output").symlink_to(elsewhere)
    assert_clean(invoke(small.root, "build"), 0)
    assert output_leftovers(small.root) == []


def test_link_inside_the_output_does_not_lead_the_build_outside(
    small: SmallEdition, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert_clean(invoke(small.root, "build"), 0)
    documents = small.root / "output" / "html" / "documents"
    shutil.rmtree(documents)
    documents.symlink_to(elsewhere)
    small.edit_document("writes from", "writes again from")
    assert_clean(invoke(small.root, "build"), 0)
    assert list(elsewhere.iterdir()) == []


# A build replaces its output folder whole: a folder it must not replace is refused first.
FORBIDDEN_OUTPUTS = {
    "the edition folder": ".",
    "a folder holding the edition": "..",
    "the sources": "tei",
    "a folder inside the sources": "tei/documents",
    "a new folder inside the sources": "tei/site",
    "the stylesheets": "xslt",
}


@pytest.mark.parametrize("where", list(FORBIDDEN_OUTPUTS), ids=list(FORBIDDEN_OUTPUTS))
def test_an_output_folder_over_the_edition_is_refused(
    small: SmallEdition, tmp_path: Path, where: str
) -> None:
    (small.root / "xslt").mkdir(exist_ok=True)
    (small.root / "xslt" / "mine.xsl").write_text("<!-- the edition's own -->\n", "utf-8")
    before = tree_hashes(tmp_path)
    run = invoke(small.root, "build", "--out", FORBIDDEN_OUTPUTS[where])
    assert_clean(run, 2)
    assert "give a folder of its own with --out" in run.err
    assert run.err.count("\n") == 1, run.err
    assert tree_hashes(tmp_path) == before
    assert not (small.root / "tei" / "site").exists()


@pytest.mark.parametrize("report", ["tei/persons.xml", "tei/documents/report.xml", "xslt/r.xml"])
def test_a_report_is_never_written_over_the_sources(small: SmallEdition, report: str) -> None:
    (small.root / "xslt").mkdir(exist_ok=True)
    before = tree_hashes(small.root)
    run = invoke(small.root, "validate", "--junit-xml", report)
    assert_clean(run, 2)
    assert run.err.startswith(f"Error: {report}: lies in a folder of the edition's sources")
    assert "--junit-xml report.xml" in run.err
    assert tree_hashes(small.root) == before
    assert_clean(invoke(small.root, "validate", "--junit-xml", "report.xml"), 0)
    assert (small.root / "report.xml").read_text(encoding="utf-8").startswith("<testsuites")


FOREIGN_OUTPUTS = {
    "a file among the build's folders": (["html/index.html", "notes.txt"], "notes.txt"),
    "a folder of data no build made": (["data/mine.csv"], ""),
    "a home page no build made": (["html/index.html"], ""),
}


@pytest.mark.parametrize("case", list(FOREIGN_OUTPUTS), ids=list(FOREIGN_OUTPUTS))
def test_a_folder_holding_other_files_is_not_replaced(
    small: SmallEdition, tmp_path: Path, case: str
) -> None:
    files, named = FOREIGN_OUTPUTS[case]
    out = tmp_path / "site"
    for name in files:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(f"{name}: the user's own\n", encoding="utf-8")
    before = tree_hashes(tmp_path)
    run = invoke(small.root, "build", "--out", str(out))
    assert_clean(run, 2)
    assert f"{out / named}: " in run.err if named else f"{out}: not the output" in run.err
    assert "choose an empty or new folder with --out" in run.err
    assert tree_hashes(tmp_path) == before


def test_an_earlier_output_is_replaced_without_its_build_state(
    small: SmallEdition, tmp_path: Path
) -> None:
    """A folder with only README files, or the output of an earlier build whose state was
    deleted, is the build's to replace."""
    out = tmp_path / "site"
    out.mkdir()
    (out / "README.md").write_text("kept\n", encoding="utf-8")
    (out / ".gitignore").write_text("*\n", encoding="utf-8")
    (out / ".DS_Store").write_bytes(b"\0")  # left by a file manager
    assert_clean(invoke(small.root, "build", "--out", str(out)), 0)
    shutil.rmtree(tmp_path / ".site.cache")
    (out / "html" / "stale.html").write_text("stale\n", encoding="utf-8")
    assert_clean(invoke(small.root, "build", "--out", str(out)), 0)
    assert not (out / "html" / "stale.html").exists()
    assert (out / "README.md").read_text(encoding="utf-8") == "kept\n"
    assert (out / ".gitignore").read_text(encoding="utf-8") == "*\n"


STORED = ("state.json", "quick.json", "cards.sqlite")
"""The files the build keeps in its cache folder."""


# What a pull request can plant next to the output folder: the build's journal, cache
# and lock are the build's own files, read only as the build wrote them, never followed.


def test_a_planted_journal_moves_and_deletes_nothing(
    small: SmallEdition, tmp_path: Path, secret: Path
) -> None:
    outside = secret.parent
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n", encoding="utf-8")
    journal = small.root / ".output.journal"
    for staging, moves, removals in [
        (str(outside), ["secret.txt"], []),
        (str(small.root / ".output.build-x"), [], ["../../victim.txt", str(victim)]),
    ]:
        record = {"staging": staging, "moves": moves, "removals": removals}
        journal.write_text(json.dumps(record), encoding="utf-8")
        before = tree_hashes(outside)
        run = invoke(small.root, "build")
        assert_clean(run, 0)
        assert tree_hashes(outside) == before
        assert victim.read_text(encoding="utf-8") == "keep\n"
        assert not journal.exists()
        assert_no_secret(secret, small.root, run)


def test_a_planted_build_cache_keeps_nothing_planted_in_the_output(
    small: SmallEdition, tmp_path: Path
) -> None:
    """A pull request may bring a build's cache and output, made to match its sources,
    with a page changed: what was kept for another folder is not trusted, and the page
    is made again."""
    assert_clean(invoke(small.root, "build"), 0)
    clean = tree_hashes(small.root / "output")
    checkout = tmp_path / "checkout"  # the same files, modification times and all
    shutil.copytree(small.root, checkout, symlinks=True)
    page = checkout / "output" / "html" / "documents" / f"{DOCUMENT_ID}.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", "<script>alert(1)</script></body>"), "utf-8")
    assert_clean(invoke(checkout, "build"), 0)
    assert tree_hashes(checkout / "output") == clean


def test_an_output_replaced_by_a_changed_copy_is_made_again(small: SmallEdition) -> None:
    """Sources unchanged, an output folder swapped for a copy with one page changed (its
    folders' times kept): not the folder the last build left, so nothing is taken as
    up to date, not even by the quick check of a build with nothing to do."""
    out = small.root / "output"
    assert_clean(invoke(small.root, "build"), 0)
    clean = tree_hashes(out)
    copy = small.root / "copy"
    shutil.copytree(out, copy, symlinks=True)
    page = copy / "html" / "documents" / f"{DOCUMENT_ID}.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- changed -->", "utf-8")
    shutil.rmtree(out)
    copy.rename(out)
    assert_clean(invoke(small.root, "build"), 0)
    assert tree_hashes(out) == clean


def test_a_journal_never_moves_or_removes_through_a_link_in_the_output(
    small: SmallEdition, tmp_path: Path
) -> None:
    """Even a journal naming this output's staging folder and plain paths is followed only
    inside the output: a link in the output that leads elsewhere is not gone through."""
    assert_clean(invoke(small.root, "build"), 0)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.html").write_text("keep\n", encoding="utf-8")
    (small.root / "output" / "html" / "elsewhere").symlink_to(outside)
    staging = small.root / ".output.build-planted"
    (staging / "html" / "elsewhere" / "sub").mkdir(parents=True)
    (staging / "html" / "elsewhere" / "sub" / "page.html").write_text("x\n", encoding="utf-8")
    record = {
        "staging": str(staging),
        "moves": ["html/elsewhere/sub/page.html"],
        "removals": ["html/elsewhere/victim.html"],
    }
    (small.root / ".output.journal").write_text(json.dumps(record), encoding="utf-8")
    assert_clean(invoke(small.root, "build"), 0)
    assert sorted(p.name for p in outside.iterdir()) == ["victim.html"]


@pytest.mark.parametrize("planted", [".output.journal", ".output.cache/state.json"])
def test_a_planted_link_to_a_device_does_not_hang_the_build(
    small: SmallEdition, planted: str
) -> None:
    link = small.root / planted
    link.parent.mkdir(exist_ok=True)
    link.symlink_to("/dev/zero")
    assert_clean(invoke(small.root, "build"), 0)
    assert (small.root / "output" / "html" / "index.html").is_file()


def test_a_file_in_place_of_the_cache_folder_is_replaced(small: SmallEdition) -> None:
    (small.root / ".output.cache").write_text("not a folder\n", encoding="utf-8")
    assert_clean(invoke(small.root, "build"), 0)
    assert (small.root / ".output.cache" / "state.json").is_file()


@pytest.mark.parametrize(
    "place",
    [".output.journal", ".output.lock", *(f".output.cache/{n}" for n in STORED)],
)
def test_a_folder_in_place_of_a_build_file_is_one_clear_message(
    small: SmallEdition, place: str
) -> None:
    (small.root / place).mkdir(parents=True)
    run = invoke(small.root, "build")
    assert_clean(run, 2)
    assert run.err == (
        f"Error: {small.root / place}: a folder where the build keeps a file of its own; "
        "remove it\n"
    )
    assert not (small.root / "output").exists()


@pytest.mark.parametrize("planted", [".output.cache", ".output.lock"])
def test_a_planted_link_beside_the_output_is_not_written_through(
    small: SmallEdition, tmp_path: Path, planted: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "lock" if planted.endswith("lock") else outside
    (small.root / planted).symlink_to(target)
    for _ in range(2):
        assert_clean(invoke(small.root, "build"), 0)
    assert list(outside.iterdir()) == []
    assert not (small.root / planted).is_symlink()


def test_internal_error_is_one_line_with_a_report_hint(
    small: SmallEdition, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kimedition.cli

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something\nunexpected")

    monkeypatch.setattr(kimedition.cli, "validate_edition", broken)
    monkeypatch.delenv("KIMEDITION_DEBUG", raising=False)
    run = invoke(small.root, "validate")
    assert run.code == 3
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert "internal error: RuntimeError: something unexpected" in lines[0]
    assert REPORT_HINT in lines[0] and "KIMEDITION_DEBUG=1" in lines[0]
    assert "Traceback" not in run.err


INTERNAL_ERROR = """
import sys
import kimedition.cli
def broken(*args, **kwargs):
    raise RuntimeError("planted by the test")
kimedition.cli.validate_edition = broken
sys.argv = ["kimedition", "-C", sys.argv[1], "validate"]
kimedition.cli.main()
"""


@pytest.mark.parametrize("debug", [False, True])
def test_internal_error_in_a_real_process(small: SmallEdition, debug: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KIMEDITION_DEBUG"}
    if debug:
        env["KIMEDITION_DEBUG"] = "1"
    completed = subprocess.run(
        [sys.executable, "-c", INTERNAL_ERROR, str(small.root)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    if debug:
        assert completed.returncode == 1
        assert "Traceback" in completed.stderr and "planted by the test" in completed.stderr
    else:
        assert completed.returncode == 3
        assert completed.stderr.count("\n") == 1
        assert "internal error: RuntimeError: planted by the test" in completed.stderr
        assert "Traceback" not in completed.stderr


def test_the_real_sources_are_only_read(tmp_path: Path) -> None:
    """The real edition, validated and built into a temporary folder: tei/ is unchanged
    (the session-wide guard in conftest.py checks the same over every test)."""
    before = tree_hashes(ROOT / "tei")
    assert_clean(invoke(ROOT, "validate", "-q"), 0)
    assert_clean(invoke(ROOT, "build", "-q", "--out", str(tmp_path / "out")), 0)
    assert tree_hashes(ROOT / "tei") == before
