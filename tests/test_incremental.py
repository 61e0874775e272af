"""Incremental builds: redo only what changed, and come out byte-identical to a full build."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    DOCUMENT_ID,
    ROOT,
    SmallEdition,
    age,
    age_all,
    count_name_indexes,
    record_calls,
)
from kimedition.build import BuildResult, build
from kimedition.edition import Edition
from kimedition.output import Staging, commit_changes, recover
from test_build import tree_hashes
from test_engine import add_documents


@pytest.fixture
def edition(small: SmallEdition) -> SmallEdition:
    add_documents(small, 6)
    shutil.copytree(ROOT / "xslt", small.root / "xslt")
    return small


def run(small: SmallEdition, out: Path) -> BuildResult:
    return build(Edition.open(small.root), out, jobs=1)


def count_card_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts of the cards parsed from XML from now on (the list grows as they are)."""
    from kimedition.indexes import Card

    parsed: list[str] = []
    original = Card.from_text.__func__  # type: ignore[attr-defined]

    def counted(cls: type, text: str) -> object:
        parsed.append(text)
        return original(cls, text)

    monkeypatch.setattr(Card, "from_text", classmethod(counted))
    return parsed


def assert_as_built_afresh(small: SmallEdition, out: Path, tmp_path: Path) -> None:
    """The output is byte for byte what a full build from nothing makes (in
    ``tmp_path / "fresh"``, replaced if an earlier check left it)."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(tmp_path / ".fresh.cache", ignore_errors=True)
    run(small, fresh)
    assert tree_hashes(out) == tree_hashes(fresh)


def damage_state(out: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Change the state a build keeps beside ``out``, read from its JSON, and write it
    back (``change`` changes it in place, or returns the state to write instead)."""
    path = out.parent / f".{out.name}.cache" / "state.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    replaced = change(state)
    path.write_text(json.dumps(replaced or state), encoding="utf-8")


def edit_text(small: SmallEdition) -> None:
    small.edit_document("writes from", "telegraphs from")


def edit_title(small: SmallEdition) -> None:
    # The title is on the pages of the documents before and after it, too.
    small.edit_document("<title>Telegram Stalin to Pak", "<title>Cable Stalin to Pak")


def edit_reference(small: SmallEdition) -> None:
    small.edit_document(
        '<persName ref="person:stalin">Stalin</persName> to',
        '<persName ref="person:pak-heon-yeong">Pak</persName> to',
    )


def edit_register(small: SmallEdition) -> None:
    small.edit(
        small.tei / "persons.xml",
        '<persName type="variant">Pak Hon-yong</persName>',
        '<persName type="variant">Pak Hon-yong</persName>\n  <persName type="variant">Bak Heonyeong</persName>',
    )


def edit_register_dates(small: SmallEdition) -> None:
    small.edit(
        small.tei / "persons.xml",
        '<persName type="codename">Filippov</persName>',
        '<persName type="codename">Filippov</persName>\n  <death when="1953-03-05"/>',
    )


def add_register_note(small: SmallEdition) -> None:
    """A note on Stalin's entry, which the plain-text index does not show."""
    codename = '<persName type="codename">Filippov</persName>'
    small.edit(small.tei / "persons.xml", codename, codename + "<note>Soviet leader.</note>")


def edit_stylesheet(small: SmallEdition) -> None:
    css = small.root / "xslt" / "assets" / "kimedition.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    common = small.root / "xslt" / "common" / "functions.xsl"
    common.write_text(
        common.read_text(encoding="utf-8").replace("'January'", "'Jan.'"), encoding="utf-8"
    )


def add_document(small: SmallEdition) -> None:
    text = small.document.read_text(encoding="utf-8")
    new = text.replace(DOCUMENT_ID, "kim-1951-03-01-added").replace(
        'when="1950-01-19"', 'when="1951-03-01"'
    )
    (small.tei / "documents" / "kim-1951-03-01-added.xml").write_text(new, encoding="utf-8")


def remove_document(small: SmallEdition) -> None:
    next((small.tei / "documents").glob("*-copy.xml")).unlink()


