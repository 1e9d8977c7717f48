"""Check a SPARQL text before anything evaluates it.

:func:`check_query` accepts only a read query (SELECT, ASK, CONSTRUCT, DESCRIBE) that stays
inside the embedded store. It refuses, with :class:`QueryRejected` (an HTTP status and a
reason a person can act on):

* a text longer than ``Limits.max_chars``, nested deeper than ``Limits.max_nesting``
  (brackets, parentheses and braces outside strings, IRIs and comments), with more than
  ``Limits.max_operators`` operators (``+ - * / ! && || = != < > <= >= | ^`` and the
  keywords ``UNION``, ``MINUS``, ``OPTIONAL``: each adds a level to the parse tree, so a flat
  ``1+1+...+1`` of 7,000 terms is as deep as 7,000 brackets) or more than ``Limits.max_tokens``
  tokens - all checked on the text first, in one linear scan (:func:`check_limits`, a few
  milliseconds for 20 kB), so a pathological input never reaches a recursive parser (rdflib's
  takes about 0.75 ms per operator; pyoxigraph's overflows its stack on a chain of 7,000);
* anything rdflib's SPARQL parser does not accept (the parser's message, with line and column);
* an update (``INSERT``, ``DELETE``, ``CLEAR``, ...): 403, the endpoint is read-only;
* ``SERVICE`` (federation), ``LOAD``, ``FROM`` and ``FROM NAMED``: 400, the endpoint never
  makes an outbound request and has no named graphs to offer;
* a prefix the query does not declare (pyoxigraph knows none by default): 400, with the hint.

The checks walk rdflib's parse tree (``parseQuery`` / ``parseUpdate``), not the text, so a
keyword inside a string or a comment is not mistaken for an operation and a real one cannot hide
behind a comment. But the store evaluates with pyoxigraph's own parser, which reads two things
differently (rdflib expands ``\\u`` escapes before parsing; it ends a comment only at LF, not at
CR), so a crafted text can show rdflib no SERVICE while pyoxigraph calls out. Hence line ends
are normalised first, and a lexical scan in the grammar's own terms (:func:`code_only`) refuses
any SERVICE token the parse tree did not show.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseBaseException
from rdflib import URIRef
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from amkg.graph.load import PREFIXES
from amkg.graph.sparql_lexer import code_only

KINDS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}

_OPEN = "([{"
_CLOSE = ")]}"
# The keyword SERVICE as a token of its own (not part of a name, a variable or a language tag).
_SERVICE = re.compile(r"(?<![\w.:?$@\\-])SERVICE(?![\w:.-])", re.IGNORECASE)
# One token of the SPARQL grammar, roughly but in linear time: a number (never with a following
# "-"), a name, variable, prefixed name or keyword (with the dashes and dots names may hold), an
# operator of one or two characters, or any other single character.
_TOKEN = re.compile(
    r"(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<word>[?$][\w\u00b7]+|[^\W\d][\w\-.:\u00b7]*(?<!\.)|:[\w\-.:]*(?<!\.))"
    r"|(?P<op>\|\||&&|!=|<=|>=|[-+*/!=<>|^])"
    r"|(?P<other>\S)"
)
_OPERATOR_WORDS = frozenset({"UNION", "MINUS", "OPTIONAL"})
NO_SERVICE = (
    "is not allowed: this endpoint never sends a request to another server (no federated queries)"
)


@dataclass(frozen=True)
class Limits:
    """Bounds on a query text (the web settings MAX_QUERY_CHARS and MAX_NESTING)."""

    max_chars: int = 20_000
    max_nesting: int = 64
    max_operators: int = 1_000
    max_tokens: int = 6_000


@dataclass(frozen=True)
class ParsedQuery:
    """A query that passed the guard: its text and its form (SELECT, ASK, CONSTRUCT, DESCRIBE)."""

    text: str
    kind: str


class QueryRejected(Exception):
    """The query is not evaluated: ``status`` is the HTTP status, ``reason`` says why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def __reduce__(self) -> tuple[type[QueryRejected], tuple[int, str]]:
        # Keep both fields when the error crosses the process boundary (query workers).
        return (type(self), (self.status, self.reason))


def nesting_depth(text: str, stop_above: int | None = None, *, blanked: bool = False) -> int:
    """The deepest nesting of ``( [ {`` outside strings, IRIs and comments.

    Scanning stops early once the depth exceeds ``stop_above``. Unbalanced closers never make
    the depth negative; an unterminated string simply ends the scan (the parser reports it).
    ``blanked``: ``text`` is already :func:`code_only`'s output.
    """
    depth = deepest = 0
    for c in text if blanked else code_only(text):
        if c in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    return deepest
        elif c in _CLOSE and depth:
            depth -= 1
    return deepest


@dataclass(frozen=True)
class Size:
    """What :func:`measure` counts in a query text (outside strings, IRIs and comments)."""

    tokens: int
    operators: int


def measure(text: str, *, blanked: bool = False) -> Size:
    """Tokens and operators of ``text``, in one linear pass of a regular expression.

    A name (``?x``, ``kg:spoor-1``, ``UNION``) is one token, so the dash inside a prefixed
    name is no operator; a number never swallows a following ``-``. ``blanked``: ``text`` is
    already :func:`code_only`'s output.
    """
    code = text if blanked else code_only(text)
    tokens = operators = 0
    for match in _TOKEN.finditer(code):
        tokens += 1
        word = match.group("word")
        if word is None:
            if match.group("op") is not None:
                operators += 1
        elif word.upper() in _OPERATOR_WORDS:
            operators += 1
    return Size(tokens, operators)


