"""rdflib's SPARQL parser, one caller at a time in a process.

rdflib parses SPARQL with pyparsing, whose grammar objects keep state while they parse: two
threads parsing at once fail (``TypeError: Param.postParse2() missing 1 required positional
argument``) or read the query wrongly. A web process parses in several threads at once: what a
derived value read (:mod:`amkg.graph.footprint_query`, while requests compute their pages), the
check that bound values read back faithfully (:mod:`amkg.graph.values`) and the SHACL gate's
SPARQL constraints (:mod:`amkg.graph.gate`, edits and previews in the write process's threads).
Under ``amkg serve`` the first of these failed now and then; the failure counted as "reads
everything", so every later change made the web processes answer those catalogue queries again
(``tests/test_sparql_parser.py``). Every parse of ours goes through here, under one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

#: Held while rdflib parses or translates a query (pyparsing is not safe across threads).
LOCK = threading.Lock()


def prepare_query(text: str) -> Any:
    """``rdflib.plugins.sparql.prepareQuery(text)``, one parse at a time (raises what the parser
    raises)."""
    from rdflib.plugins.sparql import prepareQuery  # the parser loads only when it is used

    with LOCK:
        return prepareQuery(text)


def translate_query(text: str, base: str | None, namespaces: Mapping[str, Any] | None) -> Any:
    """The query ``text`` parsed and translated to rdflib's algebra (what rdflib's own
    ``Graph.query`` does with a string), one parse at a time."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    with LOCK:
        return translateQuery(parseQuery(text), base, namespaces)
