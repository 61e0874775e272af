"""The hardened parser's limits: what Saxon's own parser would refuse is refused here,
at the place it occurs, and nothing within the limits is refused.

The limits are looked for in two steps, a quick look over the file's bytes and a walk
of the tree where that look finds something that may be over a limit: each case below
is taken just within the limit and just over it, so that a quick look that missed a
case would let the file over it through.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kimedition.parsing import (
    MAX_ATTRIBUTES,
    MAX_DEPTH,
    MAX_NAME,
    TEI_NS,
    Source,
    UnreadableSource,
    load_bytes,
)

HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="{TEI_NS}">\n'


def tei(body: str, before: str = "") -> bytes:
    """A file whose root holds ``body`` on its third line, ``before`` ahead of the root."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{before}\n<TEI xmlns="{TEI_NS}">\n'
        + body
        + "\n</TEI>\n"
    ).encode()


def load(data: bytes) -> Source:
    return load_bytes(data, Path("limits.xml"), "limits.xml")


def nested(depth: int) -> str:
    """Elements ``depth`` deep under the root (the root is at depth 1)."""
    return "<seg>" * (depth - 1) + "x" + "</seg>" * (depth - 1)


def attributes(count: int) -> str:
    return "<p " + " ".join(f'a{i}="v"' for i in range(count)) + "/>"


def declarations(count: int, plain: int) -> str:
    spaces = " ".join(f'xmlns:n{i}="urn:n{i}"' for i in range(count))
    return f"<p {spaces} " + " ".join(f'a{i}="v"' for i in range(plain)) + "/>"


# name: (the file just within the limit, the file just over it, the refusal's words)
CASES: dict[str, tuple[bytes, bytes, str]] = {
    "depth": (
        tei(nested(MAX_DEPTH)),
        tei(nested(MAX_DEPTH + 1)),
        f"nested more than {MAX_DEPTH} levels deep",
    ),
    "element-name": (
        tei(f"<{'n' * MAX_NAME}/>"),
        tei(f"<{'n' * (MAX_NAME + 1)}/>"),
        f"a name of {MAX_NAME + 1:,} characters",
    ),
    "prefixed-element-name": (
        tei(f'<x:{"n" * MAX_NAME} xmlns:x="urn:x"/>'),
        tei(f'<x:{"n" * (MAX_NAME + 1)} xmlns:x="urn:x"/>'),
        f"a name of {MAX_NAME + 1:,} characters",
    ),
    "non-ascii-element-name": (
        tei(f"<{'é' * MAX_NAME}/>"),
        tei(f"<{'é' * (MAX_NAME + 1)}/>"),
        f"a name of {MAX_NAME + 1:,} characters",
    ),
    "attribute-name": (
        tei(f'<p {"a" * MAX_NAME}="v"/>'),
        tei(f'<p {"a" * (MAX_NAME + 1)}="v"/>'),
        f"a name of {MAX_NAME + 1:,} characters",
    ),
    "processing-instruction": (
        tei(f"<?{'t' * MAX_NAME} data?>"),
        tei(f"<?{'t' * (MAX_NAME + 1)} data?>"),
        f"a processing instruction's name is longer than {MAX_NAME:,} characters",
    ),
    "processing-instruction-before-the-root": (
        tei("<p/>", before=f"\n<?{'t' * MAX_NAME} data?>"),
        tei("<p/>", before=f"\n<?{'t' * (MAX_NAME + 1)} data?>"),
        f"a processing instruction's name is longer than {MAX_NAME:,} characters",
    ),
    "attributes": (
        tei(attributes(MAX_ATTRIBUTES)),
        tei(attributes(MAX_ATTRIBUTES + 1)),
        f"over the limit of {MAX_ATTRIBUTES}",
    ),
    "attributes-and-namespace-declarations": (
        tei(declarations(60, MAX_ATTRIBUTES - 60)),
        tei(declarations(60, MAX_ATTRIBUTES - 59)),
        f"has {MAX_ATTRIBUTES + 1} attributes and namespace declarations",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_file_just_within_a_limit_is_read(case: str) -> None:
    within, _, _ = CASES[case]
    assert load(within).root.tag == f"{{{TEI_NS}}}TEI"


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_file_just_over_a_limit_is_refused_where_it_is(case: str) -> None:
    _, over, words = CASES[case]
    with pytest.raises(UnreadableSource) as refused:
        load(over)
    problem = refused.value.problem
    assert words in problem.message
    assert problem.rule == "xml"
    assert problem.path == "limits.xml"
    line = 2 if case == "processing-instruction-before-the-root" else 3
    assert problem.line == line, problem


def test_long_text_values_and_comments_are_not_names() -> None:
    """Long stretches without markup (text, values, comments, equals signs) are read."""
    long = "word=" * (MAX_NAME + MAX_ATTRIBUTES)
    unbroken = "w" * (3 * MAX_NAME)
    body = (
        f"<p>{long}</p><p>{unbroken}</p><p n='{unbroken}' m=\"{long}\"/>"
        f"<!-- {unbroken} {long} --><![CDATA[{unbroken} < {long}]]>"
    )
    source = load(tei(body))
    assert [child.tag for child in source.root][:3] == [f"{{{TEI_NS}}}p"] * 3
