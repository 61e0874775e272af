"""The plain-text edition: ``xslt/text-document.xsl`` and ``xslt/text-index.xsl``.

The stylesheets are run as the build runs them (compiled in a locked Saxon runtime,
registers and edition header as parameters, the index made from the catalogue cards by
:mod:`kimedition.indexes`), but only the plain-text drivers and the card driver are
compiled, so that these tests do not depend on the HTML stylesheets.

Each behaviour is checked on the small edition of ``conftest.py``, edited for the case;
the wrapping function on its own through ``tests/fixtures/text/wrap.xsl``; and the whole
real edition for line width and for not losing a word of the source. Two golden files
(``tests/fixtures/text/expected/``) pin the complete layout; rewrite them with
``KIMEDITION_REGENERATE=1 pytest tests/test_text.py`` after a deliberate change.
"""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import ROOT, TEI_NS, SmallEdition
from kimedition.edition import REGISTER_FILES, Edition
from kimedition.indexes import Card, build_index, index_xml
from kimedition.parsing import make_parser
from kimedition.registers import read_entries
from kimedition.saxon import SaxonRuntime, Stylesheet

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "text"
EXPECTED = FIXTURES / "expected"
WIDTH = 78
RULE = "=" * WIDTH
NAMES_RULE = "-" * WIDTH
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
T = f"{{{TEI_NS}}}"

DRIVERS = {
    "card": "cards.xsl",
    "text-document": "text-document.xsl",
    "text-index": "text-index.xsl",
}
"""The drivers these tests run, by role, named as in docs/stylesheets.md."""

INDEX_KINDS = ("person", "place", "org")


class TextEdition:
    """The plain-text drivers applied to one edition, set up as ``build.Publisher`` does.

    The sources are parsed here with the toolkit's hardened parser, so that these tests
    depend only on the stylesheet contract (docs/stylesheets.md), the index module and
    the Saxon runtime, not on how the build reads and validates the corpus.
    """

    def __init__(self, root: Path, base_url: str = "", xslt: Path = ROOT / "xslt") -> None:
        edition = Edition.open(root)
        parser = make_parser()
        self.documents = [
            etree.parse(str(path), parser).getroot() for path in edition.document_paths()
        ]
        self.registers = {
            kind: etree.parse(str(edition.register_path(kind)), parser).getroot()
            for kind in REGISTER_FILES
        }
        header = etree.parse(str(edition.header_path), parser).getroot()
        self.runtime = SaxonRuntime()
        self.sheets: dict[str, Stylesheet] = {
            role: self.runtime.compile(path=xslt / name) for role, name in DRIVERS.items()
        }
        self.runtime.lock()
        values = {
            "persons": self.runtime.document(self.registers["person"]),
            "places": self.runtime.document(self.registers["place"]),
            "orgs": self.runtime.document(self.registers["org"]),
            "edition": self.runtime.document(header),
        }
        for sheet in self.sheets.values():
            for name, value in values.items():
                sheet.set(name, value)
            sheet.set_string("base-url", base_url)
            sheet.set_string("version", "test")

    def ids(self) -> list[str]:
        return [root.get(XML_ID, "") for root in self.documents]

    def source(self, doc_id: str) -> etree._Element:
        return next(root for root in self.documents if root.get(XML_ID) == doc_id)

    def text(self, doc_id: str) -> str:
        """``text/<id>.txt`` of a document."""
        return self.sheets["text-document"].transform(self.runtime.document(self.source(doc_id)))

    def index(self, kind: str) -> str:
        """``text/persons.txt`` (``places``, ``organisations``), from cards as the build makes them."""
        parser = make_parser()
        cards = [
            Card.from_xml(
                etree.fromstring(
                    self.sheets["card"].transform(self.runtime.document(root)).encode(), parser
                )
            )
            for root in self.documents
        ]
        register = self.registers[kind]
        index = build_index(read_entries(register, kind), cards)
        sheet = self.sheets["text-index"]
        sheet.set("index", self.runtime.document(index_xml(kind, index)))
        return sheet.transform(self.runtime.document(register))


