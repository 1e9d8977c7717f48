"""Bound values written out as SPARQL text, faithfully or not at all.

A client that can only send text (a remote SPARQL server, the editor's "open in editor" link,
the HTTP benchmark) binds values with a ``VALUES`` block. :func:`values_clause` writes each
term with rdflib (``n3()``) and parses the clause back: rdflib expands ``\\uXXXX`` before it reads
escapes, so a string holding such a sequence would come back as another value. Unless the
clause reads as exactly these terms it raises :class:`UnfaithfulValues`. No other way of
putting a value into query text exists in this code.

:func:`with_values` puts that block first in the query's outermost ``WHERE`` group, so the
values are bound before the rest of the group is evaluated, the nearest SPARQL 1.1 has to the
embedded store's substitution.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rdflib.term import Node

from amkg.graph.sparql_parser import prepare_query

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IRI_REF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class UnfaithfulValues(ValueError):
    """Values that cannot be written as query text that reads back as the same terms."""

    def __init__(self, names: str, reason: str) -> None:
        super().__init__(f"{names}: {reason}")
        self.names = names
        self.reason = reason


def _values_rows(node: Any) -> list[dict[Any, Node]] | None:
    """The rows of the first ``VALUES`` block in an rdflib algebra tree."""
    if getattr(node, "name", None) == "values":
        return list(node["res"])
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        found = _values_rows(child)
        if found is not None:
            return found
    return None


@functools.lru_cache(maxsize=4096)
def _checked_clause(pairs: tuple[tuple[str, Node], ...]) -> str:
    from rdflib import Variable

    for name, _term in pairs:
        if not _NAME.match(name):
            raise UnfaithfulValues(name, "not a SPARQL variable name")
    names = " ".join(f"?{name}" for name, _ in pairs)
    values = " ".join(term.n3() for _, term in pairs)
    clause = f"VALUES ({names}) {{ ({values}) }}"
    expected = [{Variable(name): term for name, term in pairs}]
    try:
        parsed = prepare_query(f"SELECT * WHERE {{ {clause} }}")  # failed a faithful term
        rows = _values_rows(parsed.algebra)
    except Exception:  # pyparsing's ParseException and friends: not a faithful clause
        rows = None
    if rows != expected:
        raise UnfaithfulValues(
            ", ".join(n for n, _ in pairs), "cannot be written as query text faithfully"
        )
    return clause


def values_clause(bindings: Mapping[str, Node]) -> str:
    """``VALUES (?a ?b) { (term term) }`` for ``bindings``, checked by parsing it back."""
    if not bindings:
        return ""
    return _checked_clause(tuple(bindings.items()))


def rows_clause(names: Sequence[str], rows: Iterable[Sequence[Node | None]]) -> str:
    """``VALUES (?a ?b) { (term term) (term UNDEF) ... }``: many rows, each term written as
    :func:`values_clause` writes it and checked the same way (``None``: ``UNDEF``)."""
    for name in names:
        if not _NAME.match(name):
            raise UnfaithfulValues(name, "not a SPARQL variable name")
    table = [list(row) for row in rows]
    for row in table:
        if len(row) != len(names):
            raise ValueError(f"a row of {len(row)} values for {len(names)} variables")
    _check_terms([term for row in table for term in row if term is not None])
    lines = [
        f"    ({' '.join('UNDEF' if term is None else term.n3() for term in row)})" for row in table
    ]
    head = " ".join(f"?{name}" for name in names)
    return f"VALUES ({head}) {{\n" + "\n".join(lines) + "\n  }"


_faithful: set[Node] = set()


def _check_terms(terms: Sequence[Node]) -> None:
    """Check each term as :func:`values_clause` does, the new ones in one parse (a commit's
    times and numbers are new every time; one parse each cost a third of a second). A block
    that does not read back is checked term by term, which names the one at fault."""
    from rdflib import Variable

    pending = [t for t in dict.fromkeys(terms) if t not in _faithful]
    if not pending:
        return
    clause = "VALUES (?v) { " + " ".join(f"({t.n3()})" for t in pending) + " }"
    try:
        parsed = prepare_query(f"SELECT * WHERE {{ {clause} }}")
        rows = _values_rows(parsed.algebra)
    except Exception:  # pyparsing's ParseException and friends
        rows = None
    if rows != [{Variable("v"): t} for t in pending]:
        for term in pending:
            _checked_clause((("v", term),))  # raises UnfaithfulValues for the first bad one
    if len(_faithful) > 8192:
        _faithful.clear()
    _faithful.update(pending)


def update_with_rows(
    sparql: str, names: Sequence[str], rows: Iterable[Sequence[Node | None]]
) -> str:
    """The SPARQL update ``sparql`` with a checked :func:`rows_clause` first in the group after
    its ``WHERE`` (the templates before it are left alone)."""
    brace = where_brace(sparql, require_where=True)
    return f"{sparql[: brace + 1]}\n  {rows_clause(names, rows)}\n{sparql[brace + 1 :]}"


def _skip(text: str, i: int) -> int:
    """The index after the string, comment or IRI starting at ``i`` (else ``i``)."""
    char = text[i]
    if char == "#":
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if char in "\"'":
        triple = text[i : i + 3]
        if triple in ('"""', "'''"):
            end = text.find(triple, i + 3)
            while end > 0 and _escaped(text, end):
                end = text.find(triple, end + 1)
            return len(text) if end < 0 else end + 3
        j = i + 1
        while j < len(text) and text[j] != char:
            j += 2 if text[j] == "\\" else 1
        return j + 1
    if char == "<":
        match = _IRI_REF.match(text, i)
        if match:
            return match.end()
    return i


