"""Ministry lens (/ministerie/<naam>, ``amkg ministerie NAAM``): what a ministry coordinates,
the tracks that touches, the trajectories it shares and with whom, and what it depends on
from other ministries' trajectories on the same tracks."""

from __future__ import annotations

from typing import Any

from .levers_common import LeverKG, ref
from .levers_trajectories import ministries as all_ministries
from .levers_trajectories import tracks, trajectories, trajectory_json


class UnknownMinistry(LookupError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"{name!r} is no ministry of the graph (one of: {', '.join(known)})")
        self.name = name
        self.known = known


def resolve(kg: LeverKG, name: str) -> str:
    """The ministry for a local name (``szw``), abbreviation (``SZW``), ``kg:szw`` or IRI."""
    found = all_ministries(kg)
    raw = name.strip().removeprefix("kg:")
    for iri, notation in found.items():
        local = iri.rsplit("/", 1)[-1]
        if raw.casefold() in (local.casefold(), notation.casefold()) or name.strip() == iri:
            return iri
    raise UnknownMinistry(name, sorted(iri.rsplit("/", 1)[-1] for iri in found))


def options(kg: LeverKG, lang: str) -> list[dict[str, Any]]:
    return sorted(
        (
            {**(ref(kg, iri, lang) or {}), "notation": notation, "slug": iri.rsplit("/", 1)[-1]}
            for iri, notation in all_ministries(kg).items()
        ),
        key=lambda o: o["notation"].casefold(),
    )


def build(kg: LeverKG, lang: str, name: str) -> dict[str, Any]:
    """The lens data; raises :class:`UnknownMinistry`."""
    ministry = resolve(kg, name)
    notations = all_ministries(kg)
    trajs = trajectories(kg)
    own = [t for t in trajs.values() if ministry in t.ministries]
    own.sort(key=lambda t: (t.start or "9999", t.iri))
    numbers = {track: number for track, number, _ in tracks(kg)}
    touched: dict[str, dict[str, Any]] = {}
    for t in own:
        for track in t.tracks:
            entry = touched.setdefault(
                track,
                {
                    **(ref(kg, track, lang) or {}),
                    "number": numbers.get(track),
                    "via": [],
                    "inferred": True,
                },
            )
            entry["via"].append(ref(kg, t.iri, lang))
            entry["inferred"] = entry["inferred"] and t.track_inferred(track)
    shared = []
    for t in own:
        others = [m for m in t.ministries if m != ministry]
        if others:
            shared.append(
                {
                    "trajectory": trajectory_json(kg, t, lang),
                    "with": [
                        {**(ref(kg, m, lang) or {}), "notation": notations.get(m, "")}
                        for m in others
                    ],
                    "role": "coordinator" if ministry in t.coordinators else "cooperation",
                }
            )
    depends = []
    own_iris = {t.iri for t in own}
    for track, entry in sorted(touched.items(), key=lambda kv: kv[1]["number"] or 0):
        for t in sorted(trajs.values(), key=lambda t: (t.start or "9999", t.iri)):
            if t.iri in own_iris or track not in t.tracks:
                continue
            depends.append(
                {
                    "track": {k: entry[k] for k in ("iri", "id", "label", "url", "number")},
                    "trajectory": trajectory_json(kg, t, lang),
                    "ministries": [
                        {**(ref(kg, m, lang) or {}), "notation": notations.get(m, "")}
                        for m in t.ministries
                    ],
                    "no_coordinator": not t.coordinators,
                    "inferred": t.track_inferred(track),
                }
            )
    return {
        "ministry": {**(ref(kg, ministry, lang) or {}), "notation": notations.get(ministry)},
        "slug": ministry.rsplit("/", 1)[-1],
        "coordinates": [
            {
                **trajectory_json(kg, t, lang),
                "role": "coordinator" if ministry in t.coordinators else "cooperation",
                "tracks": [
                    {
                        **(ref(kg, tr, lang) or {}),
                        "number": numbers.get(tr),
                        "inferred": t.track_inferred(tr),
                    }
                    for tr in sorted(t.tracks, key=lambda x: numbers.get(x, 0))
                ],
            }
            for t in own
        ],
        "tracks": sorted(touched.values(), key=lambda e: e["number"] or 0),
        "shared": shared,
        "depends_on": depends,
        "ministries": options(kg, lang),
    }