# --- helpers -------------------------------------------------------------------------


def columns(line: str) -> int:
    """Columns a line takes: characters, combining marks not counted (as kim:columns)."""
    return sum(1 for c in line if unicodedata.category(c) not in ("Mn", "Me"))


def assert_plain_text(text: str, width: int = WIDTH) -> None:
    """Every rule all plain-text files follow."""
    assert "\r" not in text, "CR in the output"
    assert "\ue000" not in text, "wrapping glue left in the output"
    assert text.endswith("\n") and not text.endswith("\n\n"), "must end with exactly one LF"
    for line in text.split("\n"):
        assert columns(line) <= width, f"line longer than {width}: {line!r}"
        assert line == line.rstrip(), f"trailing white space: {line!r}"


def header(text: str) -> dict[str, str]:
    """The header fields of a document text, continuation lines joined."""
    fields: dict[str, str] = {}
    label = ""
    for line in text.split(RULE + "\n", 1)[0].splitlines():
        match = re.match(r"(\w+):\s+(.*)", line)
        if match and not line.startswith(" "):
            label = match.group(1)
            fields[label] = match.group(2)
        else:
            fields[label] += " " + line.strip()
    return fields


def body(text: str) -> str:
    """The text part of a document text: between the header rule and the names section."""
    return text.split(RULE + "\n", 1)[1].split("\n" + NAMES_RULE + "\n", 1)[0]


def names(text: str) -> str:
    """The "Names in this document" section."""
    return text.split("\n" + NAMES_RULE + "\n", 1)[1]


def unwrap(block: str) -> str:
    return " ".join(block.split())


def source_words(root: etree._Element) -> list[str]:
    """The words of head and p, without the editors' corr and reg (as test_sources reads them)."""
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            if child.tag not in (T + "corr", T + "reg"):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    for element in root.iter(T + "head", T + "p"):
        walk(element)
        parts.append(" ")
    return "".join(parts).split()


EDITORIAL = re.compile(r"\s+\[(?:sic|reg)(?:;\s[^\]]*)?\]")
"""The brackets the plain text adds after a reading."""


