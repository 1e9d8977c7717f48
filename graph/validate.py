"""Check a graph against the SHACL shapes: run at build time (``amkg build``), never by a page.

The checked graph is the rdflib graph the build parsed (ontology + data); the report it gives is
written beside the store and read back by every command (:mod:`amkg.graph.report`).

pyshacl runs without inference (the ontology is part of the data graph, so class targets see
``rdfs:subClassOf``). Its results graph is read with rdflib, not its text report: each
``sh:ValidationResult`` becomes a :class:`Violation` with the focus node's label, the path,
the shape's ``sh:message`` in both languages and the severity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyshacl
import rdflib.plugins.sparql
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from amkg.graph.load import KG
from amkg.graph.report import ValidationReport, Violation
from amkg.graph.shapes_guard import check_shapes

_PLAIN_DATATYPES = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.int}
_SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}


@dataclass(frozen=True)
class Checked:
    """What is checked: the data graph (ontology + data) and the shapes graph."""

    graph: Graph
    shapes: Graph

    def prefixed(self, iri: Node) -> str:
        if not isinstance(iri, URIRef):
            return str(iri)
        try:
            prefix, _, local = self.graph.namespace_manager.compute_qname(str(iri), generate=False)
        except (KeyError, ValueError):
            return str(iri)
        return f"{prefix}:{local}" if prefix else str(iri)

    def label(self, iri: Node, lang: str) -> str:
        found: dict[str, str] = {}
        for value in sorted(self.graph.objects(iri, RDFS.label), key=str):
            if isinstance(value, Literal):
                found.setdefault((value.language or "").lower(), str(value))
        for candidate in (lang, "nl", "en", ""):
            if candidate in found:
                return found[candidate]
        return self.prefixed(iri)


_PLACEHOLDER = re.compile(r"\{[?$]\w+\}")


def _message_language(kg: Checked, results: Graph, result: Node, text: str) -> str:
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


def _messages(kg: Checked, results: Graph, result: Node) -> tuple[str, str]:
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


def render_path(kg: Checked, graph: Graph, path: Node | None) -> str | None:
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


def _shape_name(kg: Checked, shape: Node | None) -> str:
    """The shape's prefixed IRI; a blank property shape is named after its node shape."""
    if shape is None:
        return ""
    if isinstance(shape, BNode):
        for parent in kg.shapes.subjects(SH.property, shape):
            path = render_path(kg, kg.shapes, kg.shapes.value(shape, SH.path))
            return f"{_shape_name(kg, parent)} / {path}" if path else _shape_name(kg, parent)
        return "(anonymous shape)"
    return kg.prefixed(shape)


def _value_text(kg: Checked, value: Node | None) -> str | None:
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


def validate_graph(graph: Graph, shapes: Graph, lang: str = "nl") -> ValidationReport:
    """Run ``shapes`` over ``graph``. Warnings and infos are listed but do not fail it.

    Shapes whose SPARQL could reach the network are refused first
    (:class:`~amkg.graph.shapes_guard.ShapesRefused`), and rdflib never loads a graph from an
    IRI, so validation stays on this machine."""
    return validate_with_results(graph, shapes, lang)[0]


def validate_with_results(
    graph: Graph,
    shapes: Graph,
    lang: str = "nl",
    focus_nodes: list[URIRef] | None = None,
    checked: bool = False,
) -> tuple[ValidationReport, Graph]:
    """:func:`validate_graph` and pyshacl's results graph; with ``focus_nodes``, only those
    nodes are validated (against every shape that targets them: the edit gate,
    :mod:`amkg.graph.gate`). ``checked``: the shapes passed :func:`check_shapes` already."""
    if not checked:
        check_shapes(shapes)
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    kg = Checked(graph, shapes)
    conforms, results, _text = pyshacl.validate(
        kg.graph,
        shacl_graph=kg.shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
        meta_shacl=False,
        focus_nodes=list[str | URIRef](focus_nodes) if focus_nodes else None,
        inplace=focus_nodes is not None,  # the gate's graph is its own copy: no clone needed
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
    report = ValidationReport(
        conforms=bool(conforms),
        violations=violations,
        triple_count=len(kg.graph),
        resource_count=_resource_count(kg.graph) if focus_nodes is None else 0,
        shape_count=len(set(kg.shapes.subjects(RDF.type, SH.NodeShape))),
    )
    return report, results
