"""The query catalogue pages: /queries (the list) and /queries/<name> (form, run, results).

Binding and running are :mod:`queries.catalogue`'s; this module only shapes the page data:
a form from the parameter metadata, the results with IRIs as labelled links, the download
links with the same parameters, and the query text for the editor (the bound values appended
as a ``VALUES`` clause, so the editor reproduces the same result).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from amkg.graph.values import with_values as bound_text
from amkg.queries import internal
from amkg.queries.catalogue import (
    AUDIENCES,
    NamedQuery,
    Param,
    ParameterError,
    default_catalogue,
    run,
)
from amkg.webui.i18n import t

from .common import KG_, Labeler, url_for_node

GROUPED_COLUMNS = 3  # leading columns whose repeats are folded into one visual group

INPUT_TYPES = {"integer": "number", "date": "date", "string": "text", "iri": "text"}


def summary(q: NamedQuery, lang: str) -> dict[str, Any]:
    return {
        "name": q.name,
        "title": q.title(lang),
        # in plain words for the people the query is for; the technical text stays beside it
        "description": q.plain_description(lang),
        "technical": q.description(lang),
        "audience": q.audience,
        "tags": list(q.tags),
        "url": f"/queries/{q.name}",
        "params": [p.name for p in q.params],
        "param_labels": [q.column(p.name, lang) for p in q.params],
    }


def listing(lang: str, audience: str = "", tag: str = "") -> dict[str, Any]:
    """The catalogue, filtered by audience and tag (an unknown value is a ValueError)."""
    catalogue = default_catalogue()
    tags = sorted({t for q in catalogue for t in q.tags})
    if audience and audience not in AUDIENCES:
        raise ParameterError("audience", f"must be one of {', '.join(AUDIENCES)}")
    if tag and tag not in tags:
        raise ParameterError("tag", f"{tag!r} is not a tag of the catalogue")
    queries = [
        summary(q, lang)
        for q in catalogue
        if (not audience or q.audience == audience) and (not tag or tag in q.tags)
    ]
    queries.sort(key=lambda q: (AUDIENCES.index(q["audience"]), q["title"].casefold()))
    return {
        "queries": queries,
        "count": len(queries),
        "total": len(catalogue),
        "audiences": list(AUDIENCES),
        "tags": tags,
        "filters": {"audience": audience, "tag": tag},
    }


def _class_labels(kg: KG_, lab: Labeler, cls: URIRef) -> list[str]:
    """The labels of a class and its sub-classes (what /api/suggest calls a result's type)."""
    classes = {row["sub"] for row in internal.select(kg, "subclasses", cls=cls)}
    return sorted({lab(c) for c in classes | {cls}})


def _field(
    kg: KG_, lab: Labeler, p: Param, raw: Mapping[str, str], label: str = ""
) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": p.name,
        "label": label or p.name,
        "type": p.type,
        "required": p.required,
        "default": p.default,
        "description": p.description(lab.lang),
        "value": raw.get(p.name, ""),
        "input": INPUT_TYPES[p.type],
        "min": p.min,
        "max": p.max,
        "choices": list(p.values) if p.values else None,
        "id": f"param-{p.name}",
    }
    if p.type == "iri" and p.cls_iri is not None:
        field["class"] = p.cls
        field["class_label"] = lab(p.cls_iri)
        field["types"] = _class_labels(kg, lab, p.cls_iri)
    return field


def _term(lab: Labeler, term: Node) -> dict[str, Any]:
    if isinstance(term, URIRef):
        return {"type": "uri", "iri": str(term), "label": lab(term), "url": url_for_node(term)}
    if isinstance(term, Literal):
        cell = {
            "type": "literal",
            "text": str(term),
            "lang": term.language,
            "datatype": str(term.datatype) if term.datatype else None,
        }
        if term.datatype == XSD.boolean:  # ja/nee, yes/no: not true/false
            cell["display"] = t("rd.yes" if term.toPython() is True else "rd.no", lab.lang)
        return cell
    return {"type": "bnode", "text": str(term)}