def check_golden(name: str, actual: str) -> None:
    path = EXPECTED / name
    if os.environ.get("KIMEDITION_REGENERATE"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def replace_creation(small: SmallEdition, new: str) -> None:
    small.edit_document(
        '<creation>\n        <date when="1950-01-19">January 19, 1950</date>',
        f"<creation>\n        {new}",
    )


def set_paragraph(small: SmallEdition, xml: str) -> None:
    small.edit_document(
        '<p><persName ref="person:stalin" type="codename">Filippov</persName> writes from '
        '<placeName ref="place:pyongyang">Pyongyang</placeName> to the <orgName ref="org:kwp">KWP</orgName> '
        'on <date when="1950-01-20">20 January 1950</date>.</p>',
        xml,
    )


# --- the wrapping function -----------------------------------------------------------


class Wrapper:
    """kim:wrap and kim:wrap-hanging, through a tiny test driver."""

    def __init__(self) -> None:
        self.runtime = SaxonRuntime()
        self.sheet = self.runtime.compile(path=FIXTURES / "wrap.xsl")
        self.runtime.lock()
        self.dummy = self.runtime.document("<x/>")

    def __call__(
        self, text: str, width: int = WIDTH, first: str | None = None, rest: str | None = None
    ) -> str:
        processor = self.runtime.processor
        self.sheet.set_string("text", text)
        self.sheet.set("width", processor.make_integer_value(width))
        for name, value in (("first", first), ("rest", rest)):
            self.sheet.set(
                name, processor.empty_sequence() if value is None else self.runtime.string(value)
            )
        return self.sheet.transform(self.dummy)


@pytest.fixture(scope="module")
def wrap() -> Wrapper:
    return Wrapper()


def test_wrap_line_of_exactly_the_width_stays_whole(wrap: Wrapper) -> None:
    text = " ".join(["abcdefghi"] * 7 + ["abcdefgh"])  # 7 × (9 + 1) + 8 = 78 columns
    assert len(text) == WIDTH
    assert wrap(text) == text
    assert wrap(text + " y") == text + "\ny"
    assert wrap(text + "z") == text.rsplit(" ", 1)[0] + "\nabcdefghz"


def test_wrap_breaks_before_the_word_that_does_not_fit(wrap: Wrapper) -> None:
    assert wrap("aaa bbb ccc", 7) == "aaa bbb\nccc"
    assert wrap("aaa bbb ccc", 6) == "aaa\nbbb\nccc"
    assert wrap("aaa bbb ccc", 11) == "aaa bbb ccc"


def test_wrap_keeps_a_word_longer_than_the_line_whole_on_its_own_line(wrap: Wrapper) -> None:
    long = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2  # 90 letters
    assert wrap(f"a {long} b") == f"a\n{long}\nb"
    assert wrap(long) == long
    assert wrap("abcdefghij", 4) == "abcdefghij"


def test_wrap_collapses_white_space(wrap: Wrapper) -> None:
    assert wrap("  one   two\t\tthree\n four \r\n five  ", 78) == "one two three four five"
    assert wrap("one   two   three", 9) == "one two\nthree"
    assert wrap("") == ""
    assert wrap("   \n\t ") == ""


def test_wrap_counts_letters_not_bytes(wrap: Wrapper) -> None:
    # 78 letters that take 2 or 3 bytes each in UTF-8 still fit one line of 78.
    for letter in ("á", "ŏ", "Ж", "김", "’"):
        word = letter * 38
        line = f"{word} {letter}{word}"
        assert len(line) == WIDTH
        assert wrap(line) == line
        assert wrap(line + " z") == line + "\nz"


def test_wrap_does_not_count_combining_marks(wrap: Wrapper) -> None:
    decomposed = "Pa\u0301l"  # Pál with a combining acute: 4 characters, 3 columns
    text = " ".join([decomposed] * 19) + " ab"  # 19 × 3 + 2 + 19 spaces = 78 columns
    assert columns(text) == WIDTH
    assert wrap(text) == text


def test_wrap_never_breaks_at_apostrophes_hyphens_or_no_break_spaces(wrap: Wrapper) -> None:
    assert wrap("North Korea’s insider’s Workers' Heon-yeong", 12) == (
        "North\nKorea’s\ninsider’s\nWorkers'\nHeon-yeong"
    )
    assert wrap("a 24\u00a0June b", 8) == "a\n24\u00a0June\nb"
    assert wrap("a 24\u00a0June b", 9) == "a 24\u00a0June\nb"


def test_wrap_keeps_glued_phrases_together(wrap: Wrapper) -> None:
    # kim:glue joins words with U+E000, which wrapping treats as a letter, then outputs as a space.
    assert wrap("purse [sic;\ue000pursue], and", 12) == "purse\n[sic; pursue],\nand"
    assert wrap("(sender; 2\ue000mentions)", 10) == "(sender;\n2 mentions)"


def test_wrap_hanging_indents_continuation_lines(wrap: Wrapper) -> None:
    assert wrap("one two three four", 12, first="Label: ", rest="       ") == (
        "Label: one\n       two\n       three\n       four"
    )
    assert wrap("one two three", 14, first="  2024  ", rest="    ") == "  2024  one\n    two three"
    assert wrap("", 12, first="Label: ", rest="   ") == ""


WORD = st.lists(
    st.sampled_from([*"abcdefghijklmnopqrstuvwxyzÁáŏЖ김’'-.,[]", "e\u0301"]),
    min_size=1,
    max_size=14,
).map("".join)
SPACE = st.sampled_from([" ", "  ", "\t", "\n", " \n "])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(WORD, max_size=30),
    spaces=st.lists(SPACE, min_size=31, max_size=31),
    width=st.integers(min_value=1, max_value=40),
)
def test_wrap_is_greedy_and_loses_nothing(
    wrap: Wrapper, words: list[str], spaces: list[str], width: int
) -> None:
    text = spaces[0] + "".join(w + s for w, s in zip(words, spaces[1:], strict=False))
    lines = wrap(text, width).split("\n") if words else []
    assert " ".join(lines).split(" ") == words or not words
    for i, line in enumerate(lines):
        assert line and line == line.strip() and "  " not in line
        assert columns(line) <= width or " " not in line, "only a single long word may overflow"
        if i + 1 < len(lines):
            following = lines[i + 1].split(" ")[0]
            assert columns(line) + 1 + columns(following) > width, "the next word would have fitted"


