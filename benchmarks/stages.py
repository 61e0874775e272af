"""Where a document's time goes: processor time per document of each stage of a build.

    python benchmarks/stages.py EDITION [--documents 300] [--json FILE]

Runs, in this one process and on the first ``--documents`` documents of EDITION (by file
name), each stage that ``kimedition build`` runs for every document, with the same
objects the build's workers use (:class:`kimedition.engine.Scanner` and
:class:`~kimedition.engine.Checker`), stylesheets compiled and registers parsed once
beforehand:

- *read and parse*: the file read, checked and parsed with the hardened lxml parser;
- *RELAX NG*: the edition's schema, in libxml2;
- *Saxon parse*: the document parsed again into Saxon;
- *card*: ``xslt/cards.xsl``;
- *editorial rules*: the Schematron rules compiled to XSLT, with the corpus-wide facts;
- *HTML page*: ``xslt/html-document.xsl``;
- *plain text*: ``xslt/text-document.xsl``.

Prints a markdown table of milliseconds of processor time per document, each stage's
share, and what the sum allows at most on this machine's cores; ``--json`` writes the
same figures. Nothing is written into the edition.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from kimedition.build import SPLIT_AT  # type: ignore[import-untyped, unused-ignore]
from kimedition.corpus import context_from_scans  # type: ignore[import-untyped, unused-ignore]
from kimedition.edition import Edition  # type: ignore[import-untyped, unused-ignore]
from kimedition.engine import (  # type: ignore[import-untyped, unused-ignore]
    Checker,
    Scanner,
    Settings,
    default_jobs,
    name_index_json,
)
from kimedition.parsing import (  # type: ignore[import-untyped, unused-ignore]
    DEFAULT_MAX_BYTES,
    load_bytes,
    read_bytes,
)
from kimedition.watchdog import DEFAULT_TIMEOUT  # type: ignore[import-untyped, unused-ignore]

STAGES = (
    "read and parse",
    "RELAX NG",
    "Saxon parse",
    "card",
    "editorial rules",
    "HTML page",
    "plain text",
)


def measure(edition_root: Path, documents: int) -> dict[str, Any]:
    """Processor seconds of each stage summed over the first ``documents`` documents."""
    edition = Edition.open(edition_root)
    paths = edition.document_paths()
    chosen = paths[:documents]
    with tempfile.TemporaryDirectory(prefix="kimedition-stages-") as staging:
        settings = Settings(
            str(edition.root),
            DEFAULT_MAX_BYTES,
            DEFAULT_TIMEOUT,
            "",
            staging=staging,
            split=len(paths) >= SPLIT_AT,
        )
        scanner = Scanner(settings, True)
        files = [(p, "edition") for p in [edition.header_path] if p.is_file()]
        files += [(p, "register") for p in edition.register_paths.values() if p.is_file()]
        files += [(p, "document") for p in paths]
        # The corpus-wide facts the rules are given, from a light scan of every file.
        scans = [scanner.scan(str(path), kind, False) for path, kind in files]
        context = replace(context_from_scans(edition, scans), names=name_index_json(edition))
        checker = Checker(settings, context)
        totals = dict.fromkeys(STAGES, 0.0)

        def timed(stage: str, work: Callable[[], Any]) -> Any:
            start = time.process_time()
            result = work()
            totals[stage] += time.process_time() - start
            return result

        empty = checker.runtime.processor.empty_sequence()
        checker.pages["html"].set("previous", empty)
        checker.pages["html"].set("next", empty)
        assert scanner.card is not None and scanner.runtime is not None
        for path in chosen:
            shown = str(path)
            data = timed("read and parse", lambda p=path, s=shown: read_bytes(p, s))
            source = timed("read and parse", lambda d=data, p=path, s=shown: load_bytes(d, p, s))
            timed("RELAX NG", lambda s=source: scanner.relaxng.validate(s))
            document = timed(
                "Saxon parse", lambda d=data: checker.runtime.document(d.decode("utf-8-sig"))
            )
            timed("card", lambda s=source: scanner.card.transform(scanner.runtime.document(s.root)))
            checker.rules.set_string("kim-file", path.name)
            checker.rules.set_string("kim-kind", "document")
            timed("editorial rules", lambda d=document: checker.rules.transform(d))
            timed("HTML page", lambda d=document: checker.pages["html"].transform(d))
            timed("plain text", lambda d=document: checker.pages["text"].transform(d))
    return {
        "edition": str(edition_root),
        "documents": len(chosen),
        "bytes": sum(p.stat().st_size for p in chosen),
        "cores": default_jobs(),
        "seconds": totals,
    }


def report(figures: dict[str, Any]) -> str:
    """The figures as a markdown table."""
    count = figures["documents"]
    seconds: dict[str, float] = figures["seconds"]
    total = sum(seconds.values())
    lines = [
        f"{count} documents ({figures['bytes'] / count / 1024:.1f} KB a file on average), "
        "processor time per document:",
        "",
        "| stage | ms per document | share |",
        "|---|---:|---:|",
    ]
    for stage in STAGES:
        share = seconds[stage] / total if total else 0.0
        lines.append(f"| {stage} | {1000 * seconds[stage] / count:.2f} | {share:.0%} |")
    per_document = total / count
    lines.append(f"| **all stages** | **{1000 * per_document:.2f}** | 100% |")
    cores = figures["cores"]
    lines += [
        "",
        f"At most {cores / per_document:,.0f} documents a second on {cores} "
        f"core{'s' if cores != 1 else ''} for these stages alone, before the pages made "
        "once per build (home, years, indexes, data).",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("edition", type=Path)
    parser.add_argument("--documents", type=int, default=300, help="documents to time")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.documents < 1:
        parser.error("--documents must be at least 1")
    if not (args.edition / "tei" / "documents").is_dir():
        parser.error(f"{args.edition}: not an edition folder (no tei/documents/)")
    figures = measure(args.edition, args.documents)
    if figures["documents"] == 0:
        print(f"{args.edition}: the edition has no documents", file=sys.stderr)
        return 1
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
