"""Trajectories, tracks and ministries as the signals page and the ministry lens need them,
read once per request from ``queries/internal/levers-{trajectories,tracks,ministries}.rq``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amkg.queries import internal

from .levers_common import LeverKG, integer, ref, true


@dataclass
class Trajectory:
    iri: str
    coordinators: list[str] = field(default_factory=list)
    cooperation: list[str] = field(default_factory=list)
    not_stated: bool = False
    planning: str | None = None
    start: str | None = None
    annex_row: int | None = None
    # track -> list of (route, via, inferred)
    tracks: dict[str, list[tuple[str, str, bool]]] = field(default_factory=dict)

    @property
    def ministries(self) -> list[str]:
        return self.coordinators + [m for m in self.cooperation if m not in self.coordinators]

    def track_inferred(self, track: str) -> bool:
        """A track is reached only by reading when every route to it is a reading."""
        return all(inferred for _, _, inferred in self.tracks.get(track, []))


def trajectories(kg: LeverKG) -> dict[str, Trajectory]:
    out: dict[str, Trajectory] = {}
    for row in internal.select(kg, "levers-trajectories"):
        iri = str(row["trajectory"])
        t = out.setdefault(iri, Trajectory(iri))
        t.not_stated = t.not_stated or true(row.get("notStated"))
        if "planning" in row:
            t.planning = str(row["planning"])
            t.start = str(row["periodStart"]) if "periodStart" in row else None
        if "annexRow" in row:
            t.annex_row = integer(row["annexRow"])
        if "ministry" in row:
            target = t.coordinators if str(row["role"]) == "coordinator" else t.cooperation
            if str(row["ministry"]) not in target:
                target.append(str(row["ministry"]))
        if "track" in row:
            inferred = true(row.get("inferred"))
            route = (str(row["route"]), str(row["via"]), inferred)
            routes = t.tracks.setdefault(str(row["track"]), [])
            if route not in routes:
                routes.append(route)
    return out


def tracks(kg: LeverKG) -> list[tuple[str, int, str | None]]:
    """(track, number, lever) in number order."""
    return [
        (
            str(r["track"]),
            integer(r["trackNumber"]),
            str(r["lever"]) if "lever" in r else None,
        )
        for r in internal.select(kg, "levers-tracks")
    ]


def ministries(kg: LeverKG) -> dict[str, str]:
    """ministry IRI -> its abbreviation (the label when the deck gives none)."""
    return {
        str(r["ministry"]): str(r["notation"]) if "notation" in r else kg.label(r["ministry"])
        for r in internal.select(kg, "levers-ministries")
    }


def trajectory_json(kg: LeverKG, t: Trajectory, lang: str) -> dict[str, Any]:
    return {
        **(ref(kg, t.iri, lang) or {}),
        "annex_row": t.annex_row,
        "coordinators": [ref(kg, m, lang) for m in t.coordinators],
        "cooperation": [ref(kg, m, lang) for m in t.cooperation],
        "coordinator_not_stated": t.not_stated,
        "planning": ref(kg, t.planning, lang),
        "start": t.start,
    }


def track_number(url_or_iri: str) -> int | None:
    tail = url_or_iri.rsplit("spoor-", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else None
