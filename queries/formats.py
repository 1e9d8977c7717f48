"""Result formats: which ones exist, content negotiation, and serialising a ``QueryResult``.

SELECT and ASK answer in SPARQL Results JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE in
Turtle, N-Triples, JSON-LD or RDF/XML. The serialisers are the libraries' own:

* JSON and CSV: rdflib's SPARQL result serialisers;
* TSV (rdflib has no TSV writer), XML (rdflib 7.6's writes a ``false`` boolean as an empty
  literal) and ASK as CSV: pyoxigraph's writers, fed with rdflib's JSON;
* graphs: rdflib's graph serialisers;
* an answer straight from pyoxigraph (:func:`serialise_native`, the endpoint's fast path):
  pyoxigraph's own writers, with no rdflib term in between.

Nothing here hand-writes a term, so every value from the graph leaves in its serialised form.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Variable
from rdflib.query import Result

from amkg.graph.load import new_graph
from amkg.graph.store import QueryResult
from amkg.graph.terms import CANONICAL_TYPES, canonical_lexical, from_oxigraph
from amkg.queries.guard import QueryRejected


@dataclass(frozen=True)
class Format:
    """One answer format: ``key`` is its short name (the ``format`` parameter)."""

    key: str
    media_type: str
    graph: bool  # True: CONSTRUCT/DESCRIBE; False: SELECT/ASK
    w3c: str  # its IRI in http://www.w3.org/ns/formats/ (for the service description)
    names: tuple[str, ...] = ()  # other values of the format parameter that choose it
    also: tuple[str, ...] = ()  # other media types that choose it

    @property
    def content_type(self) -> str:
        """The Content-Type header (UTF-8 always)."""
        return f"{self.media_type}; charset=utf-8"


_F = "http://www.w3.org/ns/formats/"
JSON = Format("json", "application/sparql-results+json", False, _F + "SPARQL_Results_JSON",
              ("srj",), ("application/json",))  # fmt: skip
XML = Format("xml", "application/sparql-results+xml", False, _F + "SPARQL_Results_XML", ("srx",))
CSV = Format("csv", "text/csv", False, _F + "SPARQL_Results_CSV")
TSV = Format("tsv", "text/tab-separated-values", False, _F + "SPARQL_Results_TSV")
TURTLE = Format("ttl", "text/turtle", True, _F + "Turtle", ("turtle", "n3"),
                ("application/x-turtle", "application/turtle", "text/n3"))  # fmt: skip
NTRIPLES = Format("nt", "application/n-triples", True, _F + "N-Triples", ("ntriples", "n-triples"))
JSONLD = Format("jsonld", "application/ld+json", True, _F + "JSON-LD", ("json-ld", "json"),
                ("application/json", "application/x-json+ld"))  # fmt: skip
RDFXML = Format("rdfxml", "application/rdf+xml", True, _F + "RDF_XML", ("rdf", "rdf+xml", "xml"))

RESULT_FORMATS: tuple[Format, ...] = (JSON, XML, CSV, TSV)  # the first is the default
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML)
ALL_FORMATS = RESULT_FORMATS + GRAPH_FORMATS
FORMAT_NAMES = tuple(f.key for f in ALL_FORMATS)
GRAPH_KINDS = ("CONSTRUCT", "DESCRIBE")

_RDFLIB_GRAPH = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


class FormatError(QueryRejected):
    """An unknown or unsuitable ``format`` parameter (400), or an Accept header that no format
    of the query's form satisfies (406)."""


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Serialised:
    """A serialised answer: the bytes, how many rows (or triples) they hold, and whether the
    row limit cut the answer short."""

    body: bytes
    rows: int
    truncated: bool
    stopped_by: str | None = None  # the cap that cut it: "rows" or "bytes"


def formats_for(kind: str) -> tuple[Format, ...]:
    """The formats a query of this form can answer in, the default first."""
    return GRAPH_FORMATS if kind.upper() in GRAPH_KINDS else RESULT_FORMATS


def _lookup(value: str, family: Sequence[Format]) -> Format | None:
    """The format a parameter value names: a short name, a media type or a list of media
    types (SPARQLWrapper sends its whole Accept list); the first that fits wins."""
    for part in value.lower().split(","):
        part = part.split(";")[0].strip()
        for fmt in family:
            if part == fmt.key or part in fmt.names:
                return fmt
            if part == fmt.media_type or part in fmt.also:
                return fmt
    return None


def _meaning(value: str) -> tuple[Format | None, Format | None]:
    """What a format-parameter value asks for: (results format, graph format)."""
    return _lookup(value, RESULT_FORMATS), _lookup(value, GRAPH_FORMATS)


def _unknown(value: str) -> FormatError:
    return FormatError(400, f"unknown format {value!r}; use one of {', '.join(FORMAT_NAMES)}")


