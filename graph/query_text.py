"""What a query's text says without parsing it: its form, what its SELECT projects, and the
text form-encoded for a request. Both the embedded stores (pyoxigraph answers CONSTRUCT and
DESCRIBE alike, as triples) and the remote store (which asks a server for RDF or a table by the
form) read it here, so the two agree on what a query is.

Comment lines are left out first; a keyword inside a string or an IRI can still mislead these
reads, so they only choose between answers a parser would give for the same text, never decide
what a query may do (:mod:`amkg.queries.guard` parses for that).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from urllib.parse import quote_plus

from amkg.graph.values import where_brace

_COMMENT_LINE = re.compile(r"^\s*#.*$", re.MULTILINE)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


@functools.lru_cache(maxsize=512)
def form(sparql: str) -> str | None:
    """The query's form, upper case (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``): the first
    of those words outside a comment line; ``None`` when there is none."""
    found = _FORM.search(_COMMENT_LINE.sub("", sparql))
    return found.group(1).upper() if found else None


def graph_form(sparql: str) -> bool:
    """Whether ``sparql`` is a CONSTRUCT or DESCRIBE query (answered with RDF, not a table)."""
    return form(sparql) in ("CONSTRUCT", "DESCRIBE")


def graph_query_kind(sparql: str) -> str:
    """CONSTRUCT or DESCRIBE for a query answered with triples (CONSTRUCT when the text does not
    say)."""
    found = form(sparql)
    return found if found in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT"


@functools.lru_cache(maxsize=128)
def form_encoded(sparql: str) -> str:
    """``sparql`` form-encoded (``application/x-www-form-urlencoded``)."""
    return quote_plus(sparql)


@functools.lru_cache(maxsize=512)
def projection(sparql: str) -> frozenset[str] | None:
    """The names a SELECT query projects; ``None`` for ``SELECT *`` and other forms."""
    head = sparql[: where_brace(sparql)]
    match = _SELECT.search(head)
    if match is None:
        return None
    clause = head[match.end() :]
    clause = re.sub(r"\bWHERE\b\s*$", "", clause.strip(), flags=re.IGNORECASE)
    if re.search(r"^\s*(DISTINCT|REDUCED)?\s*\*", clause, re.IGNORECASE):
        return None
    return frozenset(_VAR.findall(clause))


def unprojected(sparql: str, bindings: Mapping[str, object]) -> str | None:
    """The first bound variable a SELECT query does not project (``SELECT *``: none), the
    embedded store's rule (:class:`~amkg.graph.store.BindingError`)."""
    projected = projection(sparql)
    if projected is None:
        return None
    return next((name for name in bindings if name not in projected), None)
