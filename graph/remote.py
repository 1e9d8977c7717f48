"""A SPARQL 1.1 server as the graph's store: :class:`RemoteStore`.

The data lives in a named graph of the server (``DATA_GRAPH`` of
:mod:`amkg.graph.remote_config` unless configured), the SHACL shapes in
:data:`~amkg.graph.store.SHAPES_GRAPH` and what ``amkg load --into`` wrote about the load
(prefixes, SHACL report, fingerprint) in ``META_GRAPH``. Every read is a SPARQL 1.1 Protocol
request with ``default-graph-uri`` set to the data graph (and ``named-graph-uri`` to the shapes
graph), so the catalogue's queries run unchanged. Bound values become a ``VALUES`` block checked
by :mod:`amkg.graph.values`; nothing else is ever pasted into query text.

Results come back as SPARQL JSON (or XML; N-Triples for CONSTRUCT), are parsed by pyoxigraph and
go through the same normalisation as the embedded engines' (lexical forms, language tags,
:func:`~amkg.graph.store.from_oxigraph`), so answers compare equal whatever the engine.

One pooled HTTP client per store (urllib3), with a connect and a read timeout, retries with
back-off on connection errors, and credentials from the environment or a file
(:mod:`amkg.graph.remote_config`), never from the command line. An unreachable server or an
answer that is no SPARQL result raises :class:`StoreUnavailable` with a one-line reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
import urllib3
from rdflib import BNode, URIRef
from rdflib.term import Node

from amkg.graph import footprint, query_text
from amkg.graph.load import new_graph
from amkg.graph.remote_config import META, RemoteConfig
from amkg.graph.store import (
    BindingError,
    QueryResult,
    _graph_of,
)
from amkg.graph.terms import json_term, solution_rows
from amkg.graph.values import UnfaithfulValues, with_values

#: Seconds the time limit sent to the server exceeds ours (see ``RemoteStore._send``).
SERVER_TIMEOUT_MARGIN = 1.0
_RESULTS = "application/sparql-results+json"
_ACCEPT = f"{_RESULTS}, application/n-triples;q=0.9, text/plain;q=0.8, text/turtle;q=0.7"
#: For CONSTRUCT and DESCRIBE only RDF (Virtuoso would otherwise send a table of s, p, o).
_ACCEPT_RDF = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
_RESULT_FORMATS = {
    _RESULTS: ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}
_RDF_FORMATS = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/ntriples": "nt",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


class StoreUnavailable(Exception):
    """The remote store cannot be reached, or answered something that is no SPARQL result."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"the SPARQL store at {url} is unavailable: {reason}")
        self.url = url
        self.reason = reason


