"""The sitemap of an edition published at a known address (``kimedition build --base-url``).

Search engines read ``html/sitemap.xml`` to find every page of the edition, including
the documents no page of an index links to yet. It lists each HTML page once, by its
public address (the base URL and the page's path, as the pages' canonical links give
it), sorted, with no dates, so that the same pages give the same file. A sitemap may
hold 50,000 addresses: beyond that the pages are listed in ``sitemap-1.xml``,
``sitemap-2.xml``… and ``sitemap.xml`` is the index of those files.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

SITEMAP = "sitemap.xml"
"""The sitemap's path under ``html/``: the file to give search engines."""

LIMIT = 50_000
"""The most addresses one sitemap file may list (the sitemap protocol's limit)."""

_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def sitemap_files(base_url: str, pages: Iterable[str], limit: int = LIMIT) -> dict[str, str]:
    """The sitemap files, by path under ``html/``, for the HTML ``pages`` (paths under
    ``html/``) of an edition published at ``base_url`` (ending in ``/``); none without
    a base URL or a page."""
    addresses = sorted({base_url + page for page in pages if page.endswith(".html")})
    if not base_url or not addresses:
        return {}
    if len(addresses) <= limit:
        return {SITEMAP: _urlset(addresses)}
    files = {
        f"sitemap-{number}.xml": _urlset(addresses[start : start + limit])
        for number, start in enumerate(range(0, len(addresses), limit), start=1)
    }
    entries = "".join(
        f"  <sitemap><loc>{escape(base_url + name)}</loc></sitemap>\n" for name in files
    )
    index = f'{_DECLARATION}<sitemapindex xmlns="{_NS}">\n{entries}</sitemapindex>\n'
    return {SITEMAP: index, **files}


def _urlset(addresses: list[str]) -> str:
    urls = "".join(f"  <url><loc>{escape(address)}</loc></url>\n" for address in addresses)
    return f'{_DECLARATION}<urlset xmlns="{_NS}">\n{urls}</urlset>\n'


__all__ = ["LIMIT", "SITEMAP", "sitemap_files"]
