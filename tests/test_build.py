"""``kimedition build``: what it writes, determinism, atomicity, and the indexes' truth."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree, html

from conftest import DOCUMENT_ID, ROOT, SmallEdition
from kimedition.build import INDEX_PAGES
from kimedition.cli import cli
from kimedition.edition import Edition
from kimedition.errors import LockedError
from kimedition.links import check_links
from kimedition.output import OutputLock

TEI = "http://www.tei-c.org/ns/1.0"
NS = {"tei": TEI}


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the SHA-256 of its content."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build(runner: CliRunner, root: Path, *args: str) -> object:
    result = runner.invoke(cli, ["-C", str(root), "build", "--quiet", *args])
    return result


@pytest.fixture(scope="module")
def real_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of this repository's edition, shared by the read-only tests."""
    out = tmp_path_factory.mktemp("real") / "output"
    result = CliRunner().invoke(cli, ["-C", str(ROOT), "build", "--quiet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_build_writes_every_output(real_output: Path) -> None:
    documents = sorted(p.stem for p in (ROOT / "tei" / "documents").glob("*.xml"))
    assert len(documents) == 20
    for doc in documents:
        assert (real_output / "html" / "documents" / f"{doc}.html").is_file()
        assert (real_output / "text" / f"{doc}.txt").is_file()
        assert (real_output / "html" / "text" / f"{doc}.txt").is_file()
        source = ROOT / "tei" / "documents" / f"{doc}.xml"
        assert (real_output / "html" / "tei" / f"{doc}.xml").read_bytes() == source.read_bytes()
    assert (real_output / "html" / "index.html").is_file()
    assert (real_output / "html" / "assets" / "kimedition.css").is_file()
    for name in INDEX_PAGES.values():
        assert (real_output / "html" / f"{name}.html").is_file()
        assert (real_output / "text" / f"{name}.txt").is_file()
        json.loads((real_output / "data" / f"{name}.json").read_text(encoding="utf-8"))
        assert (real_output / "data" / f"{name}.csv").read_text(encoding="utf-8").startswith("id,")


def test_text_outputs_are_utf8_with_lf_line_ends(real_output: Path) -> None:
    for path in (real_output / "text").glob("*.txt"):
        data = path.read_bytes()
        data.decode("utf-8")
        assert b"\r" not in data, path.name
        assert data.endswith(b"\n") and not data.endswith(b"\n\n"), path.name


# The index agrees with the sources -------------------------------------------

KIND_OF = {"persName": "person", "placeName": "place", "orgName": "org"}


def mentions_from_sources(kind: str) -> dict[str, Counter[str]]:
    """With lxml alone: entry id → document id → number of mentions in the text."""
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for path in sorted((ROOT / "tei" / "documents").glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        doc = root.get("{http://www.w3.org/XML/1998/namespace}id")
        for element in root.find("tei:text", NS).iter():
            ref = element.get("ref") if isinstance(element.tag, str) else None
            if ref and ref.startswith(f"{kind}:"):
                found[ref.split(":", 1)[1]][doc] += 1
    return found


def roles_from_sources(kind: str) -> dict[tuple[str, str], set[str]]:
    """(entry id, document id) → roles from correspDesc."""
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted((ROOT / "tei" / "documents").glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        doc = root.get("{http://www.w3.org/XML/1998/namespace}id")
        for action in root.iterfind(".//tei:correspDesc/tei:correspAction", NS):
            role = {"sent": "sender", "received": "addressee"}[action.get("type")]
            for name in action:
                ref = name.get("ref") or ""
                if ref.startswith(f"{kind}:"):
                    roles[(ref.split(":", 1)[1], doc)].add(role)
    return roles


@pytest.mark.parametrize("kind", sorted(INDEX_PAGES))
def test_index_data_agrees_with_the_sources(real_output: Path, kind: str) -> None:
    expected = mentions_from_sources(kind)
    roles = roles_from_sources(kind)
    data = json.loads((real_output / "data" / f"{INDEX_PAGES[kind]}.json").read_text("utf-8"))
    for entry in data["entries"]:
        documents = {d["id"]: d for d in entry["documents"]}
        wanted = set(expected.get(entry["id"], {})) | {d for (e, d) in roles if e == entry["id"]}
        assert set(documents) == wanted, entry["id"]
        for doc_id, document in documents.items():
            assert document["mentions"] == expected[entry["id"]][doc_id], (entry["id"], doc_id)
            wanted_roles = set(roles.get((entry["id"], doc_id), set()))
            if expected[entry["id"]][doc_id]:
                wanted_roles.add("mentioned")
            assert set(document["roles"]) == wanted_roles, (entry["id"], doc_id)
    rows = list(
        csv.DictReader(
            io.StringIO((real_output / "data" / f"{INDEX_PAGES[kind]}.csv").read_text("utf-8"))
        )
    )
    pairs = {(r["id"], r["document_id"]) for r in rows if r["document_id"]}
    assert pairs == {(e, d) for e, docs in expected.items() for d in docs} | set(roles)


def test_person_index_page_lists_each_document_under_each_person(real_output: Path) -> None:
    expected = mentions_from_sources("person")
    page = html.parse(str(real_output / "html" / "persons.html")).getroot()
    for person, documents in expected.items():
        entry = page.get_element_by_id(person)
        assert entry is not None, person
        # The entry's own block: the element with the anchor, or its nearest section.
        block = next(
            (a for a in entry.iterancestors() if a.tag in ("section", "article", "li", "div")),
            entry,
        )
        hrefs = {a.get("href", "") for a in block.iter("a")} | {
            a.get("href", "") for a in entry.iter("a")
        }
        for doc in documents:
            assert any(h.endswith(f"documents/{doc}.html") for h in hrefs), (person, doc)


# Determinism and atomicity ---------------------------------------------------


def test_two_builds_are_byte_identical(
    runner: CliRunner, small: SmallEdition, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert build(runner, small.root, "--out", str(first)).exit_code == 0
    assert build(runner, small.root, "--out", str(second)).exit_code == 0
    assert tree_hashes(first) == tree_hashes(second)
    assert build(runner, small.root, "--out", str(first)).exit_code == 0
    assert tree_hashes(first) == tree_hashes(second)


def test_invalid_edition_writes_nothing(runner: CliRunner, small: SmallEdition) -> None:
    out = small.root / "output"
    assert build(runner, small.root).exit_code == 0
    before = tree_hashes(out)
    small.edit_document('<orgName ref="org:kwp">', '<orgName ref="org:nope">')
    result = build(runner, small.root)
    assert result.exit_code == 1
    assert "[ref-resolves]" in result.stderr
    assert "nothing was written" in result.stderr
    assert tree_hashes(out) == before
    assert [p.name for p in small.root.iterdir() if p.name.startswith(".output.build")] == []


def test_failed_transformation_leaves_previous_output(
    runner: CliRunner, small: SmallEdition
) -> None:
    out = small.root / "output"
    assert build(runner, small.root).exit_code == 0
    before = tree_hashes(out)
    shutil.copytree(ROOT / "xslt", small.root / "xslt")
    stylesheet = small.root / "xslt" / "text-index.xsl"
    text = stylesheet.read_text(encoding="utf-8")
    # A run-time error in the last stylesheet to run: everything else has been written.
    stylesheet.write_text(
        text.replace(
            "</xsl:stylesheet>",
            '<xsl:template match="/" priority="100" mode="#all">'
            "<xsl:sequence select=\"error((), 'broken on purpose')\"/></xsl:template>"
            "</xsl:stylesheet>",
        ),
        encoding="utf-8",
    )
    completed = subprocess.run(
        [sys.executable, "-m", "kimedition", "-C", str(small.root), "build", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 1, completed.stderr
    # One clean message: Saxon's own report on standard error is kept out.
    assert completed.stderr.count("broken on purpose") == 1, completed.stderr
    assert completed.stderr.startswith("Error: the build failed:")
    assert "Traceback" not in completed.stderr
    assert tree_hashes(out) == before
    assert sorted(p.name for p in small.root.iterdir() if p.name.startswith(".output.")) == [
        ".output.cache",
        ".output.lock",
    ]


def test_stale_files_disappear_and_readme_stays(runner: CliRunner, small: SmallEdition) -> None:
    out = small.root / "output"
    out.mkdir()
    (out / "README.md").write_text("kept\n", encoding="utf-8")
    assert build(runner, small.root).exit_code == 0
    for full in (False, True):
        (out / "html" / "old-page.html").write_text("stale", encoding="utf-8")
        if full:  # no state: everything is made afresh and swapped in
            shutil.rmtree(small.root / ".output.cache")
        assert build(runner, small.root).exit_code == 0
        assert not (out / "html" / "old-page.html").exists()
        assert (out / "README.md").read_text(encoding="utf-8") == "kept\n"
        assert (out / "html" / "index.html").is_file()


def test_a_second_build_on_the_same_folder_is_refused(
    runner: CliRunner, small: SmallEdition
) -> None:
    out = small.root / "output"
    with OutputLock(out):
        result = build(runner, small.root)
        assert result.exit_code == 1
        assert "another build is writing" in result.stderr
    assert build(runner, small.root).exit_code == 0


def test_lock_is_exclusive(small: SmallEdition) -> None:
    out = small.root / "output"
    with OutputLock(out), pytest.raises(LockedError), OutputLock(out):
        pass


def test_sources_are_not_modified(runner: CliRunner, small: SmallEdition) -> None:
    before = tree_hashes(small.tei)
    assert build(runner, small.root).exit_code == 0
    assert tree_hashes(small.tei) == before


def test_build_into_a_missing_parent_is_a_usage_error(
    runner: CliRunner, small: SmallEdition, tmp_path: Path
) -> None:
    result = build(runner, small.root, "--out", str(tmp_path / "no" / "such" / "out"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_library_build_returns_what_it_wrote(small: SmallEdition, tmp_path: Path) -> None:
    from kimedition.build import build as build_edition

    result = build_edition(Edition.open(small.root), tmp_path / "out")
    assert result.documents == 1
    assert "html/index.html" in result.files
    assert result.report.errors == []


def test_plain_text_indexes_made_letter_by_letter_are_those_made_whole(
    edition_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large edition makes its plain-text indexes one letter at a time, each part
    with its own entries and cross-references (codenames, variants); joined, the parts
    are the index a small edition makes in one piece."""
    from kimedition import build as build_module
    from kimedition.build import build as build_edition

    whole, parts = tmp_path / "whole", tmp_path / "parts"
    build_edition(Edition.open(edition_copy), whole, jobs=1)
    monkeypatch.setattr(build_module, "SPLIT_AT", 5)
    build_edition(Edition.open(edition_copy), parts, jobs=1)
    assert (parts / "html" / "persons-s.html").is_file()
    for name in INDEX_PAGES.values():
        text = (whole / "text" / f"{name}.txt").read_text(encoding="utf-8")
        assert (parts / "text" / f"{name}.txt").read_text(encoding="utf-8") == text, name
    assert "Filippov, see Stalin, Joseph" in (whole / "text" / "persons.txt").read_text("utf-8")


def test_a_large_edition_is_published_in_parts(
    small: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kimedition import build as build_module
    from kimedition.build import build as build_edition
    from test_engine import add_documents

    add_documents(small, 40)
    monkeypatch.setattr(build_module, "SPLIT_AT", 10)
    out = tmp_path / "out"
    result = build_edition(Edition.open(small.root), out, jobs=1)
    site = out / "html"
    # The indexes: a front page with the letters, and one page per letter.
    front = html.parse(str(site / "persons.html")).getroot()
    letters = {a.get("href") for a in front.cssselect("table.letter-table a")}
    assert letters == {"persons-p.html", "persons-s.html", "persons-f.html"}
    assert not front.cssselect("article.entry")
    s_page = html.parse(str(site / "persons-s.html")).getroot()
    assert s_page.get_element_by_id("stalin") is not None
    assert "html/persons-p.html" in result.files
    # The documents: one page per year, listed on the home page.
    home = html.parse(str(site / "index.html")).getroot()
    years = sorted(a.get("href") for a in home.cssselect("nav.years a"))
    assert years == ["years/1950.html"]
    year = html.parse(str(site / "years" / "1950.html")).getroot()
    assert len(year.cssselect("li.catalogue-item")) == 41
    assert year.cssselect('a[href="../documents/kim-1950-01-19-test.html"]')
    # Document pages link to the letter page of each name.
    page = html.parse(str(site / "documents" / "kim-1950-01-19-test.html")).getroot()
    hrefs = {a.get("href") for a in page.cssselect("a.name")}
    assert "../persons-s.html#stalin" in hrefs
    assert not any(h.startswith("../persons.html#") for h in hrefs)
    assert check_links(out).broken == []


def test_the_text_index_made_letter_by_letter_is_the_one_made_whole(
    small: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With names in Latin letters only, the parts join into the same file."""
    from kimedition import build as build_module
    from kimedition import pages as pages_module
    from kimedition.build import build as build_edition
    from test_engine import add_documents

    add_documents(small, 12)
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    build_edition(Edition.open(small.root), whole, jobs=1)
    made: list[int] = []
    original = pages_module.Parts.join

    def join(texts: list[str]) -> str:
        made.append(len(texts))
        return original(texts)

    monkeypatch.setattr(pages_module.Parts, "join", staticmethod(join))
    monkeypatch.setattr(build_module, "SPLIT_AT", 10)
    build_edition(Edition.open(small.root), parts, jobs=1)
    assert sum(made) > len(made), made  # some index has more than one letter
    for name in ("persons", "places", "organisations"):
        expected = (whole / "text" / f"{name}.txt").read_text(encoding="utf-8")
        assert (parts / "text" / f"{name}.txt").read_text(encoding="utf-8") == expected


def test_an_entry_with_many_documents_gets_a_page_of_its_own(
    small: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kimedition import build as build_module
    from kimedition.build import build as build_edition
    from test_engine import add_documents

    add_documents(small, 12)
    monkeypatch.setattr(build_module, "SPLIT_AT", 10)
    monkeypatch.setattr(build_module, "ROWS", 5)
    out = tmp_path / "out"
    build_edition(Edition.open(small.root), out, jobs=1)
    site = out / "html"
    letter = html.parse(str(site / "persons-s.html")).getroot()
    stalin = letter.get_element_by_id("stalin")
    assert len(stalin.cssselect("table.occurrences tbody tr")) == 5
    more = stalin.cssselect("p.more a")
    assert [a.get("href") for a in more] == ["persons/stalin.html"]
    own = html.parse(str(site / "persons" / "stalin.html")).getroot()
    assert len(own.cssselect("table.occurrences tbody tr")) == 13
    assert own.cssselect('a[href="../persons-s.html#stalin"]')
    assert own.cssselect('a[href="../documents/kim-1950-01-19-test.html"]')
    json.loads((out / "data" / "persons.json").read_text(encoding="utf-8"))
    assert check_links(out).broken == []


def test_progress_is_shown_on_a_terminal_and_quiet_silences_it(small: SmallEdition) -> None:
    import os
    import pty

    def run(*options: str) -> str:
        main, secondary = pty.openpty()
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "kimedition", "-C", str(small.root), "build", *options],
                stdout=subprocess.DEVNULL,
                stderr=secondary,
                timeout=300,
            )
            assert completed.returncode == 0
            os.close(secondary)
            chunks = []
            while True:
                try:
                    chunk = os.read(main, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks).decode("utf-8", "replace")
        finally:
            os.close(main)

    shown = run("--out", str(small.root / "first"))
    assert "checking" in shown and "publishing" in shown
    assert "built 1 document into" in shown
    assert run("--quiet", "--out", str(small.root / "second")) == ""


def test_a_base_url_without_its_final_slash_still_names_the_folder(
    runner: CliRunner, small: SmallEdition
) -> None:
    """The pages' public addresses are the base URL with their paths appended."""
    assert build(runner, small.root, "--base-url", "https://example.org/kim").exit_code == 0
    document = small.root / "output" / "html" / "documents" / f"{DOCUMENT_ID}.html"
    canonical = f'<link rel="canonical" href="https://example.org/kim/documents/{DOCUMENT_ID}.html"'
    assert canonical in document.read_text(encoding="utf-8")


def test_the_sitemap_lists_every_page_by_its_public_address(
    runner: CliRunner, small: SmallEdition
) -> None:
    out = small.root / "output" / "html"
    assert build(runner, small.root).exit_code == 0
    assert not (out / "sitemap.xml").exists()  # no address, no sitemap
    assert build(runner, small.root, "--base-url", "https://example.org/kim/").exit_code == 0
    root = etree.parse(str(out / "sitemap.xml")).getroot()
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    listed = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert listed == sorted(f"https://example.org/kim/{page}" for page in pages)
    canonical = html.parse(str(out / "documents" / f"{DOCUMENT_ID}.html")).xpath(
        '//link[@rel = "canonical"]/@href'
    )
    assert canonical[0] in listed


def test_a_sitemap_of_many_pages_is_split_under_an_index() -> None:
    from kimedition.sitemap import sitemap_files

    pages = [f"documents/d{i}.html" for i in range(7)] + ["assets/kimedition.css"]
    files = sitemap_files("https://example.org/kim/", pages, limit=3)
    assert list(files) == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = etree.fromstring(files["sitemap.xml"].encode())
    assert index.xpath("s:sitemap/s:loc/text()", namespaces=ns) == [
        f"https://example.org/kim/sitemap-{n}.xml" for n in (1, 2, 3)
    ]
    parts = [etree.fromstring(files[f"sitemap-{n}.xml"].encode()) for n in (1, 2, 3)]
    listed = [loc for part in parts for loc in part.xpath("s:url/s:loc/text()", namespaces=ns)]
    assert [len(part) for part in parts] == [3, 3, 1]
    assert listed == sorted(f"https://example.org/kim/documents/d{i}.html" for i in range(7))
    assert sitemap_files("", pages) == {}


def test_an_index_source_builds_the_entries_asked_for_then_the_whole_index() -> None:
    """A few entries are built from the cards that mention them; once more than the
    share of the register has been asked for, the index is built whole, once."""
    from kimedition.build import PARTIAL_SHARE, IndexSource
    from kimedition.indexes import Card
    from test_indexes import card, entry

    names = [f"p{n:02d}" for n in range(32)]
    cards = [
        card(
            f"d{n}", f"19{50 + n}", mentions={f"person:{names[n]}": 1, f"person:{names[n + 1]}": 2}
        )
        for n in range(31)
    ]
    asked: list[frozenset[str] | None] = []

    def cards_of(wanted: frozenset[str] | None) -> list[Card]:
        asked.append(wanted)
        return [c for c in cards if wanted is None or not wanted.isdisjoint(c.mentions)]

    source = IndexSource(lambda: [entry(name) for name in names], cards_of)
    whole = IndexSource(lambda: [entry(name) for name in names], cards_of).index()
    assert asked == [None]
    assert [e.id for e in source.entries()] == names
    some = source.index(["person:p05"])
    assert asked[-1] == {"person:p05"}
    assert some[5] == whole[5] and [o.card.id for o in some[5].occurrences] == ["d4", "d5"]
    assert all(not item.occurrences for n, item in enumerate(some) if n != 5)
    assert source.index(["person:p05"]) is some  # kept for the same entries
    # More than the share asked for in all: the whole index, which serves every request.
    share = int(len(names) * PARTIAL_SHARE)
    rest = source.index(f"person:{name}" for name in names[6 : 6 + share])
    assert rest == whole and asked[-1] is None
    assert source.index(["person:p05"]) is rest
    assert asked.count(None) == 2  # the first source's, and this one's once
