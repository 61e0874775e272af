"""Writing an output folder so that it is never half-written.

A full build writes everything into a staging folder next to the target (same file
system), then swaps the two in one step: readers see the old output or the new one,
never a mixture, stale files disappear, and a failed or interrupted build leaves the
previous output exactly as it was.

A build that changed only some files writes those into the staging folder and moves
them into place (:func:`commit_changes`), after recording the moves in a journal: the
commit takes milliseconds, Ctrl-C and SIGTERM wait for it, and if the process dies
half-way the next build completes it first (:func:`recover`).

A lock file next to the target keeps two builds from writing the same folder at once.

Before anything is written, :func:`check_target` refuses a folder that a build must not
replace (the edition's own, its sources, or one holding files no build wrote). What a
build keeps beside its output (the lock, the journal, the cache folder) may have been
planted there, in a pull request say: none of it is ever a link or a special file
(:func:`claim`, :func:`read_regular`), a journal is followed only inside the output, and
the cache is trusted only for the folder as the last build left it
(:func:`folder_identity`).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from .edition import Edition, location
from .errors import LockedError, UsageError

KEEP = ("README.md", ".gitkeep", ".gitignore")
"""Files of the previous output that are not generated and are carried over."""

OWNED = ("html", "text", "data")
"""The folders a build writes at the top of its output folder."""

LITTER = (".DS_Store", "Thumbs.db", "desktop.ini")
"""Files a file manager leaves in any folder it shows: no reason to refuse an output
folder, and not carried over."""

_GENERATOR = b'<meta name="generator" content="kimedition'
"""What the home page of a build made with the toolkit's stylesheets carries."""


def check_target(out: Path, edition: Edition, state: Path) -> None:
    """Refuse an output folder that a build must not replace, before anything is written.

    A full build replaces its output folder whole, so the folder may not be the edition
    folder or one that holds it, nor lie in its sources (:attr:`Edition.source_dirs`);
    and a folder that exists must hold nothing but :data:`KEEP` and :data:`LITTER`
    files, or be the output of an earlier build: nothing else at its top but
    :data:`OWNED` folders, and the build's ``state`` file or a home page made by the
    toolkit. An ``out`` that is a symbolic link is itself replaced, never what it points
    to, so only where the link lies counts. Raises :class:`UsageError` saying what to do.
    """
    link = out.is_symlink()
    resolved = location(out)
    root = edition.root.resolve()
    advice = "give a folder of its own with --out, e.g. --out output"
    if resolved == root or root.is_relative_to(resolved):
        what = "is the edition folder" if resolved == root else f"holds the edition ({root})"
        raise UsageError(f"{out}: {what}; a build replaces its output folder whole, so {advice}")
    folder = edition.source_folder_of(out)
    if folder is not None:
        where = "is" if resolved == folder.resolve() else "lies in"
        raise UsageError(f"{out}: {where} a folder of the edition's sources ({folder}); {advice}")
    if link or not resolved.is_dir():
        return
    try:
        with os.scandir(resolved) as found:
            entries = sorted(entry.name for entry in found if entry.name not in (*KEEP, *LITTER))
    except OSError as error:
        raise UsageError(f"{out}: cannot list this folder: {error.strerror}") from None
    if not entries:
        return
    replace = "a build replaces the whole folder, so choose an empty or new folder with --out"
    foreign = [name for name in entries if name not in OWNED]
    if foreign:
        raise UsageError(
            f"{out / foreign[0]}: not something a build writes; {replace}, or move it away"
        )
    if not state.is_file() and not _made_by_toolkit(resolved / "html" / "index.html"):
        raise UsageError(
            f"{out}: not the output of an earlier build (no build state next to it, no home "
            f"page made by kimedition); {replace}, or empty this one"
        )


def _made_by_toolkit(home: Path) -> bool:
    """Whether ``home`` is a regular file whose head names the toolkit as its generator."""
    try:
        if not home.is_file() or home.is_symlink():
            return False
        with home.open("rb") as handle:
            return _GENERATOR in handle.read(8192)
    except OSError:
        return False


JOURNAL_LIMIT = 256 * 1024 * 1024
"""The largest journal read back (a build of 10,000 documents writes about 2 MB)."""