# --- document texts: the small edition ------------------------------------------------


def small_text(small: SmallEdition, base_url: str = "") -> str:
    text = TextEdition(small.root, base_url).text("kim-1950-01-19-test")
    assert_plain_text(text)
    return text


def test_document_golden(small: SmallEdition) -> None:
    check_golden("kim-1950-01-19-test.txt", small_text(small))


def test_document_header_fields(small: SmallEdition) -> None:
    text = small_text(small)
    assert text.startswith("Title:  Telegram Stalin to Pak\n")
    fields = header(text)
    assert list(fields) == ["Title", "Date", "Type", "From", "To", "Source", "Id"]
    assert fields["Date"] == "19 January 1950 (1950-01-19)"
    assert fields["Type"] == "Telegram"
    assert (
        fields["Source"]
        == '"Telegram Stalin to Pak", January 19, 1950; collection "Test collection".'
    )
    assert fields["Id"] == "kim-1950-01-19-test"
    # The values start one column after the longest label and its colon ("Source: ").
    assert all(line[7] == " " and line[8] != " " for line in text.split(RULE)[0].splitlines())


def test_document_url_only_when_the_base_url_is_known(small: SmallEdition) -> None:
    assert "URL:" not in small_text(small)
    fields = header(small_text(small, base_url="https://example.org/kim/"))
    assert fields["URL"] == "https://example.org/kim/documents/kim-1950-01-19-test.html"
    assert list(fields)[-2:] == ["Id", "URL"]


def test_document_source_with_collection_and_numbers(small: SmallEdition) -> None:
    small.edit_document(
        '<date when="1950-01-19">January 19, 1950</date>\n        </bibl>',
        '<date when="1950-01-19">January 19, 1950</date>\n'
        '<idno type="document-number">408</idno><idno type="document-number">533/5</idno>'
        '<relatedItem type="collection"><bibl><title>Conversations with Kim Il Sung</title>'
        "<publisher>Wilson Center Digital Archive</publisher></bibl></relatedItem></bibl>",
    )
    assert header(small_text(small))["Source"] == (
        '"Telegram Stalin to Pak", January 19, 1950, document nos. 408, 533/5; '
        'collection "Conversations with Kim Il Sung", Wilson Center Digital Archive.'
    )


def test_document_from_and_to_with_standard_names(small: SmallEdition) -> None:
    fields = header(small_text(small))
    assert fields["From"] == "Stalin (Joseph Stalin)"
    assert fields["To"] == "Pak (Pak Heon-yeong)"


def test_document_codename_and_several_parties(small: SmallEdition) -> None:
    small.edit_document(
        '<persName ref="person:stalin">Stalin</persName>\n          <date',
        '<persName ref="person:stalin" type="codename">Filippov</persName>\n'
        '<orgName ref="org:kwp">Workers\' Party of Korea</orgName>\n          <date',
    )
    small.edit_document(
        '<persName ref="person:pak-heon-yeong">Pak</persName>',
        '<persName ref="person:pak-heon-yeong">Pak Heon-yeong</persName>'
        '<orgName ref="org:kwp">KWP, Central Committee</orgName>',
    )
    fields = header(small_text(small))
    assert fields["From"] == "Filippov (codename of Joseph Stalin); Workers' Party of Korea"
    assert fields["To"] == "Pak Heon-yeong; KWP, Central Committee (Workers' Party of Korea)"


