"""One query answered, in whichever process runs it (a query worker, or ``amkg sparql``):
guard (remembered per text), negotiate the format, evaluate against :data:`BASE_IRI`, write at
most the row and byte caps; the engine's own complaints become a clean 400
(:class:`~amkg.queries.guard.QueryRejected`)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import rdflib.plugins.sparql
from pyparsing import ParseBaseException

from amkg.graph.store import QueryResult, Store
from amkg.queries.formats import negotiate, serialise, serialise_native
from amkg.queries.guard import NO_SERVICE, Limits, ParsedQuery, QueryRejected, check_query

# rdflib must never fetch a FROM / FROM NAMED graph from its IRI (the guard refuses those
# clauses anyway). pyoxigraph has no such switch: it never loads FROM graphs, and SERVICE, its
# only way out, is refused by the guard and, in a worker, by the kernel (queries/offline.py).
# (SPARQL_DEFAULT_GRAPH_UNION only matters for datasets, which the stores do not use.)
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


@dataclass(frozen=True)
class Answer:
    """A serialised answer: ``rows`` rows (or triples) of ``kind`` in ``media_type``."""

    body: bytes
    content_type: str
    media_type: str
    kind: str
    rows: int
    truncated: bool
    stopped_by: str | None = None  # the cap that cut the answer: "rows" or "bytes"


#: The base IRI of every query the endpoint and ``amkg sparql`` evaluate, so relative IRIs
#: (``CONSTRUCT { <s> <p> 1 } WHERE {}``) resolve: the graph's own namespace, so ``<spoor-1>``
#: is ``kg:spoor-1``. A query's own ``BASE`` wins (the last BASE of a prologue counts).
BASE_IRI = "https://w3id.org/amkg/id/"
_BASE_PREFIX = f"BASE <{BASE_IRI}> "
_AT_LINE_ONE = re.compile(r"\bat 1:(\d+)")
_ENGINE_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
#: Engine messages that say the query reached for the network (refused by the kernel).
_EGRESS_MESSAGES = ("os error 13", "os error 101", "not allowed for HTTP", "Permission denied")


def query_hash(text: str) -> str:
    """A short, stable name of a query text for the logs (never the text itself)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def with_base(text: str) -> str:
    """``text`` as the engine receives it: with :data:`BASE_IRI` declared first, on the same
    line, so the engine's line numbers stay those of the text."""
    return _BASE_PREFIX + text


def _unbased(message: str) -> str:
    """An engine message about the text of :func:`with_base`, in the client's columns."""
    shift = len(_BASE_PREFIX)
    return _AT_LINE_ONE.sub(lambda m: f"at 1:{max(1, int(m.group(1)) - shift)}", message)


def _syntax_reason(message: str) -> str:
    """pyoxigraph's ``error at 2:16: expected ...`` as the reason a client reads, in the
    client's own lines and columns: ``SPARQL syntax error at line 2, column 16: expected ...``."""
    line = _first_line(_unbased(message))
    found = _ENGINE_AT.match(line)
    if found is None:
        return f"SPARQL error: {line}"
    row, column, rest = found.groups()
    return f"SPARQL syntax error at line {row}, column {column}: {rest}"


def _first_line(message: str, limit: int = 300) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "no detail"
    return line if len(line) <= limit else line[: limit - 1] + "…"


@contextlib.contextmanager
def _engine_errors() -> Iterator[None]:
    """The engine's complaints about a query as a clean 400 (pyoxigraph's parser is stricter
    in places; an unknown extension function, a type it cannot evaluate); a reach for the
    network (which the kernel refuses in a worker) as a 400 that names it. Anything else
    propagates: it is ours, and becomes a logged 500."""
    from amkg.graph.remote import RemoteQueryError, StoreUnavailable

    try:
        yield
    except RemoteQueryError as error:  # the server refused the query itself
        raise QueryRejected(400 if error.status < 500 else 502, str(error)) from None
    except StoreUnavailable as error:
        raise QueryRejected(503, str(error)) from None
    except SyntaxError as error:
        raise QueryRejected(400, _syntax_reason(str(error))) from None
    except ParseBaseException as error:  # the rdflib engine's parser
        message = f"SPARQL syntax error at line {error.lineno}, column {error.col}: {error.msg}"
        raise QueryRejected(400, message) from None
    except RecursionError:
        raise QueryRejected(400, "the query is nested too deeply to parse") from None
    except ValueError as error:  # rdflib's parser on a bad \\U escape; anything else is ours
        if not str(error).startswith("Invalid unicode code point"):
            raise
        raise QueryRejected(400, f"SPARQL syntax error: {error}") from None
    except OSError as error:
        if any(marker in str(error) for marker in _EGRESS_MESSAGES):
            raise QueryRejected(400, f"SERVICE {NO_SERVICE}") from None
        raise
    except RuntimeError as error:  # pyoxigraph's evaluation errors
        reason = _first_line(str(error))
        raise QueryRejected(400, f"the query cannot be evaluated: {reason}") from None


def run_parsed(store: Store, parsed: ParsedQuery) -> QueryResult:
    """Evaluate a guarded query (relative IRIs against :data:`BASE_IRI`); the engine's own
    complaints become a 400."""
    with _engine_errors():
        return store.query(with_base(parsed.text))


@functools.lru_cache(maxsize=256)
def _checked(text: str, limits: Limits) -> ParsedQuery:
    return check_query(text, limits)


def check_cached(text: str, limits: Limits) -> ParsedQuery:
    """:func:`~queries.guard.check_query`, remembered per text: a query that comes back (a
    catalogue query, a client's favourite) is judged once per process. Rejections are not
    remembered (they raise)."""
    return _checked(text, limits) if isinstance(text, str) else check_query(text, limits)


def answer(store: Store, text: str, accept: str | None, fmt: str | None, row_limit: int,
           limits: Limits, byte_limit: int | None = None) -> Answer:  # fmt: skip
    """The whole job of a worker for one query (also usable in-process): guard, negotiate,
    evaluate, and write at most ``row_limit`` rows (or triples) and about ``byte_limit``
    bytes. On Oxigraph the answer is read lazily and the reading stops at a cap, so a
    ``LIMIT 2000000`` never materialises; the rdflib engine answers whole, then is cut."""
    parsed = check_cached(text, limits)
    chosen = negotiate(parsed.kind, accept, fmt)  # before evaluating: a bad format costs nothing
    native = getattr(store, "query_native", None)
    if native is not None:
        with _engine_errors():
            result = native(with_base(parsed.text))
            out = serialise_native(result, chosen, row_limit, byte_limit, kind=parsed.kind)
    else:
        out = serialise(run_parsed(store, parsed), chosen, row_limit)
    return Answer(out.body, chosen.content_type, chosen.media_type, parsed.kind, out.rows,
                  out.truncated, out.stopped_by)  # fmt: skip
