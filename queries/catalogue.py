"""The catalogue of named SPARQL queries (``queries/catalogue/*.rq``).

Each ``.rq`` file is one query. Its metadata sits in ``#+ key: value`` lines at the top (YAML
flow values, see ``docs/architecture.md``); the rest of the file is the query text, sent to the
store byte for byte. Every query is parsed once, when the catalogue loads, by the engine that
runs it (:mod:`queries.form`): only SELECT queries whose outer query has an ORDER BY.

Parameters are SPARQL variables of the query. :func:`bind` turns the user's raw strings into
rdflib terms by the declared type, and :func:`run` hands them to the store as *bindings*: user
input never becomes part of the query text (rdflib expands ``\\uXXXX`` escapes before it parses,
so escaping would not be enough).

The metadata is read and validated in :mod:`queries.metadata`, parameters are declared and
bound in :mod:`queries.binding`; their public names are re-exported here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Literal
from rdflib.term import Node, URIRef

from amkg.queries.binding import (
    INPUT_MAX,
    PARAM_TYPES,
    STRING_MAX,
    Param,
    ParameterError,
    bind,
    convert,
)
from amkg.queries.form import QueryFormError, query_form
from amkg.queries.metadata import (
    AUDIENCES,
    CatalogueError,
    check_metadata,
    optional_metadata,
    parse_params,
    split_metadata,
)

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
LANGS = ("nl", "en")

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")

__all__ = [
    "AUDIENCES", "CATALOGUE_DIR", "INPUT_MAX", "PARAM_TYPES", "STRING_MAX", "Catalogue",
    "CatalogueError", "NamedQuery", "Param", "ParameterError", "RunResult", "UnknownQuery",
    "bind", "convert", "default_catalogue", "load_query", "run", "term_json",
]  # fmt: skip


class UnknownQuery(LookupError):
    """No query of that name in the catalogue."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"unknown query {name!r}")


@dataclass(frozen=True)
class NamedQuery:
    """One catalogue query: metadata, parameters, the query text and its parsed form."""

    name: str
    path: Path
    title_nl: str
    title_en: str
    description_nl: str
    description_en: str
    audience: str
    tags: tuple[str, ...]
    params: tuple[Param, ...]
    sparql: str
    variables: tuple[str, ...] = ()
    plain: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def plain_description(self, lang: str = "nl") -> str:
        """The description in plain words (``#+ plain_*``), else the description."""
        return self.plain.get(lang) or self.description(lang)

    def column(self, variable: str, lang: str = "nl") -> str:
        """The header of a result column (``#+ columns_*``), else the variable's name."""
        return self.columns.get(lang, {}).get(variable, variable)

    def title(self, lang: str = "nl") -> str:
        return self.title_en if lang == "en" else self.title_nl

    def description(self, lang: str = "nl") -> str:
        return self.description_en if lang == "en" else self.description_nl

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": {"nl": self.title_nl, "en": self.title_en},
            "description": {"nl": self.description_nl, "en": self.description_en},
            "audience": self.audience,
            "tags": list(self.tags),
            "params": [p.to_dict() for p in self.params],
            "vars": list(self.variables),
        }


def load_query(path: str | Path) -> NamedQuery:
    """Read, validate and parse one ``.rq`` file, or raise :class:`CatalogueError`."""
    path = Path(path)
    name = path.stem
    if not _NAME.match(name):
        raise CatalogueError(path, "file name must be lower case letters, digits and '-'")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(path, f"cannot read: {error}") from error
    meta, raw_params, sparql = split_metadata(path, text)
    texts, audience, tags = check_metadata(path, meta)
    try:
        form = query_form(sparql)
    except QueryFormError as error:
        raise CatalogueError(path, f"the query does not parse: {error}") from error
    if form.kind != "SELECT":
        raise CatalogueError(path, "only SELECT queries belong in the catalogue")
    if not form.ordered:
        raise CatalogueError(path, "the query needs an ORDER BY (deterministic results)")
    params = parse_params(path, raw_params, set(form.variables))
    plain, columns = optional_metadata(path, meta, set(form.variables))
    return NamedQuery(
        name=name, path=path, audience=audience, tags=tuple(tags), params=params,
        sparql=sparql, variables=form.variables, plain=plain, columns=columns, **texts,
    )  # fmt: skip