def open_regular(path: Path) -> BinaryIO | None:
    """``path`` opened for reading if it is a regular file, without following a link;
    None for anything else (missing, a link, a folder, a device, a pipe)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        return None
    return os.fdopen(handle, "rb")


def read_regular(path: Path, limit: int) -> bytes | None:
    """The content of ``path`` if it is a regular file of at most ``limit`` bytes, opened
    without following a link; None for anything else (missing, a link, a folder, a
    device, a pipe, too large)."""
    stream = open_regular(path)
    if stream is None:
        return None
    with stream:
        data = stream.read(limit + 1)
    return data if len(data) <= limit else None


def folder_identity(folder: Path) -> list[int]:
    """The device, inode and status-change time of ``folder`` ([] when it is missing, a
    link or not a folder). A build records it with what it keeps beside the folder, and
    trusts what it kept only for the same folder as it left it: not for a copy, a
    replacement, or a folder checked out with planted files (none of which a user can
    give the same status-change time)."""
    try:
        info = folder.lstat()
    except OSError:
        return []
    if not stat.S_ISDIR(info.st_mode):
        return []
    return [info.st_dev, info.st_ino, info.st_ctime_ns]


def claim(path: Path, *, folder: bool = False) -> None:
    """Make sure that ``path``, a file (or, with ``folder``, the folder) the build keeps
    next to its output, is what the build made: anything else found there (a link, a
    special file, a file in place of the folder), planted say, is removed, never followed;
    a folder in place of a file is one clear :class:`UsageError`. What is there already is
    left to its reader, which checks its content."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as error:
        raise UsageError(f"{path}: cannot be read: {error.strerror}") from None
    if (stat.S_ISDIR if folder else stat.S_ISREG)(info.st_mode):
        return
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{path}: a folder where the build keeps a file of its own; remove it")
    path.unlink()


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux ``renameat2``); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(a))


