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

import pyoxigraph as ox
from rdflib import Graph, Variable
from rdflib.query import Result

from amkg.graph.load import new_graph
from amkg.graph.store import CANONICAL_TYPES, QueryResult, canonical_lexical
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
    """An unknown or unsuitable ``format`` parameter (400)."""


@dataclass(frozen=True)
class Serialised:
    """A serialised answer: the bytes, how many rows (or triples) they hold, and whether the
    row limit cut the answer short."""

    body: bytes
    rows: int
    truncated: bool


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

    A ``format`` parameter wins over the Accept header. Without either, or when nothing in the
    Accept header fits, the default: SPARQL Results JSON, or Turtle for a graph.
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
    return best


def serialise_graph(graph: Graph, fmt: Format) -> bytes:
    """A graph in one of the graph formats, by rdflib."""
    return graph.serialize(format=_RDFLIB_GRAPH[fmt.key], encoding="utf-8")


def _rdflib_result(result: QueryResult, rows: list) -> Result:
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


def serialise_native(result: ox.QuerySolutions | ox.QueryBoolean, fmt: Format,
                     row_limit: int | None = None) -> Serialised:  # fmt: skip
    """A pyoxigraph SELECT or ASK answer written by pyoxigraph, cut to ``row_limit`` rows.

    The endpoint's fast path: no rdflib term is made. pyoxigraph writes SPARQL Results JSON;
    Python's ``json`` counts (and, over the limit, cuts) its rows; the other formats are
    pyoxigraph's writers fed with that JSON. Numbers and booleans get their canonical form
    (Oxigraph already lower-cases language tags and drops ``xsd:string``), so the terms are
    the ones :func:`serialise` writes from the converted result; only whitespace and the
    order of keys may differ (``tests/test_formats_native.py``).
    """
    if fmt.graph:
        raise FormatError(400, f"a SELECT or ASK query cannot answer in {fmt.key}")
    wanted = _OX_RESULTS[fmt.key]
    if isinstance(result, ox.QueryBoolean):
        return Serialised(result.serialize(format=wanted), 1, False)
    as_json = result.serialize(format=ox.QueryResultsFormat.JSON)
    document = json.loads(as_json)
    rows = document["results"]["bindings"]
    truncated = row_limit is not None and len(rows) > row_limit
    if truncated:
        del rows[row_limit:]
    if _canonical_literals(rows) or truncated:
        as_json = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    if fmt.key != "json":
        parsed = ox.parse_query_results(as_json, format=ox.QueryResultsFormat.JSON)
        as_json = parsed.serialize(format=wanted)
    return Serialised(as_json, len(rows), truncated)


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
        return Serialised(serialise_graph(graph, fmt), len(graph), truncated)
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
    return Serialised(body or b"", count, truncated)