@dataclass(frozen=True)
class Catalogue:
    """All named queries, by name."""

    queries: Mapping[str, NamedQuery]

    @classmethod
    def load(cls, directory: str | Path | None = None) -> Catalogue:
        directory = Path(directory) if directory is not None else CATALOGUE_DIR
        files = sorted(directory.glob("*.rq"))
        return cls({q.name: q for q in (load_query(path) for path in files)})

    def get(self, name: str) -> NamedQuery:
        try:
            return self.queries[name]
        except (KeyError, TypeError):
            raise UnknownQuery(str(name)) from None

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self.queries[name] for name in sorted(self.queries))

    def __len__(self) -> int:
        return len(self.queries)

    def __contains__(self, name: object) -> bool:
        return name in self.queries


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The catalogue of ``queries/catalogue/``, loaded once."""
    return Catalogue.load()


@dataclass
class RunResult:
    """A query's bound parameters and its result (a :class:`graph.store.QueryResult`)."""

    query: NamedQuery
    bindings: dict[str, Node]
    result: Any

    @property
    def vars(self) -> list[str]:
        return list(self.result.vars)

    @property
    def rows(self) -> list[dict[str, Node]]:
        return list(self.result.rows)

    def to_dict(self, row_limit: int | None = None) -> dict[str, Any]:
        """``{query, params, vars, rows, truncated}``; terms as in SPARQL 1.1 Results JSON."""
        rows = self.rows
        truncated = row_limit is not None and len(rows) > row_limit
        kept = rows[:row_limit] if truncated else rows
        return {
            "query": self.query.name,
            "params": {name: term_json(term) for name, term in self.bindings.items()},
            "vars": self.vars,
            "rows": [{var: term_json(term) for var, term in row.items()} for row in kept],
            "truncated": truncated,
        }


def term_json(term: Node) -> dict[str, str]:
    """An rdflib term in the SPARQL 1.1 Query Results JSON form."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, Literal):
        data = {"type": "literal", "value": str(term)}
        if term.language:
            data["xml:lang"] = term.language
        elif term.datatype is not None:
            data["datatype"] = str(term.datatype)
        return data
    return {"type": "bnode", "value": str(term)}


def run(
    kg: Any,
    name: str,
    raw_params: Mapping[str, str | None] | None = None,
    lang: str | None = None,
    catalogue: Catalogue | None = None,
    required_defaults: bool = True,
) -> RunResult:
    """Bind ``raw_params`` and evaluate the named query on ``kg.store``.

    ``lang`` fills the query's ``lang`` parameter when it has one and none was given.
    ``required_defaults=False``: a missing required parameter is an error (see ``bind``).
    """
    query = (catalogue or default_catalogue()).get(name)
    raw = dict(raw_params or {})
    if lang is not None and query.param("lang") is not None and not raw.get("lang"):
        raw["lang"] = lang
    bindings = bind(query, raw, kg, required_defaults)
    derived = getattr(kg, "derived", None)
    if not bindings and derived is not None:  # a fixed answer: once per version of the graph,
        # and kept for the next one when the change cannot have altered it (graph/footprint.py)
        answer = derived(_answer_key(query), lambda: kg.store.query(query.sparql))
        return RunResult(query, bindings, answer)
    return RunResult(query, bindings, kg.store.query(query.sparql, bindings))


ANSWER_KEY = "catalogue-answer "


def _answer_key(query: NamedQuery) -> str:
    return ANSWER_KEY + hashlib.sha256(query.sparql.encode("utf-8")).hexdigest()


def warm(kg: Any, catalogue: Catalogue | None = None) -> int:
    """Answer again, now, the queries without parameters whose answers the previous version
    of ``kg`` had and the change may have altered (``amkg serve``'s follower does this after
    each new version, so that no reader waits for it). Returns how many were answered."""
    waiting = set(kg.waiting(ANSWER_KEY))
    done = 0
    for query in catalogue or default_catalogue():
        if not query.params and _answer_key(query) in waiting:
            run(kg, query.name, {}, catalogue=catalogue)
            done += 1
    return done
