"""Memory given back between a finishing worker's pages: Saxon's heap collected and the
C library's free memory returned, only above the bound, and the pages unchanged."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from saxonche import PySaxonProcessor

from conftest import SmallEdition
from kimedition import engine, memory, pages, saxon
from kimedition.indexes import index_xml
from kimedition.memory import keep_within, resident_megabytes
from kimedition.saxon import SaxonRuntime

linux = pytest.mark.skipif(sys.platform != "linux", reason="/proc and glibc: Linux only")

SAXON = str(PySaxonProcessor(license=False).version)
collector = pytest.mark.skipif(
    sys.platform != "linux" or not f"{SAXON.split()[1]}.".startswith("13.1."),
    reason=f"the collector is looked for in SaxonC 13.1 on Linux only (here {SAXON})",
)

GARBAGE = """<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/">
    <list>
      <xsl:for-each select="1 to 200000">
        <item n="{.}"><xsl:value-of select="string-join((., ., .), '-')"/></item>
      </xsl:for-each>
    </list>
  </xsl:template>
</xsl:stylesheet>"""


@collector
def test_collecting_saxon_s_heap_gives_its_garbage_back() -> None:
    runtime = SaxonRuntime()
    stylesheet = runtime.compile(text=GARBAGE, name="garbage.xsl")
    source = runtime.document("<r/>")
    runtime.collect_garbage()
    for _ in range(6):
        assert len(stylesheet.transform(source)) > 1_000_000
    before = resident_megabytes()
    assert runtime.collect_garbage()
    after = resident_megabytes()
    assert after < before - 20, (before, after)


@linux
def test_memory_is_given_back_only_above_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    collected: list[SaxonRuntime] = []
    monkeypatch.setattr(SaxonRuntime, "collect_garbage", lambda self: bool(collected.append(self)))
    trimmed: list[bool] = []
    monkeypatch.setattr(memory, "_trim", lambda: trimmed.append(True) or True)
    runtime = SaxonRuntime()
    assert resident_megabytes() > 10
    assert not keep_within(runtime, resident_megabytes() + 1_000)
    assert collected == [] and trimmed == []
    assert keep_within(runtime, 1.0)
    assert collected == [runtime] and len(trimmed) == 1


@pytest.fixture
def worker(small: SmallEdition) -> Iterator[pages.Finisher]:
    """A finishing worker's object in this process, as a worker process holds it."""
    settings = engine.Settings(root=str(small.root))
    finisher = pages.Finisher(settings.edition, settings)
    saved = dict(engine._STATE)
    engine._STATE.clear()
    engine._STATE["worker"] = finisher
    try:
        yield finisher
    finally:
        engine._STATE.clear()
        engine._STATE.update(saved)


def test_a_worker_s_pages_are_the_same_when_memory_is_given_back(
    worker: pages.Finisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = index_xml("person", [], 0)
    made = [
        pages.Page(role, "person", (("index", index),)) for role in ("html-index", "text-index")
    ]
    kept = [pages._make_page(page) for page in made]
    bounds: list[Any] = []
    original = memory.keep_within

    def always(runtime: SaxonRuntime, limit_mb: float = memory.WORKER_MEMORY_MB) -> bool:
        bounds.append((runtime, limit_mb))
        return original(runtime, 0.0)

    monkeypatch.setattr(pages, "keep_within", always)
    given_back = [pages._make_page(page) for page in made]
    assert bounds == [(worker.runtime, memory.WORKER_MEMORY_MB)] * 2
    assert given_back == kept


@pytest.mark.parametrize(
    ("version", "found"),
    [
        ("SaxonC-HE 13.1 from Saxonica", True),
        ("SaxonC-HE 13.1.1 from Saxonica", True),
        ("SaxonC-HE 13.10 from Saxonica", False),
        ("SaxonC-HE 14.0 from Saxonica", False),
        ("SaxonC-HE 12.9 from Saxonica", False),
        ("", False),
    ],
)
def test_the_collector_is_looked_for_only_in_the_saxon_whose_layout_is_known(
    version: str, found: bool
) -> None:
    runtime = SaxonRuntime()  # alive while the functions are looked for
    assert saxon._CollectorFunctions(version).ready is (found and sys.platform == "linux")
    assert runtime.collect_garbage() is (
        sys.platform == "linux" and f"{SAXON.split()[1]}.".startswith("13.1.")
    )
