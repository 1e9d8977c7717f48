"""The catalogue of named SPARQL queries (``queries/catalogue/*.rq``).

Each ``.rq`` file is one query. Its metadata sits in ``#+ key: value`` lines at the top (YAML
flow values, see ``docs/architecture.md``); the rest of the file is the query text, sent to the
store byte for byte. Every query is parsed once, when the catalogue loads.

Parameters are SPARQL variables of the query. :func:`bind` turns the user's raw strings into
rdflib terms by the declared type, and :func:`run` hands them to the store as *bindings*: user
input never becomes part of the query text (rdflib expands ``\\uXXXX`` escapes before it parses,
so escaping would not be enough).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, Literal, Variable
from rdflib.namespace import RDF, RDFS, SKOS, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node, URIRef

from graph.load import PREFIXES

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
AUDIENCES = ("coordinator", "analyst", "stakeholder")
PARAM_TYPES = ("iri", "string", "integer", "date")
LANGS = ("nl", "en")

_TEXT_KEYS = ("title_nl", "title_en", "description_nl", "description_en")
_REQUIRED_KEYS = (*_TEXT_KEYS, "audience", "tags")
_PARAM_KEYS = {
    "name", "type", "class", "required", "default", "description_nl", "description_en",
    "min", "max", "values",
}  # fmt: skip
_META_LINE = re.compile(r"^#\+\s*([A-Za-z_]+)\s*:\s?(.*)$")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PREFIXED = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):([A-Za-z0-9_][A-Za-z0-9_.-]*)$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]+$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,9}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
STRING_MAX = 200  # characters in a string parameter
INPUT_MAX = 2000  # characters in any raw value (an IRI, a label)

__all__ = [
    "AUDIENCES", "CATALOGUE_DIR", "PARAM_TYPES", "Catalogue", "CatalogueError", "NamedQuery",
    "Param", "ParameterError", "RunResult", "UnknownQuery", "bind", "convert",
    "default_catalogue", "load_query", "run", "term_json",
]  # fmt: skip


class CatalogueError(Exception):
    """A ``.rq`` file with missing or invalid metadata, or a query that does not parse."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path.name}: {message}")


class ParameterError(ValueError):
    """A parameter value that cannot be bound; ``param`` names the parameter."""

    def __init__(self, param: str, reason: str) -> None:
        self.param = param
        self.reason = reason
        super().__init__(f"parameter '{param}': {reason}")


