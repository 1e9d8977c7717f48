"""Which triples a SPARQL query can match (issue 11; used by :mod:`amkg.graph.footprint`).

A query is read through rdflib's algebra into its triple patterns on the default graph, each
position a constant or a variable with what its group says of it:

- a ``VALUES`` block joined with the pattern: the variable is one of those terms;
- a ``FILTER`` over the pattern's group, a conjunct at a time: ``STRSTARTS(STR(?v), "ns")``,
  its negation, ``STRSTARTS`` of one variable ``||`` another, ``isIRI(?v)``, ``isLiteral(?v)``;
  within an ``OPTIONAL`` too (each of these is an error for an unbound variable, so a solution
  that failed it without the optional's triple was dropped as well);
- a value bound by the caller (``bindings``), in the query's own group.

A triple added or removed can only change the answer if it matches one of these patterns: a
solution that used it would otherwise be there before and after. What is not understood counts
as "any": a variable predicate without ``VALUES``, a property path's ends, a literal constant
(its datatype may be written differently), a ``VALUES`` block's terms below an ``OPTIONAL``'s
right side, and everything below a ``MINUS``, a sub-select, a ``GROUP BY`` or an ``EXISTS``,
where the conditions of the group around do not hold for each matched triple; those start
again with no conditions. Named graphs are recorded as such: by name, through a variable
(bound or not).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.term import Node

from amkg.graph.sparql_parser import prepare_query

Condition = tuple[
    str, object
]  # ("terms", frozenset) | ("prefix"/"not_prefix", str) | ("prefixes", tuple) | ("kind", str)
Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Slot:
    """What one position of a pattern allows: every condition must hold (none: any term)."""

    conditions: tuple[Condition, ...] = ()

    def allows(self, term: Node) -> bool:
        return all(_holds(condition, term) for condition in self.conditions)


ANY = Slot()


def _holds(condition: Condition, term: Node) -> bool:
    kind, value = condition
    if kind == "terms":
        return term in value  # type: ignore[operator]
    if kind == "kind":
        return isinstance(term, URIRef) if value == "iri" else isinstance(term, Literal)
    if isinstance(term, BNode):  # STR() of a blank node is an error: the filter drops it
        return False
    if kind == "prefixes" and isinstance(value, tuple):  # one STRSTARTS or another
        return str(term).startswith(value)
    starts = str(term).startswith(str(value))
    return starts if kind == "prefix" else not starts


@dataclass(frozen=True)
class Pattern:
    """One triple pattern of the default graph."""

    subject: Slot
    predicate: Slot
    object: Slot

    def matches(self, triple: Triple) -> bool:
        s, p, o = triple
        return self.predicate.allows(p) and self.subject.allows(s) and self.object.allows(o)


@dataclass(frozen=True)
class _Position:
    """A position before the caller's bindings are known: a constant, or a variable with the
    conditions of its group (``top``: in the query's own group, where bindings apply)."""

    slot: Slot
    variable: str | None = None
    top: bool = False


@dataclass(frozen=True)
class Shape:
    """What :func:`analyse` finds in one query text."""

    patterns: tuple[tuple[_Position, _Position, _Position], ...] = ()
    graphs: frozenset[URIRef] = frozenset()
    graph_variables: frozenset[tuple[str, bool]] = frozenset()  # (name, in the top group)

    def patterns_with(self, bindings: Mapping[str, Node] | None) -> set[Pattern]:
        def slot(position: _Position) -> Slot:
            bound = (bindings or {}).get(position.variable or "")
            if bound is None or not position.top:
                return position.slot
            return Slot((*position.slot.conditions, *_constant(bound).conditions))

        return {Pattern(slot(s), slot(p), slot(o)) for s, p, o in self.patterns}


@functools.lru_cache(maxsize=1024)
def analyse(sparql: str) -> Shape:
    """The patterns and graphs of ``sparql`` (raises whatever rdflib's parser raises)."""
    walker = _Walker()
    walker.walk(prepare_query(sparql).algebra, None, {}, True)
    return Shape(tuple(walker.patterns), frozenset(walker.graphs), frozenset(walker.graph_vars))


def _constant(term: Node) -> Slot:
    if isinstance(term, Literal):  # "a"^^xsd:string and "a" are one term; compare kinds only
        return Slot((("kind", "literal"),))
    return Slot((("terms", frozenset([term])),))


Scope = dict[str, tuple[Condition, ...]]


def _with(scope: Scope, found: Iterable[tuple[str, Condition]]) -> Scope:
    merged = dict(scope)
    for name, condition in found:
        merged[name] = (*merged.get(name, ()), condition)
    return merged


@dataclass
class _Walker:
    patterns: list[tuple[_Position, _Position, _Position]] = field(default_factory=list)
    graphs: set[URIRef] = field(default_factory=set)
    graph_vars: set[tuple[str, bool]] = field(default_factory=set)

    def walk(self, node: object, graph: Node | None, scope: Scope, top: bool) -> None:
        from rdflib.plugins.sparql.parserutils import CompValue

        if isinstance(node, list | tuple):
            for item in node:
                self.walk(item, graph, {}, False)
            return
        if not isinstance(node, CompValue):
            return
        name = node.name
        # BGP in the algebra; TriplesBlock and GraphGraphPattern where rdflib leaves the pattern
        # of an EXISTS in its parsed form
        if name in ("BGP", "TriplesBlock"):
            for triples in node.get("triples") or ():  # parsed form: s p o s p o ...
                items = list(triples)
                for i in range(0, len(items) - 2, 3):
                    self._pattern(items[i], items[i + 1], items[i + 2], graph, scope, top)
            return
        if name in ("Graph", "GraphGraphPattern"):
            term = node.get("term")
            inner = node.get("p") if name == "Graph" else node.get("graph")
            if isinstance(term, Variable):
                self.graph_vars.add((str(term), top))
            elif isinstance(term, URIRef):
                self.graphs.add(term)
            self.walk(inner, term, {}, False)
            return
        if name == "Filter":
            self.walk(node.get("p"), graph, _with(scope, _conditions(node.get("expr"))), top)
            self.walk(node.get("expr"), graph, {}, False)  # an EXISTS in it
            return
        if name == "Join":
            found = [*_values(node.get("p1")), *_values(node.get("p2"))]
            for part in ("p1", "p2"):
                self.walk(node.get(part), graph, _with(scope, found), top)
            return
        if name in ("Union", "LeftJoin", "Minus"):
            self.walk(node.get("p1"), graph, scope, top)
            if name == "Union":
                self.walk(node.get("p2"), graph, scope, top)
            elif name == "LeftJoin":  # the OPTIONAL's own filter, and the group's filters
                own = _conditions(node.get("expr"))
                self.walk(node.get("p2"), graph, _with(_filtered(scope), own), False)
            else:
                self.walk(node.get("p2"), graph, {}, False)
            self.walk(node.get("expr"), graph, {}, False)
            return
        keeps = ("SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery", "Project",
                 "Distinct", "Reduced", "OrderBy", "Slice", "Extend")  # fmt: skip
        for key, value in node.items():
            if name == "Project" and not top:  # a sub-select's own variables
                self.walk(value, graph, {}, False)
            elif name in keeps and key == "p":
                self.walk(value, graph, scope, top)
            else:
                self.walk(value, graph, {}, False)

    def _pattern(
        self, s: object, p: object, o: object, graph: Node | None, scope: Scope, top: bool
    ) -> None:
        if graph is not None:  # a pattern in a named graph reads that graph (recorded above)
            return
        if isinstance(p, URIRef | Variable):
            self.patterns.append((self._at(s, scope, top), self._at(p, scope, top),
                                  self._at(o, scope, top)))  # fmt: skip
            return
        iris = _path_iris(p)  # a path: its IRIs, its ends anything
        predicate = ANY if None in iris else Slot((("terms", frozenset(iris)),))
        self.patterns.append((_Position(ANY), _Position(predicate), _Position(ANY)))

    @staticmethod
    def _at(term: object, scope: Scope, top: bool) -> _Position:
        if isinstance(term, Variable):
            return _Position(Slot(scope.get(str(term), ())), str(term), top)
        if isinstance(term, URIRef | Literal | BNode):
            return _Position(ANY if isinstance(term, BNode) else _constant(term))
        return _Position(ANY)


def _filtered(scope: Scope) -> Scope:
    """The conditions of ``scope`` that come from the group's filters, for an ``OPTIONAL``'s
    right side. A filter over the group holds for every solution, those the optional's triples
    joined included; and each condition this module reads of a filter is an error for an
    unbound variable, so the solution without the optional's triple was dropped as well: a
    triple that fails it changes nothing. Not a ``VALUES`` block's terms: a solution where the
    optional left its variable unbound joins with every row, so a triple that binds it to
    another term does change the answer."""
    return {name: kept for name, conditions in scope.items()
            if (kept := tuple(c for c in conditions if c[0] != "terms"))}  # fmt: skip


def _values(node: object) -> list[tuple[str, Condition]]:
    """The conditions a ``VALUES`` block (``ToMultiSet(values)``) puts on its variables: one of
    its terms, where every row binds the variable to an IRI."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if not (isinstance(node, CompValue) and node.name == "ToMultiSet"):
        return []
    data = node.get("p")
    if not (isinstance(data, CompValue) and data.name == "values"):
        return []
    rows = list(data.get("res") or [])
    names = {str(v) for row in rows for v in row}
    found: list[tuple[str, Condition]] = []
    for name in sorted(names):
        terms = [row.get(Variable(name)) for row in rows]
        if rows and all(isinstance(t, URIRef) for t in terms):
            found.append((name, ("terms", frozenset(terms))))
    return found


def _conditions(expr: object) -> list[tuple[str, Condition]]:
    """The conditions of a filter's conjuncts that this module understands."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if not isinstance(expr, CompValue):
        return []
    if expr.name == "ConditionalAndExpression":
        parts = [expr.get("expr"), *(expr.get("other") or [])]
        return [found for part in parts for found in _conditions(part)]
    if expr.name == "ConditionalOrExpression":  # STRSTARTS of one variable, or of another
        found = [_conditions(part) for part in [expr.get("expr"), *(expr.get("other") or [])]]
        starts = [c for part in found if len(part) == 1 for c in part]
        names = {name for name, _condition in starts}
        if len(starts) == len(found) and len(names) == 1:
            prefixes: list[str] = []
            for _name, (kind, value) in starts:
                if kind == "prefix":
                    prefixes.append(str(value))
                elif kind == "prefixes" and isinstance(value, tuple):
                    prefixes.extend(map(str, value))
                else:
                    return []
            return [(names.pop(), ("prefixes", tuple(prefixes)))]
        return []
    negated = expr.name == "UnaryNot"
    inner = expr.get("expr") if negated else expr
    if not isinstance(inner, CompValue):
        return []
    if inner.name == "Builtin_STRSTARTS":
        text, start = inner.get("arg1"), inner.get("arg2")
        if isinstance(text, CompValue) and text.name == "Builtin_STR":
            variable = text.get("arg")
            if isinstance(variable, Variable) and isinstance(start, Literal):
                return [(str(variable), ("not_prefix" if negated else "prefix", str(start)))]
    if not negated and inner.name in ("Builtin_isIRI", "Builtin_isURI", "Builtin_isLITERAL"):
        variable = inner.get("arg")
        if isinstance(variable, Variable):
            kind = "literal" if inner.name == "Builtin_isLITERAL" else "iri"
            return [(str(variable), ("kind", kind))]
    return []


def _path_iris(predicate: object) -> list[URIRef | None]:
    """The IRIs a predicate or property path may match (``None``: any predicate)."""
    if isinstance(predicate, URIRef):
        return [predicate]
    if isinstance(predicate, SequencePath | AlternativePath):
        return [iri for part in predicate.args for iri in _path_iris(part)]
    if isinstance(predicate, InvPath):
        return _path_iris(predicate.arg)
    if isinstance(predicate, MulPath):
        return _path_iris(predicate.path)
    return [None]  # a variable, or a negated property set (it matches predicates not named)
