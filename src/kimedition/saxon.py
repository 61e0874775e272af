"""XSLT 3.0 through saxonche, locked down.

A :class:`SaxonRuntime` owns one Saxon processor. Its stylesheets are compiled first,
from the toolkit's or the edition's files; then the runtime is locked: Saxon's
``allowedProtocols`` feature is set to nothing, so that no stylesheet or document can
read a file or a URL (``doc()``, ``unparsed-text()``, external entities, ``collection()``
all fail). Documents are handed to Saxon already parsed by the hardened lxml parser,
serialised without any document type declaration.

The lock cannot cover what Saxon evaluates while it compiles, nor two things it never
governs: the process's environment variables and the files ``xsl:result-document``
writes. So every stylesheet module is read first (:func:`audit_stylesheet`) and refused
when it asks for evaluation at compile time (``static="yes"``, ``use-when``, shadow
attributes), includes a module from outside its folder, or calls what could reach the
environment or bypass these checks (``environment-variable()``, ``function-lookup()``,
``transform()``, ``xsl:evaluate``); and secondary results are kept in memory, never
written to disk.

A runtime is not thread-safe; each worker process builds its own.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import saxonche
from lxml import etree
from saxonche import PySaxonApiError, PySaxonProcessor

from .edition import toolkit_xslt_dir
from .errors import SchemaError
from .parsing import UnreadableSource, load_bytes_any

ALLOWED_PROTOCOLS = "http://saxon.sf.net/feature/allowedProtocols"

XSL = "http://www.w3.org/1999/XSL/Transform"

_FORBIDDEN_CALL = re.compile(
    r"(?<![\w.-])(?:[\w.-]+:|Q\{[^}]*\})?"
    r"(environment-variable|available-environment-variables|function-lookup|transform|"
    r"load-xquery-module)\s*[(#]"
)
"""Functions a stylesheet may not call: they read the environment, or run code that
this audit does not see."""

_FORBIDDEN_ELEMENTS = ("evaluate", "import-schema", "use-package")
_MODULE_LINKS = ("include", "import")


_REAL_STDERR: int | None = None
_DEVNULL: int | None = None


def real_stderr() -> int:
    """A file descriptor for the process's standard error that Saxon's silencing leaves open."""
    global _REAL_STDERR
    if _REAL_STDERR is None:
        _REAL_STDERR = os.dup(2)
    return _REAL_STDERR


@contextmanager
def _quiet() -> Iterator[None]:
    """Keep Saxon from writing to standard error: its messages reach the caller as
    exceptions, which are reported once, cleanly."""
    global _DEVNULL
    saved = real_stderr()
    if _DEVNULL is None:
        _DEVNULL = os.open(os.devnull, os.O_WRONLY)
    sys.stderr.flush()
    os.dup2(_DEVNULL, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)


def _refusal(where: str, node: etree._Element, message: str) -> SchemaError:
    line = node.sourceline if isinstance(node.sourceline, int) else 0
    place = f"{where}:{line}" if line else where
    return SchemaError(
        f"{place}: {message}; the toolkit refuses this so that no stylesheet can read "
        "files, the environment or the network, or write outside the output"
    )


def audit_stylesheet(
    path: Path | None = None, text: str | None = None, name: str | None = None
) -> None:
    """Refuse a stylesheet (and every module it includes) that could escape the lock.

    Raises :class:`SchemaError` naming the module and line. See the module's description
    for what is refused; ``xsl:include``/``xsl:import`` must name a module by a relative
    address inside the folder of the stylesheet or the toolkit's own stylesheets (none at
    all for a stylesheet given as text); every included module is audited too.
    """
    folder = path.parent.resolve() if path is not None else None
    pending: list[tuple[str, bytes, Path | None]] = []
    if path is not None:
        pending.append((str(path), path.read_bytes(), path.resolve()))
    else:
        pending.append((name or "generated stylesheet", (text or "").encode("utf-8"), None))
    seen: set[Path] = set()
    while pending:
        where, data, location = pending.pop()
        try:
            tree = load_bytes_any(data, where)
        except UnreadableSource as error:
            raise SchemaError(error.problem.format()) from None
        for node in tree.getroot().iter():
            if not isinstance(node.tag, str):
                continue
            qname = etree.QName(node)
            in_xsl = qname.namespace == XSL
            if in_xsl and qname.localname in _FORBIDDEN_ELEMENTS:
                raise _refusal(where, node, f"xsl:{qname.localname} is not allowed")
            for key, raw in node.attrib.items():
                name, value = str(key), str(raw)
                compile_time = _compile_time(in_xsl, name, value)
                if compile_time:
                    shown = name.replace(f"{{{XSL}}}", "xsl:")
                    raise _refusal(
                        where, node, f"@{shown} is evaluated while the stylesheet is compiled"
                    )
                found = _FORBIDDEN_CALL.search(value)
                if found:
                    raise _refusal(where, node, f"{found.group(1)}() is not allowed")
            for chunk in (node.text, node.tail):
                found = _FORBIDDEN_CALL.search(chunk or "")
                if found:
                    raise _refusal(where, node, f"{found.group(1)}() is not allowed")
            if in_xsl and qname.localname in _MODULE_LINKS:
                href = node.get("href", "")
                target = _module_path(href, location, folder)
                if target is None:
                    raise _refusal(
                        where,
                        node,
                        f'xsl:{qname.localname} href="{href}" is not a relative address inside '
                        "the stylesheet's folder",
                    )
                if target not in seen:
                    seen.add(target)
                    try:
                        pending.append((str(target), target.read_bytes(), target))
                    except OSError as error:
                        raise SchemaError(
                            f"{target}: cannot read the stylesheet module: {error.strerror}"
                        ) from None


def _compile_time(in_xsl: bool, name: str, value: str) -> bool:
    """Whether an attribute makes Saxon evaluate an expression (or read a file) while it
    compiles: ``static="yes"``, ``use-when`` (``xsl:use-when`` outside XSLT elements),
    a shadow attribute (``_select``), ``parameter-document``."""
    if not in_xsl:
        return name == f"{{{XSL}}}use-when"
    if name == "static":
        return value.strip() in ("yes", "true", "1")
    return name in ("use-when", "parameter-document") or name.startswith("_")


def _module_path(href: str, location: Path | None, folder: Path | None) -> Path | None:
    """The module ``href`` names, if it is a relative address of a file inside ``folder``
    or inside the toolkit's own stylesheets (which an edition's may include)."""
    if location is None or folder is None or not href:
        return None
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href) or href.startswith(("/", "\\")):
        return None
    if "?" in href or "#" in href or "%" in href or "\\" in href:
        return None
    target = (location.parent / href).resolve()
    allowed = (folder, toolkit_xslt_dir().resolve())
    return target if any(target.is_relative_to(f) for f in allowed) else None


class TransformError(Exception):
    """A transformation failed; the message is Saxon's, shortened to its first line."""


