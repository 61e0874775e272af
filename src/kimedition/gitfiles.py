"""Which files changed since a git revision: the query behind ``--changed-since``.

Git is run as a subprocess, without a shell, with the revision checked first and
passed on as a commit id, so that no value given by the user reaches git as an option.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .edition import Edition
from .errors import UsageError

GIT_TIMEOUT = 60
"""Seconds a git command may take before the command gives up."""


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT,
        )
    except FileNotFoundError:
        raise UsageError(
            "git is not installed (or not on PATH); --changed-since needs it"
        ) from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git did not answer within {GIT_TIMEOUT} seconds in {folder}") from None


def _message(completed: subprocess.CompletedProcess[bytes]) -> str:
    text = completed.stderr.decode("utf-8", errors="replace").strip()
    return text.splitlines()[-1] if text else f"git exited with code {completed.returncode}"


def repository_root(folder: Path) -> Path:
    """The top folder of the git work tree holding ``folder``.

    Raises :class:`UsageError` when ``folder`` is not inside a git work tree.
    """
    completed = _git(folder, "rev-parse", "--show-toplevel")
    if completed.returncode != 0:
        raise UsageError(
            f"{folder}: not in a git repository ({_message(completed)}); --changed-since "
            "compares with a git revision, so the edition must be in a git work tree"
        )
    return Path(completed.stdout.decode("utf-8").strip()).resolve()


def resolve_revision(folder: Path, revision: str) -> str:
    """The commit id ``revision`` names (a branch, tag, ``HEAD~2``, a commit id…).

    Raises :class:`UsageError` naming the revision when git does not know it.
    """
    if not revision or revision.startswith("-"):
        raise UsageError(f"{revision!r} is not a git revision: give a branch, tag or commit")
    completed = _git(folder, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if completed.returncode != 0:
        raise UsageError(
            f"{revision}: unknown git revision in {folder}; give a branch, tag or commit "
            "that exists here (in CI, fetch it first, e.g. git fetch origin main)"
        )
    return completed.stdout.decode("ascii").strip()


def _names(completed: subprocess.CompletedProcess[bytes]) -> list[str]:
    if completed.returncode != 0:
        raise UsageError(f"git could not list the changed files: {_message(completed)}")
    return [name for name in completed.stdout.decode("utf-8").split("\0") if name]


def changed_files(folder: Path, revision: str) -> list[Path]:
    """Every existing file in ``folder``'s work tree that differs from ``revision``.

    Includes files changed in commits since ``revision``, staged and unstaged changes
    and untracked files (not those git ignores). Deleted files are left out. Paths are
    absolute and resolved, sorted.
    """
    top = repository_root(folder)
    commit = resolve_revision(folder, revision)
    tracked = _names(_git(top, "diff", "--name-only", "--no-renames", "-z", commit, "--"))
    untracked = _names(_git(top, "ls-files", "--others", "--exclude-standard", "-z"))
    paths = {(top / name).resolve() for name in [*tracked, *untracked]}
    return sorted(path for path in paths if path.is_file())


@dataclass(frozen=True)
class ChangedSources:
    """The edition's XML sources changed since a revision, and what that implies.

    ``everything`` is true when a change affects every document: the header (the
    taxonomy of document types), a register (what references resolve to) or the
    edition's own schema. ``paths`` are the changed sources themselves.
    """

    paths: list[Path]
    everything: bool
    reasons: list[str]


def changed_sources(edition: Edition, revision: str) -> ChangedSources:
    """The XML files under ``tei/`` changed since ``revision`` (see :class:`ChangedSources`).

    Files in ``tei/templates/`` are not sources and are left out; a changed schema
    file under ``tei/schema/`` is not validated itself but means everything is.
    """
    tei = edition.tei_dir.resolve()
    auxiliary = {path.resolve() for path in edition.auxiliary_paths()}
    schema = tei / "schema"
    templates = tei / "templates"
    paths: list[Path] = []
    reasons: list[str] = []
    for path in changed_files(edition.root, revision):
        if tei not in path.parents:
            continue
        if schema in path.parents:
            reasons.append(edition.relative(path))
            continue
        if templates in path.parents or path.suffix.lower() != ".xml":
            continue
        if path in auxiliary:
            reasons.append(edition.relative(path))
        paths.append(path)
    return ChangedSources(paths, bool(reasons), reasons)


__all__ = ["ChangedSources", "changed_files", "changed_sources", "repository_root"]
