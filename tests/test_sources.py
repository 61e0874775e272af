"""The encoded sources: fidelity to the listing and validity as TEI P5."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from listing import NS, collection_description, encoded_record, read_listing, source_text

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted((ROOT / "tei" / "documents").glob("*.xml"))
REGISTERS = [
    ROOT / "tei" / name for name in ("persons.xml", "places.xml", "orgs.xml", "edition.xml")
]


def test_every_record_of_the_listing_is_encoded_once() -> None:
    records = read_listing()
    assert len(records) == 20
    encoded = sorted((encoded_record(path) for path in DOCUMENTS), key=lambda r: (r.date, r.title))
    assert sorted(records, key=lambda r: (r.date, r.title)) == encoded


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_file_name_repeats_the_document_id(path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    assert path.name == root.get("{http://www.w3.org/XML/1998/namespace}id") + ".xml"


def test_edition_quotes_the_collection_description() -> None:
    root = etree.parse(str(ROOT / "tei" / "edition.xml")).getroot()
    quotes = [source_text(q) for q in root.iterfind(".//tei:quote", NS)]
    assert collection_description() in quotes


@pytest.fixture(scope="session")
def tei_all() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(ROOT / "tests" / "schemas" / "tei_all-4.12.0.rng")))


@pytest.mark.parametrize("path", DOCUMENTS + REGISTERS, ids=lambda p: p.name)
def test_source_is_valid_tei_p5(path: Path, tei_all: etree.RelaxNG) -> None:
    assert tei_all.validate(etree.parse(str(path))), tei_all.error_log
