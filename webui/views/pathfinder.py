"""The path finder (/pad): every explained path between two entities (graph/trace.py).

The two names are what the user typed or picked: an IRI, a prefixed name or an unambiguous
label. A name that resolves to nothing or to several entities is a problem of that parameter,
reported with close matches or the candidates to choose from.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from rdflib import URIRef

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.trace import (
    MAX_STEPS,
    AmbiguousName,
    Entity,
    EntityNotFound,
    Path,
    TraceError,
    resolve,
    trace,
)
from amkg.webui.i18n import t

from .common import url_for_node

DEFAULT_STEPS = 3
PARAMS = ("from", "to")


class PathProblem(ValueError):
    """A parameter the path finder cannot use: ``param``, ``reason`` and options to pick."""

    def __init__(
        self,
        param: str,
        reason: str,
        status: int = 400,
        options: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{param}: {reason}")
        self.param, self.reason, self.status = param, reason, status
        self.options = options or []


def _entity(e: Entity, lang: str) -> dict[str, Any]:
    return {**e.to_dict(lang), "url": url_for_node(URIRef(e.iri))}


def _pick_url(values: dict[str, str], param: str, entity: Entity) -> str:
    args = {**values, param: entity.id}
    return "/pad?" + urlencode(args)


def _resolve(kg: KnowledgeGraph, values: dict[str, str], param: str, lang: str) -> Entity:
    name = values.get(param, "").strip()
    try:
        return resolve(kg, name)
    except AmbiguousName as error:
        options = [
            {**_entity(c, lang), "pick_url": _pick_url(values, param, c)} for c in error.candidates
        ]
        reason = t("an.path.ambiguous", lang, name=name)
        raise PathProblem(param, reason, 400, options) from None
    except EntityNotFound as error:
        options = [
            {**_entity(c, lang), "pick_url": _pick_url(values, param, c)} for c in error.suggestions
        ]
        reason = t(
            "an.path.not_found", lang, name=name, reason=t(f"trace.reason.{error.kind}", lang)
        )
        raise PathProblem(param, reason, 404, options) from None


def _path(p: Path, lang: str) -> dict[str, Any]:
    data = p.to_dict(lang)
    for node in data["nodes"]:
        node["url"] = url_for_node(URIRef(node["iri"]))
    for step, raw in zip(data["steps"], p.steps, strict=True):
        step["notes"] = raw.notes(lang)
    return data


def parse_steps(raw: str | None) -> int:
    """``max_steps`` from the query string, or :class:`PathProblem` naming it."""
    if raw is None or not raw.strip():
        return DEFAULT_STEPS
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_STEPS:
        raise PathProblem("max_steps", f"must be an integer from 1 to {MAX_STEPS}, not {raw!r}")
    return value


def build(
    kg: KnowledgeGraph, lang: str, source: str = "", target: str = "", max_steps: str | None = None
) -> dict[str, Any]:
    """The page data; ``result`` is None until both names are given."""
    values = {"from": source.strip(), "to": target.strip()}
    data: dict[str, Any] = {
        "from": values["from"],
        "to": values["to"],
        "max_steps": DEFAULT_STEPS,
        "max_steps_limit": MAX_STEPS,
        "result": None,
    }
    steps = parse_steps(max_steps)
    data["max_steps"] = steps
    if max_steps:
        values["max_steps"] = str(steps)
    if not values["from"] and not values["to"]:
        return data
    for param in PARAMS:
        if not values[param]:
            raise PathProblem(param, t("an.path.enter_name", lang))
    a = _resolve(kg, values, "from", lang)
    b = _resolve(kg, values, "to", lang)
    try:
        result = trace(kg, a, b, steps, lang=lang)
    except TraceError as error:
        raise PathProblem("to", str(error)) from None
    data["result"] = {
        "from": _entity(result.source, lang),
        "to": _entity(result.target, lang),
        "count": len(result.paths),
        "truncated": result.truncated,
        "paths": [_path(p, lang) for p in result.paths],
        "graph_url": "/graph?" + urlencode({"focus": result.source.iri}),
    }
    data["from_label"] = result.source.label.get(lang)
    data["to_label"] = result.target.label.get(lang)
    return data