def test_document_without_correspondence_has_no_from_or_to(small: SmallEdition) -> None:
    text = small.document.read_text(encoding="utf-8")
    small.document.write_text(
        re.sub(r"<correspDesc>.*</correspDesc>", "", text, flags=re.S), encoding="utf-8"
    )
    assert list(header(small_text(small))) == ["Title", "Date", "Type", "Source", "Id"]


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (
            '<date from="1956-08-29" to="1956-09-14">29 August to 14 September 1956</date>',
            "29 August – 14 September 1956 (1956-08-29/1956-09-14); listed as January 19, 1950",
        ),
        (
            '<date from="1950-01-12" to="1950-01-19">12 to 19 January 1950</date>',
            "12–19 January 1950 (1950-01-12/1950-01-19); listed as January 19, 1950",
        ),
        (
            '<date from="1949-12-30" to="1950-01-19">30 December 1949 to 19 January 1950</date>',
            "30 December 1949 – 19 January 1950 (1949-12-30/1950-01-19); listed as January 19, 1950",
        ),
        (
            '<date from="1950-01" to="1950-03">January to March 1950</date>',
            "January – March 1950 (1950-01/1950-03); listed as January 19, 1950",
        ),
        (
            '<date when="1950-01">January, 1950</date>',
            "January 1950 (1950-01); listed as January 19, 1950",
        ),
        ('<date when="1950-01-19">19.1.1950</date>', "19 January 1950 (1950-01-19)"),
    ],
)
def test_document_dates(small: SmallEdition, date: str, expected: str) -> None:
    replace_creation(small, date)
    assert header(small_text(small))["Date"] == expected


def test_document_period_as_in_the_brief(small: SmallEdition) -> None:
    replace_creation(
        small, '<date from="1956-08-29" to="1956-09-14">29 August to 14 September 1956</date>'
    )
    small.edit_document(
        '<docDate when="1950-01-19">January 19, 1950</docDate>',
        '<docDate when="1956-09-01">September 01, 1956</docDate>',
    )
    text = small_text(small)
    assert (
        "Date:   29 August – 14 September 1956 (1956-08-29/1956-09-14); listed as\n"
        "        September 01, 1956\n"
    ) in text


def test_sic_and_corr(small: SmallEdition) -> None:
    set_paragraph(
        small,
        '<p><persName ref="person:stalin"><choice><sic>Shytkov</sic><corr>Shtykov</corr></choice></persName> '
        "does not seem to <choice><sic>purse</sic><corr>pursue</corr></choice> it and describes "
        "<choice><sic>in length</sic><corr>at length</corr></choice> the "
        '<orgName ref="org:kwp"><choice><sic>Worker’s</sic><corr>Workers’</corr></choice> Party</orgName>.</p>',
    )
    text = small_text(small)
    assert unwrap(body(text).split("\n\n")[1]) == (
        "Shytkov [sic; Shtykov] does not seem to purse [sic; pursue] it and describes "
        "in length [sic; at length] the Worker’s [sic; Workers’] Party."
    )
    assert '"Shytkov [sic; Shtykov]"' in names(text)


def test_orig_and_reg(small: SmallEdition) -> None:
    set_paragraph(
        small,
        '<p>A talk with <persName ref="person:pak-heon-yeong">Pak '
        "<choice><orig>Heonyeong</orig><reg>Heon-yeong</reg></choice></persName> and "
        "<choice><reg>colour</reg><orig>color</orig></choice>.</p>",
    )
    assert unwrap(body(small_text(small)).split("\n\n")[1]) == (
        "A talk with Pak Heonyeong [reg; Heon-yeong] and color [reg; colour]."
    )


def test_sic_without_correction_and_archive_gloss(small: SmallEdition) -> None:
    set_paragraph(
        small,
        '<p>He <sic>purse</sic> it, wrote <persName ref="person:stalin" type="codename">Filippov</persName> '
        '<seg type="editorial-gloss">[<persName ref="person:stalin">Stalin</persName>]</seg>.</p>',
    )
    assert unwrap(body(small_text(small)).split("\n\n")[1]) == (
        "He purse [sic] it, wrote Filippov [Stalin]."
    )


