"""``kimedition check-links``: built pages have no broken links; planted ones are found."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DOCUMENT_ID, ROOT, SmallEdition
from kimedition.cli import cli
from kimedition.errors import UsageError
from kimedition.links import check_links, html_pages, srcset_urls


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small edition, built once; tests copy its output before changing it."""
    edition = SmallEdition(tmp_path_factory.mktemp("links") / "edition")
    result = CliRunner().invoke(cli, ["-C", str(edition.root), "build", "--quiet"])
    assert result.exit_code == 0, result.output
    return edition.root / "output"


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    """A copy of the small edition's output, to break."""
    copy = tmp_path / "output"
    shutil.copytree(built, copy)
    return copy


def check(runner: CliRunner, out: Path, *args: str) -> object:
    return runner.invoke(cli, ["check-links", "--out", str(out), *args])


def plant(page: Path, lines: list[str]) -> int:
    """Insert ``lines`` before ``</body>``, each on its own line; return the first one's line."""
    text = page.read_text(encoding="utf-8")
    position = text.rindex("</body>")
    first = text[:position].count("\n") + 2
    page.write_text(
        text[:position] + "\n" + "\n".join(lines) + "\n" + text[position:], encoding="utf-8"
    )
    return first


def test_a_build_of_the_small_edition_has_no_broken_links(runner: CliRunner, built: Path) -> None:
    result = check(runner, built)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    report = check_links(built)
    assert report.ok
    assert report.pages == len(html_pages(built / "html")) >= 5
    assert report.links > 50
    assert "no broken links" in result.stderr


def test_the_real_edition_has_no_broken_links(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "site"
    built = runner.invoke(cli, ["-C", str(ROOT), "build", "--quiet", "--out", str(out)])
    assert built.exit_code == 0, built.output
    result = check(runner, out)
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    assert check_links(out).pages >= 24


def test_planted_broken_links_are_reported_one_line_each(runner: CliRunner, out: Path) -> None:
    html = out / "html"
    (html / "notes").mkdir()
    (html / "notes" / "été 1950.txt").write_text("notes\n", encoding="utf-8")
    page = html / "documents" / f"{DOCUMENT_ID}.html"
    first = plant(
        page,
        [
            '<p><a href="../persons.html#nobody">an anchor that is not there</a></p>',
            '<p><a href="../missing.html">a page that is not there</a></p>',
            '<p>  <a href="../../../../../etc/hostname">out of the output</a></p>',
            '<p><a href="../../text/persons.txt">out of html/, into output/</a></p>',
            '<p><a href="../notes/%C3%A9t%C3%A9%201950.txt">percent-encoded, fine</a>'
            ' <a href="../persons.html#stalin">fine</a> <a href="#main">fine</a>'
            ' <a href="/places.html#pyongyang">root-relative, fine</a></p>',
        ],
    )
    result = check(runner, out)
    assert result.exit_code == 1
    shown = f"{out}/html/documents/{DOCUMENT_ID}.html"
    assert result.stdout.splitlines() == [
        f'{shown}:{first}:7: error: broken link "../persons.html#nobody": '
        'persons.html has no element with id "nobody" [link]',
        f'{shown}:{first + 1}:7: error: broken link "../missing.html": '
        "no such file: missing.html [link]",
        f'{shown}:{first + 2}:9: error: broken link "../../../../../etc/hostname": '
        "leaves the published folder html/ [link]",
        f'{shown}:{first + 3}:7: error: broken link "../../text/persons.txt": '
        "leaves the published folder html/ [link]",
    ]
    assert "4 broken" in result.stderr


def test_anchors_by_name_folders_and_srcset(runner: CliRunner, out: Path) -> None:
    html = out / "html"
    page = html / "index.html"
    first = plant(
        page,
        [
            '<p><a name="old-style">an old anchor</a> <a href="#old-style">fine</a></p>',
            '<p><a href="./">fine: the folder has index.html</a> <a href="#">fine</a>'
            ' <a href="#top">fine</a> <a href="index.html?x=1#main">fine</a></p>',
            '<p><a href="documents/">a folder without index.html</a></p>',
            '<img alt="" src="assets/kimedition.css" srcset="assets/kimedition.css 1x, missing.png 2x">',
            '<link rel="icon" href="data:,"><a href="mailto:editors@example.org">mail</a>',
        ],
    )
    result = check(runner, out)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].endswith(
        f':{first + 2}:7: error: broken link "documents/": '
        "documents/ is a folder without index.html [link]"
    )
    assert lines[1].endswith(
        f':{first + 3}:41: error: broken link "missing.png": no such file: missing.png [link]'
    )