def _visible(variables: list[str], lang: str) -> list[str]:
    """The columns to show: a ``...Nl``/``...En`` column of the other language is hidden when
    its twin in the page's language is there, and a label column when its resource is."""
    own, other = ("En", "Nl") if lang == "en" else ("Nl", "En")
    shown = [
        v for v in variables if not (v.endswith(other) and v[: -len(other)] + own in variables)
    ]
    # ``fooLabelNl`` repeats what the ``foo`` column shows (an IRI is shown by its label).
    return [
        v
        for v in shown
        if not any(v in (base + "Label", base + "Label" + own) for base in variables)
    ]


def _same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.get("iri"), a.get("text")) == (b.get("iri"), b.get("text"))


def grouped(rows: list[list[dict[str, Any] | None]], shown: list[int]) -> list[dict[str, Any]]:
    """Rows with their first ``repeats`` shown cells equal to the row above (so one trajectory
    with several routes reads as one group), and ``start`` on a group's first row."""
    out: list[dict[str, Any]] = []
    previous: list[dict[str, Any] | None] | None = None
    for row in rows:
        repeats = 0
        if previous is not None:
            limit = min(GROUPED_COLUMNS, len(shown) - 1)
            while repeats < limit and _same(row[shown[repeats]], previous[shown[repeats]]):
                repeats += 1
        out.append({"cells": row, "repeats": repeats, "start": repeats == 0})
        previous = row
    return out


def with_values(q: NamedQuery, bindings: Mapping[str, Node]) -> str:
    """The query text with its bound parameters as checked ``VALUES`` blocks where the store
    puts them (:func:`amkg.graph.values.with_values`), so the query opened in the editor runs
    as the catalogue ran it."""
    return bound_text(q.sparql.strip(), bindings) + "\n"


def detail(
    kg: KG_, lang: str, name: str, args: Mapping[str, str], row_limit: int | None = None
) -> dict[str, Any]:
    """One query's page. Raises ``UnknownQuery``; a ``ParameterError`` is put in ``error``."""
    q = default_catalogue().get(name)
    lab = Labeler(kg, lang)
    raw = {k: v for k, v in args.items() if q.param(k) is not None}
    given = {k: v for k, v in raw.items() if v.strip()}
    data: dict[str, Any] = {
        **summary(q, lang),
        "sparql": q.sparql.strip(),
        "fields": [_field(kg, lab, p, raw, q.column(p.name, lang)) for p in q.params],
        "error": None,
        "result": None,
        "ran": False,
        "csv_url": f"/api/queries/{q.name}.csv" + ("?" + urlencode(given) if given else ""),
        "api_url": f"/api/queries/{q.name}" + ("?" + urlencode(given) if given else ""),
        "editor_url": "/sparql-editor?" + urlencode({"query": with_values(q, {})}),
    }
    missing = [p for p in q.params if p.required and p.default is None and p.name not in given]
    if missing and not given:
        return data  # nothing to run yet: the form only
    try:
        outcome = run(kg, q.name, given, lang=lang if q.param("lang") else None)
    except ParameterError as error:
        data["error"] = {"param": error.param, "reason": error.reason, "message": str(error)}
        return data
    rows = outcome.rows
    truncated = row_limit is not None and len(rows) > row_limit
    shown = rows[:row_limit] if truncated else rows
    columns = _visible(outcome.vars, lang)
    data["ran"] = True
    data["bindings"] = {k: _term(lab, v) for k, v in outcome.bindings.items()}
    # A value that cannot be written as query text faithfully keeps the unbound query's link.
    with contextlib.suppress(ParameterError):
        data["editor_url"] = "/sparql-editor?" + urlencode(
            {"query": with_values(q, outcome.bindings)}
        )
    data["result"] = {
        "columns": columns,
        "headers": [q.column(c, lang) for c in columns],
        "count": len(rows),
        "truncated": truncated,
        "rows": [[_term(lab, row[c]) if c in row else None for c in columns] for row in shown],
    }
    # a bound parameter's column repeats the value the form shows: the page leaves it out so
    # the columns that tell the rows apart come first (the JSON and the downloads keep it)
    kept = [i for i, c in enumerate(columns) if c not in outcome.bindings or len(columns) == 1]
    data["result"]["shown"] = kept
    data["result"]["groups"] = grouped(data["result"]["rows"], kept)
    return data
