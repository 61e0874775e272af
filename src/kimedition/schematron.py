"""ISO Schematron, compiled to XSLT 3.0 and run by Saxon.

The compiler supports the parts of ISO Schematron (ISO/IEC 19757-3) an edition's rules
need, with the ``xslt2`` and ``xslt3`` query bindings:

- ``sch:ns``; global ``sch:let`` (compiled to stylesheet parameters, so that a caller
  can supply the value instead of computing it; an XML editor computes the default);
- ``sch:pattern``, ``sch:rule`` (first matching rule of a pattern wins), rule-level
  ``sch:let``, ``sch:assert``, ``sch:report`` with ``@id``, ``@role``, ``@subject``,
  ``@diagnostics`` and ``@properties``;
- messages with ``sch:value-of``, ``sch:name``, ``sch:emph``, ``sch:dir``, ``sch:span``;
- ``sch:diagnostics`` and ``sch:properties``;
- foreign ``xsl:function`` and ``xsl:key`` declarations at the top level.

Anything else (abstract patterns, ``sch:include``, phases) is refused with a message.
Each result carries the rule id, the role and ``fn:path()`` of the node it is about; the
caller turns the path into a line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .errors import SchemaError
from .parsing import Source, UnreadableSource, load_bytes_any, make_parser

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
XS = "http://www.w3.org/2001/XMLSchema"
REPORT = "urn:kimedition:schematron-report"

_SUPPORTED_BINDINGS = {"xslt2", "xslt3"}
_ERROR_ROLES = {"error", "fatal", ""}
_WARNING_ROLES = {"warning", "warn", "info", "information"}


def _sch(local: str) -> str:
    return f"{{{SCH}}}{local}"


def _xsl(local: str) -> str:
    return f"{{{XSL}}}{local}"


@dataclass(frozen=True)
class RuleInfo:
    """What the schema says about one assertion."""

    id: str
    role: str
    pattern: str

    @property
    def is_error(self) -> bool:
        return self.role.lower() in _ERROR_ROLES


@dataclass
class CompiledSchematron:
    """The XSLT text compiled from a schema, with its assertions and parameters."""

    xslt: str
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    parameters: list[str] = field(default_factory=list)
    namespaces: dict[str, str] = field(default_factory=dict)


class _Compiler:
    def __init__(self, schema: etree._Element, where: str) -> None:
        self.schema = schema
        self.where = where
        self.rules: dict[str, RuleInfo] = {}
        self.parameters: list[str] = []
        self.namespaces: dict[str, str] = {"xs": XS}
        self.diagnostics: dict[str, etree._Element] = {}
        self.properties: dict[str, etree._Element] = {}
        self._anonymous = 0

    def fail(self, element: etree._Element, message: str) -> SchemaError:
        return SchemaError(f"{self.where}:{element.sourceline}: {message}")

    def compile(self) -> CompiledSchematron:
        schema = self.schema
        if schema.tag != _sch("schema"):
            raise self.fail(schema, "not an ISO Schematron schema (root is not sch:schema)")
        binding = (schema.get("queryBinding") or "xslt").lower()
        if binding not in _SUPPORTED_BINDINGS:
            raise self.fail(
                schema, f'queryBinding="{binding}" is not supported; use "xslt2" or "xslt3"'
            )
        for ns in schema.iterfind(_sch("ns")):
            self.namespaces[ns.get("prefix", "")] = ns.get("uri", "")
        for unsupported in ("include", "extends", "phase"):
            found = schema.find(f".//{_sch(unsupported)}")
            if found is not None:
                raise self.fail(found, f"sch:{unsupported} is not supported by this compiler")
        for pattern in schema.iterfind(_sch("pattern")):
            if pattern.get("abstract") == "true" or pattern.get("is-a"):
                raise self.fail(pattern, "abstract patterns are not supported")
        for diagnostic in schema.iterfind(f"{_sch('diagnostics')}/{_sch('diagnostic')}"):
            self.diagnostics[diagnostic.get("id", "")] = diagnostic
        for prop in schema.iterfind(f"{_sch('properties')}/{_sch('property')}"):
            self.properties[prop.get("id", "")] = prop

        nsmap = {"xsl": XSL, "kimr": REPORT, **{k: v for k, v in self.namespaces.items() if k}}
        out = etree.Element(_xsl("stylesheet"), nsmap=nsmap)
        out.set("version", "3.0")
        out.set("exclude-result-prefixes", " ".join(k for k in nsmap if k not in ("kimr",)))
        etree.SubElement(out, _xsl("output"), method="xml", indent="no", encoding="UTF-8")

        for child in schema:
            if not isinstance(child.tag, str):
                continue
            if child.tag == _sch("let"):
                self.global_let(out, child)
            elif etree.QName(child).namespace == XSL:
                declaration = _copy(child)
                if declaration.tag == _xsl("function") and not declaration.get("visibility"):
                    # Public, so that a caller can evaluate the corpus functions once.
                    declaration.set("visibility", "public")
                out.append(declaration)

        patterns = list(schema.iterfind(_sch("pattern")))
        root = etree.SubElement(out, _xsl("template"), match="/")
        report = etree.SubElement(root, f"{{{REPORT}}}report")
        for index, pattern in enumerate(patterns, start=1):
            mode = f"kimr:p{index}"
            decl = etree.Element(_xsl("mode"), name=mode)
            decl.set("on-no-match", "deep-skip")
            out.insert(1, decl)
            # Visit only the nodes some rule of the pattern can match, in document order.
            contexts = [r.get("context", "") for r in pattern.iterfind(_sch("rule"))]
            etree.SubElement(
                report, _xsl("apply-templates"), select=candidates(contexts), mode=mode
            )
            self.pattern(out, pattern, mode)
        return CompiledSchematron(
            etree.tostring(out, encoding="unicode"),
            self.rules,
            self.parameters,
            self.namespaces,
        )

    def global_let(self, out: etree._Element, let: etree._Element) -> None:
        name = let.get("name")
        value = let.get("value")
        if not name or value is None:
            raise self.fail(let, "a global sch:let needs @name and @value")
        param = etree.SubElement(out, _xsl("param"), name=name, select=value)
        if let.get("as"):
            param.set("as", let.get("as", ""))
        self.parameters.append(name)

    def pattern(self, out: etree._Element, pattern: etree._Element, mode: str) -> None:
        pattern_id = pattern.get("id", "")
        rules = list(pattern.iterfind(_sch("rule")))
        for position, rule in enumerate(rules):
            if rule.get("abstract") == "true":
                raise self.fail(rule, "abstract rules are not supported")
            context = rule.get("context")
            if not context:
                raise self.fail(rule, "sch:rule needs @context")
            if "$" in context:
                raise self.fail(
                    rule,
                    "variables in a rule's @context are not supported: test the variable "
                    "in the assertion instead",
                )
            template = etree.SubElement(
                out, _xsl("template"), match=context, mode=mode, priority=str(len(rules) - position)
            )
            for child in rule:
                if not isinstance(child.tag, str):
                    continue
                if child.tag == _sch("let"):
                    variable = etree.SubElement(
                        template,
                        _xsl("variable"),
                        name=child.get("name", ""),
                        select=child.get("value", "."),
                    )
                    if child.get("as"):
                        variable.set("as", child.get("as", ""))
                elif child.tag in (_sch("assert"), _sch("report")):
                    self.assertion(template, child, pattern_id, rule.get("role", ""))

    def assertion(
        self, template: etree._Element, assertion: etree._Element, pattern: str, rule_role: str
    ) -> None:
        test = assertion.get("test")
        if test is None:
            raise self.fail(assertion, "an assertion needs @test")
        rule_id = assertion.get("id")
        if not rule_id:
            self._anonymous += 1
            rule_id = f"{pattern or 'pattern'}-{self._anonymous}"
        role = assertion.get("role") or rule_role or ""
        if role.lower() not in _ERROR_ROLES | _WARNING_ROLES:
            raise self.fail(assertion, f'role="{role}" is not one of error, fatal, warning, info')
        if rule_id in self.rules:
            raise self.fail(assertion, f'assertion id "{rule_id}" is used twice')
        self.rules[rule_id] = RuleInfo(rule_id, role or "error", pattern)
        condition = f"not({test})" if assertion.tag == _sch("assert") else test
        when = etree.SubElement(template, _xsl("if"), test=condition)
        subject = assertion.get("subject") or "."
        result = etree.SubElement(when, f"{{{REPORT}}}result", rule=rule_id, role=role or "error")
        path = etree.SubElement(result, _xsl("attribute"), name="path")
        path.set("select", f"path(({subject})[1])")
        message = etree.SubElement(result, f"{{{REPORT}}}message")
        self.message(message, assertion)
        for ref in (assertion.get("diagnostics") or "").split():
            if ref not in self.diagnostics:
                raise self.fail(assertion, f'diagnostic "{ref}" is not defined')
            extra = etree.SubElement(result, f"{{{REPORT}}}diagnostic", id=ref)
            self.message(extra, self.diagnostics[ref])
        for ref in (assertion.get("properties") or "").split():
            if ref not in self.properties:
                raise self.fail(assertion, f'property "{ref}" is not defined')
            extra = etree.SubElement(result, f"{{{REPORT}}}property", id=ref)
            self.message(extra, self.properties[ref])

    def message(self, target: etree._Element, source: etree._Element) -> None:
        """Translate a message's mixed content into XSLT that writes its text."""

        def text(value: str | None) -> None:
            if value:
                node = etree.SubElement(target, _xsl("text"))
                node.text = value

        text(source.text)
        for child in source:
            if not isinstance(child.tag, str):
                text(child.tail)
                continue
            if child.tag == _sch("value-of"):
                etree.SubElement(target, _xsl("value-of"), select=child.get("select", "."))
            elif child.tag == _sch("name"):
                etree.SubElement(target, _xsl("value-of"), select=f"name({child.get('path', '.')})")
            elif child.tag in (_sch("emph"), _sch("dir"), _sch("span")):
                inner = etree.Element("span")
                self.message(inner, child)
                for node in inner:
                    target.append(node)
            else:
                raise self.fail(
                    child, f"{etree.QName(child).localname} is not allowed in a message"
                )
            text(child.tail)


