"""What a build keeps of a file between builds (``kimedition/cache.py``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from kimedition.cache import (
    COMPACT_SLACK,
    BuildState,
    CardStore,
    Pointers,
    read_json,
    scan_from_json,
    scan_to_json,
    write_json,
)
from kimedition.engine import Scan
from kimedition.indexes import KIM, Card, CardFacts
from kimedition.problems import Problem, Severity

REFS = ["org:kwp", "person:kim-il-sung", "person:stalin", "place:pyongyang"]


def scan(pointers: list[str]) -> Scan:
    return Scan(
        "/edition/tei/documents/kim-1950-01-19.xml",
        "document",
        "tei/documents/kim-1950-01-19.xml",
        sha="a" * 64,
        problems=[Problem("tei/documents/kim-1950-01-19.xml", 3, 7, Severity.WARNING, "m", "r")],
        readable=True,
        ids=["kim-1950-01-19"],
        refs=list(REFS),
        facts=CardFacts("kim-1950-01-19", "1950-01-19", "b" * 64, "c" * 64, tuple(pointers)),
    )


def kept_and_read(kept: Scan, table: Pointers) -> Scan:
    """``kept`` written as the state records it, as JSON text, and read back."""
    text = json.dumps(scan_to_json(kept, table))
    return scan_from_json(json.loads(text), kept.path, kept.kind, kept.display, table)


@pytest.mark.parametrize("pointers", [REFS, REFS[1:3], []], ids=["all", "some", "none"])
def test_a_scan_comes_back_as_it_was_kept(pointers: list[str]) -> None:
    kept = scan(pointers)
    assert kept_and_read(kept, Pointers()) == kept


def test_pointers_are_written_once_in_the_table() -> None:
    table = Pointers()
    record = scan_to_json(scan(REFS), table)
    assert table.table == REFS
    assert record["refs"] == [0, 1, 2, 3]
    assert record["facts"][4] is None  # the card's pointers are the document's
    other = scan_to_json(scan(REFS[:2]), table)
    assert other["facts"][4] == [0, 1]
    assert table.table == REFS  # nothing added: every pointer was there
    assert "person:" not in json.dumps([record, other])


def test_pointers_read_back_are_shared_between_scans() -> None:
    """Each pointer is held once however many documents use it."""
    table = Pointers()
    one, two = (kept_and_read(scan(REFS), table) for _ in range(2))
    assert one.refs[2] is two.refs[2] is table.table[2]
    assert one.facts is not None and one.facts.pointers[2] is two.refs[2]


@pytest.mark.parametrize(
    "positions",
    [[0, 7], [-1], [0, "1"], [0.5], "0 1", None],
    ids=["past the end", "negative", "text", "fraction", "not a list", "null"],
)
def test_a_damaged_list_of_positions_is_refused(positions: object) -> None:
    table = Pointers(list(REFS))
    record = scan_to_json(scan(REFS), table)
    record["refs"] = positions
    with pytest.raises(ValueError):
        scan_from_json(record, "p", "document", "p", table)


def test_a_state_carries_its_table_over_and_makes_it_afresh_once_mostly_unused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    state = BuildState(path)
    # Pointers no document has any more, as long edits would leave them.
    stale = [f"person:gone-{i}" for i in range(2 * COMPACT_SLACK)]
    state.pointers.positions(stale)
    for name, pointers in (("a", REFS), ("b", REFS[1:3])):
        state.scans[name] = {"key": "k", "scan": scan_to_json(scan(pointers), state.pointers)}
    state.save()
    following = BuildState(path).load().following()
    assert following.pointers.table == REFS  # made afresh: only what is in use
    assert following.pointers.live == len(REFS)
    for name, pointers in (("a", REFS), ("b", REFS[1:3])):
        record = BuildState(path).load().scans[name]["scan"]
        again = scan_from_json(record, "p", "document", "p", following.pointers)
        assert again.refs == REFS
        assert again.facts is not None and list(again.facts.pointers) == pointers

    # A few pointers more are added to the table, not made afresh.
    following.scans = BuildState(path).load().scans
    following.pointers.positions(["person:new"])
    following.save()
    assert BuildState(path).load().pointers.table == [*REFS, "person:new"]


def test_state_files_are_written_whole_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "state.json"
    value = {"files": {"tei/a.xml": [12, 1_764_000_000_000_000_000, "a" * 64]}, "memo": {}}
    write_json(path, value)
    assert read_json(path) == value
    assert json.loads(path.read_text(encoding="utf-8")) == value  # plain JSON
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.json"]


@pytest.mark.parametrize(
    "content",
    [None, b"", b"{not json", b'{"a": "\xff"}', b"\x00\x01"],
    ids=["missing", "empty", "not JSON", "not UTF-8", "binary"],
)
def test_a_state_file_that_cannot_be_read_counts_as_none(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "state.json"
    if content is not None:
        path.write_bytes(content)
    assert read_json(path) is None


CARD = (
    f'<kim:card xmlns:kim="{KIM}" id="kim-1950-01-19" sort="1950-01-19" type="report"'
    ' type-label="Report"><kim:date when="1950-01-19" label="19 January 1950">19.1.50</kim:date>'
    '<kim:title>Telegram</kim:title><kim:party role="sender" ref="person:stalin"/>'
    '<kim:mention ref="person:stalin" count="2"/><kim:summary>…</kim:summary></kim:card>'
)


@pytest.mark.parametrize("whole", [False, True], ids=["by key", "whole table"])
@pytest.mark.parametrize("damage", ["none", "missing", "not JSON", "another shape"])
def test_the_indexes_read_each_card_s_json_form_or_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str, whole: bool
) -> None:
    """A card's JSON form is read instead of its XML (a few by their keys, many in one
    pass over the table); when it is missing (a store of an earlier version) or damaged,
    the card is parsed from its text and the form mended."""
    from kimedition import cache

    if whole:
        monkeypatch.setattr(cache, "FEW_CARDS", 0)
    path = tmp_path / "cards.sqlite"
    expected = Card.from_text(CARD)
    store = CardStore(path)
    store.put("k", CARD, expected.to_json_text())
    assert store.parsed(["k"]) == {"k": expected}
    store.save(["k"])
    store.close()
    if damage != "none":
        with sqlite3.connect(path) as connection:
            if damage == "missing":
                connection.execute("DELETE FROM parsed")
            else:
                value = "{not json" if damage == "not JSON" else "[1, 2]"
                connection.execute("UPDATE parsed SET card = ?", (value,))
        connection.close()
    again = CardStore(path)
    assert again.parsed(["k"]) == {"k": expected}
    again.save(["k"])
    again.close()
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT key, card FROM parsed").fetchall()
    connection.close()
    assert [(key, Card.from_json_text(text)) for key, text in rows] == [("k", expected)]


def test_cards_read_by_key_in_several_queries_or_in_one_pass_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read by key, a few keys a query, or in one pass over the table, the cards are the
    same; given pointers, each card keeps the mentions of those alone."""
    from kimedition import cache

    path = tmp_path / "cards.sqlite"
    store = CardStore(path)
    keys = [f"k{n}" for n in range(5)]
    for key in keys:
        text = CARD.replace('id="', f'id="{key}-', 1)
        store.put(key, text, Card.from_text(text).to_json_text())
    store.save(keys)
    store.close()
    monkeypatch.setattr(cache, "CARDS_A_QUERY", 2)
    by_key = CardStore(path).parsed([*keys, "k0"])
    monkeypatch.setattr(cache, "FEW_CARDS", 0)
    in_one_pass = CardStore(path).parsed(keys)
    assert by_key == in_one_pass
    assert sorted(by_key) == keys
    assert [c.id for c in by_key.values()] == [f"{key}-kim-1950-01-19" for key in keys]
    few = CardStore(path).parsed(keys[:2], only={"person:kim"})
    assert [c.mentions for c in few.values()] == [{}, {}]
    assert CardStore(path).parsed(keys[:1], only={"person:stalin"})["k0"] == by_key["k0"]
    assert [c.parties for c in few.values()] == [c.parties for c in list(by_key.values())[:2]]


