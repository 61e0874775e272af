"""The floor: parse and serialise every source file with lxml, one process, one core.

    python benchmarks/floor.py EDITION SCRATCH

Reads the header, the registers and every document of the edition at EDITION, parses
each with the toolkit's hardened parser (``kimedition.parsing.make_parser``), serialises
it again and writes it under SCRATCH. The process pins itself to one CPU. No tool that
reads and writes every file can be faster than this; the other figures are compared
with it. Prints ``{"files": …, "bytes": …}`` as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from kimedition.parsing import make_parser  # type: ignore[import-untyped, unused-ignore]


def sources(edition: Path) -> list[Path]:
    """The header, the registers and the documents, in a fixed order."""
    tei = edition / "tei"
    fixed = [tei / name for name in ("edition.xml", "persons.xml", "places.xml", "orgs.xml")]
    return [p for p in fixed if p.is_file()] + sorted((tei / "documents").glob("*.xml"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("edition", type=Path)
    parser.add_argument("scratch", type=Path)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    tei = args.edition / "tei"
    xml_parser = make_parser()
    files = total = 0
    for path in sources(args.edition):
        data = path.read_bytes()
        root = etree.fromstring(data, xml_parser)
        out = etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True)
        target = args.scratch / path.relative_to(tei)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(out)
        files += 1
        total += len(data)
    print(json.dumps({"files": files, "bytes": total}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
