"""``kimedition validate``: well-formedness, RELAX NG, Schematron, corpus-wide rules.

:func:`validate` returns a :class:`ValidationReport` with every problem in every file;
it never stops at the first. The command line only formats the report.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from .cache import ValidationCache, digest
from .corpus import context_from_scans, missing_problems, source_files
from .edition import Edition
from .engine import (
    LARGE_EDITION,
    CheckTask,
    NameIndex,
    Scan,
    Settings,
    check_files,
    default_jobs,
    path_display,
    scan_files,
)
from .errors import UsageError
from .gitfiles import changed_sources
from .parsing import DEFAULT_MAX_BYTES
from .problems import Problem, Severity
from .watchdog import DEFAULT_TIMEOUT

EXPLAINS_RNG = frozenset({"date-valid", "date-attributes", "ref-syntax", "ref-kind"})
"""Editorial rules whose message says more precisely what a RELAX NG error at the same
place says (the schema's datatypes and patterns repeat them)."""


@dataclass
class ValidationReport:
    """The outcome of validating some files of an edition."""

    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def failed(self, strict: bool = False) -> bool:
        """Whether the report should fail a build or a CI job."""
        return bool(self.errors) or (strict and bool(self.warnings))

    def sort(self) -> None:
        """Order the problems by place, dropping a RELAX NG error that an editorial rule
        reports, more precisely, at the same place (an impossible date, say)."""
        ruled = {(p.path, p.line, p.column) for p in self.problems if p.rule in EXPLAINS_RNG}
        self.problems = [
            p
            for p in self.problems
            if not (p.rule == "rng" and p.line and (p.path, p.line, p.column) in ruled)
        ]
        self.problems.sort(key=lambda p: (p.path, p.line, p.column, p.rule, p.message))


NOT_SOURCES = frozenset({"schema", "templates"})
"""Folders under ``tei/`` whose XML files are not sources: a folder given on the command
line does not expand to them (the schema, and the template ``kimedition new`` fills)."""


def resolve_targets(edition: Edition, paths: Sequence[Path]) -> list[Path]:
    """The source files named on the command line (folders expand to their XML files).

    Raises :class:`UsageError` for a path that does not exist or lies outside the
    edition's ``tei/`` folder.
    """
    targets: list[Path] = []
    tei = edition.tei_dir.resolve()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise UsageError(f"{given}: no such file or folder")
        resolved = path.resolve()
        if resolved != tei and tei not in resolved.parents:
            raise UsageError(
                f"{given}: not part of the edition in {edition.root}; give files under "
                f"{edition.relative(tei)}/ (or choose the edition with -C PATH)"
            )
        if resolved.is_dir():
            targets.extend(
                p
                for p in sorted(resolved.rglob("*.xml"))
                if not NOT_SOURCES.intersection(p.relative_to(tei).parts)
            )
        else:
            targets.append(resolved)
    return list(dict.fromkeys(targets))


def validate(
    edition: Edition,
    paths: Iterable[Path] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    changed_since: str | None = None,
    *,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[int], None] | None = None,
    cache: bool = True,
) -> ValidationReport:
    """Validate the edition, or only ``paths`` against the whole corpus.

    Every problem in every file is reported; files that cannot be parsed are reported
    and skipped, the others are still checked. ``jobs`` worker processes share the work
    (default: one per core); a file that takes longer than ``timeout`` seconds in one
    stage stops the run with a message naming it.

    With ``changed_since``, a git revision, only the sources (among ``paths``, if given)
    changed since that revision are checked, committed, staged, unstaged or untracked;
    all of them when the header, a register or the schema changed, since every document
    is checked against those (see :func:`~kimedition.gitfiles.changed_sources`). Raises
    :class:`UsageError` when the edition is not in a git work tree or the revision is
    unknown.

    With ``cache`` (the default), the results of earlier runs are reused for the files
    whose content and inputs are unchanged, and this run's are kept for the next
    (:class:`~kimedition.cache.ValidationCache`); the report is the same either way.
    """
    targets = resolve_targets(edition, list(paths)) if paths else None
    if changed_since is not None:
        changed = changed_sources(edition, changed_since)
        if not changed.everything:
            targets = [p for p in changed.paths if targets is None or p in targets]
            if not targets:
                return ValidationReport()
    settings = Settings(str(edition.root), max_bytes=max_bytes, timeout=timeout)
    workers = jobs or default_jobs()
    files = [(path, kind, True) for path, kind in source_files(edition)]
    if targets is not None:
        # Every source is scanned for the corpus-wide facts; only the targets are checked.
        # A source is matched to a target by the file it is: one system call a source,
        # where resolving its path would take one for each folder on the way.
        wanted = {_identity(p): p.resolve() for p in targets}
        found = [(p, kind, _identity(p)) for p, kind, _ in files]
        files = [(p, kind, key is not None and key in wanted) for p, kind, key in found]
        # Files given on the command line that are not where the edition keeps its sources.
        sources = {key for _, _, key in found}
        files += [(p, "document", True) for p in sorted(wanted[k] for k in wanted.keys() - sources)]
    kept = ValidationCache.for_edition(edition, max_bytes) if cache else None
    with ExitStack() as stack:
        known = kept.names() if kept else None
        index = None
        if known is None:
            # The rules' index of the registered names: in a large edition made in a
            # process of its own while the files are scanned, instead of by every
            # process that checks files; kept with the results for the next run.
            documents = sum(kind == "document" for _, kind, _ in files)
            aside = workers > 1 and documents >= LARGE_EDITION
            index = stack.enter_context(NameIndex(edition, settings, aside))
        return _validate(edition, files, settings, workers, kept, known, index, progress)