def test_names_are_their_text_and_white_space_is_collapsed(small: SmallEdition) -> None:
    set_paragraph(
        small,
        '<p>  The\n      <rs type="person" ref="person:stalin" cert="high">chairman   of the\n'
        '  <orgName ref="org:kwp">party</orgName></rs>\tmet\n\n<persName ref="person:pak-heon-yeong">Pak</persName>'
        ' in <date when="1950-01-20">20 January</date> .  </p>',
    )
    assert (
        body(small_text(small)).split("\n\n")[1]
        == "The chairman of the party met Pak in 20 January .\n"
    )


def test_document_wrapping_and_paragraphs(small: SmallEdition) -> None:
    sentence = "Kim Il Sung’s delegation discussed the Práth report with Hungarian experts. "
    set_paragraph(small, f"<p>{sentence * 6}</p><p>Second   paragraph.</p><p>{sentence * 2}</p>")
    text = small_text(small)
    blocks = body(text).strip("\n").split("\n\n")
    assert [unwrap(b) for b in blocks] == [
        "Telegram Stalin to Pak Heon-yeong",
        unwrap(sentence * 6),
        "Second paragraph.",
        unwrap(sentence * 2),
    ]
    lines = blocks[1].split("\n")
    assert len(lines) > 5
    assert all(columns(line) <= WIDTH for line in lines)
    # Greedy: each line is as full as it can be.
    for line, following in itertools.pairwise(lines):
        assert columns(line) + 1 + len(following.split(" ")[0]) > WIDTH
    assert body(text).startswith("\nTelegram Stalin to Pak Heon-yeong\n\n")


def test_long_header_values_wrap_under_themselves(small: SmallEdition) -> None:
    title = "A very long title " * 8
    small.edit_document("<title>Telegram Stalin to Pak</title>", f"<title>{title}</title>")
    text = small_text(small)
    lines = text.split(RULE)[0].splitlines()
    assert lines[0].startswith("Title:  A very long title")
    assert lines[1].startswith("        ") and lines[1][8] != " "
    assert header(text)["Title"] == unwrap(title)


def test_names_section(small: SmallEdition) -> None:
    set_paragraph(
        small,
        '<p><persName ref="person:stalin" type="codename">Filippov</persName> and '
        '<persName ref="person:stalin">Stalin</persName> met <persName ref="person:pak-heon-yeong">Pak</persName> '
        'in <placeName ref="place:pyongyang">Pyongyang</placeName>; <persName ref="person:stalin">Stalin</persName> '
        'spoke to the <orgName ref="org:kwp">KWP</orgName>.</p>',
    )
    section = names(small_text(small))
    assert section == (
        "Names in this document\n\n"
        "Persons\n"
        '  Pak Heon-yeong: 2 mentions, as "Pak Heon-yeong", "Pak"\n'
        '  Stalin, Joseph: 4 mentions, as "Stalin", "Filippov"\n\n'
        "Places\n"
        '  Pyongyang: 1 mention, as "Pyongyang"\n\n'
        "Organisations\n"
        '  Workers\' Party of Korea: 1 mention, as "KWP"\n'
    )


def test_no_names_section_without_names(small: SmallEdition) -> None:
    small.edit_document(
        '<head>Telegram <persName ref="person:stalin">Stalin</persName> to '
        '<persName ref="person:pak-heon-yeong">Pak Heon-yeong</persName></head>',
        "<head>Telegram</head>",
    )
    set_paragraph(small, "<p>Nobody is named.</p>")
    text = small_text(small)
    assert "Names in this document" not in text
    assert text.endswith("\n\nTelegram\n\nNobody is named.\n")


# --- index texts: the small edition ---------------------------------------------------


def small_index(small: SmallEdition, kind: str) -> str:
    text = TextEdition(small.root).index(kind)
    assert_plain_text(text)
    return text


def entries(text: str) -> list[str]:
    """The records of an index text after its title and note, one per blank-line block."""
    return text.rstrip("\n").split("\n\n")[2:]


def test_index_golden(small: SmallEdition) -> None:
    check_golden("persons.txt", small_index(small, "person"))


def test_index_title_and_order(small: SmallEdition) -> None:
    text = small_index(small, "person")
    assert text.startswith(
        f"Test edition\nIndex of persons\n{RULE}\n\n2 persons in alphabetical order."
    )
    heads = [e.split("\n")[0] for e in entries(text)]
    assert heads == [
        "Filippov, see Stalin, Joseph",
        "Pak Heon-yeong",
        "Pak Hon-yong, see Pak Heon-yeong",
        "Stalin, Joseph",
    ]


