"""The edition's RELAX NG schema, tei/schema/kimedition.rng.

The schema must
- accept the edition's sources (documents, registers, edition.xml),
- accept the valid fixtures in tests/fixtures/rng/, which must also be valid TEI P5 (tei_all),
- reject each invalid variant below, each of which breaks exactly one rule,
- declare only the edition's elements and attributes, each element documented.

Run: cd tests && /tmp/venv/bin/python -m pytest -q test_schema_rng.py
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tei" / "schema" / "kimedition.rng"
TEI_ALL = ROOT / "tests" / "schemas" / "tei_all-4.12.0.rng"
FIXTURES = ROOT / "tests" / "fixtures" / "rng"
REGISTERS = [ROOT / "tei" / f"{name}.xml" for name in ("persons", "places", "orgs", "edition")]
# The documents, the four files every edition has, and any other TEI file in tei/.
SOURCES = sorted((ROOT / "tei" / "documents").glob("*.xml")) + sorted(
    set(REGISTERS) | set((ROOT / "tei").glob("*.xml"))
)
VALID_FIXTURES = sorted(FIXTURES.glob("*.xml"))

RNG_NS = "http://relaxng.org/ns/structure/1.0"
ANN_NS = "http://relaxng.org/ns/compatibility/annotations/1.0"


def _words(text: str) -> set[str]:
    return set(text.split())


ELEMENTS = _words(
    """TEI teiHeader fileDesc titleStmt title editor publicationStmt publisher idno availability
    licence sourceDesc bibl date relatedItem encodingDesc listPrefixDef prefixDef projectDesc
    editorialDecl correction normalization interpretation classDecl taxonomy category catDesc
    profileDesc creation textClass catRef correspDesc correspAction revisionDesc change p quote
    text front docDate body div head persName placeName orgName rs choice sic corr orig reg seg
    list item listPerson person forename surname birth death occupation listPlace place
    location geo listOrg org note"""
)
ATTRIBUTES = _words(
    """xml:id xml:lang ref type cert when from to notBefore notAfter status target scheme
    ident matchPattern replacementPattern sortKey"""
)


@pytest.fixture(scope="session")
def schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


@pytest.fixture(scope="session")
def tei_all() -> etree.RelaxNG:
    # Compiling tei_all takes ~15 s in lxml: once per session.
    return etree.RelaxNG(etree.parse(str(TEI_ALL)))


def _parse_text(text: str) -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(text.encode("utf-8")))


# --------------------------------------------------------------------------
# The schema itself
# --------------------------------------------------------------------------


def test_schema_declares_exactly_the_edition_elements() -> None:
    grammar = etree.parse(str(SCHEMA))
    declared = {e.get("name") for e in grammar.iter(f"{{{RNG_NS}}}element")}
    assert declared == ELEMENTS


def test_schema_declares_only_the_edition_attributes() -> None:
    grammar = etree.parse(str(SCHEMA))
    declared = {a.get("name") for a in grammar.iter(f"{{{RNG_NS}}}attribute")}
    assert declared <= ATTRIBUTES, declared - ATTRIBUTES
    assert "sex" not in declared and "role" not in declared


def test_every_element_define_is_documented() -> None:
    grammar = etree.parse(str(SCHEMA))
    for element in grammar.iter(f"{{{RNG_NS}}}element"):
        docs = element.findall(f"{{{ANN_NS}}}documentation")
        assert len(docs) == 1, element.get("name")
        text = docs[0].text or ""
        assert text.strip() and "\n" not in text.strip(), element.get("name")
        assert element.getparent().tag == f"{{{RNG_NS}}}define", element.get("name")


# --------------------------------------------------------------------------
# The edition's real sources
# --------------------------------------------------------------------------


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_source_is_valid(path: Path, schema: etree.RelaxNG) -> None:
    assert path.exists(), f"{path.relative_to(ROOT)} has not been written yet"
    assert schema.validate(etree.parse(str(path))), schema.error_log


# --------------------------------------------------------------------------
# Valid fixtures: valid against the edition schema AND against tei_all
# --------------------------------------------------------------------------


def test_valid_fixtures_exist() -> None:
    names = {p.name for p in VALID_FIXTURES}
    assert {"document-minimal.xml", "document.xml", "register-persons.xml"} <= names


@pytest.mark.parametrize("path", VALID_FIXTURES, ids=lambda p: p.name)
def test_valid_fixture_is_valid(path: Path, schema: etree.RelaxNG) -> None:
    assert schema.validate(etree.parse(str(path))), schema.error_log


@pytest.mark.parametrize("path", VALID_FIXTURES, ids=lambda p: p.name)
def test_valid_fixture_is_valid_tei_all(path: Path, tei_all: etree.RelaxNG) -> None:
    assert tei_all.validate(etree.parse(str(path))), tei_all.error_log


# --------------------------------------------------------------------------
# Valid variants of the fixtures (alternatives the schema must keep allowing)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A fixture with one substring replaced."""

    id: str
    fixture: str
    old: str
    new: str
    tei_all: bool  # whether tei_all accepts the variant
    more: tuple[tuple[str, str], ...] = ()  # further (old, new) replacements

    def text(self) -> str:
        source = (FIXTURES / self.fixture).read_text(encoding="utf-8")
        for old, new in ((self.old, self.new), *self.more):
            assert source.count(old) == 1, f"{self.id}: {old!r} must occur once in {self.fixture}"
            source = source.replace(old, new)
        return source


