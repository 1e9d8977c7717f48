"""The pages of the edited graph (issue 11): recent changes (``/wijzigingen``, a page at a time,
all or one entity's, with a JSON Feed), an entity's newest changes (a section of its ``/id/``
page, with a link to all of them), the diff between two days
(``/verschil``) and the current conflicts and overdue trajectories (``/conflicten``). Data
from :mod:`amkg.graph.history` and :mod:`amkg.graph.slippage`."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from rdflib import Literal, URIRef
from rdflib.term import Node

from amkg.graph import history, slippage
from amkg.graph.changes import CHANGES
from amkg.graph.changes_types import ChangeInfo, Triple
from amkg.graph.load import KG
from amkg.webui.views.common import KG_, Labeler

FEED_VERSION = "https://jsonfeed.org/version/1.1"


def _term(lab: Labeler, node: Node) -> dict[str, Any]:
    if isinstance(node, Literal):
        return {"kind": "literal", "text": str(node), "lang": node.language,
                "datatype": str(node.datatype) if node.datatype else None}  # fmt: skip
    if isinstance(node, URIRef) and str(node).startswith(CHANGES):
        number = str(node)[len(CHANGES) :].split("/")[0]
        return {
            "kind": "iri",
            "iri": str(node),
            "label": lab(node),
            "url": change_link(number),
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


#: Change sets per page of ``/wijzigingen`` (the older ones: the page's ``next`` link).
PAGE = 50
#: The newest change sets an entity's page shows; the rest are on ``/wijzigingen?over=``.
ON_ENTITY_PAGE = 5


def change_link(change_id: str) -> str:
    """Where one change set is listed: the page of ``/wijzigingen`` that starts with it."""
    number = int(change_id) if change_id.isdigit() else None
    if number is None:
        return f"/wijzigingen#wz-{change_id}"
    return f"{changes_url(before=number + 1)}#wz-{change_id}"


def changes_url(before: int | None = None, about: str | None = None, json: bool = False) -> str:
    """``/wijzigingen`` (``.json``) with ``voor=`` (the page older than that number) and
    ``over=`` (the changes about one entity)."""
    args = {k: v for k, v in (("over", about), ("voor", before)) if v is not None}
    return "/wijzigingen" + (".json" if json else "") + (f"?{urlencode(args)}" if args else "")


def recent(
    kg: KG_, lang: str, before: int | None = None, about: Node | None = None, json: bool = False
) -> dict[str, Any]:
    """A page of ``/wijzigingen``: the newest :data:`PAGE` change sets numbered below
    ``before``, all or those about ``about``, with the link to the next (older) page."""
    lab = Labeler(kg, lang)
    found = history.page(kg, PAGE, before, about, newest=False)
    name = local_name(about) if about is not None else None
    return {
        "changes": [change(lab, info) for info in found.changes],
        "limit": PAGE,
        "total": found.total,
        "about": lab.ref(about) if about is not None else None,
        "before": before,
        "next": changes_url(found.older, name, json) if found.older is not None else None,
        "first": changes_url(None, name, json) if before is not None else None,
        "feed": "/wijzigingen/feed.json",
    }


def local_name(node: Node) -> str:
    """How ``over=`` names ``node``: its local name for the graph's own resources."""
    text = str(node)
    return text[len(str(KG)) :] if text.startswith(str(KG)) else text


def entity_history(kg: KG_, node: Node, lang: str) -> dict[str, Any]:
    """The section on an ``/id/`` page: the newest :data:`ON_ENTITY_PAGE` change sets about
    ``node``, how many there are, and where all of them are listed."""
    lab = Labeler(kg, lang)
    found = history.page(kg, ON_ENTITY_PAGE, about=node, newest=False)
    return {
        "changes": [change(lab, info) for info in found.changes],
        "total": found.total,
        "url": changes_url(about=local_name(node)) if found.total > len(found.changes) else None,
    }


def feed(kg: KG_, base: str, lang: str) -> dict[str, Any]:
    """Recent changes as a JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    items = []
    for info in history.recent(kg, 50):
        source = info.source.title or info.source.meeting or ""
        items.append(
            {
                "id": info.iri,
                "url": base.rstrip("/") + change_link(info.change_id),
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