class OutputLock:
    """An exclusive lock on an output folder, held for the length of a build."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out.parent / f".{out.name}.lock"
        self._handle: int | None = None

    def __enter__(self) -> OutputLock:
        if not self.path.parent.is_dir():
            raise UsageError(
                f"{self.path.parent}: the folder for the output does not exist; create it "
                "or choose another --out"
            )
        try:
            claim(self.path)
            self._handle = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as error:
            raise UsageError(
                f"{self.path.parent}: cannot create the build lock: {error.strerror}"
            ) from None
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._handle)
            self._handle = None
            raise LockedError(
                f"{self.out}: another build is writing this "
                "folder; wait for it to finish and run the build again"
            ) from None
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            os.close(self._handle)
            self._handle = None


class Staging:
    """A staging folder next to ``out``; :meth:`commit` swaps it in, :meth:`discard` removes it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        parent = out.parent
        if not parent.is_dir():
            raise UsageError(f"{parent}: the folder for the output does not exist")
        if out.exists() and not out.is_dir():
            raise UsageError(f"{out}: exists and is not a folder; choose another --out")
        self._remove_stale(parent)
        try:
            self.root = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=parent))
        except OSError as error:
            raise UsageError(f"{parent}: cannot write here: {error.strerror}") from None

    def _remove_stale(self, parent: Path) -> None:
        # Left behind by a build that was killed; we hold the lock, so none is in use.
        for stale in parent.glob(f".{self.out.name}.build-*"):
            shutil.rmtree(stale, ignore_errors=True)
        for stale in parent.glob(f".{self.out.name}.old-*"):
            shutil.rmtree(stale, ignore_errors=True)

    def path(self, relative: str) -> Path:
        """The staging path for an output file (parents created)."""
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_text(self, relative: str, text: str) -> None:
        """Write UTF-8 text with LF line ends."""
        self.path(relative).write_bytes(text.encode("utf-8"))

    def write_bytes(self, relative: str, data: bytes) -> None:
        self.path(relative).write_bytes(data)

    def write_parts(self, relative: str, parts: Iterable[str | bytes]) -> None:
        """Write UTF-8 text given in parts (text, or bytes already encoded), never holding
        it whole."""
        with self.path(relative).open("wb") as handle:
            for part in parts:
                handle.write(part if isinstance(part, bytes) else part.encode("utf-8"))

    def copy_in(self, relative: str, source: Path) -> None:
        """Copy a regular file (one this build wrote, or a published one) to ``relative``."""
        shutil.copyfile(source, self.path(relative), follow_symlinks=False)

    def commit(self) -> None:
        """Swap the staging folder in place of ``out`` and remove the previous output."""
        for name in KEEP:
            previous = self.out / name
            if previous.is_file() and not (self.root / name).exists():
                shutil.copy2(previous, self.root / name)
        os.chmod(self.root, 0o755)
        if self.out.exists() or self.out.is_symlink():
            if _exchange(self.root, self.out):
                # The previous output now lies at the staging name; it may be a link.
                if self.root.is_symlink():
                    self.root.unlink()
                else:
                    shutil.rmtree(self.root, ignore_errors=True)
                return
            old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
            old.rmdir()
            os.rename(self.out, old)
            os.rename(self.root, self.out)
            if old.is_symlink():
                old.unlink()
            else:
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(self.root, self.out)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def listing(out: Path) -> tuple[set[str], bool]:
    """The files under ``out`` (relative paths) and whether any entry is a symbolic link.

    Links are not followed: a build that finds one rewrites the whole folder instead of
    moving files through it.
    """
    files: set[str] = set()
    links = False
    if not out.is_dir() or out.is_symlink():
        return files, out.is_symlink()
    pending = [(str(out), "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:  # the kind of entry comes with it: no call per file
                if entry.is_symlink():
                    links = True
                elif entry.is_dir():
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
                else:
                    files.add(prefix + entry.name)
    return files, links


@contextmanager
def synced_temporary(path: Path, data: bytes, mode: int) -> Iterator[Path]:
    """A temporary file next to ``path`` holding ``data``, flushed to disk and given
    ``mode``; the caller moves it into place inside the ``with`` block. Whatever is left
    of it afterwards is removed, so a failure never leaves a stray file."""
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        yield temporary
    finally:
        with suppress(FileNotFoundError):
            temporary.unlink()


def _journal_path(out: Path) -> Path:
    return out.parent / f".{out.name}.journal"


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM for the few milliseconds of a commit."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError):  # pragma: no cover - not on Linux
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _apply(out: Path, staging: Path, moves: list[str], removals: list[str]) -> None:
    inside = out.resolve()

    def within(target: Path) -> bool:
        # No link on the way to ``target`` leads out of the output (checked before any
        # folder is made or file touched there).
        return target.parent.resolve().is_relative_to(inside)

    for relative in moves:
        source = staging / relative
        target = out / relative
        if source.is_file() and not source.is_symlink() and within(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for relative in removals:
        target = out / relative
        if not within(target):
            continue
        with suppress(FileNotFoundError):
            target.unlink()
        parent = target.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    shutil.rmtree(staging, ignore_errors=True)


def commit_changes(staging: Staging, removals: list[str]) -> None:
    """Move the files written into ``staging`` into the existing output, remove
    ``removals``, and drop the staging folder.

    Used when a build changed only some files. The list of moves is written to a
    journal first; if the process dies half-way, :func:`recover` completes the commit
    before the next build, so the output is never left half-written. Signals are held
    for the moves.
    """
    out = staging.out
    moves = sorted(
        p.relative_to(staging.root).as_posix() for p in staging.root.rglob("*") if p.is_file()
    )
    journal = _journal_path(out)
    record = {"staging": str(staging.root), "moves": moves, "removals": sorted(removals)}
    with _signals_held():
        claim(journal)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
        with os.fdopen(os.open(journal, flags, 0o644), "w", encoding="utf-8") as handle:
            json.dump(record, handle)
            handle.flush()
            os.fsync(handle.fileno())
        _apply(out, staging.root, moves, sorted(removals))
        journal.unlink()


def recover(out: Path) -> bool:
    """Complete a commit that was interrupted; whether there was one to complete.

    Only a journal as :func:`commit_changes` writes it is followed: a regular file naming
    a staging folder of this output and files inside the output. Anything else (a
    journal cut short, which was written before any file was moved, or a file planted
    next to the output) is removed unread or unfollowed.
    """
    journal = _journal_path(out)
    claim(journal)
    if not journal.exists():
        return False
    data = read_regular(journal, JOURNAL_LIMIT)
    record = _journal_record(out, data) if data is not None else None
    if record is not None:
        _apply(out, *record)
    journal.unlink()
    return record is not None


def _journal_record(out: Path, data: bytes) -> tuple[Path, list[str], list[str]] | None:
    """The staging folder, moves and removals of a journal :func:`commit_changes` wrote;
    None for any other content."""
    try:
        record = json.loads(data)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    staging, moves, removals = record.get("staging"), record.get("moves"), record.get("removals")
    if not (isinstance(staging, str) and isinstance(moves, list) and isinstance(removals, list)):
        return None
    folder = Path(staging)
    if (
        folder.parent != out.parent
        or not folder.name.startswith(f".{out.name}.build-")
        or folder.is_symlink()
        or not all(isinstance(p, str) and _plain_relative(p) for p in (*moves, *removals))
    ):
        return None
    return folder, moves, removals


def _plain_relative(relative: str) -> bool:
    """Whether ``relative`` names a file inside a folder: relative, with no ``..``,
    ``.`` or empty part, no NUL."""
    return (
        bool(relative)
        and "\0" not in relative
        and not relative.startswith("/")
        and all(part not in ("", ".", "..") for part in relative.split("/"))
    )
