"""The cumulative indexes as the stylesheets receive them (``kimedition/indexes.py``)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from kimedition.indexes import (
    KIM,
    Card,
    _indented_text,
    build_index,
    index_csv_parts,
    index_json_parts,
    index_xml,
)
from kimedition.registers import Entry, Name

AWKWARD = "Kim & \"Pak\" <Ri>\tline\none\r'Ŏ' ‘quoted’ 𝔎"
"""Every character an attribute or a text can hold that XML escapes or normalises."""


def card(identifier: str, sort: str, **overrides: object) -> Card:
    fields: dict[str, object] = {
        "id": identifier,
        "sort": sort,
        "date_label": f"label of {identifier}",
        "date_written": "",
        "when": sort,
        "title": f"Title of {identifier}",
        "type": "type-report",
        "type_label": "Report",
        "parties": (),
        "mentions": {},
    }
    fields.update(overrides)
    return Card(**fields)  # type: ignore[arg-type]


def entry(identifier: str) -> Entry:
    return Entry("person", identifier, [Name(identifier.title(), "standard")])


def parsed(text: str) -> etree._Element:
    return etree.fromstring(text.encode("utf-8"))


def test_values_come_back_exactly_as_given() -> None:
    """Whatever a title or a date label holds, the stylesheets read it unchanged."""
    awkward = card(
        "doc-1",
        "1950-01-01",
        date_label=AWKWARD,
        title=AWKWARD,
        type_label=AWKWARD,
        mentions={"person:kim": 3},
    )
    root = parsed(index_xml("person", build_index([entry("kim")], [awkward]), 1))
    occurrence = root.find(f"{{{KIM}}}entry/{{{KIM}}}occurrence")
    assert occurrence is not None
    assert occurrence.get("label") == AWKWARD
    assert occurrence.get("type") == AWKWARD
    assert occurrence.text == AWKWARD
    assert occurrence.get("count") == "3"
    assert root.get("of-documents") == "1"


def test_index_lists_entries_and_occurrences_in_order() -> None:
    cards = [
        card("late", "1952-01-01", mentions={"person:kim": 1}),
        card(
            "early",
            "1950-01-01",
            parties=(("addressee", "person:kim"), ("sender", "person:pak")),
            mentions={"person:kim": 2},
        ),
    ]
    root = parsed(index_xml("person", build_index([entry("kim"), entry("pak")], cards)))
    assert root.get("kind") == "person" and root.get("of-documents") is None
    rows = [
        (e.get("id"), o.get("doc"), o.get("roles"), o.get("count"))
        for e in root.iterfind(f"{{{KIM}}}entry")
        for o in e.iterfind(f"{{{KIM}}}occurrence")
    ]
    assert rows == [
        ("kim", "early", "addressee mentioned", "2"),
        ("kim", "late", "mentioned", "1"),
        ("pak", "early", "sender", "0"),
    ]
    kim = root.find(f"{{{KIM}}}entry[@id='kim']")
    assert kim is not None and kim.get("mentions") == "3" and kim.get("documents") == "2"


@pytest.mark.parametrize("documents", [None, 0, 7])
def test_an_empty_index_is_one_element(documents: int | None) -> None:
    root = parsed(index_xml("place", [], documents))
    assert len(root) == 0 and root.get("kind") == "place"
    assert root.get("of-documents") == (None if documents is None else str(documents))


def test_an_entry_in_no_document_has_no_occurrence() -> None:
    root = parsed(index_xml("person", build_index([entry("kim")], [card("d", "1950")])))
    kim = root.find(f"{{{KIM}}}entry")
    assert kim is not None and len(kim) == 0
    assert kim.get("mentions") == "0" and kim.get("documents") == "0"


def test_cards_read_from_text_share_their_pointers() -> None:
    """Each pointer is held once however many cards name it."""
    text = (
        f'<kim:card xmlns:kim="{KIM}" id="{{id}}" sort="1950">'
        '<kim:mention ref="person:kim" count="1"/></kim:card>'
    )
    one, two = (Card.from_text(text.format(id=i)) for i in ("a", "b"))
    first, second = next(iter(one.mentions)), next(iter(two.mentions))
    assert first == second == "person:kim" and first is second


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_indented_json_is_what_json_writes(value: object) -> None:
    assert _indented_text(value, "\n") == json.dumps(value, ensure_ascii=False, indent=2)


def test_the_json_export_is_what_json_writes() -> None:
    """The export writes each entry's documents itself; the text is json.dumps's."""
    cards = [
        card("d1", "1950-01-01", title=AWKWARD, mentions={"person:kim": 2}),
        card("d2", "1951", parties=(("sender", "person:kim"),)),
    ]
    index = build_index([entry("kim"), entry("pak")], cards)
    text = "".join(index_json_parts("person", index))
    data = json.loads(text)
    assert text == (
        '{"kind": "person", "entries": [\n'
        + ",\n".join(json.dumps(e, ensure_ascii=False, indent=2) for e in data["entries"])
        + "\n]}\n"
    )
    kim, pak = data["entries"]
    assert [d["id"] for d in kim["documents"]] == ["d1", "d2"]
    assert kim["documents"][0]["title"] == AWKWARD
    assert kim["documents"][0]["url"] == "html/documents/d1.html"
    assert kim["documents"][1]["roles"] == ["sender"]
    assert pak["documents"] == []


def test_a_card_comes_back_from_its_json_form() -> None:
    kept = card(
        "doc-1",
        "1950-01-01",
        title=AWKWARD,
        parties=(("sender", "person:kim"), ("addressee", "person:stalin")),
        mentions={"person:kim": 3, "place:pyongyang": 1},
    )
    again = Card.from_json(json.loads(json.dumps(kept.to_json())))
    assert again == kept
    assert again.digest() == kept.digest()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],
        lambda data: "not a list",
        lambda data: [*data[:5], 5, *data[6:]],
        lambda data: [*data[:8], [["sender"]], data[9]],
        lambda data: [*data[:9], {"person:kim": "3"}],
        lambda data: [*data[:9], {"person:kim": True}],
    ],
    ids=[
        "too short",
        "not a list",
        "a number for text",
        "a party alone",
        "a count as text",
        "a count as truth value",
    ],
)
def test_a_card_s_json_form_of_another_shape_is_refused(damage: Any) -> None:
    data = card("doc-1", "1950-01-01", mentions={"person:kim": 3}).to_json()
    with pytest.raises(ValueError):
        Card.from_json(damage(data))


@pytest.mark.parametrize("kind", ["person", "place", "org"])
def test_the_csv_export_is_what_csv_writes(kind: str) -> None:
    """The export encodes each document's cells once; the rows are csv.writer's, with
    cells that start like a formula written as text."""
    awkward = f'=1+1, "{AWKWARD}"'
    cards = [
        card("d1", "1950-01-01", title=awkward, mentions={f"{kind}:kim": 2}),
        card("d2", "1951", title="-minus", parties=(("sender", f"{kind}:kim"),)),
    ]
    entries = [
        Entry(kind, "kim", [Name(awkward, "standard")], type="a,b", geo=(39.0, 125.75)),
        Entry(kind, "pak", [Name("Pak", "standard")], type="settlement"),
    ]
    text = "".join(index_csv_parts(kind, build_index(entries, cards)))
    extra = {"place": 3, "org": 1}.get(kind, 0)
    formula = "'" + awkward
    rows = {
        "person": [["kim", formula], ["pak", "Pak"]],
        "place": [["kim", formula, "a,b", "39", "125.75"], ["pak", "Pak", "settlement", "", ""]],
        "org": [["kim", formula, "a,b"], ["pak", "Pak", "settlement"]],
    }[kind]
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    header = next(csv.reader(io.StringIO(text)))
    assert len(header) == 7 + extra
    writer.writerow(header)
    writer.writerow([*rows[0], "d1", "1950-01-01", formula, "2", "mentioned"])
    writer.writerow([*rows[0], "d2", "1951", "'-minus", "0", "sender"])
    writer.writerow([*rows[1], "", "", "", "0", ""])
    assert text == expected.getvalue()


def test_a_card_s_json_text_comes_back_or_is_refused() -> None:
    kept = card("doc-1", "1950-01-01", parties=(("sender", "person:kim"),), mentions={"a:b": 1})
    assert Card.from_json_text(kept.to_json_text()) == kept
    for text in ("{not json", "[1, 2]", '"a card"'):
        with pytest.raises(ValueError):
            Card.from_json_text(text)


def test_cards_read_for_some_entries_give_their_index_as_whole_cards_do() -> None:
    """A card read for a few entries keeps their mentions alone; the index of those
    entries is the same as from the whole cards."""
    cards = [
        card("d2", "1951", mentions={"person:kim": 2, "person:pak": 1}),
        card("d1", "1950", mentions={"person:kim": 1}),
    ]
    only = {"person:pak"}
    light = [Card.from_json_text(c.to_json_text(), only) for c in cards]
    assert [c.mentions for c in light] == [{"person:pak": 1}, {}]
    entries = [entry("kim"), entry("pak")]
    assert index_xml("person", build_index(entries, light, only=only)) == index_xml(
        "person", build_index(entries, cards, only=only)
    )


def test_build_index_given_some_entries_gives_the_others_no_documents() -> None:
    cards = [
        card("d2", "1951", mentions={"person:kim": 2, "person:pak": 1}),
        card("d1", "1950", mentions={"person:kim": 1}),
    ]
    whole = build_index([entry("kim"), entry("pak")], cards)
    some = build_index([entry("kim"), entry("pak")], cards, only={"person:kim"})
    assert [i.entry.id for i in some] == ["kim", "pak"]
    assert some[0] == whole[0]
    assert [o.card.id for o in some[0].occurrences] == ["d1", "d2"]
    assert some[1].occurrences == []