def _validate(
    edition: Edition,
    files: list[tuple[Path, str, bool]],
    settings: Settings,
    workers: int,
    kept: ValidationCache | None,
    names: str | None,
    index: NameIndex | None,
    progress: Callable[[int], None] | None,
) -> ValidationReport:
    """The scan and check passes of :func:`validate`, with the rules' name index as
    kept (``names``) or being made (``index``)."""
    scanned = _scan(files, settings, workers, kept)
    report = ValidationReport()
    report.problems.extend(missing_problems(edition))
    checked = [scan for scan, (_, _, target) in zip(scanned, files, strict=True) if target]
    report.files = [scan.display for scan in checked]
    for scan in checked:
        report.problems.extend(scan.problems)
    context = context_from_scans(edition, scanned)
    keys: dict[str, str] = {}
    if kept:
        used = digest(*context.used)
        keys = {s.path: kept.rules_key(s, context, used) for s in checked if s.readable}
    tasks: list[CheckTask] = []
    for scan in checked:
        if not scan.readable:
            continue
        known_problems = kept.problems(scan, keys[scan.path]) if kept else None
        if known_problems is None:
            tasks.append(CheckTask(scan.path, scan.kind, scan.display))
        else:
            report.problems.extend(known_problems)
    if names is None and index is not None and (tasks or index.aside):
        names = index.result()
        if kept:
            kept.keep_names(names)
    if names is not None:
        context = replace(context, names=names)
    for task, problems in zip(
        tasks, check_files(tasks, settings, context, workers, progress), strict=True
    ):
        report.problems.extend(problems)
        if kept:
            kept.keep_problems(task.path, keys[task.path], problems)
    if kept:
        kept.save()
    report.sort()
    return report


def _identity(path: Path) -> tuple[int, int] | None:
    """The device and inode of the file ``path`` names (links followed), or None."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _scan(
    files: list[tuple[Path, str, bool]],
    settings: Settings,
    jobs: int,
    kept: ValidationCache | None,
) -> list[Scan]:
    """The scan pass over ``(path, kind, full)``, reusing and keeping ``kept``'s scans."""
    scans: dict[int, Scan] = {}
    needed: list[int] = []
    show = path_display()
    for position, (path, kind, full) in enumerate(files):
        known = kept.scan(path, kind, full, show(path), settings.max_bytes) if kept else None
        if known is None:
            needed.append(position)
        else:
            scans[position] = known
    fresh = scan_files([files[i] for i in needed], settings, False, jobs)
    for position, scan in zip(needed, fresh, strict=True):
        scans[position] = scan
        if kept:
            kept.keep_scan(scan, files[position][2])
    return [scans[i] for i in range(len(files))]


__all__ = ["ValidationReport", "resolve_targets", "validate"]