EDITS: dict[str, Callable[[SmallEdition], None]] = {
    "document text": edit_text,
    "a document's title": edit_title,
    "a reference": edit_reference,
    "a register entry": edit_register,
    "a register entry's dates": edit_register_dates,
    "a register entry's note": add_register_note,
    "a stylesheet": edit_stylesheet,
    "a new document": add_document,
    "a removed document": remove_document,
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_rebuild_equals_a_full_build(edition: SmallEdition, tmp_path: Path, kind: str) -> None:
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    run(edition, incremental)
    EDITS[kind](edition)
    result = run(edition, incremental)
    assert result.written, "an edit must rewrite something"
    run(edition, full)
    assert tree_hashes(incremental) == tree_hashes(full)


@pytest.mark.parametrize("kind", list(EDITS))
def test_rebuild_in_parts_equals_a_full_build(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """The same for an edition published in parts, with entries on pages of their own."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    monkeypatch.setattr(build_module, "ROWS", 3)
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    first = run(edition, incremental)
    assert "html/persons/stalin.html" in first.files
    EDITS[kind](edition)
    result = run(edition, incremental)
    assert result.written, "an edit must rewrite something"
    run(edition, full)
    assert tree_hashes(incremental) == tree_hashes(full)


@dataclass(frozen=True)
class IndexBuilt:
    """An index a build made: the entries it was asked for (None: all), from how many
    cards, and whether the Saxon runtime of the scan and check passes was still held."""

    only: frozenset[str] | None
    cards: int
    holding_saxon: bool


def record_index_builds(monkeypatch: pytest.MonkeyPatch) -> list[IndexBuilt]:
    """One record for each index the builds that follow make (not counting the
    register's entries listed alone, from no card)."""
    from kimedition import build as build_module
    from kimedition import engine

    built: list[IndexBuilt] = []
    original = build_module.build_index

    def recorded(entries: Any, cards: Any, only: Any = None) -> Any:
        if cards:
            built.append(IndexBuilt(only, len(cards), bool(engine._SHARING)))
        return original(entries, cards, only)

    monkeypatch.setattr(build_module, "build_index", recorded)
    return built


def test_an_edit_the_indexes_do_not_show_leaves_them_alone(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change of wording changes no card's index facts: no index is built again."""
    out = tmp_path / "out"
    run(edition, out)
    built = record_index_builds(monkeypatch)
    edition.edit_document("writes from", "telegraphs from")
    result = run(edition, out)
    assert f"html/documents/{DOCUMENT_ID}.html" in result.written
    assert built == []
    assert not [w for w in result.written if w.startswith(("data/", "html/data/", "text/persons"))]
    edit_reference(edition)
    run(edition, out)
    assert built, "a changed reference changes the person index"


def test_an_entry_s_dates_redo_its_pages_only(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In an edition published in parts, the pages of an entry and of the documents that
    refer to it, not the other letters' pages."""
    from kimedition import build as build_module
    from kimedition import pages as pages_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    monkeypatch.setattr(build_module, "ROWS", 3)
    out = tmp_path / "out"
    first = run(edition, out)
    assert "html/persons-p.html" in first.files
    rendered: list[str] = []
    original = pages_module.Finisher.page

    def counted(self: pages_module.Finisher, page: pages_module.Page) -> str:
        parameters = dict(page.parameters)
        detail = parameters.get("letter") or parameters.get("entry") or ""
        rendered.append(f"{page.role} {detail}".strip())
        return original(self, page)

    monkeypatch.setattr(pages_module.Finisher, "page", counted)
    edit_register_dates(edition)
    run(edition, out)
    # Stalin's letter, Stalin's own page and the S part of the plain-text person index
    # (one file, made letter by letter: the other parts are taken from the published
    # file); not the home page, the other letters or the other indexes.
    assert sorted(rendered) == ["html-index S", "html-index stalin", "text-index S"], rendered
    fresh = tmp_path / "fresh"
    run(edition, fresh)
    assert (out / "text" / "persons.txt").read_bytes() == (
        fresh / "text" / "persons.txt"
    ).read_bytes()


def test_a_reference_redoes_the_pages_of_the_entries_it_leaves_and_joins_only(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pointing a name at another person makes the letters and pages of those two
    persons again, not those of the other persons the document names, whose mentions
    and roles there are as they were."""
    from kimedition import build as build_module
    from kimedition import pages as pages_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    monkeypatch.setattr(build_module, "ROWS", 3)
    edition.edit(
        edition.tei / "persons.xml",
        "</listPerson>",
        '<person xml:id="kim-il-sung" sortKey="kim-il-sung">'
        '<persName type="standard">Kim Il Sung</persName></person></listPerson>',
    )
    edition.edit_document(
        " writes from", ' and <persName ref="person:kim-il-sung">Kim Il Sung</persName> write from'
    )
    out = tmp_path / "out"
    first = run(edition, out)
    assert "html/persons-k.html" in first.files
    rendered = record_calls(monkeypatch, pages_module.Finisher, "page", 1)
    edit_reference(edition)
    run(edition, out)
    made = sorted(
        f"{page.role} {dict(page.parameters).get('letter') or dict(page.parameters)['entry']}"
        for page in rendered
        if page.role in ("html-index", "text-index") and page.source == "person"
    )
    assert made == [
        "html-index P",
        "html-index S",
        "html-index pak-heon-yeong",
        "html-index stalin",
        "text-index P",
        "text-index S",
    ]
    assert_as_built_afresh(edition, out, tmp_path)


def test_an_index_in_parts_carries_its_pages_keys_when_no_card_changed(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that changes no card's index facts leaves the keys of an index's pages
    as they were, without working them out; a page missing from the output, or a
    record of the keys that is not what a build writes, makes them worked out again."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    monkeypatch.setattr(build_module, "ROWS", 3)
    out = tmp_path / "out"
    run(edition, out)
    worked: list[str] = []
    original = build_module.IndexParts.occurrences

    def counted(self: build_module.IndexParts, entries: list[str]) -> str:
        worked.append(self.kind)
        return original(self, entries)

    monkeypatch.setattr(build_module.IndexParts, "occurrences", counted)
    edit_text(edition)
    result = run(edition, out)
    assert f"html/documents/{DOCUMENT_ID}.html" in result.written
    assert worked == []
    assert not [w for w in result.written if w.startswith(("html/persons", "text/persons"))]

    (out / "html" / "persons-s.html").unlink()
    result = run(edition, out)
    assert "person" in worked
    assert result.written == ["html/persons-s.html"]

    worked.clear()
    damage_state(
        out, lambda state: state["memo"]["index-pages:person"].__setitem__(1, ["not", "a", "map"])
    )
    edition.edit_document("telegraphs from", "writes from")
    run(edition, out)
    assert "person" in worked
    assert_as_built_afresh(edition, out, tmp_path)


def test_an_entry_s_note_takes_its_letter_s_entries_as_kept(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit of a note, the pages of the entry's letter and of the entry are made
    from the index entries kept by the build before, with no card read for them; the
    plain-text index, which shows no notes, is not read back from its parts."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    monkeypatch.setattr(build_module, "ROWS", 3)
    # An index of a few entries is built for those alone, as in a large edition.
    monkeypatch.setattr(build_module, "PARTIAL_SHARE", 1.0)
    out = tmp_path / "out"
    run(edition, out)
    built = record_index_builds(monkeypatch)
    made = record_calls(monkeypatch, build_module, "entry_xml")
    read_back = record_calls(monkeypatch, build_module._Build, "_published_parts", 1)
    add_register_note(edition)
    result = run(edition, out)
    assert "html/persons-s.html" in result.written
    assert "html/persons/stalin.html" in result.written
    assert made == []
    # Only the exports' part of Stalin's entry, which shows the note, is made afresh.
    assert [b.only for b in built] == [frozenset({"person:stalin"})]
    assert "text/persons.txt" not in read_back
    assert_as_built_afresh(edition, out, tmp_path)


@pytest.mark.parametrize("damage", ["not compressed", "another entry's", "deleted"])
def test_a_damaged_kept_index_entry_is_made_again(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    """An index entry is taken as kept only if it reads back whole and is the entry's."""
    import sqlite3
    import zlib

    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    monkeypatch.setattr(build_module, "ROWS", 3)
    out = tmp_path / "out"
    run(edition, out)
    store = tmp_path / ".out.cache" / "cards.sqlite"
    with sqlite3.connect(store) as connection:
        if damage == "not compressed":
            connection.execute("UPDATE entries SET xml = CAST('<kim:entry' AS BLOB)")
        elif damage == "another entry's":
            other = zlib.compress(b'<kim:entry id="kim" ref="person:kim" mentions="1"/>')
            connection.execute("UPDATE entries SET xml = ?", (other,))
        else:
            connection.execute("DROP TABLE entries")
    connection.close()
    monkeypatch.setattr(build_module, "PARTIAL_SHARE", 1.0)
    made = record_calls(monkeypatch, build_module, "entry_xml")
    add_register_note(edition)
    run(edition, out)
    # Stalin's entry, on his letter's page and his own, is made from the cards again.
    assert "stalin" in [item.entry.id for item in made]
    assert_as_built_afresh(edition, out, tmp_path)


def test_a_part_of_a_published_index_that_does_not_match_is_made_again(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part is taken from the published file only as the last build wrote it: a file
    changed since (here, by hand) gives its parts back made afresh."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    run(edition, out)
    published = out / "text" / "persons.txt"
    text = published.read_text(encoding="utf-8")
    assert "Pak Hon-yong" in text  # in the P part, which the edit of Stalin leaves alone
    published.write_text(text.replace("Pak Hon-yong", "Pak Hon-yang"), encoding="utf-8")
    edit_register_dates(edition)
    run(edition, out)
    fresh = tmp_path / "fresh"
    run(edition, fresh)
    assert published.read_bytes() == (fresh / "text" / "persons.txt").read_bytes()


def test_a_card_store_that_is_a_link_is_replaced_not_followed(
    edition: SmallEdition, tmp_path: Path
) -> None:
    """A link in place of the store (to another database, say) is never written through."""
    import sqlite3

    out = tmp_path / "out"
    run(edition, out)
    store = tmp_path / ".out.cache" / "cards.sqlite"
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE cards (key TEXT PRIMARY KEY, card TEXT NOT NULL)")
        connection.execute("INSERT INTO cards VALUES ('someone', 'else')")
    connection.close()
    before = other.read_bytes()
    store.unlink()
    store.symlink_to(other)
    edit_text(edition)
    run(edition, out)
    assert other.read_bytes() == before
    assert store.is_file() and not store.is_symlink()


@pytest.mark.parametrize("damage", ["deleted", "not a database", "emptied", "forms damaged"])
def test_a_damaged_card_store_costs_time_not_correctness(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    """The cards kept between builds are read back only if they are all there."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    run(edition, incremental)
    store = tmp_path / ".incremental.cache" / "cards.sqlite"
    assert store.is_file()
    if damage == "deleted":
        store.unlink()
    elif damage == "not a database":
        store.write_bytes(b"not a database\n" * 100)
    else:
        import sqlite3

        with sqlite3.connect(store) as connection:
            if damage == "emptied":
                connection.execute("DELETE FROM cards")
            else:
                connection.execute("UPDATE parsed SET card = '[\"not a card\"]'")
        connection.close()
    parsed_from_text = count_card_parses(monkeypatch)
    # An edit of a register's entry makes its index again, from every card.
    edit_register_dates(edition)
    run(edition, incremental)
    if damage == "forms damaged":
        # No document changed, so none was scanned: the cards were parsed from their
        # text because their JSON forms could not be read.
        assert parsed_from_text
    run(edition, full)
    assert tree_hashes(incremental) == tree_hashes(full)
    # The store is whole again, with the card of every document.
    from kimedition.cache import CardStore

    documents = len(list((edition.tei / "documents").glob("*.xml")))
    assert len(CardStore(store).keys()) == documents


def _first(records: dict[str, object], value: object) -> None:
    records[next(iter(records))] = value


def _each_scan(state: dict[str, Any], change: Callable[[dict[str, Any]], object]) -> None:
    """Apply ``change`` to the scan of every file the state records."""
    for record in state["scans"].values():
        change(record["scan"])


STATE_DAMAGE: dict[str, Callable[[dict[str, Any]], object]] = {
    "a scan not a record": lambda state: _first(state["scans"], []),
    "a scan without its fields": lambda state: _first(state["scans"], {"key": "k", "scan": {}}),
    "a check without problems": lambda state: _first(state["checks"], {"key": "k"}),
    "a file record too short": lambda state: _first(state["files"], [1]),
    "a memo not a list": lambda state: state["memo"].update(names={"a": 1}),
    "register digests not a list": lambda state: state["memo"].update({"register:person": {}}),
    "register digests of another shape": lambda state: state["memo"]["register:person"].__setitem__(
        1, [{"person:stalin": 1}, {}, "names"]
    ),
    "a list": lambda state: [1, 2, 3],
    "no table of pointers": lambda state: state.__delitem__("pointers"),
    "a table of pointers not text": lambda state: state.__setitem__("pointers", [[1, 2], 0]),
    "a position past the table": lambda state: _each_scan(
        state, lambda scan: scan["refs"].append(len(state["pointers"][0]))
    ),
    "a negative position": lambda state: _each_scan(
        state, lambda scan: scan.__setitem__("refs", [-1, *scan["refs"]])
    ),
    "positions not numbers": lambda state: _each_scan(
        state, lambda scan: scan.__setitem__("refs", ["person:stalin"])
    ),
}


@pytest.mark.parametrize("damage", [*STATE_DAMAGE, "not JSON", "not UTF-8", "empty"])
def test_a_damaged_state_costs_time_not_correctness(
    edition: SmallEdition, tmp_path: Path, damage: str
) -> None:
    """A state file that is not what a build writes counts as no state."""
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    age_all(edition)  # so that the state records the files' sizes and times
    run(edition, incremental)
    path = tmp_path / ".incremental.cache" / "state.json"
    if damage == "not JSON":
        path.write_text("{not json", encoding="utf-8")
    elif damage == "not UTF-8":
        path.write_bytes(b'{"format": "\xff\xfe"}')
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        damage_state(incremental, STATE_DAMAGE[damage])
    (tmp_path / ".incremental.cache" / "quick.json").unlink()
    edit_text(edition)
    run(edition, incremental)
    run(edition, full)
    assert tree_hashes(incremental) == tree_hashes(full)


def test_an_edit_rewrites_only_what_depends_on_it(edition: SmallEdition, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run(edition, out)
    assert len(first.written) == len(first.files)
    edition.edit_document("writes from", "telegraphs from")
    second = run(edition, out)
    # The page, its text (twice) and its source copy; the home page shows the summary.
    assert f"html/documents/{DOCUMENT_ID}.html" in second.written
    assert f"html/tei/{DOCUMENT_ID}.xml" in second.written
    assert "html/index.html" in second.written
    untouched = [w for w in second.written if "copy" in w]
    # Its neighbour's page shows this document's card (previous/next), nothing else.
    assert len(untouched) <= 4
    assert len(second.written) < len(first.files) // 2


def test_no_edit_writes_nothing(edition: SmallEdition, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(edition, out)
    times = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    result = run(edition, out)
    assert result.written == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == times


def same_size_edit(small: SmallEdition, keep_time: bool) -> None:
    """Change a word of the document for one of the same length; with ``keep_time``, give
    the file back the modification time it had (a second save within one tick of the
    file system's clock looks the same)."""
    info = small.document.stat()
    small.edit_document("writes from", "wrote, from")
    assert small.document.stat().st_size == info.st_size
    if keep_time:
        os.utime(small.document, ns=(info.st_atime_ns, info.st_mtime_ns))


def scanned_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the scan pass reads from now on (the list grows)."""
    import kimedition.build

    names: list[str] = []
    original = kimedition.build.scan_files

    def counted(files: Any, *args: Any, **kwargs: Any) -> Any:
        names.extend(Path(path).name for path, _, _ in files)
        return original(files, *args, **kwargs)

    monkeypatch.setattr(kimedition.build, "scan_files", counted)
    return names


def test_a_file_changed_within_one_tick_of_the_clock_is_built_again(
    edition: SmallEdition, tmp_path: Path
) -> None:
    """A source changed just before a build is not vouched for by its size and time:
    the next build compares its content, the quick check included."""
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    run(edition, incremental)
    same_size_edit(edition, keep_time=True)
    result = run(edition, incremental)
    assert f"html/documents/{DOCUMENT_ID}.html" in result.written
    run(edition, full)
    assert tree_hashes(incremental) == tree_hashes(full)


def test_a_file_saved_while_a_build_reads_the_sources_is_built_again(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state records a file's size and time as they were before the build read it,
    so that a save during the build is seen by the next one, whatever its time."""
    import kimedition.build

    incremental, full = tmp_path / "incremental", tmp_path / "full"
    age_all(edition)
    run(edition, incremental)
    edit_reference(edition)
    original = kimedition.build.scan_files

    def save_after_reading(*args: Any, **kwargs: Any) -> Any:
        scans = original(*args, **kwargs)
        same_size_edit(edition, keep_time=False)
        age(edition.document, 600)  # a time of its own, out of the untrusted window
        return scans

    monkeypatch.setattr(kimedition.build, "scan_files", save_after_reading)
    run(edition, incremental)
    monkeypatch.setattr(kimedition.build, "scan_files", original)
    run(edition, incremental)
    run(edition, full)
    assert tree_hashes(incremental) == tree_hashes(full)


def test_the_quick_check_compares_only_the_edition_s_sources(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file planted beside the output that asks the quick check to compare another
    file's content is not followed: that file is never read, and the build goes on."""
    import kimedition.build

    out = tmp_path / "out"
    run(edition, out)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the build\n", encoding="utf-8")
    quick = tmp_path / ".out.cache" / "quick.json"
    data = json.loads(quick.read_text(encoding="utf-8"))
    assert str(edition.document) in data["verify"]  # made just now: compared next time
    data["verify"][str(secret)] = "0" * 64
    quick.write_text(json.dumps(data), encoding="utf-8")
    read: list[Path] = []
    original = kimedition.build._Build._content_sha

    def recorded(self: Any, path: Path) -> str | None:
        read.append(path)
        return original(self, path)

    monkeypatch.setattr(kimedition.build._Build, "_content_sha", recorded)
    before = tree_hashes(out)
    assert run(edition, out).written == []
    assert secret not in read
    assert tree_hashes(out) == before


def test_a_touched_file_keeps_its_scan(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source whose time changed but not its content (touched, saved unchanged,
    checked out again) is hashed, not scanned again, and nothing is written."""
    out = tmp_path / "out"
    age_all(edition)
    run(edition, out)
    os.utime(edition.document)
    scanned = scanned_files(monkeypatch)
    result = run(edition, out)
    assert scanned == []
    assert result.written == []
    edit_text(edition)
    run(edition, out)
    assert scanned == [edition.document.name]


def test_a_deleted_output_file_is_made_again(edition: SmallEdition, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(edition, out)
    before = tree_hashes(out)
    (out / "html" / "persons.html").unlink()
    result = run(edition, out)
    assert "html/persons.html" in result.written
    assert tree_hashes(out) == before


def test_a_deleted_copy_of_the_data_is_made_again_from_the_published_file(
    edition: SmallEdition, tmp_path: Path
) -> None:
    """``html/data/`` repeats ``data/``; when only the copy is missing, it is copied from the
    published file, which this build does not make again."""
    out = tmp_path / "out"
    run(edition, out)
    before = tree_hashes(out)
    (out / "html" / "data" / "persons.json").unlink()
    result = run(edition, out)
    assert "html/data/persons.json" in result.written
    assert "data/persons.json" not in result.written
    assert tree_hashes(out) == before


def test_an_interrupted_commit_is_completed(edition: SmallEdition, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(edition, out)
    staging = Staging(out)
    staging.write_text("html/new.html", "new")
    journal = out.parent / f".{out.name}.journal"
    journal.write_text(
        json.dumps(
            {
                "staging": str(staging.root),
                "moves": ["html/new.html"],
                "removals": ["html/persons.html"],
            }
        ),
        encoding="utf-8",
    )
    assert recover(out)
    assert (out / "html" / "new.html").read_text(encoding="utf-8") == "new"
    assert not (out / "html" / "persons.html").exists()
    assert not journal.exists() and not staging.root.exists()
    assert not recover(out)


def test_commit_moves_and_removes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "old.txt").write_text("old", encoding="utf-8")
    (out / "keep.txt").write_text("keep", encoding="utf-8")
    staging = Staging(out)
    staging.write_text("b/new.txt", "new")
    commit_changes(staging, ["a/old.txt"])
    assert (out / "b" / "new.txt").read_text(encoding="utf-8") == "new"
    assert not (out / "a").exists()
    assert (out / "keep.txt").exists()
    assert not staging.root.exists()


def test_the_registers_are_digested_again_only_when_they_change(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each register's entry digests are kept under its file's digest: an edit of a
    document reuses them all, an edit of one register makes that register's again; a
    damaged record is made again too."""
    from kimedition import build as build_module

    digested = record_calls(monkeypatch, build_module.RegisterPart, "of")
    out = tmp_path / "out"
    run(edition, out)
    assert digested == ["person", "place", "org"]
    digested.clear()
    edit_text(edition)
    run(edition, out)
    assert digested == []
    edit_register(edition)
    run(edition, out)
    assert digested == ["person"]
    assert_as_built_afresh(edition, out, tmp_path)
    damaged = {"place:pyongyang": 1}  # a count where a digest belongs
    damage_state(out, lambda state: state["memo"]["register:place"][1].__setitem__(0, damaged))
    digested.clear()
    edition.edit_document("telegraphs from", "writes from")
    run(edition, out)
    assert digested == ["place"]
    assert_as_built_afresh(edition, out, tmp_path)


def test_an_index_made_again_reads_the_cards_json_forms(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cards an index is made from are read from the store's JSON forms, not parsed
    again from their XML."""

    out = tmp_path / "out"
    run(edition, out)
    parsed_from_text = count_card_parses(monkeypatch)
    edit_register(edition)
    result = run(edition, out)
    assert "data/persons.json" in result.written
    assert parsed_from_text == []


def test_the_letters_of_an_index_are_asked_again_only_when_names_change(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which letter each entry is filed under depends on its names and sort key: an edit
    of an entry's dates reuses the letters the last build found, a new name does not."""
    from kimedition import build as build_module
    from kimedition import pages as pages_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    run(edition, out)
    asked: list[str] = []
    original = pages_module.PageQueue.letters

    def counted(self: pages_module.PageQueue, kind: str) -> tuple[list[str], dict[str, str]]:
        asked.append(kind)
        return original(self, kind)

    monkeypatch.setattr(pages_module.PageQueue, "letters", counted)
    edit_register_dates(edition)
    run(edition, out)
    assert asked == []
    edit_register(edition)
    run(edition, out)
    assert "person" in asked
    assert_as_built_afresh(edition, out, tmp_path)


def test_the_rules_name_index_is_made_again_only_when_names_change(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editorial rules' index of registered names is kept under the registers'
    names: an edit of an entry's dates reuses it, a new variant name does not, and so
    does a name written as a place's inside a person's entry."""
    from kimedition import build as build_module

    out = tmp_path / "out"
    run(edition, out)
    made = count_name_indexes(monkeypatch)
    edit_register_dates(edition)
    run(edition, out)
    assert made == []
    edit_register(edition)
    run(edition, out)
    assert len(made) == 1
    persons = edition.tei / "persons.xml"
    text = persons.read_text(encoding="utf-8")
    persons.write_text(
        text.replace(
            '<persName type="codename">Filippov</persName>',
            '<persName type="codename">Filippov</persName><placeName>Kuntsevo</placeName>',
            1,
        ),
        encoding="utf-8",
    )
    # The edition's schema refuses it; the rules ask for the index all the same.
    with pytest.raises(build_module.InvalidEdition):
        run(edition, out)
    assert len(made) == 2
    persons.write_text(text, encoding="utf-8")
    fresh = tmp_path / "fresh"
    run(edition, out)
    run(edition, fresh)
    assert tree_hashes(out) == tree_hashes(fresh)


def spy_order(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The order in which builds from now on send their pages made once per build
    (``finish``) and run their check pass (``checks``, or ``checks alongside`` when it
    is started in workers before the pages are sent)."""
    from kimedition import build as build_module

    order: list[str] = []
    original_finish = build_module._Build._finish
    original_checks = build_module._Build.run_checks

    def finish(self: Any, *args: Any) -> None:
        order.append("finish")
        original_finish(self, *args)

    def checks(self: Any, *args: Any) -> Any:
        order.append("checks")
        return original_checks(self, *args)

    original_alongside = build_module._Build.checks_alongside

    def alongside(self: Any, *args: Any) -> Any:
        order.append("checks alongside")
        return original_alongside(self, *args)

    monkeypatch.setattr(build_module._Build, "_finish", finish)
    monkeypatch.setattr(build_module._Build, "run_checks", checks)
    monkeypatch.setattr(build_module._Build, "checks_alongside", alongside)
    return order


@pytest.mark.parametrize("kind", list(EDITS))
def test_a_large_rebuild_with_a_worker_started_early_equals_a_full_build(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A rebuild of a large edition on several cores starts a worker for its pages
    before it scans, and sends them while it checks the few files itself: its output is
    the same as a full build's."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    monkeypatch.setattr(build_module, "ROWS", 3)
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    build(Edition.open(edition.root), incremental, jobs=2)
    order = spy_order(monkeypatch)
    EDITS[kind](edition)
    result = build(Edition.open(edition.root), incremental, jobs=2)
    assert result.written, "an edit must rewrite something"
    if kind == "document text":
        assert order == ["finish", "checks"]
    run(edition, full)
    assert tree_hashes(incremental) == tree_hashes(full)


def test_after_an_edit_of_a_register_every_finishing_worker_is_started_early(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild of a large edition starts one finishing worker before it scans; when a
    register changed in what its plain-text index shows, it starts the others too,
    before the index's pages (a letter's page and its plain-text part) are sent, so
    that they are made at once; after an edit of a note, which only the letter's page
    shows, it does not. The output is as a build afresh."""
    from kimedition import build as build_module
    from kimedition import pages as pages_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    build(Edition.open(edition.root), out, jobs=2)
    started: list[int] = []
    original = pages_module.PageQueue.widen

    def widen(self: Any) -> None:
        original(self)
        started.append(len(self.pool._processes))

    monkeypatch.setattr(pages_module.PageQueue, "widen", widen)
    edit_text(edition)
    build(Edition.open(edition.root), out, jobs=2)
    add_register_note(edition)
    build(Edition.open(edition.root), out, jobs=2)
    assert started == []
    edit_register_dates(edition)
    build(Edition.open(edition.root), out, jobs=2)
    assert started == [2]
    assert_as_built_afresh(edition, out, tmp_path)


def record_started_checks(monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    """The tasks sent to each check worker started early, and each such worker stopped,
    from now on."""
    from kimedition.engine import CheckersStarted

    sent = record_calls(monkeypatch, CheckersStarted, "run", argument=1)
    return sent, record_calls(monkeypatch, CheckersStarted, "stop")


def test_after_an_edit_of_a_register_note_its_checks_go_to_a_worker_started_early(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild of a large edition after an edit of a register entry's note or dates,
    which no document's rules or page depend on, starts the worker for its check pass
    (the registers and the header) before it is planned, and sends the checks to it,
    not to workers started then; after an edit of a document or of an entry's names it
    starts none. Each output is as a build afresh."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    build(Edition.open(edition.root), out, jobs=2)
    sent, stops = record_started_checks(monkeypatch)
    late = record_calls(monkeypatch, build_module, "checks_started")
    add_register_note(edition)
    result = build(Edition.open(edition.root), out, jobs=2)
    assert len(sent) == 1 and 1 <= len(sent[0]) <= 4, sent
    assert late == [] and stops, "the checks went to the worker started early, then stopped"
    assert result.report.problems == []
    assert_as_built_afresh(edition, out, tmp_path)
    sent.clear()
    edit_register_dates(edition)
    build(Edition.open(edition.root), out, jobs=2)
    assert len(sent) == 1
    sent.clear()
    edit_text(edition)
    edit_register(edition)  # names: the documents that refer to the entry are checked
    build(Edition.open(edition.root), out, jobs=2)
    assert sent == []
    assert_as_built_afresh(edition, out, tmp_path)


def test_a_check_worker_started_early_makes_the_pages_of_drivers_that_show_notes(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Document drivers that do not declare that they show only names may show a note:
    after an edit of one, the pages of the entry's documents are made again, by the
    check worker started early when they are few (it then compiles the page
    stylesheets); the output is as a build afresh."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    # Few enough documents for one worker to check the register and make their pages.
    for extra in sorted((edition.tei / "documents").glob("*.xml"))[4:]:
        extra.unlink()
    for driver in ("html-document.xsl", "text-document.xsl"):
        # In the comment that explains it, and on the root.
        edition.edit(edition.root / "xslt" / driver, 'kim:entries-shown="names"', "", count=2)
    shown = '<xsl:value-of select="kim:standard-name($entry)"/>'
    edition.edit(
        edition.root / "xslt" / "common" / "html-document.xsl",
        shown,
        shown + "<xsl:value-of select=\"string-join($entry/tei:note, ' ')\"/>",
    )
    out = tmp_path / "out"
    build(Edition.open(edition.root), out, jobs=2)
    sent, _ = record_started_checks(monkeypatch)
    add_register_note(edition)
    result = build(Edition.open(edition.root), out, jobs=2)
    assert len(sent) == 1
    assert f"html/documents/{DOCUMENT_ID}.html" in result.written
    assert_as_built_afresh(edition, out, tmp_path)


def test_pages_sent_early_are_made_by_the_worker_and_thrown_away_when_checks_fail(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages sent while the build checks are made in the worker, not here; when the
    check pass then finds an error, the build stops with it, the worker is stopped and
    the output is as it was."""
    from kimedition import build as build_module
    from kimedition import pages as pages_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    build(Edition.open(edition.root), out, jobs=2)
    here: list[str] = []
    original = pages_module.Finisher.page

    def counted(self: pages_module.Finisher, page: pages_module.Page) -> str:
        here.append(page.role)  # only calls in this process are seen
        return original(self, page)

    monkeypatch.setattr(pages_module.Finisher, "page", counted)
    order = spy_order(monkeypatch)
    # The first paragraph is each year's page's summary of the document.
    edition.edit_document("writes from", "telegraphs from")
    result = build(Edition.open(edition.root), out, jobs=2)
    assert order == ["finish", "checks"]
    assert "html/years/1950.html" in result.written
    assert here == []
    before = tree_hashes(out)
    stopped: list[object] = []
    monkeypatch.setattr(pages_module, "kill_pool", lambda pool: stopped.append(pool))
    # A new summary, for the year's page, and a date line that disagrees with the
    # document's date: valid against the schema, so the scan passes; the rules find it
    # (a warning, which stops a strict build).
    edition.edit_document("telegraphs from", "cables from")
    line = edition.edit_document('<docDate when="1950-01-19">', '<docDate when="1950-01-18">')
    with pytest.raises(build_module.InvalidEdition) as stop:
        build(Edition.open(edition.root), out, jobs=2, strict=True)
    assert order[-2:] == ["finish", "checks"]
    assert f"{edition.document.name}:{line}:" in str(stop.value)
    assert "[date-line-agrees]" in str(stop.value)
    assert tree_hashes(out) == before
    assert stopped == [], "pages were sent: the worker is not killed as unused"


def record_stopped_pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry for each finishing pool the build stops (kills): how many of the tasks
    sent to it were not yet done."""
    from kimedition import pages as pages_module

    stopped: list[int] = []
    original = pages_module.kill_pool

    def kill(pool: Any) -> None:
        stopped.append(len(pool._pending_work_items))
        original(pool)

    monkeypatch.setattr(pages_module, "kill_pool", kill)
    return stopped


def test_a_worker_started_early_and_sent_nothing_is_killed_not_waited_for(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that no page made once per build shows: the worker started for them is
    killed when the build ends."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    build(Edition.open(edition.root), out, jobs=2)
    stopped = record_stopped_pools(monkeypatch)
    # A later paragraph: not the summary a year's page shows.
    edition.edit_document("</p>", "</p>\n      <p>Words of a second paragraph.</p>")
    build(Edition.open(edition.root), out, jobs=2)
    assert len(stopped) == 1
    edition.edit_document("Words of", "More words of")
    result = build(Edition.open(edition.root), out, jobs=2)
    assert f"html/documents/{DOCUMENT_ID}.html" in result.written
    assert not [w for w in result.written if w.startswith(("html/years/", "html/index"))]
    assert len(stopped) == 2
    assert_as_built_afresh(edition, out, tmp_path)


def test_the_finishing_workers_are_stopped_once_their_pages_are_back(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild whose worker made a page once per build stops it when the last page is
    written, instead of waiting while it shuts down; the output is as a build afresh."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    build(Edition.open(edition.root), out, jobs=2)
    stopped = record_stopped_pools(monkeypatch)
    # A word of the summary, which the document's year page shows.
    edition.edit_document("writes from", "telegraphs from")
    result = build(Edition.open(edition.root), out, jobs=2)
    assert any(w.startswith("html/years/") or w == "html/index.html" for w in result.written)
    assert stopped == [0]  # no page was still being made
    assert_as_built_afresh(edition, out, tmp_path)


def test_a_page_that_fails_while_the_checks_find_an_error_reports_the_error(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page sent early may fail on a document the check pass then finds invalid: the
    build reports what the checks found, as a build that makes its pages after them."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    driver = edition.root / "xslt" / "html-home.xsl"
    driver.write_text(
        driver.read_text(encoding="utf-8").replace(
            "</xsl:stylesheet>",
            '<xsl:template match="kim:card[contains(kim:summary, \'unpublishable\')]" priority="9">'
            '<xsl:message terminate="yes">no page for this card</xsl:message>'
            "</xsl:template></xsl:stylesheet>",
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    build(Edition.open(edition.root), out, jobs=2)
    before = tree_hashes(out)
    order = spy_order(monkeypatch)
    # The summary, which the year's page shows and no index does, and a date line the
    # rules warn about (which stops a strict build).
    edition.edit_document("writes from", "writes an unpublishable line from")
    line = edition.edit_document('<docDate when="1950-01-19">', '<docDate when="1950-01-18">')
    with pytest.raises(build_module.InvalidEdition) as stop:
        build(Edition.open(edition.root), out, jobs=2, strict=True)
    assert order == ["finish", "checks"]
    assert f"{edition.document.name}:{line}:" in str(stop.value)
    assert tree_hashes(out) == before
    with pytest.raises(build_module.BuildError, match="terminated by xsl:message"):
        build(Edition.open(edition.root), out, jobs=2)
    assert tree_hashes(out) == before


def test_an_edit_no_index_shows_does_not_parse_the_registers(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registers' bytes key the indexes and data; a build parses a register only
    when its index is made again."""
    from kimedition import build as build_module

    out = tmp_path / "out"
    run(edition, out)
    parsed: list[str] = []
    original = build_module.load_bytes

    def counted(data: bytes, path: Path, *args: Any) -> Any:
        parsed.append(path.name)
        return original(data, path, *args)

    monkeypatch.setattr(build_module, "load_bytes", counted)
    edit_text(edition)
    assert run(edition, out).written
    assert parsed == []
    edit_reference(edition)  # a person's: the person index only is made again
    run(edition, out)
    assert parsed == ["persons.xml"]
    assert_as_built_afresh(edition, out, tmp_path)


def test_keys_are_worked_out_again_only_for_what_an_edit_touches(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit of one document's text, the rules' keys of the other files are the
    previous build's; after an edit of a register, every file's key is worked out."""
    from kimedition import build as build_module

    out = tmp_path / "out"
    run(edition, out)
    worked: list[str] = []
    original = build_module.rules_key

    def counted(base: str, scan: Any, *args: Any) -> str:
        worked.append(Path(scan.path).name)
        return original(base, scan, *args)

    monkeypatch.setattr(build_module, "rules_key", counted)
    edit_text(edition)
    result = run(edition, out)
    assert worked == [edition.document.name]
    assert f"html/documents/{DOCUMENT_ID}.html" in result.written
    worked.clear()
    # An entry's dates: the documents' keys are kept, their rules and pages show only
    # the entries' names; the registers' and the header's rules depend on every entry.
    edit_register_dates(edition)
    run(edition, out)
    assert sorted(worked) == ["edition.xml", "orgs.xml", "persons.xml", "places.xml"]
    assert_as_built_afresh(edition, out, tmp_path)
    worked.clear()
    edit_register(edition)
    run(edition, out)
    assert len(worked) == len(result.report.files)
    assert_as_built_afresh(edition, out, tmp_path)


def test_a_rebuild_stopped_while_its_worker_makes_pages_leaves_nothing_behind(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during the check pass, with the early pages sent to the worker: the worker
    is stopped, the output and the folder beside it are as they were, and the next
    build makes what a full build makes."""
    import multiprocessing

    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    build(Edition.open(edition.root), out, jobs=2)
    before = tree_hashes(out)
    beside = sorted(p.name for p in tmp_path.iterdir())
    order = spy_order(monkeypatch)

    def interrupted(self: Any, *args: Any) -> Any:
        order.append("checks")
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module._Build, "run_checks", interrupted)
    edit_text(edition)
    with pytest.raises(KeyboardInterrupt):
        build(Edition.open(edition.root), out, jobs=2)
    assert order == ["finish", "checks"]
    assert multiprocessing.active_children() == []
    assert tree_hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == beside
    monkeypatch.undo()
    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    build(Edition.open(edition.root), out, jobs=2)
    assert_as_built_afresh(edition, out, tmp_path)


def count_entry_parts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The entries whose part of the JSON export is made from now on (not taken from
    the published file)."""
    from kimedition import indexes

    made: list[str] = []
    original = indexes._entry_json

    def counted(item: Any) -> dict[str, object]:
        made.append(item.entry.id)
        return original(item)

    monkeypatch.setattr(indexes, "_entry_json", counted)
    return made


def test_a_data_export_makes_again_only_the_parts_of_the_entries_that_changed(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit of one person's entry, the JSON and CSV exports of the person index
    take the other entries' parts from the published files; a part whose bytes are not
    as recorded is made again; a new entry that sorts first moves the others' commas."""
    out = tmp_path / "out"
    run(edition, out)
    made = count_entry_parts(monkeypatch)
    edit_register_dates(edition)  # Stalin's entry
    result = run(edition, out)
    assert "data/persons.json" in result.written  # the CSV shows no dates: as it was
    assert made == ["stalin"]
    assert_as_built_afresh(edition, out, tmp_path)
    # Damage the published part of an entry that does not change: it is made again.
    published = out / "data" / "persons.json"
    text = published.read_text(encoding="utf-8")
    assert text.count('"Pak Hon-yong"') == 1
    published.write_text(text.replace('"Pak Hon-yong"', '"Pak Hon-yonG"'), encoding="utf-8")
    made.clear()
    edition.edit(edition.tei / "persons.xml", '<death when="1953-03-05"/>', "")
    run(edition, out)
    assert sorted(made) == ["pak-heon-yeong", "stalin"]
    assert_as_built_afresh(edition, out, tmp_path)
    made.clear()
    edition.edit(
        edition.tei / "persons.xml",
        "<listPerson>",
        '<listPerson>\n<person xml:id="aaron" sortKey="aaron">'
        '<persName type="standard">Aaron</persName></person>',
    )
    run(edition, out)
    # The exports list the entries in the register's order.
    assert sorted(made) == ["aaron", "stalin"], "the new first entry, and the one first before"
    assert_as_built_afresh(edition, out, tmp_path)


def test_the_csv_export_is_made_again_only_when_what_it_shows_changed(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV export shows an entry's id, name and type, not its dates or note: after an
    edit of a person's dates it is neither made again nor read back, while the JSON
    export is made again; after an edit of the names it is made again. Each time the
    output is as a build afresh."""
    from kimedition import build as build_module

    out = tmp_path / "out"
    run(edition, out)
    exported = record_calls(monkeypatch, build_module, "index_csv_parts")
    edit_register_dates(edition)
    result = run(edition, out)
    assert "data/persons.json" in result.written
    assert "html/data/persons.json" in result.written
    assert exported == []
    assert_as_built_afresh(edition, out, tmp_path)
    exported.clear()
    edit_register(edition)  # a person's names
    run(edition, out)
    assert exported == ["person"]
    assert_as_built_afresh(edition, out, tmp_path)


def test_what_an_index_shows_of_each_entry_s_documents_is_kept_between_builds(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documents' side of the index pages' keys is worked out from the cards only
    when what the index shows of them changed (a title, a reference), not after an edit
    of a register entry's dates; a damaged record of it is worked out again."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    run(edition, out)
    worked = record_calls(monkeypatch, build_module.Touched, "of")
    edit_register_dates(edition)
    run(edition, out)
    assert worked == []
    assert_as_built_afresh(edition, out, tmp_path)
    worked.clear()
    edit_title(edition)
    run(edition, out)
    assert sorted(worked) == ["org", "person", "place"]
    assert_as_built_afresh(edition, out, tmp_path)
    # Damage the record: it is worked out again, and the output is still right.
    damaged = {"person:stalin": "many"}  # text where a count belongs
    damage_state(out, lambda state: state["memo"]["touched:person"][1].__setitem__(0, damaged))
    worked.clear()
    edition.edit(edition.tei / "persons.xml", '<death when="1953-03-05"/>', "")
    run(edition, out)
    assert worked == ["person"]
    assert_as_built_afresh(edition, out, tmp_path)


def test_an_edit_of_one_entry_builds_the_index_of_its_letter_only(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit of one person's entry in an edition published in parts, its letter's
    page, its letter's part of the plain-text index and its parts of the exports are
    made from the index of that letter's entries, built from the cards that mention
    them; the whole index is not built. The output is as a build afresh."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    # The test edition has two persons, one a letter: half the register is one entry.
    monkeypatch.setattr(build_module, "PARTIAL_SHARE", 0.5)
    out = tmp_path / "out"
    run(edition, out)
    built = record_index_builds(monkeypatch)
    edit_register_dates(edition)  # Stalin's entry
    result = run(edition, out)
    assert "html/persons-s.html" in result.written and "data/persons.json" in result.written
    assert built and all(index.only == {"person:stalin"} for index in built)
    assert_as_built_afresh(edition, out, tmp_path)


def test_a_person_s_reference_edited_leaves_the_other_indexes_alone(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an index shows of a document is its date, title and type and its own
    entries' mentions: a reference to another person builds the person index again,
    not the place and organisation indexes, whose pages and exports are kept."""
    from kimedition import build as build_module

    out = tmp_path / "out"
    run(edition, out)
    built = record_calls(monkeypatch, build_module, "read_entries", argument=1)
    indexes = record_index_builds(monkeypatch)
    edit_reference(edition)
    run(edition, out)
    assert built == ["person"]
    # The Saxon runtime of the scan and check passes is let go before an index is built
    # in this process.
    assert indexes and not any(index.holding_saxon for index in indexes)
    built.clear()
    edit_title(edition)  # shown in every index
    run(edition, out)
    assert built == ["person", "place", "org"]
    assert_as_built_afresh(edition, out, tmp_path)


def test_a_deferred_page_that_failed_raises_only_at_the_last_flush(tmp_path: Path) -> None:
    """While a build checks, the pages it sent early are written as they come back, in
    order; one that failed stops the writing but raises only in the last flush, after
    the checks have been reported."""
    from concurrent.futures import Future
    from contextlib import ExitStack

    from kimedition.engine import Settings
    from kimedition.pages import Page, PageQueue

    written: list[str] = []
    with ExitStack() as stack:
        queue = PageQueue(
            Settings(str(tmp_path)),
            2,
            stack,
            lambda roles: pytest.fail("no page is made here"),
            lambda relative, text: written.append(relative),
        )
        queue.deferred = True
        outcomes: list[Future[str]] = [Future(), Future(), Future()]
        outcomes[0].set_result("first")
        outcomes[1].set_exception(RuntimeError("the page failed"))
        outcomes[2].set_result("third")
        for number, future in enumerate(outcomes):
            queue._made.append((f"page-{number}.html", Page("home", "edition", ()), [future]))
        queue._settle(0)  # as when more pages are sent
        assert written == ["page-0.html"]
        with pytest.raises(RuntimeError, match="the page failed"):
            queue._settle(0, final=True)  # the last flush


def published_pages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose document page the check pass makes from now on."""
    from kimedition import build as build_module

    made: list[str] = []
    original = build_module.check_files

    def counted(tasks: list[Any], *args: Any) -> Any:
        made.extend(Path(task.path).name for task in tasks if task.page)
        return original(tasks, *args)

    monkeypatch.setattr(build_module, "check_files", counted)
    return made


def test_an_entry_s_dates_leave_the_pages_of_its_documents_alone(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The toolkit's document stylesheets show only the names of the entries a document
    refers to, and say so: an edit of an entry's dates makes no document page again; an
    edit of its names makes the pages of the documents that refer to it."""
    out = tmp_path / "out"
    run(edition, out)
    made = published_pages(monkeypatch)
    edit_register_dates(edition)
    result = run(edition, out)
    assert made == []
    assert not [w for w in result.written if w.startswith(("html/documents/", "text/kim-"))]
    assert "html/persons.html" in result.written
    assert_as_built_afresh(edition, out, tmp_path)
    made.clear()
    edition.edit(
        edition.tei / "persons.xml",
        '<persName type="codename">Filippov</persName>',
        '<persName type="codename">Filippov</persName>\n  <persName type="codename">Fyn Si</persName>',
    )
    run(edition, out)
    # Every document of the small edition refers to Stalin.
    assert len(made) == len(list((edition.tei / "documents").glob("*.xml")))
    assert_as_built_afresh(edition, out, tmp_path)


def test_document_stylesheets_that_show_more_than_names_are_run_again(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edition's own document stylesheet that shows an entry's dates, and does not
    declare names only, has its pages made again when those dates change."""
    driver = edition.root / "xslt" / "html-document.xsl"
    driver.write_text(
        driver.read_text(encoding="utf-8").replace('kim:entries-shown="names"', ""),
        encoding="utf-8",
    )
    common = edition.root / "xslt" / "common" / "html-document.xsl"
    text = common.read_text(encoding="utf-8")
    shown = '<xsl:value-of select="kim:standard-name($entry)"/>'
    assert shown in text
    common.write_text(
        text.replace(shown, shown + '<xsl:value-of select="$entry/tei:death/@when"/>', 1),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    run(edition, out)
    made = published_pages(monkeypatch)
    edit_register_dates(edition)
    run(edition, out)
    assert edition.document.name in made
    page = (out / "html" / "documents" / f"{DOCUMENT_ID}.html").read_text(encoding="utf-8")
    assert "Stalin1953-03-05" in page
    assert_as_built_afresh(edition, out, tmp_path)


def made_index_pages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The role of every page of an index that builds make from now on (in this
    process)."""
    from kimedition import pages as pages_module

    made: list[str] = []
    original = pages_module.Finisher.page

    def counted(self: Any, page: Any) -> str:
        made.append(page.role)
        return original(self, page)

    monkeypatch.setattr(pages_module.Finisher, "page", counted)
    return made


def test_the_plain_text_index_is_made_again_only_when_what_it_shows_changed(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain-text index driver declares that it shows its entries' names, dates and
    coordinates: after an edit of a person's note, the person's letter's page is made
    again but not its plain-text part; after an edit of a date, both. An edition's
    driver that declares nothing has the part made again after a note's edit too. The
    output is each time as a build afresh."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    run(edition, out)
    made = made_index_pages(monkeypatch)
    add_register_note(edition)
    run(edition, out)
    assert "html-index" in made and "text-index" not in made
    assert_as_built_afresh(edition, out, tmp_path)
    made.clear()
    edit_register_dates(edition)
    run(edition, out)
    # The letter's plain-text part, the longer to make, is sent before its page.
    assert made.index("text-index") < made.index("html-index")
    assert_as_built_afresh(edition, out, tmp_path)
    driver = edition.root / "xslt" / "text-index.xsl"
    edition.edit(driver, '                kim:entries-shown="names dates coordinates"\n', "")
    run(edition, out)
    made.clear()
    edition.edit(edition.tei / "persons.xml", "Soviet leader.", "Soviet statesman.")
    run(edition, out)
    assert "text-index" in made
    assert_as_built_afresh(edition, out, tmp_path)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ('kim:entries-shown="names dates coordinates"', True),
        ('kim:entries-shown="names"', True),
        ('kim:entries-shown="coordinates  names"', True),
        ('kim:entries-shown=""', False),
        ('kim:entries-shown="names notes"', False),
        ("", False),
        (None, False),
    ],
)
def test_what_the_plain_text_index_declares_it_shows(
    tmp_path: Path, declared: str | None, expected: bool
) -> None:
    from kimedition.build import index_text_shows_less

    if declared is not None:
        (tmp_path / "text-index.xsl").write_text(
            f'<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" '
            f'xmlns:kim="urn:kimedition" version="3.0" {declared}/>',
            encoding="utf-8",
        )
    assert index_text_shows_less(tmp_path) is expected
    assert index_text_shows_less(ROOT / "xslt") is True


@pytest.mark.parametrize(
    ("html", "text", "expected"),
    [
        ('kim:entries-shown="names"', 'kim:entries-shown="names"', True),
        ('kim:entries-shown="names"', "", False),
        ('kim:entries-shown="entries"', 'kim:entries-shown="names"', False),
        ('kim:entries-shown="names"', None, False),
        ('kim:entries-shown="names"', "<broken", False),
    ],
)
def test_what_the_document_stylesheets_declare_they_show(
    tmp_path: Path, html: str, text: str | None, expected: bool
) -> None:
    from kimedition.build import shows_names_only

    def driver(attribute: str) -> str:
        return (
            '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"'
            f' xmlns:kim="urn:kimedition" {attribute}/>'
        )

    (tmp_path / "html-document.xsl").write_text(driver(html), encoding="utf-8")
    if text is not None:
        (tmp_path / "text-document.xsl").write_text(
            text if text.startswith("<") else driver(text), encoding="utf-8"
        )
    assert shows_names_only(tmp_path) is expected
    assert shows_names_only(ROOT / "xslt") is True


def test_a_problem_carried_over_is_reported_once(edition: SmallEdition, tmp_path: Path) -> None:
    """A file's warnings, kept from the previous build when the file did not change, are
    reported as often as when they were found."""
    edition.edit_document("writes from", "writes, as Filippov, from")
    out = tmp_path / "out"
    first = run(edition, out).report.problems
    untagged = [p for p in first if p.rule == "name-untagged"]
    assert len(untagged) == 1 and untagged[0].path.endswith(edition.document.name)
    other = next((edition.tei / "documents").glob("*-copy.xml"))
    edition.edit(other, "writes from", "telegraphs from")
    second = run(edition, out)
    assert f"html/documents/{other.stem}.html" in second.written
    assert second.report.problems == first


def test_checks_made_alongside_the_indexes_stop_the_build_when_they_fail(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit of a register in a large edition, the check pass is started in
    workers before the indexes are built and their pages sent; when it finds an error,
    the build stops with it and the output is as it was."""
    from kimedition import build as build_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    build(Edition.open(edition.root), out, jobs=2)
    order = spy_order(monkeypatch)
    sent, _ = record_started_checks(monkeypatch)
    edit_register_dates(edition)
    result = build(Edition.open(edition.root), out, jobs=2)
    assert order == ["checks alongside", "finish"]
    # The registers' and the header's rules: few files, sent to the worker started early.
    assert len(sent) == 1
    assert "html/persons-s.html" in result.written
    assert_as_built_afresh(edition, out, tmp_path)
    before = tree_hashes(out)
    # Valid against the schema, so the scan passes; the rules find it.
    line = edition.edit(
        edition.tei / "persons.xml",
        '<death when="1953-03-05"/>',
        '<death when="1953-03-05"/>\n  <occupation from="1953" to="1949">Chairman</occupation>',
    )
    with pytest.raises(build_module.InvalidEdition) as stop:
        build(Edition.open(edition.root), out, jobs=2)
    assert order[-2:] == ["checks alongside", "finish"]
    assert len(sent) == 2, "found by the worker started early"
    assert f"persons.xml:{line + 1}:" in str(stop.value)
    assert "[date-order]" in str(stop.value)
    assert tree_hashes(out) == before


def test_pages_sent_while_checks_run_are_made_while_the_exports_are_written(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With its pages kept back until the checks are done, a rebuild sends an index's
    pages before it writes the index's exports, so that the workers make them
    meanwhile."""
    from kimedition import build as build_module
    from kimedition import pages as pages_module

    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    out = tmp_path / "out"
    build(Edition.open(edition.root), out, jobs=2)
    events: list[str] = []
    original_flush = pages_module.PageQueue.flush
    original_export = build_module._Build._export

    def flush(self: pages_module.PageQueue, *, final: bool) -> None:
        events.extend(f"send {relative}" for relative, _ in self.queue)
        original_flush(self, final=final)

    def export(self: Any, relative: str, *args: Any) -> Any:
        events.append(f"export {relative}")
        return original_export(self, relative, *args)

    monkeypatch.setattr(pages_module.PageQueue, "flush", flush)
    monkeypatch.setattr(build_module._Build, "_export", export)
    edit_register_dates(edition)
    build(Edition.open(edition.root), out, jobs=2)
    assert events.index("send html/persons-s.html") < events.index("export data/persons.json")
    assert_as_built_afresh(edition, out, tmp_path)


def test_an_edit_of_a_register_alone_is_scanned_without_saxon(
    edition: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only documents have cards: a scan pass over a register alone starts no Saxon."""
    from kimedition import engine

    out = tmp_path / "out"
    run(edition, out)
    cards: list[bool] = []
    original = engine.Scanner.__init__

    def scanner(self: Any, settings: Any, with_cards: bool, *args: Any) -> None:
        cards.append(with_cards)
        original(self, settings, with_cards, *args)

    monkeypatch.setattr(engine.Scanner, "__init__", scanner)
    edit_register_dates(edition)
    run(edition, out)
    assert cards == [False]
    edit_text(edition)
    run(edition, out)
    assert cards == [False, True]
    assert_as_built_afresh(edition, out, tmp_path)