class UnknownQuery(LookupError):
    """No query of that name in the catalogue."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"unknown query {name!r}")


@dataclass(frozen=True)
class Param:
    """A declared parameter: a variable of the query, bound before evaluation."""

    name: str
    type: str
    required: bool
    description_nl: str
    description_en: str
    cls: str | None = None  # the prefixed name of the class an IRI must have
    cls_iri: URIRef | None = None
    default: str | None = None
    min: int | None = None
    max: int | None = None
    values: tuple[str, ...] | None = None

    def description(self, lang: str = "nl") -> str:
        return self.description_en if lang == "en" else self.description_nl

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "type": self.type, "required": self.required}
        for key, value in (("class", self.cls), ("default", self.default), ("min", self.min),
                           ("max", self.max), ("values", self.values)):  # fmt: skip
            if value is not None:
                data[key] = list(value) if isinstance(value, tuple) else value
        data["description"] = {"nl": self.description_nl, "en": self.description_en}
        return data


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
    parsed: Query = field(repr=False, compare=False)
    variables: tuple[str, ...] = ()

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


def _yaml(path: Path, key: str, text: str) -> Any:
    try:
        return yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise CatalogueError(path, f"#+ {key}: not a YAML flow value ({problem})") from error


def _split(path: Path, text: str) -> tuple[dict[str, Any], list[Any], str]:
    """The metadata (one value per key), the ``param`` values and the query text."""
    lines = text.splitlines(keepends=True)
    meta: dict[str, Any] = {}
    params: list[Any] = []
    n = 0
    while n < len(lines) and lines[n].startswith("#+"):
        match = _META_LINE.match(lines[n].rstrip("\r\n"))
        if not match:
            raise CatalogueError(path, f"line {n + 1}: expected '#+ key: value'")
        key, value = match.group(1), _yaml(path, match.group(1), match.group(2))
        if key == "param":
            params.append(value)
        elif key in meta:
            raise CatalogueError(path, f"line {n + 1}: #+ {key} given twice")
        else:
            meta[key] = value
        n += 1
    return meta, params, "".join(lines[n:])


def _text(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(path, f"{where} must be a non-empty text (quote it if it holds ': ')")
    return value.strip()


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):  # YAML reads 2023-01-01 as a date
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _param(path: Path, raw: Any, projected: set[str]) -> Param:
    if not isinstance(raw, dict):
        raise CatalogueError(path, "#+ param must be a mapping {name: ..., type: ...}")
    name = raw.get("name")
    if not isinstance(name, str) or not _VAR_NAME.match(name):
        raise CatalogueError(path, f"#+ param: invalid or missing name {name!r}")
    where = f"parameter {name!r}"
    unknown = set(raw) - _PARAM_KEYS
    if unknown:
        raise CatalogueError(path, f"{where}: unknown keys {sorted(unknown)}")
    ptype = raw.get("type")
    if ptype not in PARAM_TYPES:
        raise CatalogueError(path, f"{where}: type must be one of {', '.join(PARAM_TYPES)}")
    if not isinstance(raw.get("required"), bool):
        raise CatalogueError(path, f"{where}: required must be true or false")
    cls = raw.get("class")
    cls_iri = None
    if ptype == "iri":
        match = _PREFIXED.match(cls) if isinstance(cls, str) else None
        if not match or match.group(1) not in PREFIXES:
            raise CatalogueError(path, f"{where}: an iri parameter needs a class (prefixed name)")
        cls_iri = URIRef(str(PREFIXES[match.group(1)]) + match.group(2))
    elif cls is not None:
        raise CatalogueError(path, f"{where}: only iri parameters have a class")
    bounds = {key: raw.get(key) for key in ("min", "max")}
    for key, value in bounds.items():
        if value is not None and (ptype != "integer" or type(value) is not int):
            raise CatalogueError(path, f"{where}: {key} must be an integer (integer params only)")
    values = raw.get("values")
    texts = isinstance(values, list) and all(isinstance(v, str) for v in values)
    if values is not None and (ptype != "string" or not texts):
        raise CatalogueError(path, f"{where}: values must be a list of texts (string params only)")
    if name not in projected:
        raise CatalogueError(path, f"{where}: ?{name} is not a projected variable of the query")
    param = Param(
        name=name, type=ptype, required=raw["required"],
        description_nl=_text(path, f"{where}: description_nl", raw.get("description_nl")),
        description_en=_text(path, f"{where}: description_en", raw.get("description_en")),
        cls=cls if ptype == "iri" else None, cls_iri=cls_iri, default=_scalar(raw.get("default")),
        min=bounds["min"], max=bounds["max"], values=tuple(values) if values else None,
    )  # fmt: skip
    if param.default is not None and ptype != "iri":
        try:
            convert(param, param.default, None)
        except ParameterError as error:
            raise CatalogueError(path, f"{where}: bad default ({error.reason})") from error
    return param


def _has_order_by(part: Any) -> bool:
    while part is not None and hasattr(part, "name"):
        if part.name == "OrderBy":
            return True
        part = part.get("p")
    return False


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
    meta, raw_params, sparql = _split(path, text)
    unknown = set(meta) - set(_REQUIRED_KEYS)
    if unknown:
        raise CatalogueError(path, f"unknown metadata keys: {', '.join(sorted(unknown))}")
    missing = [key for key in _REQUIRED_KEYS if key not in meta]
    if missing:
        raise CatalogueError(path, f"missing metadata: {', '.join(missing)}")
    texts = {key: _text(path, f"#+ {key}", meta[key]) for key in _TEXT_KEYS}
    if meta["audience"] not in AUDIENCES:
        raise CatalogueError(path, f"#+ audience must be one of {', '.join(AUDIENCES)}")
    tags = meta["tags"]
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t for t in tags):
        raise CatalogueError(path, "#+ tags must be a non-empty list of texts")
    try:
        parsed = prepareQuery(sparql)
    except Exception as error:  # pyparsing and rdflib raise several kinds
        raise CatalogueError(path, f"the query does not parse: {error}") from error
    if parsed.algebra.name != "SelectQuery":
        raise CatalogueError(path, "only SELECT queries belong in the catalogue")
    if not _has_order_by(parsed.algebra.get("p")):
        raise CatalogueError(path, "the query needs an ORDER BY (deterministic results)")
    projected = [str(v) for v in parsed.algebra.get("PV", []) if isinstance(v, Variable)]
    params = tuple(_param(path, raw, set(projected)) for raw in raw_params)
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise CatalogueError(path, "a parameter is declared twice")
    return NamedQuery(
        name=name, path=path, audience=meta["audience"], tags=tuple(tags), params=params,
        sparql=sparql, parsed=parsed, variables=tuple(projected), **texts,
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


_LABEL_INDEX: weakref.WeakKeyDictionary[Graph, tuple[int, dict[str, set[URIRef]]]] = (
    weakref.WeakKeyDictionary()
)


_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-"})


def _fold(text: str) -> str:
    """A label as compared: NFC, case-folded, straight quotes, white space folded."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().translate(_QUOTES).split())


def _labels(graph: Graph) -> dict[str, set[URIRef]]:
    """Folded label (rdfs:label, skos:altLabel, skos:notation, any language) -> resources."""
    cached = _LABEL_INDEX.get(graph)
    if cached is not None and cached[0] == len(graph):
        return cached[1]
    index: dict[str, set[URIRef]] = {}
    for predicate in (RDFS.label, SKOS.altLabel, SKOS.notation):
        for subject, label in graph.subject_objects(predicate):
            if isinstance(subject, URIRef) and isinstance(label, Literal):
                index.setdefault(_fold(str(label)), set()).add(subject)
    _LABEL_INDEX[graph] = (len(graph), index)
    return index


