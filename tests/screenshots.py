"""The README's screenshots: a document page and the person index, from a build of the edition.

Regenerate the committed images in ``docs/images/`` with::

    python tests/screenshots.py            # builds the edition into a temporary folder
    python tests/screenshots.py --html output/html   # or shoots an existing build

It uses Debian's Chromium like the browser tests (``sh tests/install-browser.sh``); the
pictures depend on the fonts installed (the committed ones were drawn with DejaVu, what
Debian's Chromium brings). ``tests/test_browser.py`` runs the same code into a temporary
folder, so a change that breaks it is caught; the committed images are refreshed by hand.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from browser import NetworkGuard, build_edition, launch

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"

WIDTH = 1200
HEIGHT = 1400

DOCUMENT = "kim-1950-09-29-shtykov-gromyko-stalin"
"""The document shown: names of all three kinds, a codename and a name around names."""

SHOTS = {
    "document.png": f"documents/{DOCUMENT}.html",
    "persons.png": "persons.html",
}


def take(browser: Browser, html: Path, images: Path) -> list[Path]:
    """Write the screenshots of the build in ``html`` into ``images``; return their paths."""
    images.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1, color_scheme="light"
    )
    guard = NetworkGuard(context)
    written = []
    try:
        for name, page_path in SHOTS.items():
            page = context.new_page()
            page.goto((html / page_path).as_uri())
            if name == "document.png":
                # Show one tooltip, as a reader pointing at a name sees it.
                page.locator(".document-text p a.name-person").first.hover()
            target = images / name
            page.screenshot(
                path=str(target), clip={"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT}
            )
            written.append(target)
            page.close()
    finally:
        context.close()
    if guard.remote():
        raise RuntimeError(f"the pages asked for the network: {guard.remote()}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, help="an existing build's html/ folder")
    parser.add_argument("--images", type=Path, default=IMAGES, help="where to write the images")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        html: Path = args.html
        if html is None:
            out = Path(scratch) / "output"
            built = build_edition(ROOT, out)
            if built.returncode != 0:
                sys.stderr.write(built.stderr)
                return 1
            html = out / "html"
        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                for path in take(browser, html, args.images):
                    print(path)
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