def test_a_symbolic_link_leading_out_is_broken_and_not_followed(
    runner: CliRunner, out: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text('<html><body><a href="nowhere.html">x</a></body></html>', "utf-8")
    html = out / "html"
    os.symlink(secret, html / "secret.html")
    first = plant(html / "index.html", ['<a href="secret.html">out</a>'])
    result = check(runner, out)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f'{out}/html/index.html:{first}:4: error: broken link "secret.html": '
        "secret.html is a symbolic link leading out of html/ [link]"
    ]
    assert "secret.html" not in html_pages(html)


def test_external_links_are_listed_never_checked(runner: CliRunner, out: Path) -> None:
    first = plant(out / "html" / "index.html", ['<a href="https://example.invalid/x">x</a>'])
    result = check(runner, out, "--external")
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert (
        f'{out}/html/index.html:{first}:4: note: external link "https://example.invalid/x" [external]'
        in lines
    )
    assert all(line.endswith("[external]") for line in lines)
    assert "external link(s) listed" in result.stderr
    assert check(runner, out).stdout == ""


def test_an_unreadable_page_fails_the_check(runner: CliRunner, out: Path) -> None:
    (out / "html" / "empty.html").write_bytes(b"")
    result = check(runner, out)
    assert result.exit_code == 1
    assert (
        result.stdout
        == f"{out}/html/empty.html:0:0: error: cannot be parsed as HTML: the page is empty [link]\n"
    )


def test_the_report_is_sorted_and_deterministic(out: Path) -> None:
    html = out / "html"
    plant(html / "persons.html", ['<a href="b.html">b</a><a href="a.html">a</a>'])
    plant(html / "index.html", ['<a href="z.html">z</a>'])
    first = check_links(out)
    assert [b.link.page for b in first.broken] == ["index.html", "persons.html", "persons.html"]
    assert [b.link.href for b in first.broken][1:] == ["b.html", "a.html"]
    assert check_links(out) == first


def test_no_build_is_a_usage_error(runner: CliRunner, small: SmallEdition, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["-C", str(small.root), "check-links"])
    assert result.exit_code == 2
    assert "run kimedition build first" in result.stderr
    (tmp_path / "empty" / "html").mkdir(parents=True)
    result = check(runner, tmp_path / "empty")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    with pytest.raises(UsageError):
        check_links(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("srcset", "urls"),
    [
        ("a.png", ["a.png"]),
        ("a.png 1x, b.png 2x", ["a.png", "b.png"]),
        ("a.png, b.png", ["a.png", "b.png"]),
        ("a.png,b.png", ["a.png,b.png"]),  # a comma inside a URL: one URL, as browsers read it
        ("a.png 1x,b.png 2x", ["a.png", "b.png"]),
        ("  a.png 480w ,  b.png  800w  ", ["a.png", "b.png"]),
        ("data:image/png;base64,AAAA 1x, b.png 2x", ["data:image/png;base64,AAAA", "b.png"]),
        ("a.png (max-width: 1px, 2px) 1x, b.png", ["a.png", "b.png"]),
        ("", []),
    ],
)
def test_srcset_candidates(srcset: str, urls: list[str]) -> None:
    assert srcset_urls(srcset) == urls


def test_odd_files_and_urls_do_not_hang_or_break_lines(runner: CliRunner, out: Path) -> None:
    html = out / "html"
    os.mkfifo(html / "pipe.html")  # reading it would block forever
    (html / "binary.html").write_bytes(b"\x00\x01\xff\xfe<a href='x'>")
    first = plant(html / "index.html", ['<a href="a%0Ab.html">x</a> <a href="%ZZ">y</a>'])
    result = check(runner, out)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f'{out}/html/binary.html:1:8: error: broken link "x": no such file: x [link]',
        f'{out}/html/index.html:{first}:4: error: broken link "a%0Ab.html": '
        "no such file: a\\x0ab.html [link]",
        f'{out}/html/index.html:{first}:31: error: broken link "%ZZ": no such file: %ZZ [link]',
    ]
    assert "pipe.html" not in html_pages(html)