def _escaped(text: str, i: int) -> bool:
    backslashes = 0
    while i - 1 - backslashes >= 0 and text[i - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def where_brace(sparql: str, *, require_where: bool = False) -> int:
    """The index of the ``{`` that opens the query's outermost ``WHERE`` group.

    That is the first ``{`` at nesting depth 0 after the keyword ``WHERE``; without the
    keyword (``ASK {``, ``SELECT * {``) the first group at depth 0, or for ``CONSTRUCT`` the
    second (the first is the template). With ``require_where`` only the keyword counts (an
    update's ``DELETE { } INSERT { } WHERE {``). Strings, comments and IRIs are skipped.
    """
    depth, groups, seen_where, construct = 0, 0, False, False
    i = 0
    while i < len(sparql):
        after = _skip(sparql, i)
        if after != i:
            i = after
            continue
        char = sparql[i]
        if char == "{":
            if depth == 0:
                groups += 1
                if seen_where or (not require_where and (not construct or groups == 2)):
                    return i
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and (char.isalpha() or char == "_"):
            word = _WORD.match(sparql, i)
            assert word is not None
            upper = word.group(0).upper()
            if (i == 0 or sparql[i - 1] not in "?$:") and upper in ("WHERE", "CONSTRUCT"):
                seen_where = seen_where or upper == "WHERE"
                construct = construct or upper == "CONSTRUCT"
            i = word.end()
            continue
        i += 1
    raise ValueError("the query has no WHERE group to bind values in")


_STAR = re.compile(r"\s*((DISTINCT|REDUCED)\s+)?\*", re.IGNORECASE)
_PROJECTED = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def subselect_groups(sparql: str) -> list[tuple[int, str]]:
    """(index of the ``{`` of its WHERE group, its projection text) of every sub-``SELECT``
    (a ``SELECT`` inside braces), strings, comments and IRIs skipped."""
    found: list[tuple[int, str]] = []
    pending: list[tuple[int, int]] = []  # (depth, start of the projection) of open SELECTs
    depth = 0
    i = 0
    while i < len(sparql):
        after = _skip(sparql, i)
        if after != i:
            i = after
            continue
        char = sparql[i]
        if char == "{":
            if pending and pending[-1][0] == depth:
                _depth, start = pending.pop()
                found.append((i, sparql[start:i]))
            depth += 1
        elif char == "}":
            depth -= 1
        elif char.isalpha() or char == "_":
            word = _WORD.match(sparql, i)
            assert word is not None
            if depth > 0 and word.group(0).upper() == "SELECT" and sparql[i - 1] not in "?$:":
                pending.append((depth, word.end()))
            i = word.end()
            continue
        i += 1
    return found


def with_values(sparql: str, bindings: Mapping[str, Node] | None) -> str:
    """``sparql`` with ``bindings`` as a checked ``VALUES`` block first in its outermost
    ``WHERE`` group, and first in each sub-``SELECT`` that projects one of them (a sub-select
    is evaluated on its own, so a value bound outside only would reach it too late); unchanged
    without bindings. The embedded store binds every occurrence; this is the nearest SPARQL 1.1
    has."""
    if not bindings:
        return sparql
    where, groups = _layout(sparql)
    inserts = [(where, values_clause(bindings))]
    for brace, star, names in groups:
        inner = {k: v for k, v in bindings.items() if star or k in names}
        if inner:
            inserts.append((brace, values_clause(inner)))
    for brace, clause in sorted(inserts, reverse=True):
        sparql = f"{sparql[: brace + 1]}\n  {clause}\n{sparql[brace + 1 :]}"
    return sparql


@functools.lru_cache(maxsize=512)
def _layout(sparql: str) -> tuple[int, tuple[tuple[int, bool, frozenset[str]], ...]]:
    """Where :func:`with_values` puts values in ``sparql``: the outer ``WHERE`` brace, and per
    sub-select its brace, whether it projects ``*`` and the names it projects. Read once per
    query text (the catalogue's texts are few; scanning one is most of what binding costs)."""
    groups = tuple(
        (brace, _STAR.match(projection) is not None, frozenset(_PROJECTED.findall(projection)))
        for brace, projection in subselect_groups(sparql)
    )
    return where_brace(sparql), groups
