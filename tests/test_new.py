"""``kimedition new``: documents made from the template are valid, escaped and never clobber."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from conftest import ROOT, SmallEdition, register_file
from kimedition.cli import cli
from kimedition.new import derive_slug, parse_date

NS = {"tei": "http://www.tei-c.org/ns/1.0"}
TODAY = "2026-12-01"

ORGS_WITH_CC = """<listOrg>
<org xml:id="kwp" type="party">
  <orgName type="standard">Workers' Party of Korea</orgName>
  <orgName type="abbreviation">KWP</orgName>
</org>
<org xml:id="cpsu-cc" type="committee">
  <orgName type="standard">CPSU Central Committee</orgName>
</org>
</listOrg>"""


@pytest.fixture
def edition(small: SmallEdition) -> SmallEdition:
    """The small edition with the real template and a second organisation."""
    (small.tei / "templates").mkdir()
    shutil.copy(ROOT / "tei" / "templates" / "document.xml", small.tei / "templates")
    (small.tei / "orgs.xml").write_text(
        register_file("orgs", "Organisations", ORGS_WITH_CC), encoding="utf-8"
    )
    return small


def new(runner: CliRunner, root: Path, *args: str) -> Result:
    return runner.invoke(cli, ["-C", str(root), "new", "--today", TODAY, *args])


def validate(runner: CliRunner, root: Path) -> tuple[int, list[dict[str, object]]]:
    result = runner.invoke(cli, ["-C", str(root), "validate", "--format", "json"])
    return result.exit_code, json.loads(result.stdout)["problems"]


def written(result: Result) -> Path:
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.is_file()
    return path


def tree(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def assert_no_errors(runner: CliRunner, root: Path) -> None:
    code, problems = validate(runner, root)
    errors = [p for p in problems if p["severity"] == "error"]
    assert errors == [], errors
    assert code == 0
    # The only warnings a fresh document may have: names in its title, left to suggest.
    assert {p["rule"] for p in problems} <= {"name-untagged", "entry-used"}


def test_plain_record_is_valid_and_follows_the_template(
    runner: CliRunner, edition: SmallEdition
) -> None:
    path = written(
        new(
            runner,
            edition.root,
            "--date",
            "1956-10-02",
            "--type",
            "report",
            "--title",
            "Report on the Plenum",
        )
    )
    assert path.name == "kim-1956-10-02-report-plenum.xml"
    assert path.parent == edition.tei / "documents"
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(
        [edition.document.name, path.name]
    )  # no temporary file left behind
    root = tree(path)
    assert root.get("{http://www.w3.org/XML/1998/namespace}id") == path.stem
    assert root.findtext("tei:teiHeader//tei:idno[@type='kimedition']", namespaces=NS) == path.stem
    assert root.find("tei:teiHeader//tei:bibl", NS).get("type") == "report"
    assert root.find(".//tei:catRef", NS).get("target") == "../edition.xml#type-report"
    assert root.findtext(".//tei:creation/tei:date", namespaces=NS) == "October 02, 1956"
    assert root.find(".//tei:docDate", NS).get("when") == "1956-10-02"
    assert root.findtext(".//tei:body/tei:head", namespaces=NS) == "Report on the Plenum"
    assert root.find(".//tei:correspDesc", NS) is None
    assert root.find(".//tei:revisionDesc", NS).get("status") == "draft"
    assert root.find(".//tei:change", NS).get("when") == TODAY
    assert [c.tag for c in root.find(".//tei:body/tei:p", NS)] == [etree.Comment]
    text = path.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<?xml-model href="../schema/')
    assert "{" not in text and "template" not in text.split("<TEI")[0]
    assert_no_errors(runner, edition.root)


def test_sender_and_addressee_person_and_org(runner: CliRunner, edition: SmallEdition) -> None:
    path = written(
        new(
            runner,
            edition.root,
            "--date",
            "1950-05",
            "--type",
            "telegram",
            "--title",
            "Telegram from Filippov",
            "--sender",
            "stalin",
            "--addressee",
            "pak-heon-yeong",
            "--addressee",
            "org:cpsu-cc",
            "--written",
            "May, 1950",
        )
    )
    assert path.name == "kim-1950-05-telegram-filippov.xml"
    root = tree(path)
    sent, received = root.findall(".//tei:correspAction", NS)
    assert sent.get("type") == "sent" and received.get("type") == "received"
    assert [(e.tag.split("}")[1], e.get("ref"), e.text) for e in sent] == [
        ("persName", "person:stalin", "Joseph Stalin"),
        ("date", None, None),
    ]
    assert sent.find("tei:date", NS).get("when") == "1950-05"
    assert [(e.tag.split("}")[1], e.get("ref"), e.text) for e in received] == [
        ("persName", "person:pak-heon-yeong", "Pak Heon-yeong"),
        ("orgName", "org:cpsu-cc", "CPSU Central Committee"),
    ]
    assert root.findtext(".//tei:docDate", namespaces=NS) == "May, 1950"
    assert_no_errors(runner, edition.root)


def test_only_an_addressee_leaves_out_the_sending(runner: CliRunner, edition: SmallEdition) -> None:
    path = written(
        new(
            runner,
            edition.root,
            "--date",
            "1950",
            "--type",
            "telegram",
            "--title",
            "To the party",
            "--addressee",
            "kwp",
        )
    )
    [action] = tree(path).findall(".//tei:correspAction", NS)
    assert action.get("type") == "received"
    assert_no_errors(runner, edition.root)


def test_period(runner: CliRunner, edition: SmallEdition) -> None:
    path = written(
        new(
            runner,
            edition.root,
            "--date",
            "1956-08-29/1956-09-14",
            "--type",
            "report",
            "--title",
            "Diary of the ambassador",
            "--slug",
            "diary",
        )
    )
    assert path.name == "kim-1956-08-29-diary.xml"
    root = tree(path)
    for element in root.xpath(
        ".//tei:creation/tei:date | .//tei:docDate | .//tei:bibl/tei:date", namespaces=NS
    ):
        assert element.get("when") is None
        assert (element.get("from"), element.get("to")) == ("1956-08-29", "1956-09-14")
        assert element.text == "August 29, 1956 to September 14, 1956"
    assert_no_errors(runner, edition.root)


def test_special_characters_are_escaped(runner: CliRunner, edition: SmallEdition) -> None:
    title = 'Notes on "A & B" <i>not markup</i> {id} ]]> Pál’s'
    path = written(
        new(
            runner,
            edition.root,
            "--date",
            "1950-01-20",
            "--type",
            "report",
            "--title",
            title,
            "--written",
            "20 Jan. <1950> & so",
        )
    )
    root = tree(path)
    assert root.findtext(".//tei:titleStmt/tei:title", namespaces=NS) == title
    assert root.findtext(".//tei:body/tei:head", namespaces=NS) == title
    assert root.findtext(".//tei:docDate", namespaces=NS) == "20 Jan. <1950> & so"
    assert root.find(".//tei:head", NS).getchildren() == []
    assert path.name == "kim-1950-01-20-notes-b-i-not-markup-i.xml"  # "a": a small word
    assert_no_errors(runner, edition.root)


def test_refuses_to_overwrite(runner: CliRunner, edition: SmallEdition) -> None:
    args = ("--date", "1950-02-01", "--type", "report", "--title", "Report")
    path = written(new(runner, edition.root, *args))
    before = path.read_bytes()
    result = new(runner, edition.root, *args, "--written", "other")
    assert result.exit_code == 1
    assert path.name in result.stderr and "exists already" in result.stderr
    assert "Traceback" not in result.output
    assert path.read_bytes() == before


def test_refuses_an_id_used_elsewhere_in_the_corpus(
    runner: CliRunner, edition: SmallEdition
) -> None:
    # The id exists in the corpus (here as an element's id in a register), not as a file.
    edition.edit(
        edition.tei / "persons.xml",
        '<person xml:id="stalin"',
        '<person xml:id="kim-1950-03-01-telegram"',
    )
    result = new(
        runner, edition.root, "--date", "1950-03-01", "--type", "telegram", "--title", "Telegram"
    )
    assert result.exit_code == 1
    assert "kim-1950-03-01-telegram is already used" in result.stderr
    assert "persons.xml" in result.stderr
    assert not (edition.tei / "documents" / "kim-1950-03-01-telegram.xml").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--type", "telegramm"), "--type telegramm: not a document type of the edition"),
        (("--type", "telegramm"), "closest: telegram"),
        (
            ("--type", "telegram", "--sender", "stallin"),
            "--sender stallin: no person or "
            "organisation has this id in the registers; closest: stalin",
        ),
        (("--type", "telegram", "--addressee", "pak"), "closest: pak-heon-yeong"),
        (("--type", "telegram", "--sender", "pyongyang"), "pyongyang is a place"),
        (("--type", "telegram", "--sender", "org:stalin"), "stalin is a person"),
        (("--type", "telegram", "--date", "1950-02-30"), "is not a real date"),
        (("--type", "telegram", "--date", "1950-13"), "is not a real date"),
        (("--type", "telegram", "--date", "19500101"), "write a date as YYYY"),
        (("--type", "telegram", "--date", "1950-03/1950-02"), "ends before it starts"),
        (("--type", "telegram", "--slug", "Bad Slug"), "--slug 'Bad Slug'"),
        (("--type", "telegram", "--today", "tomorrow"), "--today 'tomorrow'"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(
    runner: CliRunner, edition: SmallEdition, args: tuple[str, ...], message: str
) -> None:
    given = dict(zip(args[::2], args[1::2], strict=True))
    given.setdefault("--date", "1950-03-01")
    flat = [item for pair in given.items() for item in pair]
    result = runner.invoke(cli, ["-C", str(edition.root), "new", "--title", "T", *flat])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in (edition.tei / "documents").iterdir()) == [edition.document.name]


def test_missing_template_is_a_usage_error(runner: CliRunner, small: SmallEdition) -> None:
    result = new(runner, small.root, "--date", "1950", "--type", "report", "--title", "R")
    assert result.exit_code == 2
    assert "templates/document.xml: no such file" in result.stderr


def test_unknown_placeholder_in_the_template(runner: CliRunner, edition: SmallEdition) -> None:
    edition.edit(
        edition.tei / "templates" / "document.xml", "<head>{title}</head>", "<head>{titel}</head>"
    )
    result = new(runner, edition.root, "--date", "1950", "--type", "report", "--title", "R")
    assert result.exit_code == 2
    assert "unknown placeholder {titel}" in result.stderr


def test_the_real_template_gives_a_valid_document_in_the_real_edition(
    runner: CliRunner, edition_copy: Path
) -> None:
    path = written(
        new(
            runner,
            edition_copy,
            "--date",
            "1956-10-02",
            "--type",
            "ciphered-telegram",
            "--title",
            "Ciphered telegram from Mikoyan to the CPSU CC",
            "--sender",
            "mikoyan",
            "--addressee",
            "cpsu-cc",
            "--addressee",
            "khrushchev",
        )
    )
    assert path.name == "kim-1956-10-02-ciphered-telegram-mikoyan-cpsu-cc.xml"
    assert_no_errors(runner, edition_copy)
    # Indented like the other documents.
    text = path.read_text(encoding="utf-8")
    assert '\n          <orgName ref="org:cpsu-cc">' in text
    assert '\n          <persName ref="person:khrushchev">Nikita Khrushchev</persName>\n' in text


def complete(runner: CliRunner, root: Path, words: str) -> list[str]:
    line = f"kimedition -C {root} new {words}"
    result = runner.invoke(
        cli,
        [],
        prog_name="kimedition",
        env={
            "_KIMEDITION_COMPLETE": "bash_complete",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(line.split()) - (0 if line.endswith(" ") else 1)),
        },
    )
    return [item.split(",", 1)[1] for item in result.stdout.split()]


def test_completion_of_types_and_ids(runner: CliRunner, edition: SmallEdition) -> None:
    assert complete(runner, edition.root, "--type tel") == ["telegram"]
    assert complete(runner, edition.root, "--type ") == ["telegram", "report"]
    assert complete(runner, edition.root, "--sender st") == ["stalin"]
    assert complete(runner, edition.root, "--addressee ") == [
        "cpsu-cc",
        "kwp",
        "pak-heon-yeong",
        "stalin",
    ]
    assert complete(runner, edition.root, "--addressee org:") == ["org:cpsu-cc", "org:kwp"]
    assert complete(runner, edition.root, "--sender x") == []


def test_completion_outside_an_edition_is_empty(runner: CliRunner, tmp_path: Path) -> None:
    assert complete(runner, tmp_path, "--sender s") == []


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Telegram from Shtykov to Vyshinsky", "telegram-shtykov-vyshinsky"),
        ("Kim Il Sung's talk with Práth", "kim-il-sung-talk-prath"),
        (
            "Notes of a conversation between Stalin and the delegation of the DPRK",
            "notes-conversation-between-stalin-delegation-dprk",
        ),
        ("The", "the"),
        ("Сталин", ""),
    ],
)
def test_derived_slugs(title: str, slug: str) -> None:
    assert derive_slug(title) == slug


def test_dates() -> None:
    assert parse_date("1956").attributes() == {"when": "1956"}
    assert parse_date("1956-02").written() == "February, 1956"
    assert parse_date("1956-02-29").written() == "February 29, 1956"
    assert parse_date("1956-09/1956-09").attributes() == {"from": "1956-09", "to": "1956-09"}
