"""Shared fixtures: a CLI runner, a copy of the real edition, and a small edition."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
"""The repository, whose edition is the default one."""

TEI_NS = "http://www.tei-c.org/ns/1.0"

PIS = (
    '<?xml-model href="{schema}kimedition.rng" type="application/xml" '
    'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
    '<?xml-model href="{schema}kimedition.sch" type="application/xml" '
    'schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
)

LICENCE = (
    '<availability status="free"><licence target="https://creativecommons.org/licenses/by/4.0/">'
    "CC BY 4.0</licence></availability>"
)


def header(title: str, extra: str = "", source: str = "<p>Test register.</p>") -> str:
    return (
        f"<teiHeader><fileDesc><titleStmt><title>{title}</title>"
        "<editor>The editors</editor></titleStmt>"
        f"<publicationStmt><publisher>kimedition</publisher>{LICENCE}</publicationStmt>"
        f"<sourceDesc>{source}</sourceDesc></fileDesc>{extra}</teiHeader>"
    )


def register_file(xml_id: str, title: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + PIS.format(schema="schema/")
        + f'<TEI xmlns="{TEI_NS}" xml:id="{xml_id}">\n'
        + header(title)
        + f"\n<text><body>\n{body}\n</body></text>\n</TEI>\n"
    )


EDITION_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    + PIS.format(schema="schema/")
    + f'<TEI xmlns="{TEI_NS}" xml:id="edition">\n'
    + header(
        "Test edition",
        extra=(
            "<encodingDesc><projectDesc><p>A test edition.</p></projectDesc>"
            "<editorialDecl><p>Names are tagged.</p></editorialDecl>"
            '<classDecl><taxonomy xml:id="document-types">'
            '<category xml:id="type-telegram"><catDesc>Telegram</catDesc></category>'
            '<category xml:id="type-report"><catDesc>Report</catDesc></category>'
            "</taxonomy></classDecl></encodingDesc>"
        ),
        source="<bibl><title>Test collection</title></bibl>",
    )
    + '\n<text><body><div type="introduction"><head>About</head><p>A test.</p></div></body></text>\n'
    "</TEI>\n"
)

PERSONS_XML = register_file(
    "persons",
    "Persons",
    """<listPerson>
<person xml:id="stalin" sortKey="stalin-joseph">
  <persName type="standard"><forename>Joseph</forename> <surname>Stalin</surname></persName>
  <persName type="variant">Stalin</persName>
  <persName type="codename">Filippov</persName>
</person>
<person xml:id="pak-heon-yeong" sortKey="pak-heon-yeong">
  <persName type="standard"><surname>Pak</surname> <forename>Heon-yeong</forename></persName>
  <persName type="variant">Pak Hon-yong</persName>
</person>
</listPerson>""",
)

PLACES_XML = register_file(
    "places",
    "Places",
    """<listPlace>
<place xml:id="pyongyang" type="settlement">
  <placeName type="standard">Pyongyang</placeName>
  <location><geo>39.0194 125.7381</geo></location>
</place>
</listPlace>""",
)

ORGS_XML = register_file(
    "orgs",
    "Organisations",
    """<listOrg>
<org xml:id="kwp" type="party">
  <orgName type="standard">Workers' Party of Korea</orgName>
  <orgName type="abbreviation">KWP</orgName>
</org>
</listOrg>""",
)

DOCUMENT_ID = "kim-1950-01-19-test"

DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    + PIS.format(schema="../schema/")
    + f"""<TEI xmlns="{TEI_NS}" xml:id="{DOCUMENT_ID}">
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title>Telegram Stalin to Pak</title>
        <editor>The editors</editor>
      </titleStmt>
      <publicationStmt>
        <publisher>kimedition</publisher>
        <idno type="kimedition">{DOCUMENT_ID}</idno>
        {LICENCE}
      </publicationStmt>
      <sourceDesc>
        <bibl type="telegram">
          <title>Telegram Stalin to Pak</title>
          <date when="1950-01-19">January 19, 1950</date>
        </bibl>
      </sourceDesc>
    </fileDesc>
    <encodingDesc>
      <listPrefixDef>
        <prefixDef ident="person" matchPattern="([A-Za-z0-9._-]+)" replacementPattern="../persons.xml#$1"/>
        <prefixDef ident="place" matchPattern="([A-Za-z0-9._-]+)" replacementPattern="../places.xml#$1"/>
        <prefixDef ident="org" matchPattern="([A-Za-z0-9._-]+)" replacementPattern="../orgs.xml#$1"/>
      </listPrefixDef>
    </encodingDesc>
    <profileDesc>
      <creation>
        <date when="1950-01-19">January 19, 1950</date>
      </creation>
      <textClass>
        <catRef scheme="../edition.xml#document-types" target="../edition.xml#type-telegram"/>
      </textClass>
      <correspDesc>
        <correspAction type="sent">
          <persName ref="person:stalin">Stalin</persName>
          <date when="1950-01-19"/>
        </correspAction>
        <correspAction type="received">
          <persName ref="person:pak-heon-yeong">Pak</persName>
        </correspAction>
      </correspDesc>
    </profileDesc>
    <revisionDesc status="published">
      <change when="2026-11-29">Created.</change>
    </revisionDesc>
  </teiHeader>
  <text>
    <front>
      <docDate when="1950-01-19">January 19, 1950</docDate>
    </front>
    <body>
      <head>Telegram <persName ref="person:stalin">Stalin</persName> to <persName ref="person:pak-heon-yeong">Pak Heon-yeong</persName></head>
      <p><persName ref="person:stalin" type="codename">Filippov</persName> writes from <placeName ref="place:pyongyang">Pyongyang</placeName> to the <orgName ref="org:kwp">KWP</orgName> on <date when="1950-01-20">20 January 1950</date>.</p>
    </body>
  </text>
