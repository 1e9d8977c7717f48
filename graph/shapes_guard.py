"""Refuse SHACL shapes that could make SHACL validation reach the network.

pyshacl with ``advanced=True`` evaluates SPARQL from the shapes graph with rdflib: SPARQL-based
constraints and constraint components (``sh:select``, ``sh:ask``), SPARQL-based targets and
functions (``sh:select``, ``sh:ask``) and SPARQL rules (``sh:construct``). rdflib follows
``SERVICE <http://...>`` with an HTTP request and, unless told otherwise, loads a
``FROM <...>`` graph from its IRI. So :func:`check_shapes` refuses, before validation, any
shapes graph with

* SPARQL (in any of those properties, and in ``sh:update``/``sh:describe`` for good measure)
  that holds the keyword ``SERVICE``, ``LOAD``, ``FROM`` or an update keyword, read as a token
  of the grammar (outside strings, IRIs and comments, after expanding ``\\u`` escapes as rdflib
  does, so ``SERVIC\\u0045`` is caught too);
* ``sh:update`` at all (SPARQL Update has no place in validation);
* JavaScript constraints and libraries (``sh:jsLibrary``, ``sh:jsLibraryURL``,
  ``sh:JSConstraint``, ...), which name code to fetch.
* (``owl:imports`` is left alone: pyshacl follows it only with ``do_owl_imports=True``,
  which validation never sets; the project's own shapes import the ontology that way.)

It raises :class:`ShapesRefused` naming the shape (the nearest named node above the SPARQL,
e.g. ``amkgsh:TrackShape``) and the reason. ``amkg validate`` exits with its own status for it
(``EXIT_BAD_SHAPES``, 3). Only rdflib, no network, linear in the size of the shapes graph.
"""

from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.parser import expandUnicodeEscapes
from rdflib.term import Node

from amkg.graph.sparql_lexer import code_only

_SHACL = Namespace(str(SH))  # open: also the terms rdflib's closed SH does not list
#: The properties whose literal value is SPARQL that pyshacl (or a SHACL engine) evaluates.
SPARQL_PROPERTIES = (SH.select, SH.ask, SH.construct, SH.update, _SHACL.describe)
#: Properties and classes that name code or documents to fetch.
FETCHING = (_SHACL.jsLibrary, _SHACL.jsLibraryURL, _SHACL.jsFunctionName)
FETCHING_CLASSES = tuple(
    _SHACL[name]
    for name in ("JSConstraint", "JSConstraintComponent", "JSFunction", "JSTarget", "JSRule",
                 "JSLibrary", "JSExecutable", "JSValidator")
)  # fmt: skip
# Keywords that reach outside the graph or change data, as tokens of their own (not part of a
# name, a variable, a prefixed name or a language tag).
_OUTWARD = re.compile(
    r"(?<![\w.:?$@\\-])(SERVICE|LOAD|FROM|INSERT|DELETE|CLEAR|DROP|CREATE|COPY|MOVE|ADD)"
    r"(?![\w:.-])",
    re.IGNORECASE,
)


class ShapesRefused(Exception):
    """The shapes graph could reach the network (or change data): ``shape`` names the shape,
    ``reason`` says what was found."""

    def __init__(self, shape: str, reason: str) -> None:
        super().__init__(f"shape {shape}: {reason}")
        self.shape = shape
        self.reason = reason


def _name(graph: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{node}>"
    return f"_:{node}"


def owner(graph: Graph, node: Node, steps: int = 4) -> str:
    """The nearest named node at or above ``node`` (a constraint is often a blank node under
    ``sh:sparql`` of a shape), for the message."""
    seen = {node}
    frontier = [node]
    for _ in range(steps):
        if any(isinstance(n, URIRef) for n in frontier):
            break
        frontier = [s for n in frontier for s in graph.subjects(None, n) if s not in seen]
        seen.update(frontier)
        if not frontier:
            break
    named = sorted(n for n in frontier if isinstance(n, URIRef))
    return _name(graph, named[0] if named else node)


def outward_keyword(sparql: str) -> str | None:
    """The first keyword of ``sparql`` that reaches outside the graph, or ``None``; read as
    both engines read it (raw, and with ``\\u`` escapes expanded first)."""
    for text in (sparql, _expanded(sparql)):
        normalised = text.replace("\r\n", "\n").replace("\r", "\n")
        for view in (code_only(normalised), code_only(text)):
            match = _OUTWARD.search(view)
            if match:
                return match.group(1).upper()
    return None


def _expanded(text: str) -> str:
    try:
        return str(expandUnicodeEscapes(text))
    except Exception:  # an invalid escape: the raw text is checked anyway
        return text


def check_shapes(shapes: Graph) -> None:
    """Raise :class:`ShapesRefused` if ``shapes`` could make validation reach the network."""
    for prop in FETCHING:
        for subject, _, value in shapes.triples((None, prop, None)):
            raise ShapesRefused(
                owner(shapes, subject),
                f"{_name(shapes, prop)} <{value}> names code or a document to fetch; "
                "validation never fetches anything",
            )
    for cls in FETCHING_CLASSES:
        for subject in shapes.subjects(RDF.type, cls):
            raise ShapesRefused(
                owner(shapes, subject),
                f"a {_name(shapes, cls)} runs JavaScript, which validation does not allow",
            )
    for prop in SPARQL_PROPERTIES:
        for subject, _, value in shapes.triples((None, prop, None)):
            name = owner(shapes, subject)
            if prop == SH.update:
                raise ShapesRefused(name, "sh:update (SPARQL Update) is not allowed in shapes")
            if not isinstance(value, Literal):
                if isinstance(value, BNode | URIRef):
                    raise ShapesRefused(name, f"{_name(shapes, prop)} must be a SPARQL string")
                continue
            keyword = outward_keyword(str(value))
            if keyword is not None:
                raise ShapesRefused(
                    name,
                    f"its SPARQL ({_name(shapes, prop)}) uses {keyword}, which could reach "
                    "another server or change data; validation never does either",
                )
