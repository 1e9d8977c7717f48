"""Scenario data (/scenario, /api/scenario, ``amkg scenario``): which items are on, per factor
the resulting direction and every path with its steps and their citations, conflicts,
cycles, feasibility flags, and the comparison of two scenarios."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from rdflib import URIRef

from amkg.graph import scenario

from .levers_common import LeverKG, Ref, cycle, link, path, ref, sorted_refs

MAX_ITEMS = 60
#: ``zekerheid``: follow only chains (readings) at least this sure; "" or "laag" follows all.
CONFIDENCE: dict[str, str | None] = {
    "": None,
    "laag": None,
    "middel": scenario.CONFIDENCE_ORDER[1],
    "hoog": scenario.CONFIDENCE_ORDER[2],
}


class FactorJSON(TypedDict):
    """One factor a scenario reaches: its direction, who raises and lowers it, every path."""

    factor: Ref
    direction: str
    conflict: bool
    inferred: bool
    raised_by: list[Ref]
    lowered_by: list[Ref]
    paths: list[dict[str, Any]]


class ChangeJSON(TypedDict):
    """One factor whose direction differs between scenario A and B."""

    factor: Ref
    before: str | None
    after: str | None
    flips: bool


class ScenarioProblem(ValueError):
    """A bad ``aan`` / ``vergelijk`` value: ``param``, ``reason``, ``suggestions``."""

    def __init__(self, param: str, reason: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(f"{param}: {reason}")
        self.param = param
        self.reason = reason
        self.suggestions = list(suggestions)


def catalogue(kg: LeverKG, lang: str) -> list[dict[str, Any]]:
    """The switchable items: per track its lever and its measures (sub-actions under them)."""
    lm = scenario.model(kg)
    tracks: dict[str, dict[str, Any]] = {}
    for item in lm.items.values():
        if item.kind == "track":
            tracks[item.iri] = {
                **(ref(kg, item.iri, lang) or {}),
                "number": item.track_number,
                "measures": [],
            }
    for item in lm.items.values():
        if item.kind == "measure" and item.track in tracks:
            tracks[item.track]["measures"].append(
                {
                    **(ref(kg, item.iri, lang) or {}),
                    "sub": item.parent is not None,
                    "effects": len(lm.effects.get(item.iri, [])),
                }
            )
    for t in tracks.values():
        t["measures"].sort(key=lambda m: (m["sub"], m["label"].casefold()))
        t["effects"] = len(lm.effects.get(t["iri"], []))
    return sorted(tracks.values(), key=lambda t: t["number"])


def confidence(raw: str) -> str | None:
    """The minimum confidence for ``zekerheid`` (laag, middel, hoog; empty: every chain)."""
    key = raw.strip().casefold()
    if key not in CONFIDENCE:
        raise ScenarioProblem("zekerheid", "one of laag, middel, hoog")
    return CONFIDENCE[key]


def _run(
    kg: LeverKG, names: Sequence[str], param: str, min_confidence: str | None = None
) -> scenario.ScenarioResult:
    if len(names) > MAX_ITEMS:
        raise ScenarioProblem(param, f"at most {MAX_ITEMS} items")
    try:
        return scenario.run(kg, [n for n in names if n.strip()], min_confidence=min_confidence)
    except scenario.UnknownItem as error:
        raise ScenarioProblem(param, str(error), error.suggestions) from None


def result_json(kg: LeverKG, result: scenario.ScenarioResult, lang: str) -> dict[str, Any]:
    lm = scenario.model(kg)
    factors: list[FactorJSON] = []
    for fr in result.factors.values():
        nearest = fr.nearest()
        factors.append(
            {
                "factor": link(kg, fr.factor, lang),
                "direction": fr.direction,
                "conflict": fr.conflict,
                "inferred": all(p.inferred for p in fr.paths),
                "raised_by": sorted_refs([ref(kg, i, lang) for i, s in nearest.items() if s == 1]),
                "lowered_by": sorted_refs(
                    [ref(kg, i, lang) for i, s in nearest.items() if s == -1]
                ),
                "paths": [path(kg, p, lang) for p in fr.paths],
            }
        )
    factors.sort(key=lambda f: (not f["conflict"], f["factor"]["label"].casefold()))
    return {
        "on": [
            {
                **(ref(kg, i, lang) or {}),
                "kind": lm.items[i].kind,
                "track_number": lm.items[i].track_number,
            }
            for i in result.on
        ],
        "aan": [kg.prefixed(URIRef(i)) for i in result.on],
        "factors": factors,
        "counts": {
            "factors": len(factors),
            "paths": sum(len(f["paths"]) for f in factors),
            "conflicts": sum(1 for f in factors if f["conflict"]),
            "inferred_paths": sum(1 for f in factors for p in f["paths"] if p["inferred"]),
        },
        "conflicts": [f for f in factors if f["conflict"]],
        "cycles": [cycle(kg, c, lang) for c in result.cycles],
        "feasibility": [
            {
                "item": ref(kg, flag.item, lang),
                "verdict": ref(kg, flag.verdict, lang),
                "verdict_key": flag.verdict.rsplit("#", 1)[-1],
                "assessment": ref(kg, flag.assessment, lang),
                "citations": [
                    {"quote": c.quote, "slide": ref(kg, c.slide, lang), "section": c.section}
                    for c in flag.citations
                ],
            }
            for flag in result.feasibility
        ],
        "truncated": result.truncated,
    }


def comparison_json(
    kg: LeverKG, a: scenario.ScenarioResult, b: scenario.ScenarioResult, lang: str
) -> dict[str, Any]:
    changes: list[ChangeJSON] = [
        {
            "factor": link(kg, c.factor, lang),
            "before": c.before,
            "after": c.after,
            "flips": c.flips,
        }
        for c in scenario.compare(a, b)
    ]
    changes.sort(key=lambda c: (not c["flips"], c["factor"]["label"].casefold()))
    return {"changes": changes, "flips": sum(1 for c in changes if c["flips"])}


def build(
    kg: LeverKG,
    lang: str,
    aan: Sequence[str],
    vergelijk: Sequence[str] = (),
    zekerheid: str = "",
) -> dict[str, Any]:
    """The scenario page data; raises :class:`ScenarioProblem` for an unknown item or a bad
    ``zekerheid``. Both scenarios follow the same chains."""
    minimum = confidence(zekerheid)
    a = _run(kg, aan, "aan", minimum)
    data: dict[str, Any] = {
        "scenario": result_json(kg, a, lang),
        "compare": None,
        "zekerheid": zekerheid.strip().casefold(),
        "min_confidence": ref(kg, minimum, lang),
    }
    if any(v.strip() for v in vergelijk):
        b = _run(kg, vergelijk, "vergelijk", minimum)
        data["compare"] = {
            "scenario": result_json(kg, b, lang),
            **comparison_json(kg, a, b, lang),
        }
    return data