def test_index_entry_with_names_and_documents(small: SmallEdition) -> None:
    small.edit(
        small.tei / "persons.xml",
        '<persName type="codename">Filippov</persName>',
        '<persName type="codename">Filippov</persName><persName type="codename">Feng Xi</persName>'
        '<persName type="misspelling">Stallin</persName><birth when="1878-12-18"/><death when="1953-03-05"/>',
    )
    stalin = next(
        e for e in entries(small_index(small, "person")) if e.startswith("Stalin, Joseph")
    )
    assert stalin.split("\n") == [
        "Stalin, Joseph (18 December 1878 – 5 March 1953)",
        "  Variant: Stalin",
        "  Codenames: Filippov; Feng Xi",
        "  Misspelling: Stallin",
        "  In 1 document, 2 mentions:",
        "  1950-01-19  Telegram Stalin to Pak (sender; 2 mentions)",
    ]


def test_index_roles(small: SmallEdition) -> None:
    pak = next(e for e in entries(small_index(small, "person")) if e.startswith("Pak Heon-yeong\n"))
    assert pak.split("\n")[-1] == "  1950-01-19  Telegram Stalin to Pak (addressee; 1 mention)"
    # A party the text does not mention has its role and no count.
    small.edit_document(
        '<head>Telegram <persName ref="person:stalin">Stalin</persName> to '
        '<persName ref="person:pak-heon-yeong">Pak Heon-yeong</persName></head>',
        "<head>Telegram</head>",
    )
    pak = next(e for e in entries(small_index(small, "person")) if e.startswith("Pak Heon-yeong\n"))
    assert pak.split("\n")[-2:] == [
        "  In 1 document, 0 mentions:",
        "  1950-01-19  Telegram Stalin to Pak (addressee)",
    ]


def test_index_cross_references(small: SmallEdition) -> None:
    persons = small.tei / "persons.xml"
    small.edit(
        persons,
        '<persName type="variant">Stalin</persName>',
        '<persName type="variant">Stalin</persName><persName type="variant">Joe</persName><persName type="variant">Ioseb Jughashvili</persName>',
    )
    small.edit(
        persons,
        '<persName type="variant">Pak Hon-yong</persName>',
        '<persName type="variant">Pak Hon-yong</persName><persName type="variant">Joe</persName>',
    )
    heads = [e.split("\n")[0] for e in entries(small_index(small, "person"))]
    assert heads == [
        "Filippov, see Stalin, Joseph",
        "Ioseb Jughashvili, see Stalin, Joseph",
        "Joe, see Pak Heon-yeong; Stalin, Joseph",  # one name, two entries: both, by sort key
        "Pak Heon-yeong",
        "Pak Hon-yong, see Pak Heon-yeong",
        "Stalin, Joseph",  # "Stalin" would sort right here: no cross-reference
    ]


def test_index_long_titles_hang_under_the_title(small: SmallEdition) -> None:
    title = "Report from the Romanian Embassy in Pyongyang to the Ministry of Foreign Affairs, Second Division Liaison"
    small.edit_document("<title>Telegram Stalin to Pak</title>", f"<title>{title}</title>")
    replace_creation(
        small, '<date from="1956-08-29" to="1956-09-14">29 August to 14 September 1956</date>'
    )
    stalin = next(
        e for e in entries(small_index(small, "person")) if e.startswith("Stalin, Joseph")
    )
    lines = stalin.split("\n")[4:]
    assert lines[0].startswith("  1956-08-29/1956-09-14  Report from the Romanian")
    assert all(line.startswith(" " * 14) and line[14] != " " for line in lines[1:])
    assert (
        unwrap(" ".join(lines))[len("1956-08-29/1956-09-14 ") :] == f"{title} (sender; 2 mentions)"
    )


