"""RDF terms between pyoxigraph, SPARQL JSON results and rdflib, in one spelling.

Every engine hands back rdflib terms passed through :func:`normalize_term` (plain literals never
carry ``xsd:string``, language tags are lower case, numbers and booleans are written in their
canonical lexical form), so that the engines give equal results for the same query. Answers
are read into rows here: :func:`solution_rows` from pyoxigraph's solutions, :func:`json_rows`
from a SPARQL 1.1 JSON results document (the embedded store's own answers, see
:meth:`amkg.graph.store.OxigraphStore.query`, and a remote server's). Each distinct term is
converted once per store (a cache: the graph's own terms recur in every answer).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

# Datatype IRIs as plain strings (an rdflib URIRef hashes differently from its str).
_INTEGER_TYPES = {str(t) for t in (
    XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.nonNegativeInteger,
    XSD.positiveInteger, XSD.nonPositiveInteger, XSD.negativeInteger, XSD.unsignedLong,
    XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte,
)}  # fmt: skip
_FLOAT_TYPES = {str(XSD.double), str(XSD.float)}
_DECIMAL, _BOOLEAN = str(XSD.decimal), str(XSD.boolean)
#: The datatypes whose literals :func:`canonical_lexical` may rewrite.
CANONICAL_TYPES = frozenset({*_INTEGER_TYPES, *_FLOAT_TYPES, _DECIMAL, _BOOLEAN})
_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)
#: Converted terms an :class:`OxigraphStore` keeps (the graph's own terms recur in every
#: answer); emptied when full, so computed values cannot grow it without bound.
TERM_CACHE_SIZE = 50_000


def canonical_lexical(lexical: str, datatype: str) -> str | None:
    """The canonical lexical form of a numeric or boolean literal (``datatype`` is the IRI as
    a string), or ``None`` if ill-typed or of another datatype."""
    text = lexical.strip()
    try:
        if datatype in _INTEGER_TYPES:
            return str(int(text))
        if datatype == _DECIMAL:
            value = Decimal(text)
            if not value.is_finite():
                return None
            if value.is_zero():
                return "0.0"
            text = format(value, "f")  # no rounding: Decimal.normalize() would round to 28 digits
            if "." not in text:
                return f"{text}.0"
            whole, fraction = text.split(".")
            return f"{whole}.{fraction.rstrip('0') or '0'}"
        if datatype in _FLOAT_TYPES:
            number = float(text)  # "INF", "NaN" and exponents all parse
            return repr(number) if number == number and abs(number) != float("inf") else text
        if datatype == _BOOLEAN:
            return {"true": "true", "1": "true", "false": "false", "0": "false"}.get(text)
    except (ValueError, InvalidOperation):
        return None
    return None


def normalize_term(term: Node) -> Node:
    """One spelling per term, so that both engines' results compare equal."""
    if not isinstance(term, Literal):
        return term
    if term.language:
        return Literal(str(term), lang=term.language.lower())
    datatype = term.datatype
    if datatype is None or datatype == XSD.string:
        return Literal(str(term))
    canonical = canonical_lexical(str(term), str(datatype))
    if canonical is not None and canonical != str(term):
        return Literal(canonical, datatype=datatype)
    return term


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to a pyoxigraph term")


def from_oxigraph(term: Any) -> Node:
    """A pyoxigraph term as an rdflib term (normalized, see :func:`normalize_term`)."""
    return normalize_term(from_oxigraph_raw(term))


def from_oxigraph_raw(term: Any) -> Node:
    """A pyoxigraph term as an rdflib term, lexical form and datatype exactly as stored."""
    kind = type(term)
    if kind is ox.NamedNode:
        return URIRef(term.value)
    if kind is ox.Literal:
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if kind is ox.BlankNode:
        return BNode(term.value)
    raise TypeError(f"unsupported term: {term!r}")


def solution_rows(
    cache: dict[Any, Node], names: list[str], solutions: Iterable[Any]
) -> list[dict[str, Node]]:
    """pyoxigraph solutions as rows of rdflib terms, each distinct term converted once (kept in
    ``cache``, cleared when it reaches :data:`TERM_CACHE_SIZE`). rdflib terms are immutable,
    so rows may share them; this loop is the hot path of every store that reads pyoxigraph
    solutions (the embedded store, and a remote store's parsed answers)."""
    cached = cache.get
    rows = []
    for solution in solutions:
        row = {}
        for name, value in zip(names, solution, strict=True):
            if value is not None:
                term = cached(value)
                if term is None:
                    term = _remember(cache, value, from_oxigraph(value))
                row[name] = term
        rows.append(row)
    return rows


def _remember(cache: dict[Any, Node], key: Any, term: Node) -> Node:
    """``term``, kept in ``cache`` under ``key`` (emptied first once it holds
    :data:`TERM_CACHE_SIZE` terms): a converted term is converted once."""
    if len(cache) >= TERM_CACHE_SIZE:
        cache.clear()
    cache[key] = term
    return term


def json_term(data: Mapping[str, Any]) -> Node:
    """One term of a SPARQL 1.1 JSON results document (``{"type": ..., "value": ...}``) as a
    normalised rdflib term."""
    kind = data["type"]
    value = data["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        language = data.get("xml:lang")
        if language:
            return normalize_term(Literal(value, lang=language))
        datatype = data.get("datatype")
        return normalize_term(Literal(value, datatype=URIRef(datatype) if datatype else None))
    raise ValueError(f"unknown term type {kind!r}")


def json_rows(
    cache: dict[Any, Node], names: list[str], document: bytes | str
) -> list[dict[str, Node]]:
    """The rows of a SPARQL 1.1 JSON results document of a SELECT, as :func:`solution_rows`
    gives them (rdflib terms by variable name in the order of ``names``; an unbound variable
    is absent), each distinct term converted once (kept in ``cache``)."""
    rows = []
    cached = cache.get
    for binding in json.loads(document)["results"]["bindings"]:
        row = {}
        for name in names:
            data = binding.get(name)
            if data is None:
                continue
            key = (data["type"], data["value"], data.get("xml:lang") or data.get("datatype"))
            term = cached(key)
            if term is None:
                term = _remember(cache, key, json_term(data))
            row[name] = term
        rows.append(row)
    return rows