def _split_union(pattern: str) -> list[str] | None:
    """The top-level branches of a pattern's ``|`` unions; None if it cannot tell."""
    branches: list[str] = []
    depth, quote, start = 0, "", 0
    for i, char in enumerate(pattern):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:i].strip())
            start = i + 1
    if depth or quote:
        return None
    branches.append(pattern[start:].strip())
    return branches


def candidates(contexts: list[str]) -> str:
    """An XPath selecting every node that one of the rule contexts (patterns) may match.

    A branch that starts at the root stays as it is; any other can match anywhere below
    the root, so it is searched for with ``//``. Patterns this cannot read (``union``,
    ``except``, functions at the start) fall back to every node.
    """
    selects: list[str] = []
    for context in contexts:
        branches = _split_union(context)
        if branches is None:
            return "(/, //node(), //@*)"
        for branch in branches:
            if (
                not branch
                or (
                    re.match(r"^[\w:.-]+\(", branch)
                    and not branch.startswith(
                        ("text(", "node(", "comment(", "processing-instruction(")
                    )
                )
                or re.search(r"\b(union|except|intersect)\b", branch)
            ):
                return "(/, //node(), //@*)"
            selects.append(branch if branch.startswith("/") else f"//{branch}")
    return " | ".join(selects) if selects else "()"