def test_index_places_and_organisations(small: SmallEdition) -> None:
    places = entries(small_index(small, "place"))
    assert places == [
        "Pyongyang\n"
        "  Type: settlement\n"
        "  Coordinates: 39.0194 125.7381\n"
        "  In 1 document, 1 mention:\n"
        "  1950-01-19  Telegram Stalin to Pak (1 mention)"
    ]
    orgs = small_index(small, "org")
    assert orgs.startswith(f"Test edition\nIndex of organisations\n{RULE}\n")
    assert [e.split("\n")[0] for e in entries(orgs)] == [
        "KWP, see Workers' Party of Korea",
        "Workers' Party of Korea",
    ]
    assert "\n  Abbreviation: KWP\n  Type: party\n  In 1 document, 1 mention:\n" in orgs


# --- the real edition ---------------------------------------------------------------


@pytest.fixture(scope="module")
def edition() -> Iterator[TextEdition]:
    yield TextEdition(ROOT)


@pytest.fixture(scope="module")
def texts(edition: TextEdition) -> dict[str, str]:
    return {doc_id: edition.text(doc_id) for doc_id in edition.ids()}


def test_edition_texts_fit_the_width(texts: dict[str, str]) -> None:
    assert len(texts) == 20
    for doc_id, text in texts.items():
        try:
            assert_plain_text(text)
        except AssertionError as error:
            raise AssertionError(f"{doc_id}: {error}") from None


def test_edition_texts_lose_no_word(edition: TextEdition, texts: dict[str, str]) -> None:
    for doc_id, text in texts.items():
        assert "[sic;\n" not in text and "[reg;\n" not in text, doc_id
        words = EDITORIAL.sub("", body(text)).split()
        assert words == source_words(edition.source(doc_id)), doc_id


def test_edition_text_of_a_telegram(texts: dict[str, str]) -> None:
    text = texts["kim-1950-07-04-shtykov-feng-xi-405840"]
    fields = header(text)
    assert fields["Title"] == "Ciphered Telegram No. 405840 from Shtykov to Feng Xi [Stalin]"
    assert fields["Type"] == "Ciphered telegram"
    assert fields["From"] == "Shtykov (Terentii Shtykov)"
    assert fields["To"] == "Feng Xi (codename of Joseph Stalin)"
    assert "document no. 405840" in fields["Source"]
    assert '"Conversations with Kim Il Sung", Wilson Center Digital Archive.' in fields["Source"]
    assert "Feng Xi [Stalin]" in body(text)
    assert '  Stalin, Joseph: 2 mentions, as "Feng Xi", "Stalin"\n' in names(text)


def test_edition_text_of_the_period_and_corrections(texts: dict[str, str]) -> None:
    assert header(texts["kim-1956-08-29-ivanov-diary"])["Date"] == (
        "29 August – 14 September 1956 (1956-08-29/1956-09-14); listed as September 01, 1956"
    )
    assert "Shytkov [sic; Shtykov]" in unwrap(body(texts["kim-1950-09-29-shtykov-gromyko-stalin"]))


@pytest.mark.parametrize("kind", INDEX_KINDS)
def test_edition_indexes(edition: TextEdition, kind: str) -> None:
    text = edition.index(kind)
    assert_plain_text(text)
    records = entries(text)
    main = [r for r in records if re.search(r"\n  In (no document|\d+ documents?)", r)]
    assert len(main) == len(read_entries(edition.registers[kind], kind))
    # Entries and cross-references share one alphabetical order.
    if kind == "person":
        heads = [r.split("\n")[0] for r in records]
        assert "Feng Xi, see Stalin, Joseph" in heads
        assert "Shytkov, see Shtykov, Terentii" in heads
        assert heads.index("Feng Xi, see Stalin, Joseph") < heads.index(
            "Gao Gang (died 17 August 1954)"
        )
        assert "Stalin, see Stalin, Joseph" not in heads
        stalin = next(r for r in records if r.startswith("Stalin, Joseph"))
        assert (
            "  1950-07-04  Ciphered Telegram No. 405840 from Shtykov to Feng Xi [Stalin]\n"
            "              (addressee; 2 mentions)"
        ) in stalin
