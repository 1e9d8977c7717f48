"""Signals (/signalen): what a coordinator should look at.

- conflicts: factors that two items that are on together pull in opposite directions;
- feasibility: items on whose legal feasibility is "onhaalbaar" or "alleen als pilot";
- trajectories whose coordinator the deck does not state;
- tracks that no trajectory reaches;
- cycles in the effect chains.

The first two depend on a scenario (``aan``); without one, every track and measure is on
("what if all were done at once"), and the page says so. Each signal carries the elements it
is about (links) and the data that explains it; the template words it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from amkg.graph import scenario

from . import levers_scenario
from .levers_common import LeverKG, cycle, ref
from .levers_trajectories import tracks, trajectories, trajectory_json


def _scenario_signals(data: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for f in data["conflicts"]:
        out.append(
            {
                "kind": "conflict",
                "factor": f["factor"],
                "raised_by": f["raised_by"],
                "lowered_by": f["lowered_by"],
                "inferred": f["inferred"],
                "paths": [
                    p
                    for p in f["paths"]
                    if p["item"]["iri"] in {r["iri"] for r in f["raised_by"] + f["lowered_by"]}
                ][:12],
            }
        )
    for flag in data["feasibility"]:
        out.append({"kind": "feasibility", **flag})
    return out


def build(kg: LeverKG, lang: str, aan: Sequence[str] = ()) -> dict[str, Any]:
    """The signals; raises ``levers_scenario.ScenarioProblem`` for an unknown item."""
    names = [a for a in aan if a.strip()]
    everything = not names
    if everything:
        names = list(scenario.model(kg).items)
    result = levers_scenario._run(kg, names, "aan")
    data = levers_scenario.result_json(kg, result, lang)
    signals = _scenario_signals(data)
    trajs = trajectories(kg)
    for t in sorted(trajs.values(), key=lambda t: (t.annex_row or 99, t.iri)):
        if not t.coordinators:
            signals.append(
                {
                    "kind": "no_coordinator",
                    "trajectory": trajectory_json(kg, t, lang),
                    "tracks": [ref(kg, tr, lang) for tr in sorted(t.tracks)],
                }
            )
    reached: dict[str, list[str]] = {}
    for t in trajs.values():
        for track in t.tracks:
            reached.setdefault(track, []).append(t.iri)
    for track, number, lever in tracks(kg):
        if track not in reached:
            signals.append(
                {
                    "kind": "track_without_trajectory",
                    "track": {**(ref(kg, track, lang) or {}), "number": number},
                    "lever": ref(kg, lever, lang),
                }
            )
    for c in scenario.chain_cycles(kg):
        signals.append({"kind": "cycle", **cycle(kg, c, lang)})
    kinds = [
        "conflict",
        "feasibility",
        "no_coordinator",
        "track_without_trajectory",
        "cycle",
    ]
    return {
        "aan": data["aan"] if not everything else [],
        "everything_on": everything,
        "on_count": len(data["on"]),
        "signals": signals,
        "counts": {k: sum(1 for s in signals if s["kind"] == k) for k in kinds},
        "kinds": kinds,
    }
