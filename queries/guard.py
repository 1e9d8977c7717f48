"""Judge a SPARQL text before anything evaluates it, in linear time and without a parser.

:func:`check_query` accepts only a read query (SELECT, ASK, CONSTRUCT, DESCRIBE) that stays
inside the embedded store. It refuses, with :class:`QueryRejected` (an HTTP status and a
reason a person can act on):

* a text longer than ``Limits.max_chars``, nested deeper than ``Limits.max_nesting``
  (brackets, parentheses and braces outside strings, IRIs and comments), with more than
  ``Limits.max_operators`` operators (``+ - * / ! && || = != < > <= >= | ^`` and the
  keywords ``UNION``, ``MINUS``, ``OPTIONAL``: each adds a level to the parse tree, so a flat
  ``1+1+...+1`` of 7,000 terms is as deep as 7,000 brackets) or more than ``Limits.max_tokens``
  tokens (:func:`check_limits`), so a pathological input never reaches a recursive parser
  (pyoxigraph's overflows its stack on a chain of 7,000; rdflib's takes about 0.75 ms per
  operator);
* an update (``INSERT``, ``DELETE``, ``CLEAR``, ...): 403, the endpoint is read-only;
* ``SERVICE`` (federation), ``LOAD``, ``FROM`` and ``FROM NAMED``: 400, the endpoint never
  makes an outbound request and has no named graphs to offer;
* a prefix the query does not declare (pyoxigraph knows none by default): 400, with the hint;
* a text that is no query at all (no SELECT, ASK, CONSTRUCT or DESCRIBE where the query form
  stands).

All of it is judged on the tokens of the text in the SPARQL grammar's own lexical view
(:func:`~graph.sparql_lexer.code_only`: strings, IRIs and comments blanked, a comment ending
at LF or CR as pyoxigraph reads it), so a keyword inside a string or a comment is not mistaken
for an operation and a real one cannot hide behind a comment, an escape or a line end; a few
milliseconds for 20 kB (``benchmarks/bench_guard.py``). ``FROM``, ``SERVICE`` and ``LOAD`` are
reserved words: outside a string, an IRI, a comment, a prefixed name, a variable or a language
tag they can only be the clause itself. The guard does not parse: the engine that evaluates
the query does (once), and its syntax errors become a 400 with the engine's line and column
(``queries/executor.py``). rdflib's parser was the guard's until it turned out to take seconds
on an accepted 20 kB query, and pyoxigraph's preparation (parse and plan) grows faster than
linearly on long paths and many OPTIONALs, so neither may judge a text before its limits are
known to hold.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from amkg.graph.load import PREFIXES
from amkg.graph.sparql_lexer import code_only

#: The read forms, by the keyword that opens them after the prologue.
KINDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
#: The keywords that open an update operation (SPARQL 1.1 Update).
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)

_OPEN = "([{"
_CLOSE = ")]}"
_BRACKET = re.compile(r"[()\[\]{}]")
# The keyword SERVICE as a token of its own (not part of a name, a variable or a language tag).
_SERVICE = re.compile(r"(?<![\w.:?$@\\-])SERVICE(?![\w:.-])", re.IGNORECASE)
# One token of the SPARQL grammar, roughly but in linear time: a number (never with a following
# "-"), a name, variable, prefixed name or keyword (with the dashes and dots names may hold), an
# operator of one or two characters, or any other single character.
_TOKEN = re.compile(
    r"(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<word>[?$][\w\u00b7]+|[^\W\d][\w\-.:\u00b7]*(?<!\.)|:[\w\-.:]*(?<!\.))"
    r"|(?P<op>\|\||&&|!=|<=|>=|[-+*/!=<>|^])"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
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
    for match in _BRACKET.finditer(text if blanked else code_only(text)):
        if match.group() in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    return deepest
        elif depth:
            depth -= 1
    return deepest


@dataclass(frozen=True)
class Size:
    """What :func:`measure` counts in a query text (outside strings, IRIs and comments)."""

    tokens: int
    operators: int


#: A token: its kind (a group of ``_TOKEN``: num, word, op, lang, other), text and end.
_Token = tuple[str, str, int]


def _tokens(code: str) -> list[_Token]:
    return [(m.lastgroup or "other", m.group(), m.end()) for m in _TOKEN.finditer(code)]


def _size(tokens: list[_Token]) -> Size:
    operators = 0
    for kind, text, _ in tokens:
        if kind == "op" or (kind == "word" and text.upper() in _OPERATOR_WORDS):
            operators += 1
    return Size(len(tokens), operators)


def measure(text: str, *, blanked: bool = False) -> Size:
    """Tokens and operators of ``text``, in one linear pass of a regular expression.

    A name (``?x``, ``kg:spoor-1``, ``UNION``) is one token, so the dash inside a prefixed
    name is no operator; a number never swallows a following ``-``. ``blanked``: ``text`` is
    already :func:`code_only`'s output.
    """
    return _size(_tokens(text if blanked else code_only(text)))


def check_limits(text: str, limits: Limits) -> None:
    """The cheap checks on the text alone, linear in its length: empty, too long, too deeply
    nested, too many operators or tokens (an expression too large for a recursive parser)."""
    _scan(text, limits)


def _scan(text: str, limits: Limits) -> tuple[str, list[_Token]]:
    """:func:`check_limits`, giving the lexical view and the tokens it read on the way."""
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
    tokens: list[_Token] = []
    operators = 0
    for match in _TOKEN.finditer(code):  # stops at the first token over a limit
        kind, word = match.lastgroup or "other", match.group()
        if kind == "op" or (kind == "word" and word.upper() in _OPERATOR_WORDS):
            operators += 1
            if operators > limits.max_operators:
                raise QueryRejected(
                    400,
                    f"the query has more than {limits.max_operators} operators (+ - * / ! && "
                    f"|| comparisons, path operators, UNION, MINUS, OPTIONAL); the limit is "
                    f"{limits.max_operators}",
                )
        tokens.append((kind, word, match.end()))
        if len(tokens) > limits.max_tokens:
            raise QueryRejected(
                400,
                f"the query has more than {limits.max_tokens} tokens; the limit is "
                f"{limits.max_tokens}",
            )
    return code, tokens


def parser_headroom(limits: Limits) -> None:
    """Let rdflib's recursive parser (the rdflib engine's) reach the deepest nesting ``limits``
    allow (about 60 Python frames per level of parentheses). Raises the interpreter's recursion
    limit: call it only in a process's main thread (a query worker, the command line), never
    in a threaded server.
    """
    needed = 1000 + 80 * limits.max_nesting
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)


# What follows a keyword in the original text: the IRI, variable or name it names.
_TARGET = re.compile(r"\s*(?:SILENT\s+)?(?:NAMED\s+)?(<[^<>\s]*>|[?$]\w+|[^\s{}()]+)?", re.I)


def _target(text: str, token: _Token) -> str:
    """What the keyword ``token`` names in ``text`` (``<iri>``, ``?var``), or ``""``."""
    match = _TARGET.match(text, token[2])
    return f" {match.group(1)}" if match and match.group(1) else ""


def _is_keyword(token: _Token, word: str) -> bool:
    return token[0] == "word" and token[1].upper() == word


def _prologue(tokens: list[_Token]) -> tuple[int, set[str]]:
    """The index of the first token after ``BASE`` / ``PREFIX`` declarations, and the
    prefixes declared there."""
    declared: set[str] = set()
    i = 0
    while i < len(tokens):
        if _is_keyword(tokens[i], "BASE"):
            i += 1  # its IRI is blanked: no token
        elif _is_keyword(tokens[i], "PREFIX") and i + 1 < len(tokens):
            declared.add(tokens[i + 1][1].split(":", 1)[0])
            i += 2
        else:
            break
    return i, declared


def _refuse_update(text: str, tokens: list[_Token], first: int) -> QueryRejected:
    """The refusal of an update request: 400 for a LOAD (it would fetch), else 403."""
    for token in tokens[first:]:
        if _is_keyword(token, "LOAD"):
            iri = _target(text, token)
            return QueryRejected(
                400,
                f"LOAD{iri} is not allowed: this endpoint is read-only and never fetches data "
                "from another server",
            )
    names: set[str] = set()
    for i in range(first, len(tokens)):
        opens = i == first or tokens[i - 1][:2] == ("other", ";")
        word = tokens[i][1].upper()
        if opens and tokens[i][0] == "word" and word in UPDATE_WORDS:
            after = tokens[i + 1][1].upper() if i + 1 < len(tokens) else ""
            names.add(f"{word} {after}" if after in ("DATA", "WHERE") else word)
    operations = ", ".join(sorted(names)) or "an update"
    return QueryRejected(403, f"updates ({operations}) are not allowed: this endpoint is read-only")


def _pname_prefix(token: _Token) -> str | None:
    """The prefix of a prefixed name (``kg:spoor-1`` -> ``kg``), ``None`` for anything else
    (a keyword, a variable, a blank node ``_:b``)."""
    kind, text, _ = token
    if kind != "word" or ":" not in text or text[0] in "?$":
        return None
    prefix = text.split(":", 1)[0]
    return None if prefix == "_" else prefix


def _check_tokens(text: str, tokens: list[_Token], start: int, declared: set[str]) -> None:
    """Refuse SERVICE, FROM, FROM NAMED and prefixes the query does not declare."""
    for i in range(start, len(tokens)):
        token = tokens[i]
        if token[0] != "word":
            continue
        word = token[1].upper()
        if word == "SERVICE":
            raise QueryRejected(400, f"SERVICE{_target(text, token)} {NO_SERVICE}")
        if word == "FROM":
            named = i + 1 < len(tokens) and _is_keyword(tokens[i + 1], "NAMED")
            clause = "FROM NAMED" if named else "FROM"
            raise QueryRejected(
                400,
                f"{clause}{_target(text, token)} is not allowed: the endpoint answers from its "
                "one default graph and never loads a graph from elsewhere; leave out FROM / "
                "FROM NAMED",
            )
        prefix = _pname_prefix(token)
        if prefix is not None and prefix not in declared:
            known = PREFIXES.get(prefix)
            hint = f": add PREFIX {prefix}: <{known}>" if known is not None else ""
            raise QueryRejected(400, f"the prefix {prefix}: is not declared{hint}")


def check_query(text: str, limits: Limits | None = None) -> ParsedQuery:
    """Accept a read query that stays inside the store, or raise :class:`QueryRejected`; linear
    in the length of ``text`` (its syntax is the engine's to judge when it runs it)."""
    if not isinstance(text, str):
        raise QueryRejected(400, "the query must be text")
    limits = limits or Limits()
    # One line end for every reader: rdflib ends a comment only at LF, pyoxigraph also at CR.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    code, tokens = _scan(text, limits)
    first, declared = _prologue(tokens)
    kind, opening = (tokens[first][0], tokens[first][1].upper()) if tokens[first:] else ("", "")
    if kind == "word" and opening in UPDATE_WORDS:
        raise _refuse_update(text, tokens, first)
    if kind != "word" or opening not in KINDS:
        raise QueryRejected(
            400,
            "not a SELECT, ASK, CONSTRUCT or DESCRIBE query (after any BASE and PREFIX "
            "declarations, the query must start with one of these keywords)",
        )
    _check_tokens(text, tokens, first + 1, declared)
    if _SERVICE.search(code):  # a second lexical view, in case a name hides the keyword
        raise QueryRejected(400, f"SERVICE {NO_SERVICE}")
    return ParsedQuery(text=text, kind=opening)