def _first_line(error: BaseException) -> str:
    """Saxon's message on one line: where, then the error code and what it says."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return ": ".join(lines[:3]) or error.__class__.__name__


class _CollectorFunctions:
    """The C functions that run the collector of a Saxon runtime's heap, in the libraries
    saxonche bundles (SaxonC 13: Saxon compiled ahead of time with GraalVM). saxonche
    gives a caller no way to run that collector or to bound the heap, and the runtime
    lets garbage grow by hundreds of megabytes before it collects. Found only on Linux,
    for SaxonC 13.1 (whose records are read as they are laid out there), when each
    function is there; else :attr:`ready` is False."""

    def __init__(self, version: str) -> None:
        self.ready = False
        if sys.platform == "linux":
            with suppress(OSError, AttributeError, ValueError, StopIteration):
                self._find(version.split())

    def _find(self, version: list[str]) -> None:
        if len(version) < 2 or not f"{version[1]}.".startswith("13.1."):
            return  # the layout read in collect() is that of SaxonC 13.1
        libraries = Path(saxonche.__file__).parent / "saxonche.libs"
        api = ctypes.CDLL(str(next(libraries.glob("libsaxonc-he-*.so*"))))
        core = ctypes.CDLL(str(next(libraries.glob("libsaxonc-core-he-*.so*"))))
        self._environment = ctypes.c_void_p.in_dll(api, "_ZN14SaxonProcessor11sxn_environE")
        self._current = core.graal_get_current_thread
        self._current.restype = ctypes.c_void_p
        self._current.argtypes = [ctypes.c_void_p]
        self._collect = core.j_gc
        self._collect.argtypes = [ctypes.c_void_p]
        self._collect.restype = None
        self.ready = True

    def collect(self) -> bool:
        """Run a full collection of the heap of the runtime that is alive (the caller
        holds one: the environment read here is that of the live runtime, and is left
        behind, stale, once every runtime is gone), from the thread that started it;
        whether it ran."""
        environment = self._environment.value if self.ready else None
        if not environment:
            return False
        # SaxonProcessor::sxn_environ: the isolate, the thread that made it, the main one.
        isolate, made, main = (ctypes.c_void_p * 3).from_address(environment)
        thread = self._current(isolate) if isolate else None
        if not thread or thread not in (made, main):
            return False
        self._collect(thread)
        return True


_COLLECTOR: _CollectorFunctions | None = None


class SaxonRuntime:
    """One Saxon processor: compile stylesheets, lock, then transform."""

    def __init__(self) -> None:
        self.processor = PySaxonProcessor(license=False)
        self._compiler = self.processor.new_xslt30_processor()
        self._locked = False

    def compile(
        self, path: Path | None = None, text: str | None = None, name: str | None = None
    ) -> Stylesheet:
        """Compile a stylesheet from a file or from text; only before :meth:`lock`.

        Raises :class:`SchemaError` naming the stylesheet (``name``, for one given as
        text: the file it was generated from) when it does not compile or does not pass
        :func:`audit_stylesheet`.
        """
        if self._locked:
            raise RuntimeError("stylesheets must be compiled before the runtime is locked")
        if path is not None and not path.is_file():
            raise SchemaError(f"{path}: stylesheet not found")
        audit_stylesheet(path, text, name)
        try:
            with _quiet():
                if path is not None:
                    executable = self._compiler.compile_stylesheet(stylesheet_file=str(path))
                else:
                    executable = self._compiler.compile_stylesheet(stylesheet_text=text)
        except PySaxonApiError as error:
            where = str(path) if path is not None else name or "generated stylesheet"
            raise SchemaError(f"{where}: does not compile: {_first_line(error)}") from None
        if executable is None:
            where = str(path) if path is not None else name or "generated stylesheet"
            raise SchemaError(f"{where}: does not compile")
        return Stylesheet(self, executable)

    def collect_garbage(self) -> bool:
        """Run a full collection of this runtime's heap, from the thread that started it,
        so that the garbage of the transformations made so far is freed and its memory
        given back; whether it could (see :class:`_CollectorFunctions`)."""
        global _COLLECTOR
        if _COLLECTOR is None:
            _COLLECTOR = _CollectorFunctions(str(self.processor.version))
        return _COLLECTOR.collect()

    def lock(self) -> None:
        """Forbid every file and network access from now on."""
        self.processor.set_configuration_property(ALLOWED_PROTOCOLS, "")
        self._locked = True

    @property
    def locked(self) -> bool:
        return self._locked

    def document(self, root: etree._Element | str | bytes) -> Any:
        """An XDM document node for an lxml element (or XML text without a DTD)."""
        if isinstance(root, bytes):
            text = root.decode("utf-8")
        elif isinstance(root, str):
            text = root
        else:
            text = etree.tostring(root, encoding="unicode")
        try:
            with _quiet():
                return self.processor.parse_xml(xml_text=text)
        except PySaxonApiError as error:
            raise TransformError(_first_line(error)) from None

    def string(self, value: str) -> Any:
        return self.processor.make_string_value(value)

    def empty(self) -> Any:
        """The empty sequence."""
        return self.processor.empty_sequence()

    def integer(self, value: int) -> Any:
        return self.processor.make_integer_value(value)

    def boolean(self, value: bool) -> Any:
        return self.processor.make_boolean_value(value)

    def json(self, value: object) -> Any:
        """An XDM value (maps, arrays, strings…) from a JSON-serialisable value."""
        return self.processor.parse_json(json_text=json.dumps(value, ensure_ascii=False))

    def json_text(self, text: str) -> Any:
        """An XDM value from JSON text."""
        with _quiet():
            return self.processor.parse_json(json_text=text)

    def strings(self, values: list[str]) -> Any:
        """An XDM sequence of strings."""
        sequence = self.processor.empty_sequence()
        for value in values:
            sequence.add_xdm_item(self.processor.make_string_value(value))
        return sequence


class Stylesheet:
    """A compiled stylesheet and the parameter values set on it.

    saxonche keeps parameters as handles to the Python objects that were passed: a
    value must stay alive as long as the stylesheet may use it, or the next
    transformation crashes the process. The values are therefore kept here.
    """

    def __init__(self, runtime: SaxonRuntime, executable: Any) -> None:
        self.runtime = runtime
        self.executable = executable
        self._values: dict[str, Any] = {}
        # xsl:result-document writes into memory, never to a file.
        executable.set_capture_result_documents(True)

    def set(self, name: str, value: Any) -> None:
        """Set a global parameter to an XDM value (kept alive by this object)."""
        self._values[name] = value
        self.executable.set_parameter(name, value)

    def set_string(self, name: str, value: str) -> None:
        self.set(name, self.runtime.string(value))

    def call(self, function: str, arguments: list[Any]) -> Any:
        """Call a public stylesheet function by its Clark name.

        Only on a stylesheet whose parameters have not been set: saxonche then fails with
        a NullPointerException (SaxonC 13.1). Compile a second copy for function calls.
        """
        if self._values:
            raise RuntimeError("call() on a stylesheet with parameters set; use another copy")
        try:
            with _quiet():
                return self.executable.call_function_returning_value(function, arguments)
        except PySaxonApiError as error:
            raise TransformError(_first_line(error)) from None

    def transform(self, document: Any) -> str:
        """Run the stylesheet on a document node; return the serialised result."""
        try:
            with _quiet():
                result = self.executable.transform_to_string(xdm_node=document)
        except PySaxonApiError as error:
            raise TransformError(_first_line(error)) from None
        if result is None:
            raise TransformError("the transformation returned nothing")
        return str(result)