def check_limits(text: str, limits: Limits) -> None:
    """The cheap checks on the text alone, linear in its length: empty, too long, too deeply
    nested, too many operators or tokens (an expression too large for a recursive parser)."""
    if not text.strip():
        raise QueryRejected(400, "the query is empty")
    if len(text) > limits.max_chars:
        raise QueryRejected(
            400, f"the query is {len(text)} characters long; the limit is {limits.max_chars}"
        )
    code = code_only(text)
    depth = nesting_depth(code, stop_above=limits.max_nesting, blanked=True)
    if depth > limits.max_nesting:
        raise QueryRejected(
            400,
            f"the query nests brackets more than {limits.max_nesting} levels deep "
            f"(the limit is {limits.max_nesting})",
        )
    size = measure(code, blanked=True)
    if size.operators > limits.max_operators:
        raise QueryRejected(
            400,
            f"the query has {size.operators} operators (+ - * / ! && || comparisons, path "
            f"operators, UNION, MINUS, OPTIONAL); the limit is {limits.max_operators}",
        )
    if size.tokens > limits.max_tokens:
        raise QueryRejected(
            400, f"the query has {size.tokens} tokens; the limit is {limits.max_tokens}"
        )


def parser_headroom(limits: Limits) -> None:
    """Let the recursive parser reach the deepest nesting ``limits`` allow (about 60 Python
    frames per level of parentheses). Raises the interpreter's recursion limit: call it only in
    a process's main thread (a query worker, the command line), never in a threaded server.
    """
    needed = 1000 + 80 * limits.max_nesting
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)


def _syntax_message(error: ParseBaseException) -> str:
    return f"SPARQL syntax error at line {error.lineno}, column {error.col}: {error.msg}"


def _parse(text: str) -> Any:
    """rdflib's parse tree of a read query, or :class:`QueryRejected`."""
    try:
        return parseQuery(text)
    except RecursionError:
        raise QueryRejected(400, "the query is nested too deeply to parse") from None
    except ValueError as error:  # an invalid \\U code point escape
        raise QueryRejected(400, f"SPARQL syntax error: {error}") from None
    except ParseBaseException as query_error:
        try:
            update = parseUpdate(text)
        except (ParseBaseException, RecursionError, ValueError):
            update = None
        requests = dict.get(update, "request") if isinstance(update, dict) else None
        if requests:
            for operation in requests:
                if getattr(operation, "name", "") == "Load":
                    raise QueryRejected(
                        400,
                        f"LOAD <{dict.get(operation, 'iri')}> is not allowed: this endpoint is "
                        "read-only and never fetches data from another server",
                    ) from None
            operations = ", ".join(sorted({_update_name(op) for op in requests}))
            raise QueryRejected(
                403, f"updates ({operations}) are not allowed: this endpoint is read-only"
            ) from None
        raise QueryRejected(400, _syntax_message(query_error)) from None


def _update_name(operation: Any) -> str:
    name = getattr(operation, "name", "update")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).upper()


def _walk(tree: Any) -> Any:
    """Every CompValue in a parse tree, without recursion (deep trees stay cheap)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple) or hasattr(node, "as_list"):
            stack.extend(node)


def _check_tree(tree: Any) -> None:
    """Refuse SERVICE, FROM, FROM NAMED and prefixes the query does not declare."""
    declared = {dict.get(decl, "prefix", "") for decl in tree[0] if isinstance(decl, dict)}
    for node in _walk(tree):
        if node.name == "pname" and dict.get(node, "prefix", "") not in declared:
            prefix = dict.get(node, "prefix", "")
            known = PREFIXES.get(prefix)
            hint = f": add PREFIX {prefix}: <{known}>" if known is not None else ""
            raise QueryRejected(400, f"the prefix {prefix}: is not declared{hint}")
        if node.name == "ServiceGraphPattern":
            target = dict.get(node, "term")
            where = f" <{target}>" if isinstance(target, URIRef) else ""
            raise QueryRejected(400, f"SERVICE{where} {NO_SERVICE}")
        if node.name == "DatasetClause":
            clause = "FROM NAMED" if "named" in node else "FROM"
            iri = dict.get(node, "named", dict.get(node, "default"))
            raise QueryRejected(
                400,
                f"{clause} <{iri}> is not allowed: the endpoint answers from its one default "
                "graph and never loads a graph from elsewhere; leave out FROM / FROM NAMED",
            )


def check_query(text: str, limits: Limits | None = None) -> ParsedQuery:
    """Accept a read query that stays inside the store, or raise :class:`QueryRejected`."""
    if not isinstance(text, str):
        raise QueryRejected(400, "the query must be text")
    limits = limits or Limits()
    # One line end for both parsers: rdflib ends a comment only at LF, pyoxigraph also at CR.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    check_limits(text, limits)
    tree = _parse(text)
    query = tree[1]
    kind = KINDS.get(getattr(query, "name", ""))
    if kind is None:
        raise QueryRejected(400, "not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    _check_tree(tree)
    if _SERVICE.search(code_only(text)):  # the lexical view, in case a parser reads otherwise
        raise QueryRejected(400, f"SERVICE {NO_SERVICE}")
    return ParsedQuery(text=text, kind=kind)
