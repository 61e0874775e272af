"""The naive pipeline: what a simple script does, one Saxon set-up per document.

    python benchmarks/naive.py EDITION OUT [--sample 200]

For each of the first SAMPLE documents (by file name): a fresh ``PySaxonProcessor``,
the edition's ``html-document.xsl`` compiled again, the registers and the header parsed
again and set as parameters, with ``base-url``, ``version`` and empty ``previous`` and
``next`` (the parameters ``kimedition build`` sets), then one transformation to
``OUT/<id>.html``. Prints ``{"documents": …}`` as JSON; exits 1 when the stylesheet is
missing or a transformation fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from saxonche import PySaxonApiError, PySaxonProcessor

from kimedition import __version__  # type: ignore[import-untyped, unused-ignore]
from kimedition.edition import Edition  # type: ignore[import-untyped, unused-ignore]

SHARED = {"persons": "persons.xml", "places": "places.xml", "orgs": "orgs.xml"}


def transform_one(stylesheet: Path, tei: Path, document: Path, out: Path) -> None:
    """Set up Saxon from scratch and publish one document."""
    processor = PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    executable = compiler.compile_stylesheet(stylesheet_file=str(stylesheet))
    if executable is None:
        raise RuntimeError(f"{stylesheet}: does not compile")
    # saxonche keeps handles to these values: they must outlive the transformation.
    values: dict[str, Any] = {
        name: processor.parse_xml(xml_file_name=str(tei / file)) for name, file in SHARED.items()
    }
    values["edition"] = processor.parse_xml(xml_file_name=str(tei / "edition.xml"))
    values["base-url"] = processor.make_string_value("")
    values["version"] = processor.make_string_value(__version__)
    values["previous"] = processor.empty_sequence()
    values["next"] = processor.empty_sequence()
    for name, value in values.items():
        executable.set_parameter(name, value)
    source = processor.parse_xml(xml_file_name=str(document))
    result = executable.transform_to_string(xdm_node=source)
    if result is None:
        raise RuntimeError(f"{document.name}: the transformation returned nothing")
    out.write_text(str(result), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("edition", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--sample", type=int, default=200, help="documents to transform")
    args = parser.parse_args(argv)
    edition = Edition.open(args.edition)
    stylesheet = edition.xslt_dir / "html-document.xsl"
    if not stylesheet.is_file():
        print(f"{stylesheet}: stylesheet not found", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    documents = edition.document_paths()[: args.sample]
    for document in documents:
        try:
            transform_one(stylesheet, edition.tei_dir, document, args.out / f"{document.stem}.html")
        except (PySaxonApiError, RuntimeError) as error:
            print(f"{document.name}: {error}", file=sys.stderr)
            return 1
    print(json.dumps({"documents": len(documents)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
