"""The Schematron compiler, and the rules as an XML editor runs them.

`kimedition validate` hands the corpus-wide rules their facts already computed; an XML
editor (Oxygen, VS Code) runs the same schema on its own, and the schema's global lets
then read the neighbouring files with doc() and collection(). Both must give the same
verdicts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from saxonche import PySaxonProcessor

from conftest import SmallEdition
from kimedition.edition import Edition
from kimedition.errors import SchemaError
from kimedition.schematron import compile_schematron, read_results
from kimedition.validate import validate


def editor_results(edition: Edition, document: Path) -> set[tuple[str, str]]:
    """(rule, role) of every result when the schema runs alone, as in an editor: no
    parameter supplied, the document parsed from its file so that base-uri() works."""
    processor = PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    executable = compiler.compile_stylesheet(
        stylesheet_text=compile_schematron(edition.sch_path).xslt
    )
    builder = processor.new_document_builder()
    builder.set_base_uri(document.as_uri())
    node = builder.parse_xml(xml_file_name=str(document))
    report = executable.transform_to_string(xdm_node=node)
    return {(r.rule, r.role) for r in read_results(report)}


def toolkit_results(edition: Edition, document: Path) -> set[tuple[str, str]]:
    report = validate(edition, [document], jobs=1)
    return {
        (p.rule, p.severity.value) for p in report.problems if p.rule not in ("rng", "xml", "file")
    }


@pytest.mark.parametrize(
    ("old", "new", "rules"),
    [
        ("writes from", "writes from", set()),
        ('<orgName ref="org:kwp">', '<orgName ref="org:kwpp">', {"ref-resolves"}),
        ("<p><persName", '<p xml:id="stalin"><persName', {"id-unique"}),
        ("on <date", "and Pak Hon-yong on <date", {"name-untagged"}),
        ('<date when="1950-01-20">', '<date from="1950-02-01" to="1950-01-31">', {"date-order"}),
    ],
    ids=["valid", "unknown-reference", "duplicate-id", "untagged-name", "backwards-period"],
)
def test_an_editor_and_the_toolkit_agree(
    small: SmallEdition, old: str, new: str, rules: set[str]
) -> None:
    edition = Edition.open(small.root)
    small.edit_document(old, new)
    in_editor = editor_results(edition, small.document)
    in_toolkit = toolkit_results(edition, small.document)
    assert {rule for rule, _ in in_toolkit} == rules
    assert in_editor == in_toolkit


def test_an_unused_register_entry_is_found_in_the_editor_too(small: SmallEdition) -> None:
    small.edit(
        small.tei / "places.xml",
        "</listPlace>",
        '<place xml:id="seoul" type="settlement"><placeName type="standard">Seoul</placeName>'
        "</place>\n</listPlace>",
    )
    edition = Edition.open(small.root)
    places = small.tei / "places.xml"
    assert ("entry-used", "warning") in editor_results(edition, places)
    assert editor_results(edition, places) == toolkit_results(edition, places)


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            '<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xpath"/>',
            'queryBinding="xpath" is not supported',
        ),
        (
            '<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt3">'
            '<sch:include href="other.sch"/></sch:schema>',
            "sch:include is not supported",
        ),
        (
            '<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt3">'
            '<sch:pattern abstract="true" id="p"/></sch:schema>',
            "abstract patterns are not supported",
        ),
        (
            '<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt3">'
            '<sch:pattern><sch:rule context="*[$x]"><sch:assert test="true()"/></sch:rule>'
            "</sch:pattern></sch:schema>",
            "variables in a rule's @context are not supported",
        ),
        (
            '<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt3">'
            '<sch:pattern><sch:rule context="*"><sch:assert id="a" role="bad" test="true()"/>'
            "</sch:rule></sch:pattern></sch:schema>",
            'role="bad" is not one of',
        ),
        ("<schema/>", "not an ISO Schematron schema"),
    ],
    ids=["binding", "include", "abstract", "variable-context", "role", "not-schematron"],
)
def test_unsupported_schematron_is_refused_with_its_line(
    tmp_path: Path, schema: str, message: str
) -> None:
    path = tmp_path / "rules.sch"
    path.write_text(schema, encoding="utf-8")
    with pytest.raises(SchemaError) as raised:
        compile_schematron(path)
    assert message in raised.value.message
    assert str(path) in raised.value.message
