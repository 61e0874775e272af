"""The HTML edition in a real browser: headless Chromium driven by Playwright.

Debian's ``chromium`` (``tests/install-browser.sh``, run by ``make test``) is launched
through ``executable_path``; Playwright never downloads a browser. Every page is opened
from ``file://`` with all other requests refused, so the edition is shown to work from
disk and offline. What is tested:

- the reader's journey on a build of the real edition, with and without JavaScript:
  home page → a document → a person named in it → that person's entry in the person
  index, which lists the document → back to the document (screenshots of each page in
  ``tests/artifacts/``);
- tooltips: shown on keyboard focus, dismissed with Escape;
- axe-core on every page of the real edition (and at a phone's width): no serious or
  critical violation;
- hostile text (script tags, event handlers, ``javascript:`` URLs, template syntax) in
  the sources is published as text and never runs; hostile attributes stop the build;
- the README's screenshots can be regenerated (``tests/screenshots.py``).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from lxml import html
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    FloatRect,
    Page,
    ViewportSize,
    sync_playwright,
)

import screenshots
from browser import NetworkGuard, build_edition, chromium_path, launch
from conftest import DOCUMENT_ID, ROOT, SmallEdition

ARTIFACTS = ROOT / "tests" / "artifacts"
DOCUMENTS = sorted(p.stem for p in (ROOT / "tei" / "documents").glob("*.xml"))
INDEXES = ["persons.html", "places.html", "organisations.html"]
ALL_PAGES = ["index.html", *INDEXES, *(f"documents/{d}.html" for d in DOCUMENTS)]

AXE_SCRIPT = AXE_FILE_PATH.read_text(encoding="utf-8")
BLOCKING = ("serious", "critical")
WIDE: ViewportSize = {"width": 1280, "height": 900}
NARROW: ViewportSize = {"width": 360, "height": 740}
NARROW_PAGES = ["index.html", f"documents/{DOCUMENTS[0]}.html", "persons.html"]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for the module; the test fails (never skips) without it."""
    if chromium_path() is None:
        pytest.fail(
            "Chromium is not installed: run `sh tests/install-browser.sh` "
            "(Debian's chromium package; `make test` runs it)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's edition built with ``kimedition build``; its html/ folder."""
    out = tmp_path_factory.mktemp("browser-real") / "output"
    built = build_edition(ROOT, out)
    assert built.returncode == 0, built.stderr
    return out / "html"


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """Where screenshots and reports are kept (git-ignored; CI uploads the folder)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@dataclass
class Session:
    """A page in its own browser context, with what it reported."""

    page: Page
    guard: NetworkGuard
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def local_files(self) -> list[Path]:
        return [
            Path(unquote(urlsplit(u).path)) for u in self.guard.requested if u.startswith("file:")
        ]


@contextmanager
def session(browser: Browser, **options: object) -> Iterator[Session]:
    context = browser.new_context(**options)  # type: ignore[arg-type]
    guard = NetworkGuard(context)
    context.set_default_timeout(10_000)
    page = context.new_page()
    opened = Session(page, guard)

    def on_console(message: ConsoleMessage) -> None:
        opened.console.append(f"{message.type}: {message.text}")

    def on_dialog(dialog: Dialog) -> None:
        opened.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("dialog", on_dialog)
    try:
        yield opened
    finally:
        context.close()
    assert guard.remote() == [], f"requests to the network: {guard.remote()}"
    missing = [p for p in opened.local_files() if not p.is_file()]
    assert missing == [], f"links to files that do not exist: {missing}"


def shoot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"))


# ---------------------------------------------------------------- the browser itself


def test_the_network_guard_refuses_remote_requests(chromium: Browser) -> None:
    context = chromium.new_context()
    guard = NetworkGuard(context)
    page = context.new_page()
    page.set_content('<img src="https://example.org/x.png" alt="">')
    page.wait_for_load_state("load")
    context.close()
    assert guard.blocked == ["https://example.org/x.png"]
    assert set(guard.remote()) == {"https://example.org/x.png"}


# ---------------------------------------------------------------- the reader's journey


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_from_home_to_a_document_to_a_person_and_back(
    chromium: Browser, real_site: Path, artifacts: Path, javascript: bool
) -> None:
    tag = "js" if javascript else "no-js"
    with session(chromium, java_script_enabled=javascript, viewport=WIDE) as opened:
        page = opened.page
        page.goto((real_site / "index.html").as_uri())
        assert page.title() == "Conversations with Kim Il Sung"
        shoot(page, artifacts, f"journey-{tag}-1-home")

        # The first document of the catalogue whose summary names a person.
        item = (
            page.locator("ol.catalogue > li")
            .filter(has=page.locator(".summary a.name-person"))
            .first
        )
        link = item.locator("h3 a")
        title = " ".join(link.inner_text().split())
        href = link.get_attribute("href") or ""
        assert href.startswith("documents/"), href
        doc_id = Path(href).stem
        link.click()
        page.wait_for_url(f"**/documents/{doc_id}.html")
        assert " ".join(page.title().split()) == f"{title} — Conversations with Kim Il Sung"
        assert page.locator(f'article.document[data-id="{doc_id}"]').count() == 1
        shoot(page, artifacts, f"journey-{tag}-2-document")

        # A person named in the document's text.
        name = page.locator(".document-text p a.name-person").first
        ref = name.get_attribute("data-ref") or ""
        assert ref.startswith("person:"), ref
        person = ref.removeprefix("person:")
        assert name.get_attribute("href") == f"../persons.html#{person}"
        name.click()
        page.wait_for_url(f"**/persons.html#{person}")
        target = page.locator(":target")
        assert target.get_attribute("id") == person
        assert target.evaluate("e => e.tagName") == "ARTICLE"
        # The entry is scrolled into view, under the sticky A-Z bar.
        box = target.bounding_box()
        assert box is not None and 0 <= box["y"] < WIDE["height"] / 2, box
        shoot(page, artifacts, f"journey-{tag}-3-person")

        # The entry lists the document, and leads back to it.
        back = target.locator(f'table.occurrences a[href="documents/{doc_id}.html"]')
        assert back.count() == 1
        back.click()
        page.wait_for_url(f"**/documents/{doc_id}.html")
        shoot(page, artifacts, f"journey-{tag}-4-document-again")

    script = [p for p in opened.local_files() if p.name == "kimedition.js"]
    assert bool(script) == javascript  # without JavaScript the script is not even loaded
    assert opened.errors == []
    assert [m for m in opened.console if m.startswith("error")] == []


@pytest.fixture(scope="module")
def rich_document(real_site: Path) -> str:
    """The first document page with a date and a name around names (for tooltips)."""
    for doc_id in DOCUMENTS:
        doc = html.parse(str(real_site / "documents" / f"{doc_id}.html")).getroot()
        if doc.cssselect(".name-nested > a.name-ref") and doc.cssselect('.date[tabindex="0"]'):
            return doc_id
    raise AssertionError("no document has both a date and a name around names")


def tip_box(page: Page, host_selector: str) -> FloatRect:
    box = page.locator(host_selector).first.locator(":scope > .tip").bounding_box()
    assert box is not None
    return box


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_tooltips_open_on_keyboard_focus(
    chromium: Browser, real_site: Path, rich_document: str, artifacts: Path, javascript: bool
) -> None:
    with session(chromium, java_script_enabled=javascript) as opened:
        page = opened.page
        page.goto((real_site / "documents" / f"{rich_document}.html").as_uri())
        hosts = [
            "main a.name",
            "main .name-nested > a.name-ref",
            'main .date[tabindex="0"]',
        ]
        for host in hosts:
            hidden = tip_box(page, host)
            assert hidden["width"] <= 1 and hidden["height"] <= 1, (host, hidden)
        # The Tab key reaches the first name of the text and opens its tooltip.
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('main a.name')"):
                break
        else:
            pytest.fail("the Tab key never reached a name in the text")
        focused = page.locator("main a.name").first
        assert focused.evaluate("e => e === document.activeElement")
        shown = tip_box(page, "main a.name")
        assert shown["width"] > 40 and shown["height"] > 10, shown
        name_box = focused.bounding_box()
        assert name_box is not None and shown["y"] >= name_box["y"] + name_box["height"] - 1
        tip_text = focused.locator(":scope > .tip").inner_text()
        assert tip_text.strip(), "the tooltip is empty"
        if javascript:
            shoot(page, artifacts, "tooltip-focus")
            # Escape dismisses it (WCAG 1.4.13) while the focus stays on the name.
            page.keyboard.press("Escape")
            dismissed = tip_box(page, "main a.name")
            assert dismissed["width"] <= 1 and dismissed["height"] <= 1, dismissed
            assert focused.evaluate("e => e === document.activeElement")
        # The marker of a name around names and a date open theirs on focus too.
        for host in hosts[1:]:
            page.locator(host).first.focus()
            box = tip_box(page, host)
            assert box["width"] > 40 and box["height"] > 10, (host, box)
            if javascript:
                page.keyboard.press("Escape")
                box = tip_box(page, host)
                assert box["width"] <= 1, (host, box)
    assert opened.errors == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_tooltips_stay_inside_a_phone_screen(
    chromium: Browser, real_site: Path, rich_document: str, artifacts: Path, javascript: bool
) -> None:
    """At 360 px, every tooltip of the page opens inside the window (WCAG 1.4.10, reflow)."""
    with session(chromium, java_script_enabled=javascript, viewport=NARROW) as opened:
        page = opened.page
        page.goto((real_site / "documents" / f"{rich_document}.html").as_uri())
        # Focus every name, marker and date that has a tooltip; measure the tooltip.
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('main a.name, main .name-ref, main .date')]
                .filter(host => host.querySelector(':scope > .tip'))
                .map(host => {
                    host.focus();
                    const box = host.querySelector(':scope > .tip').getBoundingClientRect();
                    return {name: host.firstChild.textContent, left: box.left,
                            right: box.right, width: box.width};
                })"""
        )
        assert len(boxes) >= 5
        assert [b for b in boxes if b["width"] < 40] == []  # every one opened
        outside = [b for b in boxes if b["left"] < 0 or b["right"] > NARROW["width"]]
        if javascript:
            shoot(page, artifacts, "tooltip-phone")
        assert outside == []
    assert opened.errors == []


