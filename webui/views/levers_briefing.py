"""Briefing per track (/spoor/<n>/briefing): the track page's data plus the signals for the
track with all its measures on, and every source, for a printable page."""

from __future__ import annotations

from typing import Any

from amkg.graph import scenario

from . import levers_scenario, levers_signals, track
from .levers_common import LeverKG


def build(kg: LeverKG, number: int, lang: str) -> dict[str, Any] | None:
    page = track.build(kg, number, lang)  # type: ignore[arg-type]
    if page is None:
        return None
    lm = scenario.model(kg)
    items = [i.iri for i in lm.items.values() if i.track_number == number]
    result = levers_scenario._run(kg, items, "aan")
    data = levers_scenario.result_json(kg, result, lang)
    signals = levers_signals._scenario_signals(data)
    general = levers_signals.build(kg, lang, items)["signals"]
    for s in general:
        if s["kind"] == "no_coordinator" and any(
            t and t["iri"] == page["iri"] for t in s["tracks"]
        ):
            signals.append(s)
        if s["kind"] == "track_without_trajectory" and s["track"]["iri"] == page["iri"]:
            signals.append(s)
    return {
        "track": page,
        "scenario": data,
        "signals": signals,
        "aan": data["aan"],
    }