DOC = "document.xml"
PERSONS = "register-persons.xml"
PLACES = "register-places.xml"
ORGS = "register-orgs.xml"
EDITION = "edition.xml"

TEXTCLASS = """
      <textClass>
        <catRef scheme="../edition.xml#document-types" \
target="../edition.xml#type-ciphered-telegram"/>
      </textClass>"""

VALID_VARIANTS = [
    Variant(
        "choice-reg-before-orig",
        DOC,
        "<reg>Pak Heon-yeong</reg><orig>Pak Hon-yong</orig>",
        "<orig>Pak Hon-yong</orig><reg>Pak Heon-yeong</reg>",
        True,
    ),
    Variant("when-year", DOC, '<docDate when="1950-04">', '<docDate when="1950">', True),
    Variant("from-only", DOC, '<docDate when="1950-04">', '<docDate from="1950-04-01">', True),
    Variant(
        "notBefore-to",
        DOC,
        '<docDate when="1950-04">',
        '<docDate notBefore="1950-04-01" to="1950-04-30">',
        True,
    ),
    Variant("no-datable-attributes", DOC, '<docDate when="1950-04">', "<docDate>", True),
    Variant(
        "correspAction-forwarded",
        DOC,
        '<correspAction type="received">',
        '<correspAction type="forwarded">',
        True,
    ),
    Variant("cert-unknown", DOC, 'cert="medium">Chinese', 'cert="unknown">Chinese', True),
    Variant(
        "profileDesc-any-order",
        DOC,
        TEXTCLASS,
        "",
        True,
        more=(("<profileDesc>", "<profileDesc>" + TEXTCLASS),),
    ),
    Variant("geo-integer", PLACES, "<geo>39.0194 125.7547</geo>", "<geo>39 125</geo>", True),
    Variant("geo-extremes", PLACES, "<geo>39.0194 125.7547</geo>", "<geo>-90 180.0</geo>", True),
    Variant(
        "geo-whitespace",
        PLACES,
        "<geo>39.0194 125.7547</geo>",
        "<geo>\n 39.0194\n 125.7547\n</geo>",
        True,
    ),
    Variant(
        "licence-http",
        EDITION,
        'target="http://creativecommons.org',
        'target="https://creativecommons.org',
        True,
    ),
]


@pytest.mark.parametrize("variant", VALID_VARIANTS, ids=lambda v: v.id)
def test_valid_variant(variant: Variant, schema: etree.RelaxNG, tei_all: etree.RelaxNG) -> None:
    doc = _parse_text(variant.text())
    assert schema.validate(doc), schema.error_log
    assert tei_all.validate(doc), tei_all.error_log


