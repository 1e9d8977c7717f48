"""Parameters of the named queries: their declaration, and binding the user's raw values.

Parameters are SPARQL variables of the query. :func:`bind` turns the user's raw strings into
rdflib terms by the declared type (:func:`convert`, one value), and
:func:`queries.catalogue.run` hands them to the store as *bindings*: user input never becomes
part of the query text (rdflib expands ``\\uXXXX`` escapes before it parses, so escaping would
not be enough). An IRI parameter takes a full IRI, a prefixed name or an unambiguous label of a
resource of the declared class: it is resolved with the knowledge graph's own reads (its label
index ``kg.label_values``, ``kg.instances``, ``kg.describe``), so the store sees no query but
the catalogue's.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rdflib import Literal
from rdflib.namespace import RDFS, SKOS, XSD
from rdflib.term import Node, URIRef

from amkg.graph.load import PREFIXES

if TYPE_CHECKING:
    from amkg.queries.catalogue import NamedQuery

PARAM_TYPES = ("iri", "string", "integer", "date")
_PREFIXED = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):([A-Za-z0-9_][A-Za-z0-9_.-]*)$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]+$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,9}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
STRING_MAX = 200  # characters in a string parameter
INPUT_MAX = 2000  # characters in any raw value (an IRI, a label)


class ParameterError(ValueError):
    """A parameter value that cannot be bound; ``param`` names the parameter."""

    def __init__(self, param: str, reason: str) -> None:
        self.param = param
        self.reason = reason
        super().__init__(f"parameter '{param}': {reason}")


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


def expand_prefixed(text: str) -> URIRef | None:
    """The IRI of a prefixed name with a known prefix (``kg:spoor-3``), else None."""
    match = _PREFIXED.match(text)
    if not match or match.group(1) not in PREFIXES:
        return None
    return URIRef(str(PREFIXES[match.group(1)]) + match.group(2))


_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-"})


def _fold(text: str) -> str:
    """A label as compared: NFC, case-folded, straight quotes, white space folded."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().translate(_QUOTES).split())


#: The naming values a resource may be given by: its labels and its notation, any language.
_NAMING = (RDFS.label, SKOS.altLabel, SKOS.notation)


def _labels(kg: Any) -> dict[str, set[URIRef]]:
    """Folded label (rdfs:label, skos:altLabel, skos:notation, any language) -> resources;
    built once per graph from its label index."""

    def make() -> dict[str, set[URIRef]]:
        index: dict[str, set[URIRef]] = {}
        for subject, by_predicate in kg.label_values.items():
            if not isinstance(subject, URIRef):
                continue
            for predicate in _NAMING:
                for label in by_predicate.get(predicate, ()):
                    index.setdefault(_fold(str(label)), set()).add(subject)
        return index

    index: dict[str, set[URIRef]] = kg.derived("binding-labels", make)
    return index


def _has_class(kg: Any, iri: URIRef, cls: URIRef) -> bool:
    """``iri`` has ``rdf:type`` ``cls`` or a sub-class of it (``rdfs:Resource``: any type)."""
    if cls == RDFS.Resource:
        return bool(kg.has_type(iri))
    members = kg.derived(f"instances {cls}", lambda: frozenset(kg.instances(cls)))
    return iri in members


def _curie(iri: URIRef) -> str:
    for prefix in ("kg", "amkg"):
        namespace = str(PREFIXES[prefix])
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _iri(param: Param, text: str, kg: Any) -> URIRef:
    """A full IRI, a prefixed name or an unambiguous label, of a resource of the class."""
    assert param.cls_iri is not None
    inner = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    iri = expand_prefixed(inner)
    if iri is None and _IRI.match(inner) and ("://" in inner or inner.startswith("urn:")):
        iri = URIRef(inner)
    if iri is not None:
        if not _has_class(kg, iri, param.cls_iri):
            raise ParameterError(param.name, f"{text!r} is not a resource of class {param.cls}")
        return iri
    candidates = _labels(kg).get(_fold(text), ())
    found = sorted(s for s in candidates if _has_class(kg, s, param.cls_iri))
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
        return _iri(param, text, kg)
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


def bind(query: NamedQuery, raw: Mapping[str, str | None], kg: Any,
         required_defaults: bool = True) -> dict[str, Node]:  # fmt: skip
    """Raw parameter values (text) as rdflib terms, by the declared types.

    Unknown names, missing required values and bad values raise :class:`ParameterError`.
    Defaults fill in what is missing; an optional parameter without default stays unbound.
    With ``required_defaults=False`` (the HTTP API) a *required* parameter must be given:
    its default is only an example, named in the error, never silently used.
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
            if param.required and param.default is not None and not required_defaults:
                raise ParameterError(
                    param.name, f"a value is required (for example {param.name}={param.default})"
                )
            if param.default is None:
                if param.required:
                    raise ParameterError(param.name, "a value is required")
                continue
            value = param.default
        bindings[param.name] = convert(param, value, kg)
    return {p.name: bindings[p.name] for p in query.params if p.name in bindings}


def values_clause(bindings: Mapping[str, Node]) -> str:
    """Bound terms written out as a SPARQL ``VALUES`` clause, for a client that has to send
    text: the editor's "open in editor" link, the HTTP benchmark's requests and the remote
    store (:mod:`amkg.graph.values`, which writes each term with ``n3()`` and parses the
    clause back). Unless the clause reads as exactly these terms, :class:`ParameterError`.
    """
    from amkg.graph.values import UnfaithfulValues
    from amkg.graph.values import values_clause as checked

    try:
        return checked(bindings)
    except UnfaithfulValues as error:
        raise ParameterError(error.names, error.reason) from None