# ---------------------------------------------------------------- axe-core


@pytest.fixture(scope="module")
def axe_session(chromium: Browser) -> Iterator[Session]:
    """One page with axe-core injected into everything it opens, shared by the audits."""
    with session(chromium, viewport=WIDE) as opened:
        opened.page.add_init_script(AXE_SCRIPT)
        yield opened


@pytest.fixture(scope="module")
def axe_report(artifacts: Path) -> Iterator[dict[str, list[dict[str, object]]]]:
    """Every violation found, of any impact, written to tests/artifacts/axe.json."""
    report: dict[str, list[dict[str, object]]] = {}
    yield report
    (artifacts / "axe.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def audit(opened: Session, path: Path, viewport: ViewportSize) -> list[dict[str, object]]:
    """axe-core's violations on one page, as {rule, impact, help, targets}."""
    page = opened.page
    page.set_viewport_size(viewport)
    page.goto(path.as_uri())
    violations = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                rule: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" ")),
            }));
        }"""
    )
    errors, opened.errors[:] = list(opened.errors), []
    assert errors == [], f"{path.name}: {errors}"
    return list(violations)


def blocking(violations: list[dict[str, object]], where: str) -> list[str]:
    return [
        f"{where}: [{v['rule']}] {v['impact']}: {v['help']} at {v['targets']}"
        for v in violations
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("page_path", ALL_PAGES)
def test_axe_finds_no_serious_violation(
    axe_session: Session,
    real_site: Path,
    axe_report: dict[str, list[dict[str, object]]],
    page_path: str,
) -> None:
    violations = audit(axe_session, real_site / page_path, WIDE)
    if violations:
        axe_report[page_path] = violations
    assert blocking(violations, page_path) == []


@pytest.mark.parametrize("page_path", NARROW_PAGES)
def test_axe_finds_no_serious_violation_on_a_phone(
    axe_session: Session,
    real_site: Path,
    axe_report: dict[str, list[dict[str, object]]],
    page_path: str,
) -> None:
    violations = audit(axe_session, real_site / page_path, NARROW)
    if violations:
        axe_report[f"{page_path} (360x740)"] = violations
    assert blocking(violations, f"{page_path} at 360x740") == []


def test_the_audit_finds_a_violation(axe_session: Session, tmp_path: Path) -> None:
    """axe-core is really running: a page without a language and with an unnamed image fails."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><title>x</title></head><body><img src="a.png"></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "a.png").write_bytes(b"")
    violations = audit(axe_session, bad, WIDE)
    assert {"html-has-lang", "image-alt"} <= {str(v["rule"]) for v in violations}
    assert blocking(violations, "bad.html")


