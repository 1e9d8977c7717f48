"""Slippage and impact of trajectory dates (issue 11).

:func:`preview_date` answers, before a changed date is saved, what the trajectory touches (the
impact of :func:`amkg.graph.trace.impact`: tracks, measures, effects, other trajectories) and
the conflicts the new date would create; :func:`current_conflicts` lists the conflicts and
overdue trajectories of the graph as it is. The rules:

- ``follow_up_before``: a trajectory that follows up on another (``amkg:followsUpOn``) is due
  before the one it follows;
- ``track_without_active``: every trajectory that reaches a track is completed or cancelled,
  so none is active there;
- ``overdue``: due (revised, else planned) before ``today`` and not completed or cancelled. A
  trajectory without a status (the deck's, until a coordinator sets one) is listed as overdue
  with ``status_known`` false: the deck does not say whether it was done.

The questions are ``graph/sparql/trajectory-dates.rq``, ``trajectory-follows.rq`` and
``trajectory-tracks.rq``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from amkg.graph.load import AMKG
from amkg.graph.rq import DOMAIN

CLOSED = {AMKG.statusAfgerond, AMKG.statusGeschrapt}


@dataclass(frozen=True)
class Dates:
    trajectory: Node
    planned: datetime.date | None
    revised: datetime.date | None
    completed: datetime.date | None
    status: Node | None
    due: datetime.date | None


@dataclass(frozen=True)
class Conflict:
    kind: str  # follow_up_before | track_without_active | overdue
    subject: str  # the trajectory (or the track)
    other: str | None = None  # the trajectory it follows (or None)
    due: datetime.date | None = None
    other_due: datetime.date | None = None
    status_known: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "other": self.other,
            "due": self.due.isoformat() if self.due else None,
            "other_due": self.other_due.isoformat() if self.other_due else None,
            "status_known": self.status_known,
        }


@dataclass(frozen=True)
class Preview:
    trajectory: str
    old_due: datetime.date | None
    new_due: datetime.date
    touches: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def _day(value: Node | None) -> datetime.date | None:
    if isinstance(value, Literal) and isinstance(value.value, datetime.date):
        return value.value
    return None


def dates(kg: Any) -> dict[Node, Dates]:
    found: dict[Node, Dates] = {}
    for row in DOMAIN.select(kg.store, "trajectory-dates"):
        found[row["trajectory"]] = Dates(
            row["trajectory"],
            _day(row.get("planned")),
            _day(row.get("revised")),
            _day(row.get("completed")),
            row.get("status"),
            _day(row.get("due")),
        )
    return found


def conflicts(kg: Any, known: dict[Node, Dates], today: datetime.date) -> list[Conflict]:
    """The conflicts of the dates ``known`` (see the module's text), in a stable order."""
    out: list[Conflict] = []
    for row in DOMAIN.select(kg.store, "trajectory-follows"):
        later, earlier = known.get(row["later"]), known.get(row["earlier"])
        if later is None or earlier is None or later.due is None or earlier.due is None:
            continue
        if later.status in CLOSED or earlier.status == AMKG.statusGeschrapt:
            continue
        if later.due < earlier.due:
            out.append(
                Conflict(
                    "follow_up_before",
                    str(later.trajectory),
                    str(earlier.trajectory),
                    later.due,
                    earlier.due,
                )
            )
    by_track: dict[Node, list[Node]] = {}
    for row in DOMAIN.select(kg.store, "trajectory-tracks"):
        by_track.setdefault(row["track"], []).append(row["trajectory"])
    for track, trajectories in by_track.items():
        statuses = [known[t].status for t in trajectories if t in known]
        if statuses and all(s in CLOSED for s in statuses):
            out.append(Conflict("track_without_active", str(track)))
    for item in known.values():
        if item.due is not None and item.due < today and item.status not in CLOSED:
            out.append(
                Conflict(
                    "overdue",
                    str(item.trajectory),
                    due=item.due,
                    status_known=item.status is not None,
                )
            )
    return sorted(out, key=lambda c: (c.kind, c.subject, c.other or ""))


def current_conflicts(kg: Any, today: datetime.date | None = None) -> list[Conflict]:
    """The conflicts and overdue trajectories of ``kg`` as it is (``today``: the day to judge
    'overdue' by; default the current day)."""
    return conflicts(kg, dates(kg), today or datetime.date.today())


def preview_date(
    kg: Any,
    trajectory: str | Node,
    new_due: datetime.date,
    today: datetime.date | None = None,
    lang: str = "nl",
) -> Preview:
    """What moving ``trajectory``'s date to ``new_due`` touches, and the conflicts it would
    create (those that are not there already)."""
    from amkg.graph.trace import impact

    node = URIRef(str(trajectory))
    known = dates(kg)
    day = today or datetime.date.today()
    before = set(conflicts(kg, known, day))
    old = known.get(node)
    moved = dict(known)
    moved[node] = Dates(
        node,
        old.planned if old else None,
        new_due,
        old.completed if old else None,
        old.status if old else None,
        new_due,
    )
    created = [c for c in conflicts(kg, moved, day) if c not in before]
    reached = impact(kg, str(node), 2)
    touches = [{**r.entity.to_dict(lang), "distance": r.distance} for r in reached.reached]
    return Preview(str(node), old.due if old else None, new_due, touches, created)