def pick_format_param(values: Sequence[str]) -> str | None:
    """The one ``format`` value of a request (clients such as SPARQLWrapper repeat it, as a
    name and as a media type), or ``None``. Unknown or contradictory values are a 400."""
    chosen: str | None = None
    for value in values:
        if not value.strip():
            continue
        meaning = _meaning(value)
        if meaning == (None, None):
            raise _unknown(value)
        if chosen is None:
            chosen = value
        elif _meaning(chosen) != meaning:
            raise FormatError(400, f"contradictory formats {chosen!r} and {value!r}")
    return chosen


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``(media range, q)`` pairs of an Accept header; malformed q-values count as 0."""
    ranges = []
    for part in (header or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(fmt: Format, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range matching ``fmt`` (exact, then type/*, then */*).

    Only the format's own media type matches a ``type/*`` range; its aliases (application/json
    for SPARQL JSON and JSON-LD) only match exactly.
    """
    best: tuple[int, float] | None = None
    for media, q in ranges:
        if media == fmt.media_type or media in fmt.also:
            specificity = 2
        elif media.endswith("/*") and fmt.media_type.startswith(media[:-1]):
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0] or (specificity == best[0] and q > best[1]):
            best = (specificity, q)
    return best[1] if best else 0.0


def negotiate(kind: str, accept: str | None = None, fmt: str | None = None) -> Format:
    """The format of the answer to a query of form ``kind``.

    A ``format`` parameter wins over the Accept header. Without either (or with an Accept
    header that names no media range at all), the default: SPARQL Results JSON, or Turtle for
    a graph. An Accept header whose ranges fit none of the form's formats (``image/png``;
    results JSON for a CONSTRUCT) is a 406.
    """
    family = formats_for(kind)
    if fmt:
        chosen = _lookup(fmt, family)
        if chosen is None:
            if _meaning(fmt) == (None, None):
                raise _unknown(fmt)
            names = ", ".join(f.key for f in family)
            raise FormatError(400, f"format {fmt!r} does not fit a {kind} query; use {names}")
        return chosen
    ranges = parse_accept(accept)
    best, best_q = family[0], 0.0
    for candidate in family:  # in order of preference, so ties go to the earlier one
        q = _quality(candidate, ranges)
        if q > best_q:
            best, best_q = candidate, q
    if ranges and best_q == 0.0:
        offered = ", ".join(f.media_type for f in family)
        raise FormatError(
            406,
            f"none of the media types in the Accept header fits a {kind} query; this one "
            f"answers in {offered} (or send format=...)",
        )
    return best


def serialise_graph(graph: Graph, fmt: Format) -> bytes:
    """A graph in one of the graph formats, by rdflib."""
    return graph.serialize(format=_RDFLIB_GRAPH[fmt.key], encoding="utf-8")


def _rdflib_result(result: QueryResult, rows: list[dict[str, Any]]) -> Result:
    out = Result(result.kind)
    if result.kind == "ASK":
        out.askAnswer = bool(result.boolean)
    else:
        out.vars = [Variable(name) for name in result.vars]
        out.bindings = [{Variable(k): v for k, v in row.items()} for row in rows]
    return out


_OX_RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def _canonical_literals(rows: list[dict[str, dict[str, str]]]) -> bool:
    """Rewrite numbers and booleans in SPARQL JSON rows to their canonical lexical form, as
    ``graph.store.normalize_term`` does for the converted path (Oxigraph writes a computed
    decimal 94 as ``"94"``, the normaliser as ``"94.0"``); whether anything changed."""
    changed = False
    for row in rows:
        for term in row.values():
            datatype = term.get("datatype")
            if datatype in CANONICAL_TYPES:
                canonical = canonical_lexical(term["value"], datatype)
                if canonical is not None and canonical != term["value"]:
                    term["value"] = canonical
                    changed = True
    return changed


def _json_term(term: Any) -> dict[str, Any]:
    """A pyoxigraph term as a SPARQL Results JSON term (the format's structure, not a
    serialisation: ``json`` escapes the values)."""
    kind = type(term)
    if kind is ox.NamedNode:
        return {"type": "uri", "value": term.value}
    if kind is ox.BlankNode:
        return {"type": "bnode", "value": term.value}
    if kind is ox.Literal:
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if kind is ox.Triple:
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: _json_term(v) for k, v in parts.items()}}
    raise TypeError(f"unsupported term in a query result: {term!r}")


def _size(term: dict[str, Any]) -> int:
    """About how many bytes a JSON term takes (for the byte cap; never less than the value)."""
    return len(term["value"]) + 48 if isinstance(term["value"], str) else 160