# ---------------------------------------------------------------- hostile text

TITLE = "Telegram </script><script>window.__pwned=1</script> to Pak"
TEXT_PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "<svg onload=alert(1)>",
    "<a href=\"javascript:alert('link')\">click</a>",
    "javascript:window.__pwned=1",
    "{{constructor.constructor('window.__pwned=1')()}}",
    '--><!--<iframe srcdoc="<script>parent.__pwned=1</script>">',
    "]]><style>*{display:none}</style>",
]
NOTE_PAYLOADS = [
    "<body onload=alert(2)>",
    "Consulted: javascript:window.__pwned=1; "
    'https://example.org/a"onmouseover="window.__pwned=1; '
    "data:text/html,<script>window.__pwned=1</script>.",
]


def xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small edition whose text, titles and notes are full of markup and script, as text."""
    small = SmallEdition(tmp_path_factory.mktemp("hostile") / "edition")
    small.edit_document(
        "<title>Telegram Stalin to Pak</title>", f"<title>{xml_text(TITLE)}</title>", count=2
    )
    paragraphs = "".join(f"<p>{xml_text(p)}</p>\n" for p in TEXT_PAYLOADS)
    small.edit_document("</p>\n    </body>", f"</p>\n{paragraphs}    </body>")
    small.edit(
        small.tei / "persons.xml",
        '<persName type="codename">Filippov</persName>',
        '<persName type="codename">Filippov</persName>\n'
        f"  <note>{xml_text(NOTE_PAYLOADS[0])}</note>\n"
        f'  <note type="sources">{xml_text(NOTE_PAYLOADS[1])}</note>',
    )
    out = small.root / "output"
    built = build_edition(small.root, out)
    assert built.returncode == 0, built.stderr
    return out / "html"


def html_pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html")) + sorted((site / "documents").glob("*.html"))


def test_hostile_text_is_published_as_text(hostile_site: Path) -> None:
    document = html.parse(str(hostile_site / "documents" / f"{DOCUMENT_ID}.html")).getroot()
    words = document.cssselect(".document-text")[0].text_content()
    for payload in TEXT_PAYLOADS:
        assert payload in words, payload
    assert document.findtext(".//title").startswith(TITLE)
    persons = html.parse(str(hostile_site / "persons.html")).getroot()
    notes = " ".join(p.text_content() for p in persons.cssselect("p.note"))
    assert NOTE_PAYLOADS[0] in notes


def test_no_executable_script_in_the_built_html(hostile_site: Path) -> None:
    pages = html_pages(hostile_site)
    assert len(pages) == 5
    for path in pages:
        doc = html.parse(str(path)).getroot()
        for script in doc.iter("script"):
            if script.get("type") == "application/ld+json":
                assert script.get("src") is None, path.name
                assert "<" not in (script.text or ""), path.name
                json.loads(script.text or "")
            else:
                assert script.get("src", "").endswith("assets/kimedition.js"), path.name
                assert not (script.text or "").strip(), path.name
                assert set(script.attrib) == {"src", "defer"}, path.name
        for element in doc.iter():
            if not isinstance(element.tag, str):
                continue
            handlers = [a for a in element.attrib if a.lower().startswith("on")]
            assert handlers == [], (path.name, element.tag, handlers)
            for attribute in ("href", "src", "action", "formaction", "srcdoc", "data"):
                value = element.get(attribute)
                if value is None:
                    continue
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in ("", "http", "https") or value == "data:,", (path.name, value)
        dangerous = doc.xpath("//iframe | //object | //embed | //img | //svg | //base | //form")
        assert dangerous == [], path.name
        assert not doc.xpath("//meta[@http-equiv] | //style | //*[@style]"), path.name


@pytest.mark.parametrize("page_path", ["index.html", f"documents/{DOCUMENT_ID}.html", *INDEXES])
def test_hostile_text_never_runs_in_the_browser(
    chromium: Browser, hostile_site: Path, artifacts: Path, page_path: str
) -> None:
    with session(chromium) as opened:
        page = opened.page
        page.goto((hostile_site / page_path).as_uri())
        page.wait_for_load_state("load")
        # Let anything that was scheduled run, then point at every link of the page.
        page.wait_for_timeout(100)
        for link in page.locator("main a").all():
            link.hover()
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert (
            page.evaluate("document.querySelectorAll('iframe, img, svg, object, embed').length")
            == 0
        )
        assert len(page.frames) == 1
        scripts = page.evaluate("[...document.scripts].map(s => [s.getAttribute('src'), s.type])")
        for src, kind in scripts:
            assert (src or "").endswith("assets/kimedition.js") or (
                src is None and kind == "application/ld+json"
            ), (src, kind)
        handlers = page.evaluate(
            """[...document.querySelectorAll('*')].flatMap(e =>
                [...e.attributes].filter(a => a.name.toLowerCase().startsWith('on'))
                .map(a => e.tagName + ' ' + a.name))"""
        )
        assert handlers == []
        if page_path.startswith("documents/"):
            data = json.loads(
                page.locator('script[type="application/ld+json"]').text_content() or ""
            )
            assert data["name"] == TITLE
            assert page.locator('meta[name="citation_title"]').get_attribute("content") == TITLE
            assert page.title().startswith(TITLE)
            text = page.locator(".document-text").inner_text()
            for payload in TEXT_PAYLOADS:
                assert payload in text, payload
            shoot(page, artifacts, "hostile-document")
        assert page.evaluate("typeof window.__pwned") == "undefined"
    assert opened.dialogs == []
    assert opened.errors == []
    assert opened.console == []


ATTRIBUTE_PAYLOADS = {
    "onclick": (
        "document",
        '<placeName ref="place:pyongyang">',
        '<placeName ref="place:pyongyang" onclick="window.__pwned=1">',
        "[rng]",
    ),
    "ref-javascript": (
        "document",
        '<placeName ref="place:pyongyang">',
        '<placeName ref="javascript:window.__pwned=1">',
        "[url-scheme]",
    ),
    "target-javascript": (
        "document",
        'target="../edition.xml#type-telegram"',
        'target="javascript:window.__pwned=1"',
        "[url-scheme]",
    ),
    "licence-javascript": (
        "edition",
        'target="https://creativecommons.org/licenses/by/4.0/"',
        'target="javascript:window.__pwned=1"',
        "[url-scheme]",
    ),
}


@pytest.mark.parametrize("case", sorted(ATTRIBUTE_PAYLOADS))
def test_hostile_attributes_stop_the_build(tmp_path: Path, case: str) -> None:
    where, old, new, rule = ATTRIBUTE_PAYLOADS[case]
    small = SmallEdition(tmp_path / "edition")
    small.edit(small.document if where == "document" else small.tei / "edition.xml", old, new)
    out = tmp_path / "output"
    built = build_edition(small.root, out)
    assert built.returncode == 1, built.stderr
    assert rule in built.stderr, built.stderr
    assert "nothing was written" in built.stderr
    assert not out.exists()


# ---------------------------------------------------------------- README screenshots


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_readme_screenshots_can_be_regenerated(
    chromium: Browser, real_site: Path, tmp_path: Path
) -> None:
    written = screenshots.take(chromium, real_site, tmp_path)
    assert [p.name for p in written] == ["document.png", "persons.png"]
    for path in written:
        assert png_size(path) == (screenshots.WIDTH, screenshots.HEIGHT)
        committed = screenshots.IMAGES / path.name
        assert committed.is_file(), f"{committed} is missing: run python tests/screenshots.py"
        assert png_size(committed) == (screenshots.WIDTH, screenshots.HEIGHT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "![" in readme and "(docs/images/document.png)" in readme
    assert "(docs/images/persons.png)" in readme
