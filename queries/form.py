"""What a query text is: its form (SELECT, ASK, ...), the variables it projects and whether the
outer query orders its results, read with the parser of the engine that runs it (pyoxigraph:
about a millisecond a query; rdflib's parser takes some 0.3 s, which made loading the whole
catalogue take seconds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

# SPARQL text as tokens, enough to tell where braces and keywords are: comments, strings and
# IRIs are skipped whole (they may hold braces or '#'), prefixed names are not keywords.
_TOKEN = re.compile(
    r"""
      (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n]*)
    | (?P<variable>[?$][A-Za-z0-9_]+)
    | (?P<name>[A-Za-z_][A-Za-z0-9_.-]*:[A-Za-z0-9_.:%-]*|:[A-Za-z0-9_.:%-]*)
    | (?P<word>[A-Za-z]+)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)


class QueryFormError(ValueError):
    """The text does not parse as a SPARQL query."""


@dataclass(frozen=True)
class QueryForm:
    kind: str  # SELECT, ASK or GRAPH (CONSTRUCT and DESCRIBE)
    variables: tuple[str, ...]  # projected by a SELECT, in order
    ordered: bool  # the outer query has an ORDER BY


def outer_order_by(sparql: str) -> bool:
    """Whether ``ORDER BY`` stands outside every group, that is, orders the outer query (an
    ``ORDER BY`` in a sub-query does not order the result)."""
    depth = 0
    previous = ""
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0:
            word = match.group().upper()
            if previous == "ORDER" and word == "BY":
                return True
            previous = word
            continue
        if kind != "comment":
            previous = ""
    return False


def query_form(sparql: str) -> QueryForm:
    """The form of ``sparql``, or :class:`QueryFormError`. The query is prepared on an empty
    store and never evaluated (solutions are produced only when iterated)."""
    try:
        result = ox.Store().query(sparql)
    except SyntaxError as error:
        raise QueryFormError(str(error)) from error
    if isinstance(result, ox.QuerySolutions):
        names = tuple(v.value for v in result.variables)
        return QueryForm("SELECT", names, outer_order_by(sparql))
    kind = "ASK" if isinstance(result, ox.QueryBoolean) else "GRAPH"
    return QueryForm(kind, (), outer_order_by(sparql))
