"""Validation reports in the formats CI systems read.

- ``text``: one line per problem, ``path:line:col: severity: message [rule]``, like
  compilers and jing, so that editors and terminals can jump to the place;
- ``json``: a list of problem objects and a summary, for scripts;
- ``junit``: JUnit XML, one test case per file, read by GitLab, Jenkins and GitHub
  report actions;
- ``github``: GitHub Actions workflow commands (annotations on the pull request), plus
  a markdown summary for ``$GITHUB_STEP_SUMMARY`` because GitHub shows only ten
  annotations of each kind per step.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from .edition import Edition
from .errors import UsageError
from .problems import Problem, Severity
from .validate import ValidationReport

FORMATS = ("text", "json", "junit", "github")


def summary_line(report: ValidationReport) -> str:
    """``20 files checked: 1 error, 2 warnings``."""
    files = len(report.files)
    errors, warnings = len(report.errors), len(report.warnings)
    return (
        f"{files} file{'s' if files != 1 else ''} checked: "
        f"{errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
    )


def format_text(report: ValidationReport, strict: bool = False) -> str:
    return "".join(problem.format() + "\n" for problem in report.problems)


def format_json(report: ValidationReport, strict: bool = False) -> str:
    document = {
        "valid": not report.failed(strict),
        "strict": strict,
        "files": report.files,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "problems": [problem.as_dict() for problem in report.problems],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def format_junit(report: ValidationReport, strict: bool = False) -> str:
    """JUnit XML: a test case per file; errors (and warnings under strict) fail it."""
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for problem in report.problems:
        by_file[problem.path].append(problem)
    files = list(dict.fromkeys([*report.files, *by_file]))
    failing = [f for f in files if any(p.is_error or strict for p in by_file.get(f, []))]
    suites = etree.Element("testsuites", name="kimedition validate")
    suite = etree.SubElement(
        suites,
        "testsuite",
        name="kimedition validate",
        tests=str(len(files)),
        failures=str(len(failing)),
        errors="0",
        skipped="0",
    )
    for name in files:
        case = etree.SubElement(suite, "testcase", classname="kimedition.validate", name=name)
        problems = by_file.get(name, [])
        failures = [p for p in problems if p.is_error or strict]
        if failures:
            failure = etree.SubElement(
                case,
                "failure",
                message=f"{len(failures)} problem{'s' if len(failures) != 1 else ''}",
                type=failures[0].rule or "validation",
            )
            failure.text = "\n".join(p.format() for p in failures)
        others = [p for p in problems if p not in failures]
        if others:
            out = etree.SubElement(case, "system-out")
            out.text = "\n".join(p.format() for p in others)
    return etree.tostring(suites, encoding="unicode", pretty_print=True)


def check_report_path(edition: Edition, path: Path) -> None:
    """Refuse, before anything runs, a report file that would overwrite a source: one in
    the edition's ``tei/`` or its schema and stylesheet folders."""
    folder = edition.source_folder_of(path)
    if folder is not None:
        raise UsageError(
            f"{path}: lies in a folder of the edition's sources ({folder}); write the report "
            "elsewhere, e.g. --junit-xml report.xml"
        )


def write_junit(path: Path, report: ValidationReport, strict: bool = False) -> None:
    """Write the JUnit report to ``path`` (checked with :func:`check_report_path`)."""
    try:
        path.write_text(format_junit(report, strict), encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{path}: cannot write the JUnit report: {error.strerror}") from None


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(report: ValidationReport, strict: bool = False) -> str:
    """GitHub Actions annotations, one workflow command per problem."""
    lines: list[str] = []
    for problem in report.problems:
        level = "error" if problem.is_error or strict else "warning"
        properties = [f"file={_escape_property(problem.path)}"]
        if problem.line:
            properties.append(f"line={problem.line}")
        if problem.column:
            properties.append(f"col={problem.column}")
        if problem.rule:
            properties.append(f"title={_escape_property(problem.rule)}")
        lines.append(f"::{level} {','.join(properties)}::{_escape_data(problem.message)}")
    return "".join(line + "\n" for line in lines)


def github_summary(report: ValidationReport, strict: bool = False) -> str:
    """A markdown summary for ``$GITHUB_STEP_SUMMARY``: every problem in a table."""
    status = "failed" if report.failed(strict) else "passed"
    lines = [f"## TEI validation {status}", "", summary_line(report) + ".", ""]
    if report.problems:
        lines += ["| File | Line | Severity | Rule | Message |", "|---|---|---|---|---|"]
        for p in report.problems:
            message = p.message.replace("|", "\\|")
            lines.append(
                f"| `{p.path}` | {p.line or ''} | {p.severity.value} | {p.rule} | {message} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


FORMATTERS: dict[str, Callable[[ValidationReport, bool], str]] = {
    "text": format_text,
    "json": format_json,
    "junit": format_junit,
    "github": format_github,
}


def render(report: ValidationReport, fmt: str, strict: bool = False) -> str:
    """The report in format ``fmt`` (one of :data:`FORMATS`)."""
    return FORMATTERS[fmt](report, strict)


__all__ = ["FORMATS", "Severity", "github_summary", "render", "summary_line"]