# --------------------------------------------------------------------------
# Invalid variants: each breaks one rule. ``tei_all`` records whether TEI itself
# accepts the variant, i.e. whether the rule is one where the edition is stricter.
# --------------------------------------------------------------------------

INVALID_VARIANTS = [
    # required by the brief
    Variant("unknown-element", DOC, "<p><rs", "<p><foo>x</foo><rs", False),
    Variant("tei-element-outside-subset", DOC, "<p><rs", "<p><hi>x</hi><rs", True),
    Variant(
        "missing-titleStmt",
        DOC,
        """<titleStmt>
        <title>Ciphered Telegram from Filippov to Shytkov, No. 533/5</title>
        <editor>The editors of Conversations with Kim Il Sung</editor>
      </titleStmt>""",
        "",
        False,
    ),
    Variant("when-month-13", DOC, '<docDate when="1950-04">', '<docDate when="1950-13-01">', False),
    Variant(
        "ref-javascript",
        DOC,
        '<persName ref="person:shtykov"><choice>',
        '<persName ref="javascript:alert(1)"><choice>',
        True,
    ),
    Variant(
        "ref-unprefixed",
        DOC,
        '<persName ref="person:shtykov"><choice>',
        '<persName ref="stalin"><choice>',
        True,
    ),
    Variant(
        "licence-target-javascript",
        DOC,
        'target="https://creativecommons.org/licenses/by/4.0/"',
        'target="javascript:alert(1)"',
        True,
    ),
    Variant("cert-sure", DOC, 'cert="high">The chairman', 'cert="sure">The chairman', False),
    Variant(
        "choice-two-sics",
        DOC,
        "<sic>Shytkov</sic><corr>Shtykov</corr>",
        "<sic>Shytkov</sic><sic>Shtykov</sic>",
        True,
    ),
    Variant("text-in-body", DOC, "<body>\n", "<body>\n      stray text\n", False),
    Variant("text-in-teiHeader", DOC, "<teiHeader>\n", "<teiHeader>\n    stray text\n", False),
    Variant(
        "text-in-listPerson",
        PERSONS,
        "</person>\n        <person",
        "</person>\n        stray text\n        <person",
        False,
    ),
    # order and structure of the header
    Variant(
        "publicationStmt-before-titleStmt",
        DOC,
        "<fileDesc>\n      <titleStmt>",
        "<fileDesc>\n      <publicationStmt><publisher>x</publisher></publicationStmt>\n"
        "      <titleStmt>",
        False,
    ),
    Variant(
        "profileDesc-before-encodingDesc",
        DOC,
        "<encodingDesc>",
        "<profileDesc/><encodingDesc>",
        True,
    ),
    Variant(
        "relatedItem-empty",
        DOC,
        """<relatedItem type="collection">
            <bibl>
              <title>Conversations with Kim Il Sung</title>
              <publisher>Wilson Center Digital Archive</publisher>
            </bibl>
          </relatedItem>""",
        '<relatedItem type="collection"/>',
        True,
    ),
    Variant(
        "catRef-without-target", DOC, 'target="../edition.xml#type-ciphered-telegram"', "", True
    ),
    Variant("front-empty", DOC, '<docDate when="1950-04">April, 1950</docDate>', "", True),
    # pointers
    Variant(
        "ref-wrong-register",
        DOC,
        '<persName ref="person:shtykov"><choice>',
        '<persName ref="place:ussr"><choice>',
        True,
    ),
    Variant(
        "ref-two-pointers",
        DOC,
        '<persName ref="person:shtykov"><choice>',
        '<persName ref="person:shtykov person:stalin"><choice>',
        True,
    ),
    Variant(
        "ref-id-not-an-xml-name",
        DOC,
        '<persName ref="person:shtykov"><choice>',
        '<persName ref="person:1950"><choice>',
        True,
    ),
    Variant(
        "rs-type-ref-mismatch",
        DOC,
        'rs type="place" ref="place:prc"',
        'rs type="place" ref="person:stalin"',
        True,
    ),
    Variant("rs-without-type", DOC, 'rs type="org" ref="org:kwp"', 'rs ref="org:kwp"', True),
    Variant(
        "rs-unknown-type", DOC, 'rs type="org" ref="org:kwp"', 'rs type="event" ref="org:kwp"', True
    ),
    Variant(
        "ref-on-title",
        DOC,
        '<title type="newspaper">',
        '<title type="newspaper" ref="org:pravda">',
        True,
    ),
    Variant(
        "licence-target-ftp",
        DOC,
        'target="https://creativecommons.org/licenses/by/4.0/"',
        'target="ftp://example.org/licence"',
        True,
    ),
    # dates
    Variant(
        "when-and-from",
        DOC,
        '<docDate when="1950-04">',
        '<docDate when="1950-04" from="1950-04-01">',
        True,
    ),
    Variant(
        "from-and-notBefore",
        DOC,
        'from="1956-08-29"',
        'from="1956-08-29" notBefore="1956-08-01"',
        True,
    ),
    Variant(
        "when-dateTime",
        DOC,
        '<docDate when="1950-04">',
        '<docDate when="1950-04-01T10:00:00">',
        True,
    ),
    Variant("when-gMonthDay", DOC, '<docDate when="1950-04">', '<docDate when="--04-01">', True),
    Variant("when-timezone", DOC, '<docDate when="1950-04">', '<docDate when="1950-04-01Z">', True),
    Variant("when-prose", DOC, '<docDate when="1950-04">', '<docDate when="April 1950">', False),
    Variant("datable-on-creation", DOC, "<creation>", '<creation when="1950-04">', True),
    # certainty and status
    Variant("cert-number", DOC, 'cert="high">The chairman', 'cert="0.9">The chairman', True),
    Variant("cert-on-p", DOC, "<p><rs", '<p cert="high"><rs', True),
    Variant(
        "docStatus-unknown-value",
        DOC,
        '<revisionDesc status="published">',
        '<revisionDesc status="final">',
        True,
    ),
    Variant(
        "availability-status",
        DOC,
        '<availability status="free">',
        '<availability status="open">',
        False,
    ),
    Variant(
        "correspAction-copied",
        DOC,
        '<correspAction type="received">',
        '<correspAction type="copied">',
        True,
    ),
    # choice
    Variant(
        "choice-sic-reg",
        DOC,
        "<sic>Shytkov</sic><corr>Shtykov</corr>",
        "<sic>Shytkov</sic><reg>Shtykov</reg>",
        True,
    ),
    Variant(
        "choice-three",
        DOC,
        "<sic>Shytkov</sic><corr>Shtykov</corr>",
        "<sic>Shytkov</sic><corr>Shtykov</corr><corr>Shtikov</corr>",
        True,
    ),
    Variant(
        "choice-single", DOC, "<sic>Shytkov</sic><corr>Shtykov</corr>", "<sic>Shytkov</sic>", False
    ),
    # phrase content: what the element admits in TEI and in the edition
    Variant("note-in-p", DOC, "<p><rs", "<p><note>x</note><rs", True),
    Variant(
        "quote-in-date",
        DOC,
        'type="inferred">the next day',
        'type="inferred"><quote>the next day</quote>',
        False,
    ),
    Variant(
        "seg-in-catDesc",
        EDITION,
        "<catDesc>Telegram</catDesc>",
        "<catDesc><seg>Telegram</seg></catDesc>",
        False,
    ),
    Variant(
        "element-in-idno",
        DOC,
        '<idno type="document-number">533/5</idno>',
        '<idno type="document-number"><seg>533/5</seg></idno>',
        False,
    ),
    Variant(
        "surname-in-text-persName",
        DOC,
        '<persName ref="person:stalin">Stalin</persName>',
        '<persName ref="person:stalin"><surname>Stalin</surname></persName>',
        True,
    ),
    # attributes
    Variant("xml-lang-empty", DOC, 'xml:lang="ru-Latn"', 'xml:lang=""', True),
    Variant("xml-lang-malformed", DOC, 'xml:lang="ru-Latn"', 'xml:lang="Russian language"', False),
    Variant("rend-attribute", DOC, "<p><rs", '<p rend="bold"><rs', True),
    Variant("type-on-head", DOC, "<head>Ciphered", '<head type="main">Ciphered', True),
    Variant("type-with-space", DOC, 'type="editorial-gloss"', 'type="editorial gloss"', False),
    # registers
    Variant("person-without-id", PERSONS, '<person xml:id="ivanov">', "<person>", True),
    Variant(
        "person-without-name",
        PERSONS,
        '<persName type="standard">V. I. Ivanov</persName>',
        "",
        True,
    ),
    Variant(
        "person-two-births",
        PERSONS,
        '<birth when="1912-04-15"/>',
        '<birth when="1912-04-15"/><birth when="1912"/>',
        True,
    ),
    Variant(
        "person-sex", PERSONS, '<person xml:id="ivanov">', '<person xml:id="ivanov" sex="M">', True
    ),
    Variant("sortKey-with-space", PERSONS, 'sortKey="kim_il-sung"', 'sortKey="kim il sung"', False),
    Variant(
        "forename-outside-persName",
        PERSONS,
        "<birth when",
        "<forename>Il Sung</forename><birth when",
        False,
    ),
    Variant(
        "place-without-type",
        PLACES,
        '<place xml:id="parallel-38" type="other">',
        '<place xml:id="parallel-38">',
        True,
    ),
    Variant(
        "place-unknown-type",
        PLACES,
        '<place xml:id="parallel-38" type="other">',
        '<place xml:id="parallel-38" type="border">',
        True,
    ),
    Variant(
        "org-without-type", ORGS, '<org xml:id="kwp" type="party">', '<org xml:id="kwp">', True
    ),
    Variant("geo-words", PLACES, "<geo>39.0194 125.7547</geo>", "<geo>north of Seoul</geo>", True),
    Variant("geo-one-number", PLACES, "<geo>39.0194 125.7547</geo>", "<geo>39.0194</geo>", True),
    Variant(
        "geo-latitude-out-of-range",
        PLACES,
        "<geo>39.0194 125.7547</geo>",
        "<geo>91.5 125.7547</geo>",
        True,
    ),
    Variant(
        "geo-longitude-out-of-range",
        PLACES,
        "<geo>39.0194 125.7547</geo>",
        "<geo>39.0194 181</geo>",
        True,
    ),
    Variant(
        "geo-comma", PLACES, "<geo>39.0194 125.7547</geo>", "<geo>39.0194, 125.7547</geo>", True
    ),
    Variant(
        "location-without-geo",
        PLACES,
        "<location><geo>-34.6 -58.38</geo></location>",
        "<location/>",
        True,
    ),
    Variant(
        "org-note-before-idno",
        ORGS,
        """<idno type="wikidata">Q0</idno>
          <note>The ruling party of the DPRK.</note>""",
        """<note>The ruling party of the DPRK.</note>
          <idno type="wikidata">Q0</idno>""",
        False,
    ),
]


@pytest.mark.parametrize("variant", INVALID_VARIANTS, ids=lambda v: v.id)
def test_invalid_variant_is_rejected(variant: Variant, schema: etree.RelaxNG) -> None:
    assert not schema.validate(_parse_text(variant.text()))


@pytest.mark.parametrize("variant", INVALID_VARIANTS, ids=lambda v: v.id)
def test_invalid_variant_against_tei_all(variant: Variant, tei_all: etree.RelaxNG) -> None:
    """Documents where the edition is stricter than TEI (tei_all=True) and where it is not."""
    assert tei_all.validate(_parse_text(variant.text())) is variant.tei_all, tei_all.error_log