def _copy(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element))


def compile_schematron(path: Path) -> CompiledSchematron:
    """Compile the Schematron schema at ``path`` to XSLT 3.0 text.

    Raises :class:`SchemaError` naming the file when it cannot be read or uses a part
    of Schematron this compiler does not support.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SchemaError(f"{path}: cannot read the Schematron schema: {error.strerror}") from None
    try:
        tree = load_bytes_any(data, str(path))
    except UnreadableSource as error:
        raise SchemaError(error.problem.format()) from None
    return _Compiler(tree.getroot(), str(path)).compile()


@dataclass(frozen=True)
class Result:
    """One failed assertion or successful report, as the compiled schema wrote it."""

    rule: str
    role: str
    path: str
    message: str
    diagnostics: tuple[str, ...] = ()
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        return self.role.lower() in _ERROR_ROLES


def _string(element: etree._Element | None) -> str:
    return "" if element is None else str(element.xpath("string()"))


def _normalise(text: str) -> str:
    return " ".join(text.split())


def read_results(report: str) -> list[Result]:
    """Parse the report a compiled schema writes into :class:`Result` objects."""
    root = etree.fromstring(report.encode("utf-8"), make_parser())
    results: list[Result] = []
    for item in root.iterfind(f"{{{REPORT}}}result"):
        message = item.find(f"{{{REPORT}}}message")
        results.append(
            Result(
                rule=item.get("rule", ""),
                role=item.get("role", "error"),
                path=item.get("path", ""),
                message=_normalise(_string(message)),
                diagnostics=tuple(
                    _normalise(_string(d)) for d in item.iterfind(f"{{{REPORT}}}diagnostic")
                ),
                properties={
                    p.get("id", ""): _normalise(_string(p))
                    for p in item.iterfind(f"{{{REPORT}}}property")
                },
            )
        )
    return results


def locate(source: Source, path: str, phrase: str | None = None) -> tuple[int, int]:
    """Line and column of the node an XPath from ``fn:path()`` selects in ``source``."""
    expression, namespaces = _lxml_path(path)
    try:
        found = source.tree.xpath(expression, namespaces=namespaces) if expression else []
    except etree.XPathError:
        return 0, 0
    if not isinstance(found, list) or not found:
        return 0, 0
    node = found[0]
    if isinstance(node, etree._Element):
        position = source.text.element(node)
        if phrase:
            position = source.text.phrase(node, phrase)
        return position.line, position.column
    parent = getattr(node, "getparent", lambda: None)()
    if parent is None:
        return 0, 0
    if getattr(node, "is_attribute", False):
        position = source.text.attribute(parent, str(getattr(node, "attrname", "")))
    elif phrase:
        position = source.text.phrase(parent, phrase)
    else:
        position = source.text.element(parent)
    return position.line, position.column


def _lxml_path(path: str) -> tuple[str, dict[str, str]]:
    """Rewrite ``fn:path()`` output (``/Q{uri}TEI[1]/@Q{uri}id``) for lxml's XPath."""
    namespaces: dict[str, str] = {}
    prefixes: dict[str, str] = {}

    def prefix(uri: str) -> str:
        if uri == "http://www.w3.org/XML/1998/namespace":
            return "xml"
        if uri not in prefixes:
            prefixes[uri] = f"n{len(prefixes)}"
            namespaces[prefixes[uri]] = uri
        return prefixes[uri]

    out: list[str] = []
    i = 0
    while i < len(path):
        if path.startswith("Q{", i):
            end = path.index("}", i)
            uri = path[i + 2 : end]
            out.append(f"{prefix(uri)}:" if uri else "")
            i = end + 1
        else:
            out.append(path[i])
            i += 1
    expression = "".join(out)
    if expression == "/":
        expression = "/*"
    return expression, namespaces


NOT_SOURCES = frozenset({"schema", "templates"})
"""Folders under ``tei/`` whose XML files are not sources: a folder given on the command
line does not expand to them (the schema, and the template ``kimedition new`` fills)."""