def _has_class(graph: Graph, iri: URIRef, cls: URIRef) -> bool:
    """``iri`` has ``rdf:type`` ``cls`` or a sub-class of it (``rdfs:Resource``: any type)."""
    for rdf_type in graph.objects(iri, RDF.type):
        if cls == RDFS.Resource:
            return True
        if rdf_type == cls or cls in graph.transitive_objects(rdf_type, RDFS.subClassOf):
            return True
    return False


def _curie(iri: URIRef) -> str:
    for prefix in ("kg", "amkg"):
        namespace = str(PREFIXES[prefix])
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _iri(param: Param, text: str, graph: Graph) -> URIRef:
    """A full IRI, a prefixed name or an unambiguous label, of a resource of the class."""
    assert param.cls_iri is not None
    inner = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    prefixed = _PREFIXED.match(inner)
    if prefixed and prefixed.group(1) in PREFIXES:
        iri: URIRef | None = URIRef(str(PREFIXES[prefixed.group(1)]) + prefixed.group(2))
    elif _IRI.match(inner) and ("://" in inner or inner.startswith("urn:")):
        iri = URIRef(inner)
    else:
        iri = None
    if iri is not None:
        if not _has_class(graph, iri, param.cls_iri):
            raise ParameterError(param.name, f"{text!r} is not a resource of class {param.cls}")
        return iri
    candidates = _labels(graph).get(_fold(text), ())
    found = sorted(s for s in candidates if _has_class(graph, s, param.cls_iri))
    if not found:
        raise ParameterError(param.name, f"no {param.cls} has the IRI, name or label {text!r}")
    if len(found) > 1:
        names = ", ".join(_curie(s) for s in found)
        raise ParameterError(param.name, f"label {text!r} is ambiguous: {names}")
    return found[0]


def convert(param: Param, value: str, kg: Any) -> Node:
    """One raw value as an rdflib term of the parameter's type, or :class:`ParameterError`."""
    if not isinstance(value, str):
        raise ParameterError(param.name, "the value must be text")
    if len(value) > INPUT_MAX:
        raise ParameterError(param.name, f"the value is longer than {INPUT_MAX} characters")
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") for c in value):
        raise ParameterError(param.name, "the value contains control or unassigned characters")
    text = value.strip()
    if param.type == "iri":
        if kg is None:
            raise ParameterError(param.name, "an IRI needs the knowledge graph to resolve")
        return _iri(param, text, kg.graph)
    if param.type == "integer":
        if not _INTEGER.match(text):
            raise ParameterError(param.name, f"{text!r} is not an integer")
        number = int(text)
        if (param.min is not None and number < param.min) or (
            param.max is not None and number > param.max
        ):
            raise ParameterError(param.name, f"{number} is outside {param.min}..{param.max}")
        return Literal(number, datatype=XSD.integer)
    if param.type == "date":
        try:
            day = datetime.date.fromisoformat(text) if _DATE.match(text) else None
        except ValueError:
            day = None
        if day is None:
            raise ParameterError(param.name, f"{text!r} is not a date (YYYY-MM-DD)")
        return Literal(day.isoformat(), datatype=XSD.date)
    if len(value) > STRING_MAX:
        raise ParameterError(param.name, f"the text is longer than {STRING_MAX} characters")
    if param.values is not None:
        if text not in param.values:
            raise ParameterError(param.name, f"{text!r} is not one of {', '.join(param.values)}")
        return Literal(text)
    return Literal(value)  # free text exactly as given: it is a value, never query text


def bind(query: NamedQuery, raw: Mapping[str, str | None], kg: Any) -> dict[str, Node]:
    """Raw parameter values (text) as rdflib terms, by the declared types.

    Unknown names, missing required values and bad values raise :class:`ParameterError`.
    Defaults fill in what is missing; an optional parameter without default stays unbound.
    """
    for key in raw:
        if query.param(key) is None:
            known = ", ".join(p.name for p in query.params) or "none"
            raise ParameterError(str(key), f"unknown parameter (this query takes: {known})")
    bindings: dict[str, Node] = {}
    # The values given first, so that an error names what the user typed before any default.
    for param in sorted(query.params, key=lambda p: raw.get(p.name) is None):
        value = raw.get(param.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if param.default is None:
                if param.required:
                    raise ParameterError(param.name, "a value is required")
                continue
            value = param.default
        bindings[param.name] = convert(param, value, kg)
    return {p.name: bindings[p.name] for p in query.params if p.name in bindings}


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
) -> RunResult:
    """Bind ``raw_params`` and evaluate the named query on ``kg.store``.

    ``lang`` fills the query's ``lang`` parameter when it has one and none was given.
    """
    query = (catalogue or default_catalogue()).get(name)
    raw = dict(raw_params or {})
    if lang is not None and query.param("lang") is not None and not raw.get("lang"):
        raw["lang"] = lang
    bindings = bind(query, raw, kg)
    return RunResult(query, bindings, kg.store.query(query.sparql, bindings))