def _bounded_rows(result: ox.QuerySolutions, names: list[str], row_limit: int | None,
                  byte_limit: int | None) -> tuple[list[dict[str, Any]], str | None]:  # fmt: skip
    """At most ``row_limit`` rows and about ``byte_limit`` bytes of ``result``, read lazily:
    pyoxigraph evaluates as it is iterated, so what lies past a cap is never computed.
    Returns the rows and which cap stopped them (``"rows"``, ``"bytes"`` or ``None``)."""
    rows: list[dict[str, Any]] = []
    used = 0
    for solution in result:
        if row_limit is not None and len(rows) >= row_limit:
            return rows, "rows"
        row = {}
        for name, value in zip(names, solution, strict=True):
            if value is not None:
                term = _json_term(value)
                used += _size(term)
                row[name] = term
        if byte_limit is not None and used > byte_limit:
            return rows, "bytes"
        rows.append(row)
    return rows, None


def serialise_native(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: Format,
                     row_limit: int | None = None, byte_limit: int | None = None,
                     kind: str = "CONSTRUCT") -> Serialised:  # fmt: skip
    """A pyoxigraph answer, read only up to ``row_limit`` rows (or triples) and about
    ``byte_limit`` bytes, then written.

    The endpoint's path: SELECT and ASK with no rdflib term in between (the rows as SPARQL
    Results JSON, the other results formats by pyoxigraph's writers fed with that JSON);
    numbers and booleans get their canonical form (Oxigraph already lower-cases language tags
    and drops ``xsd:string``), so the terms are the ones :func:`serialise` writes from the
    converted result; only whitespace and the order of keys may differ
    (``tests/test_formats_native.py``). CONSTRUCT and DESCRIBE (``kind``): the triples read up
    to the caps, converted, and written by rdflib. Nothing past a cap is ever evaluated.
    """
    if isinstance(result, ox.QueryTriples):
        return _bounded_graph(result, fmt, row_limit, byte_limit, kind)
    if fmt.graph:
        raise FormatError(400, f"a SELECT or ASK query cannot answer in {fmt.key}")
    wanted = _OX_RESULTS[fmt.key]
    if isinstance(result, ox.QueryBoolean):
        return Serialised(result.serialize(format=wanted) or b"", 1, False)
    names = [variable.value for variable in result.variables]
    rows, stopped = _bounded_rows(result, names, row_limit, byte_limit)
    _canonical_literals(rows)
    document = {"head": {"vars": names}, "results": {"bindings": rows}}
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    if fmt.key != "json":
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=wanted) or b""
    return Serialised(body, len(rows), stopped is not None, stopped)


def _bounded_graph(result: ox.QueryTriples, fmt: Format, row_limit: int | None,
                   byte_limit: int | None, kind: str) -> Serialised:  # fmt: skip
    if not fmt.graph:
        raise FormatError(400, f"a {kind} query cannot answer in {fmt.key}")
    graph = new_graph()
    used = 0
    stopped = None
    for triple in result:
        if row_limit is not None and len(graph) >= row_limit:
            stopped = "rows"
            break
        terms = (triple.subject, triple.predicate, triple.object)
        used += sum(len(getattr(t, "value", "")) + 16 for t in terms)
        if byte_limit is not None and used > byte_limit:
            stopped = "bytes"
            break
        graph.add(tuple(from_oxigraph(t) for t in terms))  # type: ignore[arg-type]
    return Serialised(serialise_graph(graph, fmt), len(graph), stopped is not None, stopped)


def serialise(result: QueryResult, fmt: Format, row_limit: int | None = None) -> Serialised:
    """``result`` in ``fmt``, cut to ``row_limit`` rows (or triples) when it has more."""
    if result.kind in GRAPH_KINDS:
        if fmt.graph is False:
            raise FormatError(400, f"a {result.kind} query cannot answer in {fmt.key}")
        graph = result.graph if result.graph is not None else new_graph()
        truncated = row_limit is not None and len(graph) > row_limit
        if truncated:
            kept = new_graph()
            for triple in sorted(graph)[:row_limit]:
                kept.add(triple)
            graph = kept
        stopped = "rows" if truncated else None
        return Serialised(serialise_graph(graph, fmt), len(graph), truncated, stopped)
    if fmt.graph:
        raise FormatError(400, f"a {result.kind} query cannot answer in {fmt.key}")
    rows = result.rows
    truncated = row_limit is not None and len(rows) > row_limit
    if truncated:
        rows = rows[:row_limit]
    table = _rdflib_result(result, rows)
    if fmt.key in ("tsv", "xml") or (fmt.key == "csv" and result.kind == "ASK"):
        as_json = table.serialize(format="json", encoding="utf-8")
        parsed = ox.parse_query_results(as_json, format=ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=_OX_RESULTS[fmt.key])
    else:
        body = table.serialize(format=fmt.key, encoding="utf-8")
    count = 1 if result.kind == "ASK" else len(rows)
    return Serialised(body or b"", count, truncated, "rows" if truncated else None)