def test_cards_not_kept_leave_the_store_with_their_json_form(tmp_path: Path) -> None:
    path = tmp_path / "cards.sqlite"
    store = CardStore(path)
    for key in ("a", "b"):
        store.put(key, CARD, Card.from_text(CARD).to_json_text())
    store.save(["a", "b"])
    store.close()
    with sqlite3.connect(path) as connection:  # a JSON form left without its card
        connection.execute("INSERT INTO parsed VALUES ('orphan', '{}')")
    connection.close()
    store = CardStore(path)
    store.put("c", CARD, Card.from_text(CARD).to_json_text())  # made, then not kept
    store.save(["b"])
    store.close()
    with sqlite3.connect(path) as connection:
        tables = {
            table: [row[0] for row in connection.execute(f"SELECT key FROM {table}")]
            for table in ("cards", "parsed")
        }
    connection.close()
    assert tables == {"cards": ["b"], "parsed": ["b"]}


def test_a_table_of_json_forms_of_another_shape_is_replaced(tmp_path: Path) -> None:
    """A store whose table of JSON forms is not the one a build makes (planted, or from
    another tool) gives its cards from their text, and is made anew when saved."""
    path = tmp_path / "cards.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE cards (key TEXT PRIMARY KEY, card TEXT NOT NULL)")
        connection.execute("INSERT INTO cards VALUES ('k', ?)", (CARD,))
        connection.execute("CREATE TABLE parsed (x INTEGER, y BLOB)")
        connection.execute("INSERT INTO parsed VALUES (1, x'00ff')")
    connection.close()
    store = CardStore(path)
    assert store.keys() == {"k"}
    assert store.parsed(["k"]) == {"k": Card.from_text(CARD)}
    store.save(["k"])
    store.close()
    again = CardStore(path)
    assert again.get("k") == CARD
    assert again.parsed(["k"]) == {"k": Card.from_text(CARD)}
    again.close()
    with sqlite3.connect(path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(parsed)")]
    connection.close()
    assert columns == ["key", "card"]


@pytest.mark.parametrize("held", [0, 1_000_000])
def test_index_entries_are_kept_under_their_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: int
) -> None:
    """An index entry reads back only under the key it was kept with; a later entry of
    the same pointer replaces it. Written when more than ``ENTRIES_HELD`` bytes are held
    (into a folder made for it), else when the cards are saved."""
    from kimedition import cache

    monkeypatch.setattr(cache, "ENTRIES_HELD", held)
    path = tmp_path / "not yet" / "cards.sqlite"
    store = CardStore(path)
    kim = '<kim:entry id="kim" ref="person:kim" mentions="0" documents="0"/>'
    store.keep_entries([("person:kim", "k1", kim), ("person:pak", "p1", "<kim:entry …/>")])
    assert store.kept_entries({"person:kim": "k1"}) == {"person:kim": kim}
    assert CardStore(path).kept_entries({"person:kim": "k1"}) == (
        {"person:kim": kim} if held == 0 else {}
    )
    store.keep_entries([("person:kim", "k2", kim.replace('"0"', '"1"'))])
    store.save([])
    store.close()
    again = CardStore(path)
    assert again.kept_entries({"person:kim": "k1", "person:pak": "p2"}) == {}
    assert again.kept_entries({"person:kim": "k2"}) == {"person:kim": kim.replace('"0"', '"1"')}
    assert again.kept_entries({"person:pak": "p1"}) == {"person:pak": "<kim:entry …/>"}
    again.close()


def test_a_table_of_index_entries_of_another_shape_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "cards.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE entries (pointer TEXT, xml TEXT)")
        connection.execute("INSERT INTO entries VALUES ('person:kim', 'planted')")
    connection.close()
    store = CardStore(path)
    assert store.kept_entries({"person:kim": "k"}) == {}
    store.keep_entries([("person:kim", "k", "<kim:entry/>")])
    store.save([])
    store.close()
    assert CardStore(path).kept_entries({"person:kim": "k"}) == {"person:kim": "<kim:entry/>"}


def test_a_digest_made_a_part_at_a_time_is_the_digest_of_the_parts() -> None:
    """:func:`framed` parts hashed one after the other give :func:`digest` of them all, in
    which the boundaries between parts count."""
    import hashlib

    from kimedition.cache import digest, framed

    running = hashlib.sha256()
    for part in ("person:kim", b"\x00", "é"):
        running.update(framed(part))
    assert running.hexdigest() == digest("person:kim", b"\x00", "é")
    assert digest("ab", "c") != digest("a", "bc")