</TEI>
"""
)


class SmallEdition:
    """A minimal valid edition in a temporary folder, to be broken one rule at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        tei = root / "tei"
        (tei / "documents").mkdir(parents=True)
        (tei / "edition.xml").write_text(EDITION_XML, encoding="utf-8")
        (tei / "persons.xml").write_text(PERSONS_XML, encoding="utf-8")
        (tei / "places.xml").write_text(PLACES_XML, encoding="utf-8")
        (tei / "orgs.xml").write_text(ORGS_XML, encoding="utf-8")
        self.document = tei / "documents" / f"{DOCUMENT_ID}.xml"
        self.document.write_text(DOCUMENT_XML, encoding="utf-8")

    @property
    def tei(self) -> Path:
        return self.root / "tei"

    def edit(self, path: Path, old: str, new: str, count: int = 1) -> int:
        """Replace ``old`` by ``new`` in a file; return the line of the first change."""
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path.name}"
        line = text[: text.index(old)].count("\n") + 1
        path.write_text(text.replace(old, new, count), encoding="utf-8")
        return line

    def edit_document(self, old: str, new: str, count: int = 1) -> int:
        return self.edit(self.document, old, new, count)

    def line_of(self, path: Path, text: str) -> int:
        content = path.read_text(encoding="utf-8")
        assert text in content, f"{text!r} not in {path.name}"
        return content[: content.index(text)].count("\n") + 1


def pytest_sessionstart(session: pytest.Session) -> None:
    """Commands started by the tests handle Ctrl-C as usual even when the suite was
    started with it ignored (as a background job of a shell without job control, which
    every command it starts would inherit): the tests that interrupt one need it."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Regenerate the golden files in tests/golden from a build of the edition.",
    )


def _source_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The toolkit's cache folder for the session (``kimedition validate`` keeps its
    results there), so that tests never read or fill the user's own; inherited by the
    commands tests run in subprocesses."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIMEDITION_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session", autouse=True)
def sources_are_never_modified() -> Iterator[None]:
    """The real edition's sources (tei/) are byte-identical before and after the whole
    test session: no command any test runs may modify them (tests break copies)."""
    before = _source_hashes(ROOT / "tei")
    yield
    after = _source_hashes(ROOT / "tei")
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"the test session modified the real sources: {changed}"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def small(tmp_path: Path) -> SmallEdition:
    """A minimal valid edition (uses the toolkit's schema and stylesheets)."""
    return SmallEdition(tmp_path / "edition")


@pytest.fixture
def edition_copy(tmp_path: Path) -> Path:
    """A copy of this repository's edition (sources, schema, stylesheets)."""
    target = tmp_path / "edition"
    shutil.copytree(ROOT / "tei", target / "tei")
    shutil.copytree(ROOT / "xslt", target / "xslt")
    return target


RunCli = Callable[..., object]


def age(path: Path, seconds: float = 3600) -> None:
    """Date ``path`` back, out of the window in which its size and time are not trusted
    (``kimedition.cache.RACY_NS``): a run then keeps them as a sign of its content."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - int(seconds * 1e9)))


def age_all(small: SmallEdition) -> None:
    for path in small.tei.rglob("*.xml"):
        age(path)


def record_calls(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, argument: int = 0
) -> list[Any]:
    """The positional argument number ``argument`` (0: the first; for a method, ``self``)
    of every call of ``owner.name`` from now on (which still runs)."""
    calls: list[Any] = []
    original = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[argument])
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


def count_name_indexes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The editions whose rules' name index is made in this process from now on (the
    list grows as they are)."""
    from kimedition import engine

    made: list[str] = []
    original = engine.name_index_json

    def counted(edition: Any, *shared: Any) -> str:
        made.append(edition.root.name)
        return original(edition, *shared)

    monkeypatch.setattr(engine, "name_index_json", counted)
    return made
