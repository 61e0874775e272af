"""Property-based tests: mutated real documents never crash ``validate`` or ``build``.

Hypothesis takes the edition's real documents and breaks one of them, as bytes (delete,
duplicate, swap, truncate, insert, flip) or as a tree (delete, duplicate, swap and move
elements; delete, copy and swap attributes; truncate and swap text), in a temporary
edition made of the real header, the real registers and two documents. The library's
``validate(edition, jobs=1)`` and ``build(edition, out, jobs=1)`` must then either
succeed or raise a :class:`~kimedition.errors.KimeditionError`, never anything else,
within a time bound; every problem must be one line naming a file, the editorial rules
must always run (a rule that fails on some input hides every other problem of the file:
this found the date-line rule failing on a header with two dated sources); and the
sources must be left as they were.

The runs are derandomised (``derandomize=True``, no example database), so that CI sees
the same examples every time; the whole file takes about a minute.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import ROOT
from kimedition import Edition
from kimedition.build import build
from kimedition.errors import KimeditionError
from kimedition.validate import ValidationReport, validate

pytestmark = pytest.mark.timeout(600)

DOCUMENTS = sorted((ROOT / "tei" / "documents").glob("*.xml"))
AUXILIARY = ("edition.xml", "persons.xml", "places.xml", "orgs.xml")

TIME_BOUND = 30.0
"""Seconds one validation or build of the small edition may take, whatever the input."""

SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=TIME_BOUND),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

# Byte mutations ---------------------------------------------------------------------

FRAGMENTS = (
    b"<",
    b">",
    b"&",
    b"&amp",
    b"]]>",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\r",
    b"<!DOCTYPE TEI>",
    b'<?xml version="1.0" encoding="ISO-8859-1"?>',
    b"<?pi x?>",
    b"<!--",
    b"<![CDATA[",
    b'xml:id="dup"',
    b'ref="person:nobody"',
    b'when="1950-02-30"',
    b"</p>",
    b"<p>",
)

byte_operation = st.tuples(
    st.sampled_from(["delete", "duplicate", "swap", "truncate", "insert", "fragment", "flip"]),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    st.binary(min_size=1, max_size=8),
    st.sampled_from(FRAGMENTS),
)


def mutate_bytes(data: bytes, operation: tuple[str, float, float, bytes, bytes]) -> bytes:
    kind, x, y, noise, fragment = operation
    at = int(x * len(data))
    size = 1 + int(y * min(400, max(1, len(data) - at)))
    if kind == "delete":
        return data[:at] + data[at + size :]
    if kind == "duplicate":
        return data[: at + size] + data[at : at + size] + data[at + size :]
    if kind == "swap":
        other = int(y * len(data))
        first, second = sorted((at, other))
        length = min(40, second - first)
        if length <= 0:
            return data
        a, b = data[first : first + length], data[second : second + length]
        return data[:first] + b + data[first + length : second] + a + data[second + length :]
    if kind == "truncate":
        return data[:at]
    if kind == "insert":
        return data[:at] + noise + data[at:]
    if kind == "fragment":
        return data[:at] + fragment + data[at:]
    flipped = bytearray(data)
    for i, value in enumerate(noise):
        position = (at + i * 97) % max(1, len(flipped))
        if flipped:
            flipped[position] ^= value or 0x20
    return bytes(flipped)


# Tree mutations ---------------------------------------------------------------------

tree_operation = st.tuples(
    st.sampled_from(
        [
            "delete-element",
            "duplicate-element",
            "swap-elements",
            "move-element",
            "delete-attribute",
            "copy-attribute",
            "swap-attributes",
            "truncate-text",
            "swap-text",
            "empty-text",
        ]
    ),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
)


def _pick(items: list[etree._Element], x: float) -> etree._Element:
    return items[min(len(items) - 1, int(x * len(items)))]


def mutate_tree(root: etree._Element, operation: tuple[str, float, float]) -> None:
    kind, x, y = operation
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    inner = elements[1:]
    if not inner:
        return
    first, second = _pick(inner, x), _pick(inner, y)
    unrelated = (
        first is not second
        and second not in first.iterancestors()
        and (first not in second.iterancestors())
    )
    if kind == "delete-element":
        parent = first.getparent()
        if parent is not None:
            tail = first.tail
            parent.remove(first)
            if tail:
                parent.text = (parent.text or "") + tail
    elif kind == "duplicate-element":
        first.addnext(copy.deepcopy(first))
    elif kind == "swap-elements" and unrelated:
        marker = etree.Element("marker")
        first.addprevious(marker)
        second.addprevious(first)
        marker.addprevious(second)
        parent = marker.getparent()
        if parent is not None:
            parent.remove(marker)
    elif kind == "move-element" and unrelated and first not in second.iterancestors():
        second.append(first)
    elif kind == "delete-attribute":
        for name in list(first.attrib)[:1]:
            del first.attrib[name]
    elif kind == "copy-attribute":
        for name, value in list(first.attrib.items())[:1]:
            second.set(name, value)
    elif kind == "swap-attributes":
        a, b = dict(first.attrib), dict(second.attrib)
        first.attrib.clear()
        second.attrib.clear()
        first.attrib.update(b)
        second.attrib.update(a)
    elif kind == "truncate-text":
        if first.text:
            first.text = first.text[: int(y * len(first.text))]
    elif kind == "swap-text":
        first.text, second.text = second.text, first.text
    elif kind == "empty-text":
        first.text = None


def mutate_document(data: bytes, operations: list[tuple[str, float, float]]) -> bytes:
    tree = etree.fromstring(data).getroottree()
    for operation in operations:
        mutate_tree(tree.getroot(), operation)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


# The edition and the properties ------------------------------------------------------


def make_edition(folder: Path, document: Path, data: bytes) -> Path:
    """The real header and registers, one neighbouring real document and the mutated one."""
    tei = folder / "tei"
    (tei / "documents").mkdir(parents=True)
    for name in AUXILIARY:
        shutil.copy(ROOT / "tei" / name, tei / name)
    index = DOCUMENTS.index(document)
    neighbour = DOCUMENTS[(index + 1) % len(DOCUMENTS)]
    shutil.copy(neighbour, tei / "documents" / neighbour.name)
    (tei / "documents" / document.name).write_bytes(data)
    return folder


def hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def within_bound(call: Callable[[], object]) -> object:
    """Run ``call``; a KimeditionError is an answer, anything else fails the test."""
    started = time.monotonic()
    try:
        result = call()
    except KimeditionError as error:
        result = error
    elapsed = time.monotonic() - started
    assert elapsed < TIME_BOUND, f"took {elapsed:.1f} s"
    return result


def check_report(report: object) -> None:
    """Every problem is one line naming a file, and the editorial rules always ran."""
    if isinstance(report, ValidationReport):
        for problem in report.problems:
            assert problem.path, problem
            assert "\n" not in problem.format(), problem
            assert "could not be checked" not in problem.message, problem


def check(document: Path, data: bytes, publish: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="kimedition-properties-") as temporary:
        root = make_edition(Path(temporary) / "edition", document, data)
        sources = hashes(root / "tei")
        edition = Edition.open(root)
        check_report(within_bound(lambda: validate(edition, jobs=1)))
        if publish:
            out = root / "output"
            result = within_bound(lambda: build(edition, out, jobs=1))
            if isinstance(result, KimeditionError):
                assert not out.exists()  # nothing written
            else:
                assert (out / "html" / "index.html").is_file()
            assert sorted(p.name for p in root.iterdir() if p.name.startswith(".output.")) in (
                [],
                [".output.cache", ".output.lock"],
                [".output.lock"],
            )
        assert hashes(root / "tei") == sources


@settings(SETTINGS, max_examples=50)
@given(
    document=st.sampled_from(DOCUMENTS),
    operations=st.lists(byte_operation, min_size=1, max_size=4),
)
def test_validate_answers_mutated_bytes(
    document: Path, operations: list[tuple[str, float, float, bytes, bytes]]
) -> None:
    data = document.read_bytes()
    for operation in operations:
        data = mutate_bytes(data, operation)
    check(document, data, publish=False)


@settings(SETTINGS, max_examples=50)
@given(
    document=st.sampled_from(DOCUMENTS),
    operations=st.lists(tree_operation, min_size=1, max_size=4),
)
def test_validate_answers_mutated_trees(
    document: Path, operations: list[tuple[str, float, float]]
) -> None:
    check(document, mutate_document(document.read_bytes(), operations), publish=False)


@settings(SETTINGS, max_examples=40)
@given(
    document=st.sampled_from(DOCUMENTS),
    trees=st.lists(tree_operation, max_size=2),
    bytes_=st.lists(byte_operation, max_size=1),
)
def test_build_answers_mutated_documents(
    document: Path,
    trees: list[tuple[str, float, float]],
    bytes_: list[tuple[str, float, float, bytes, bytes]],
) -> None:
    data = mutate_document(document.read_bytes(), trees)
    for operation in bytes_:
        data = mutate_bytes(data, operation)
    check(document, data, publish=True)