class RemoteQueryError(Exception):
    """The server refused or failed the query itself (its status and first line of reason)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"the SPARQL store refused the query ({status}): {reason}")
        self.status = status
        self.reason = reason


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class RemoteStore:
    """A SPARQL 1.1 server (query, optionally update and Graph Store Protocol endpoints)."""

    name = "remote"

    def __init__(self, config: RemoteConfig, *, pool_size: int = 8) -> None:
        self.config = config
        headers: dict[str, str] = {"User-Agent": "amkg"}
        if config.auth is not None:
            headers.update(urllib3.make_headers(basic_auth=":".join(config.auth)))
        self._headers = headers
        self._terms: dict[Any, Node] = {}
        retry = urllib3.Retry(
            total=config.retries,
            connect=config.retries,
            read=0,
            status=0,
            other=1,
            redirect=2,
            backoff_factor=config.backoff,
            allowed_methods=None,
            raise_on_status=False,
        )
        self._http = urllib3.PoolManager(
            num_pools=4,
            maxsize=pool_size,
            block=False,
            retries=retry,
            timeout=urllib3.Timeout(connect=config.connect_timeout, read=config.timeout),
            headers=headers,
        )

    def __repr__(self) -> str:
        return f"<RemoteStore {self.config.url} graph {self.config.graph}>"

    # --- HTTP ---------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        fields: Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> urllib3.BaseHTTPResponse:
        """One HTTP request; connection errors and timeouts raise :class:`StoreUnavailable`."""
        all_headers = {**self._headers, **(headers or {})}
        if fields is not None:
            body = urlencode(list(fields)).encode("ascii")
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        kwargs: dict[str, Any] = {}
        if timeout is not None:
            kwargs["timeout"] = urllib3.Timeout(connect=self.config.connect_timeout, read=timeout)
        try:
            return self._http.request(method, url, body=body, headers=all_headers, **kwargs)
        except urllib3.exceptions.MaxRetryError as error:
            raise StoreUnavailable(url, _one_line(str(error.reason))) from None
        except urllib3.exceptions.HTTPError as error:
            raise StoreUnavailable(url, _one_line(f"{type(error).__name__}: {error}")) from None

    def _check(self, url: str, response: urllib3.BaseHTTPResponse) -> None:
        status = response.status
        if status < 300:
            return
        text = _one_line(response.data.decode("utf-8", "replace") or response.reason or "")
        if status in (502, 503, 504) or status == 401 or status == 403:
            raise StoreUnavailable(url, f"HTTP {status}: {text}")
        raise RemoteQueryError(status, text)

    # --- queries ------------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        timeout: float | None = None,
    ) -> QueryResult:
        """Evaluate ``sparql`` on the data graph with ``bindings`` bound by a checked VALUES
        block (see :mod:`amkg.graph.values`); a bound SELECT variable must be projected."""
        footprint.note(sparql, bindings)
        answer = self._query(sparql, bindings, [self.config.shapes_graph], timeout=timeout)
        footprint.note_answer(sparql, bindings, answer)
        return answer

    def query_all_graphs(
        self, sparql: str, bindings: Mapping[str, Node] | None = None
    ) -> QueryResult:
        """Evaluate ``sparql`` on the server's own dataset (no ``default-graph-uri`` nor
        ``named-graph-uri``): every named graph is there for ``GRAPH ?g``, whatever the server
        makes its default graph. For the change sets (named graphs of their own,
        :mod:`amkg.graph.changes_remote`); their queries use ``GRAPH`` patterns only."""
        footprint.note(sparql, bindings)
        answer = self._query(sparql, bindings, None)
        footprint.note_answer(sparql, bindings, answer)
        return answer

    def _query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None,
        named: Iterable[str] | None,
        *,
        timeout: float | None = None,
    ) -> QueryResult:
        blanks: dict[str, Node] = {}
        if bindings:
            unprojected = query_text.unprojected(sparql, bindings)
            if unprojected:
                raise BindingError(unprojected)
            # A blank node cannot be written into a query (a label there is a new node): its
            # variable is left free and the rows are filtered on it (it is projected).
            blanks = {k: v for k, v in bindings.items() if isinstance(v, BNode)}
            rest = {k: v for k, v in bindings.items() if k not in blanks}
            try:
                sparql = with_values(sparql, rest)
            except UnfaithfulValues as error:
                raise ValueError(str(error)) from None
        result = self._send(sparql, named, timeout)
        if blanks:
            if result.kind != "SELECT" or any(n not in result.vars for n in blanks):
                raise ValueError("a blank node can be bound only to a projected SELECT variable")
            result.rows = [r for r in result.rows if all(r.get(k) == v for k, v in blanks.items())]
        return result

    def _send(self, sparql: str, named: Iterable[str] | None, timeout: float | None) -> QueryResult:
        fields: list[tuple[str, str]] = []
        if named is not None:  # None: the server's own dataset (query_all_graphs)
            fields.append(("default-graph-uri", self.config.graph))
            fields += [("named-graph-uri", g) for g in named]
        limit = timeout if timeout is not None else self.config.timeout
        # The server is told a little more than our limit, and we wait as long for its answer:
        # ours (the query pool's) ends the request first, with one message for every engine;
        # the server's frees its resources soon after. Virtuoso answers a query stopped at its
        # limit with a partial result, which must never win.
        backstop = limit + SERVER_TIMEOUT_MARGIN
        if self.config.server_timeout == "seconds":
            fields.append(("timeout", f"{backstop:g}"))
        elif self.config.server_timeout == "milliseconds":
            fields.append(("timeout", str(int(backstop * 1000))))
        url = self.config.url
        # The query text is encoded once per text (the catalogue's are few and long).
        rest = f"&{urlencode(fields)}" if fields else ""
        body = f"query={query_text.form_encoded(sparql)}{rest}".encode("ascii")
        headers = {
            "Accept": _ACCEPT_RDF if query_text.graph_form(sparql) else _ACCEPT,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        response = self.request("POST", url, body=body, headers=headers, timeout=backstop)
        self._check(url, response)
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            if media in _RESULT_FORMATS:
                return self._from_results(response.data, _RESULT_FORMATS[media])
            if media in _RDF_FORMATS:
                graph = new_graph()
                graph.parse(data=response.data.decode("utf-8"), format=_RDF_FORMATS[media])
                return QueryResult(kind=query_text.graph_query_kind(sparql), graph=_graph_of(graph))
        except (ValueError, KeyError, TypeError, AttributeError, SyntaxError) as error:
            reason = f"not a SPARQL result ({_one_line(str(error), 120)})"
            raise StoreUnavailable(url, reason) from None
        except Exception as error:  # rdflib's parsers raise their own kinds
            raise StoreUnavailable(url, f"not RDF ({type(error).__name__})") from None
        raise StoreUnavailable(url, f"answered {media or 'no content type'}, not a SPARQL result")

    def _from_results(self, data: bytes, fmt: ox.QueryResultsFormat) -> QueryResult:
        """A SPARQL results document (parsed by pyoxigraph) as a :class:`QueryResult` of
        normalised rdflib terms, each distinct term converted once (a per-store cache, as
        :class:`~amkg.graph.store.OxigraphStore` does: this is the hot path)."""
        try:
            return self._converted(data, fmt)
        except (SyntaxError, ValueError):
            if fmt != ox.QueryResultsFormat.JSON:
                raise
            # Virtuoso labels blank nodes "nodeID://b10005", which pyoxigraph refuses as a
            # blank node identifier: read that answer term by term instead.
            return _from_json(json.loads(data))

    def _converted(self, data: bytes, fmt: ox.QueryResultsFormat) -> QueryResult:
        parsed = ox.parse_query_results(data, format=fmt)  # read lazily, while iterated
        if isinstance(parsed, ox.QueryBoolean):
            return QueryResult(kind="ASK", boolean=bool(parsed))
        names = [v.value for v in parsed.variables]
        if names == ["__ASK_RETVAL"]:  # Virtuoso answers ASK as a one-column table (none: false)
            values = [s[0].value if s[0] is not None else None for s in parsed]
            return QueryResult(kind="ASK", boolean=any(v in ("1", "true") for v in values))
        rows = solution_rows(self._terms, names, parsed)
        return QueryResult(kind="SELECT", vars=names, rows=rows)

    def triple_count(self) -> int:
        from amkg.graph.rq import DOMAIN

        rows = self.query(DOMAIN.text("triple-count")).rows
        return int(str(rows[0]["n"])) if rows else 0

    def dump(self) -> bytes:
        """The data graph as N-Triples: a Graph Store Protocol GET where configured, else a
        CONSTRUCT of every triple."""
        footprint.note_everything()
        if self.config.gsp_url:
            url = _gsp(self.config.gsp_url, self.config.graph)
            response = self.request("GET", url, headers={"Accept": "application/n-triples"})
            self._check(url, response)
            media = (response.headers.get("Content-Type") or "").split(";")[0].strip()
            if media in ("application/n-triples", "text/plain"):
                return bytes(response.data)
            graph = new_graph()
            graph.parse(data=response.data.decode("utf-8"), format=_RDF_FORMATS.get(media, "nt"))
            return graph.serialize(format="nt", encoding="utf-8")
        from amkg.graph.rq import DOMAIN

        result = self.query(DOMAIN.text("all-triples"))
        assert result.graph is not None
        return result.graph.serialize(format="nt", encoding="utf-8")

    # --- what the load wrote --------------------------------------------------------------------

    def metadata(self) -> dict[str, str]:
        """The load's metadata of the data graph (local name -> text); empty if none."""
        from amkg.graph.rq import DOMAIN

        bindings = {"meta": URIRef(self.config.meta_graph), "graph": URIRef(self.config.graph)}
        rows = self._query(DOMAIN.text("remote-meta"), bindings, [self.config.meta_graph]).rows
        return {str(r["p"])[len(META) :]: str(r["o"]) for r in rows if str(r["p"]).startswith(META)}

    def data_version(self) -> str | None:
        """The version marker the last ``amkg load --into`` wrote (a new one per load), or
        ``None`` where none was written: one small query, so a running app can ask often."""
        from amkg.graph.rq import DOMAIN

        bindings = {"meta": URIRef(self.config.meta_graph), "graph": URIRef(self.config.graph)}
        rows = self._query(DOMAIN.text("remote-version"), bindings, [self.config.meta_graph]).rows
        return min((str(r["version"]) for r in rows), default=None)

    def prefixes(self) -> dict[str, str]:
        text = self.metadata().get("prefixes")
        return dict(json.loads(text)) if text else {}

    def report(self) -> Any:
        from amkg.graph.report import report_from_json

        text = self.metadata().get("report")
        if not text:
            raise LookupError(f"no SHACL report in {self.config.meta_graph}: run amkg load --into")
        return report_from_json(json.loads(text))

    # --- writing (amkg load --into) -----------------------------------------------------------

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update on the update endpoint."""
        url = self.config.update_endpoint
        response = self.request("POST", url, fields=[("update", sparql)])
        self._check(url, response)

    def gsp_write(self, graph: str, ntriples: bytes, *, replace: bool = False) -> None:
        """POST (add) or PUT (replace) N-Triples into ``graph`` via the Graph Store Protocol."""
        assert self.config.gsp_url is not None
        url = _gsp(self.config.gsp_url, graph)
        response = self.request(
            "PUT" if replace else "POST",
            url,
            body=ntriples,
            headers={"Content-Type": "application/n-triples"},
        )
        self._check(url, response)

    def close(self) -> None:
        self._http.clear()


def _gsp(endpoint: str, graph: str) -> str:
    joiner = "&" if "?" in endpoint else "?"
    return f"{endpoint}{joiner}{urlencode({'graph': graph})}"


def _from_json(data: Mapping[str, Any]) -> QueryResult:
    """A SPARQL 1.1 JSON result read term by term (the slow path, for answers pyoxigraph's
    parser refuses)."""
    if "boolean" in data:
        return QueryResult(kind="ASK", boolean=bool(data["boolean"]))
    names = [str(v) for v in data["head"]["vars"]]
    if names == ["__ASK_RETVAL"]:
        values = [b.get("__ASK_RETVAL", {}).get("value") for b in data["results"]["bindings"]]
        return QueryResult(kind="ASK", boolean=any(v in ("1", "true") for v in values))
    rows = [
        {name: json_term(value) for name, value in binding.items() if name in names}
        for binding in data["results"]["bindings"]
    ]
    return QueryResult(kind="SELECT", vars=names, rows=rows)
