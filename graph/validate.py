"""Check the graph against the SHACL shapes and describe each violation in Dutch or English.

pyshacl runs without inference (the ontology is part of the data graph, so class targets see
``rdfs:subClassOf``). Its results graph is read with rdflib, not its text report: each
``sh:ValidationResult`` becomes a :class:`Violation` with the focus node's label, the path,
the shape's ``sh:message`` in both languages and the severity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import KG

SEVERITY_NAMES = {
    "nl": {SH.Violation: "fout", SH.Warning: "waarschuwing", SH.Info: "info"},
    "en": {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"},
}
_PLAIN_DATATYPES = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.int}
_SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}


@dataclass(frozen=True)
class Violation:
    """One SHACL result, ready to show to a person."""

    focus: Node
    focus_label: str
    path: str | None
    message_nl: str
    message_en: str
    severity: URIRef
    shape: str
    value: str | None = None
    focus_prefixed: str = ""
    focus_labels: dict[str, str] = field(default_factory=dict, compare=False)

    def message(self, lang: str = "nl") -> str:
        return self.message_en if lang == "en" else self.message_nl

    def label(self, lang: str = "nl") -> str:
        return self.focus_labels.get(lang, self.focus_label)

    @property
    def is_violation(self) -> bool:
        return self.severity == SH.Violation


@dataclass
class ValidationReport:
    """The outcome of :func:`validate`: ``conforms`` is False when a ``sh:Violation`` was found."""

    conforms: bool
    violations: list[Violation]
    triple_count: int = 0
    resource_count: int = 0
    shape_count: int = 0


_PLACEHOLDER = re.compile(r"\{[?$]\w+\}")


def _message_language(kg: KnowledgeGraph, results: Graph, result: Node, text: str) -> str:
    """The language of an untagged result message, found by matching it against the tagged
    ``sh:message`` templates of its constraint and shape (pyshacl drops the tags of SPARQL
    constraint messages, and fills in their ``{?var}`` placeholders)."""
    for source in (SH.sourceConstraint, SH.sourceShape):
        node = results.value(result, source)
        if node is None:
            continue
        for graph in (results, kg.shapes):
            for template in graph.objects(node, SH.message):
                if not (isinstance(template, Literal) and template.language):
                    continue
                parts = _PLACEHOLDER.split(str(template))
                if re.fullmatch(".*?".join(map(re.escape, parts)), text, re.DOTALL):
                    return template.language.lower()
    return ""


def _messages(kg: KnowledgeGraph, results: Graph, result: Node) -> tuple[str, str]:
    """The result message in Dutch and in English, each falling back to the other."""
    by_lang: dict[str, str] = {}
    for message in sorted(results.objects(result, SH.resultMessage), key=str):
        if isinstance(message, Literal):
            lang = (message.language or "").lower()
            if not lang:
                lang = _message_language(kg, results, result, str(message))
            by_lang.setdefault(lang, str(message))
    untagged = by_lang.get("")
    nl = by_lang.get("nl") or untagged or by_lang.get("en") or ""
    en = by_lang.get("en") or untagged or by_lang.get("nl") or ""
    return nl, en


def render_path(kg: KnowledgeGraph, graph: Graph, path: Node | None) -> str | None:
    """A SHACL property path in SPARQL syntax with prefixed names (``^amkg:effectOf``)."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return kg.prefixed(path)
    if (path, RDF.first, None) in graph:
        return "/".join(render_path(kg, graph, p) or "?" for p in Collection(graph, path))
    unary = {SH.inversePath: "^{}", SH.zeroOrMorePath: "({})*", SH.oneOrMorePath: "({})+"}
    unary[SH.zeroOrOnePath] = "({})?"
    for predicate, template in unary.items():
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(render_path(kg, graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = (render_path(kg, graph, p) or "?" for p in Collection(graph, alternatives))
        return "(" + "|".join(parts) + ")"
    return str(path)


def _shape_name(kg: KnowledgeGraph, shape: Node | None) -> str:
    """The shape's prefixed IRI; a blank property shape is named after its node shape."""
    if shape is None:
        return ""
    if isinstance(shape, BNode):
        for parent in kg.shapes.subjects(SH.property, shape):
            path = render_path(kg, kg.shapes, kg.shapes.value(shape, SH.path))
            return f"{_shape_name(kg, parent)} / {path}" if path else _shape_name(kg, parent)
        return "(anonymous shape)"
    return kg.prefixed(shape)


def _value_text(kg: KnowledgeGraph, value: Node | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, Literal):
        if value.datatype in _PLAIN_DATATYPES:
            return str(value)  # 120, 28.0, true: as a reader writes them
        return value.n3(kg.graph.namespace_manager)
    if isinstance(value, URIRef):
        return kg.prefixed(value)
    return str(value)


def _resource_count(graph: Graph) -> int:
    return len({s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(str(KG))})


def validate(kg: KnowledgeGraph, lang: str = "nl") -> ValidationReport:
    """Run the shapes over the graph. Warnings and infos are listed but do not fail it."""
    conforms, results, _text = pyshacl.validate(
        kg.graph,
        shacl_graph=kg.shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
        meta_shacl=False,
    )
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        value = results.value(result, SH.value)
        message_nl, message_en = _messages(kg, results, result)
        labels = {code: kg.label(focus, code) for code in ("nl", "en")}
        violations.append(
            Violation(
                focus=focus,
                focus_label=labels.get(lang, labels["nl"]),
                path=render_path(kg, results, results.value(result, SH.resultPath)),
                message_nl=message_nl,
                message_en=message_en,
                severity=results.value(result, SH.resultSeverity) or SH.Violation,
                shape=_shape_name(kg, results.value(result, SH.sourceShape)),
                value=_value_text(kg, value) if value != focus else None,
                focus_prefixed=kg.prefixed(focus),
                focus_labels=labels,
            )
        )
    violations.sort(
        key=lambda v: (_SEVERITY_ORDER.get(v.severity, 3), v.focus_prefixed, v.path or "", v.shape)
    )
    return ValidationReport(
        conforms=bool(conforms),
        violations=violations,
        triple_count=len(kg.graph),
        resource_count=_resource_count(kg.graph),
        shape_count=len(set(kg.shapes.subjects(RDF.type, SH.NodeShape))),
    )


_TEXTS = {
    "nl": {
        "ok": "De graaf voldoet aan alle regels: {triples} triples, {resources} entiteiten, "
        "{shapes} vormregels (SHACL) gecontroleerd.",
        "head": "De graaf voldoet niet: {errors} fout(en), {warnings} waarschuwing(en).",
        "path": "pad",
        "message": "melding",
        "value": "waarde",
        "shape": "regel",
    },
    "en": {
        "ok": "The graph conforms to every rule: {triples} triples, {resources} resources, "
        "{shapes} SHACL shapes checked.",
        "head": "The graph does not conform: {errors} violation(s), {warnings} warning(s).",
        "path": "path",
        "message": "message",
        "value": "value",
        "shape": "rule",
    },
}


def format_report(report: ValidationReport, lang: str = "nl") -> str:
    """The report as readable text, one block per result, in Dutch or English."""
    texts = _TEXTS.get(lang, _TEXTS["nl"])
    counts = {
        "triples": report.triple_count,
        "resources": report.resource_count,
        "shapes": report.shape_count,
        "errors": sum(1 for v in report.violations if v.is_violation),
        "warnings": sum(1 for v in report.violations if not v.is_violation),
    }
    lines = [texts["ok" if report.conforms else "head"].format(**counts)]
    for v in report.violations:
        severity = SEVERITY_NAMES.get(lang, SEVERITY_NAMES["nl"]).get(v.severity, str(v.severity))
        lines.append("")
        lines.append(f"[{severity}] {v.label(lang)} ({v.focus_prefixed})")
        if v.path:
            lines.append(f"  {texts['path']}: {v.path}")
        lines.append(f"  {texts['message']}: {v.message(lang)}")
        if v.value is not None:
            lines.append(f"  {texts['value']}: {v.value}")
        if v.shape:
            lines.append(f"  {texts['shape']}: {v.shape}")
    return "\n".join(lines)
