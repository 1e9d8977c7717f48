"""The pages of the edited graph (issue 11): recent changes (``/wijzigingen``, with a JSON
Feed), an entity's history (a section of its ``/id/`` page), the diff between two days
(``/verschil``) and the current conflicts and overdue trajectories (``/conflicten``). Data
from :mod:`amkg.graph.history` and :mod:`amkg.graph.slippage`."""

from __future__ import annotations

import datetime
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from amkg.graph import history, slippage
from amkg.graph.changes_types import ChangeInfo, Triple
from amkg.webui.views.common import KG_, Labeler

FEED_VERSION = "https://jsonfeed.org/version/1.1"


def _term(lab: Labeler, node: Node) -> dict[str, Any]:
    if isinstance(node, Literal):
        return {"kind": "literal", "text": str(node), "lang": node.language,
                "datatype": str(node.datatype) if node.datatype else None}  # fmt: skip
    if isinstance(node, URIRef) and str(node).startswith(history.CHANGES):
        number = str(node)[len(history.CHANGES) :].split("/")[0]
        return {
            "kind": "iri",
            "iri": str(node),
            "label": lab(node),
            "url": f"/wijzigingen#wz-{number}",
        }
    return {"kind": "iri", **lab.ref(node)}


def triples(lab: Labeler, found: tuple[Triple, ...]) -> list[dict[str, Any]]:
    return [{"s": _term(lab, s), "p": _term(lab, p), "o": _term(lab, o)} for s, p, o in found]


def change(lab: Labeler, info: ChangeInfo) -> dict[str, Any]:
    source = info.source
    return {
        "id": info.change_id,
        "anchor": f"wz-{info.change_id}",
        "iri": info.iri,
        "sequence": info.sequence,
        "time": info.time.strftime("%Y-%m-%d %H:%M UTC"),
        "time_iso": info.time.isoformat(),
        "agent": info.agent,
        "reason": info.reason,
        "source": {
            "title": source.title or None,
            "date": source.date.isoformat() if source.date else None,
            "url": source.url,
            "meeting": source.meeting,
        },
        "added": triples(lab, info.added),
        "removed": triples(lab, info.removed),
    }


def recent(kg: KG_, lang: str, limit: int = 50) -> dict[str, Any]:
    lab = Labeler(kg, lang)
    return {
        "changes": [change(lab, info) for info in history.recent(kg, limit)],
        "limit": limit,
        "feed": "/wijzigingen/feed.json",
    }


def entity_history(kg: KG_, node: Node, lang: str) -> list[dict[str, Any]]:
    """The change sets about ``node``, newest first (the section on its ``/id/`` page)."""
    lab = Labeler(kg, lang)
    return [change(lab, info) for info in history.history(kg, node)]


def feed(kg: KG_, base: str, lang: str) -> dict[str, Any]:
    """Recent changes as a JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    items = []
    for info in history.recent(kg, 50):
        source = info.source.title or info.source.meeting or ""
        items.append(
            {
                "id": info.iri,
                "url": f"{base}wijzigingen#wz-{info.change_id}",
                "title": f"{info.change_id}: {info.reason}"[:200],
                "content_text": (
                    f"{info.reason}\n{source}\n+{len(info.added)} / -{len(info.removed)}"
                ),
                "date_published": info.time.isoformat(),
                "authors": [{"name": info.agent}],
            }
        )
    title = "Wijzigingen" if lang == "nl" else "Changes"
    return {
        "version": FEED_VERSION,
        "title": f"Arbeidsmigratie Kennisgraaf: {title}",
        "home_page_url": f"{base}wijzigingen",
        "feed_url": f"{base}wijzigingen/feed.json",
        "language": lang,
        "items": items,
    }


def diff(kg: KG_, start: datetime.date, end: datetime.date, lang: str) -> dict[str, Any]:
    lab = Labeler(kg, lang)
    added, removed = history.diff(kg, start, end)
    return {
        "van": min(start, end).isoformat(),
        "tot": max(start, end).isoformat(),
        "added": triples(lab, added),
        "removed": triples(lab, removed),
    }


def conflicts(kg: KG_, lang: str, today: datetime.date | None = None) -> dict[str, Any]:
    lab = Labeler(kg, lang)
    day = today or datetime.date.today()
    rows = []
    for found in slippage.current_conflicts(kg, day):
        rows.append(
            {
                **found.as_json(),
                "subject_ref": lab.ref(URIRef(found.subject)),
                "other_ref": lab.ref(URIRef(found.other)) if found.other else None,
            }
        )
    return {"today": day.isoformat(), "conflicts": rows}
