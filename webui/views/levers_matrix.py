"""Levers x effects (/knoppen, .json, .csv): tracks and measures as rows, factors as columns,
each cell the signed effect(s) of that row on that factor, with magnitude where the deck gives
one, stated or inferred, and the citation. Filters: track, factor group, ministry (the tracks
that the ministry's trajectories reach)."""

from __future__ import annotations

import csv
import io
from typing import Any

from rdflib import URIRef

from amkg.graph import scenario
from amkg.queries import internal

from .levers_common import SIGN_TEXT, LeverKG, Ref, citation, link, ref
from .levers_ministry import UnknownMinistry, options, resolve
from .levers_trajectories import trajectories


class GroupOption(Ref):
    """A factor group as a filter choice: its link and the slug ``groep`` takes."""

    slug: str


class FilterProblem(ValueError):
    def __init__(self, param: str, reason: str) -> None:
        super().__init__(f"{param}: {reason}")
        self.param = param
        self.reason = reason


def factor_groups(kg: LeverKG) -> dict[str, str]:
    """factor -> its group (broadest factor)."""
    return {str(r["factor"]): str(r["group"]) for r in internal.select(kg, "levers-factors")}


def _group_option(kg: LeverKG, group: str, lang: str) -> GroupOption:
    return {**link(kg, group, lang), "slug": group.rsplit("/", 1)[-1]}


def build(
    kg: LeverKG, lang: str, spoor: str = "", groep: str = "", ministerie: str = ""
) -> dict[str, Any]:
    lm = scenario.model(kg)
    groups = factor_groups(kg)
    group_options = sorted(
        (_group_option(kg, g, lang) for g in set(groups.values())),
        key=lambda o: o["label"].casefold(),
    )
    track_numbers = sorted({i.track_number for i in lm.items.values()})
    filters = {"spoor": spoor.strip(), "groep": groep.strip(), "ministerie": ministerie.strip()}
    chosen_track: int | None = None
    if filters["spoor"]:
        if not filters["spoor"].isdigit() or int(filters["spoor"]) not in track_numbers:
            raise FilterProblem("spoor", f"one of {', '.join(map(str, track_numbers))}")
        chosen_track = int(filters["spoor"])
    chosen_group: str | None = None
    if filters["groep"]:
        match = [o["iri"] for o in group_options if filters["groep"] in (o["slug"], o["id"])]
        if not match:
            raise FilterProblem("groep", "one of " + ", ".join(o["slug"] for o in group_options))
        chosen_group = match[0]
    ministry_tracks: set[str] | None = None
    if filters["ministerie"]:
        try:
            ministry = resolve(kg, filters["ministerie"])
        except UnknownMinistry as error:
            raise FilterProblem("ministerie", str(error)) from None
        ministry_tracks = {
            track
            for t in trajectories(kg).values()
            if ministry in t.ministries
            for track in t.tracks
        }
    items = [
        i
        for i in lm.items.values()
        if (chosen_track is None or i.track_number == chosen_track)
        and (ministry_tracks is None or i.track in ministry_tracks)
        and lm.effects.get(i.iri)
    ]
    items.sort(key=lambda i: (i.track_number, i.kind != "track", kg.label(_u(i.iri), lang)))
    columns: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []  # "cells" by factor, then in column order
    for item in items:
        cells: dict[str, list[dict[str, Any]]] = {}
        for step in lm.effects[item.iri]:
            if chosen_group is not None and groups.get(step.target) != chosen_group:
                continue
            columns.setdefault(
                step.target,
                {
                    **(ref(kg, step.target, lang) or {}),
                    "group": ref(kg, groups.get(step.target), lang),
                },
            )
            cells.setdefault(step.target, []).append(
                {
                    "effect": ref(kg, step.node, lang),
                    "sign": SIGN_TEXT[step.sign],
                    "direction": {1: "up", -1: "down"}.get(step.sign, "unknown"),
                    "magnitude": step.magnitude,
                    "inferred": step.inferred,
                    "citations": [citation(kg, c, lang) for c in step.citations],
                }
            )
        if cells:
            rows.append(
                {
                    **(ref(kg, item.iri, lang) or {}),
                    "kind": item.kind,
                    "track_number": item.track_number,
                    "cells": cells,
                }
            )
    ordered = sorted(
        columns.values(),
        key=lambda c: ((c["group"] or {}).get("label", "").casefold(), c["label"].casefold()),
    )
    for row in rows:
        row["cells"] = [
            {"factor": col["iri"], "effects": row["cells"].get(col["iri"], [])} for col in ordered
        ]
    effects = [e for r in rows for c in r["cells"] for e in c["effects"]]
    return {
        "filters": filters,
        "tracks": track_numbers,
        "groups": group_options,
        "ministries": options(kg, lang),
        "columns": ordered,
        "rows": rows,
        "counts": {
            "rows": len(rows),
            "factors": len(ordered),
            "effects": len(effects),
            "up": sum(1 for e in effects if e["sign"] == "+"),
            "down": sum(1 for e in effects if e["sign"] == "-"),
            "unknown": sum(1 for e in effects if e["sign"] == "?"),
            "inferred": sum(1 for e in effects if e["inferred"]),
        },
        "error": None,
    }


def _u(iri: str) -> Any:
    return URIRef(iri)


def to_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "track",
            "item",
            "item_id",
            "factor",
            "factor_id",
            "sign",
            "magnitude",
            "status",
            "effect_id",
            "slide",
            "quote",
        ]
    )
    columns = {c["iri"]: c for c in data["columns"]}
    for row in data["rows"]:
        for cell in row["cells"]:
            col = columns[cell["factor"]]
            for e in cell["effects"]:
                first = e["citations"][0] if e["citations"] else {}
                writer.writerow(
                    [
                        row["track_number"],
                        row["label"],
                        row["id"],
                        col["label"],
                        col["id"],
                        e["sign"],
                        e["magnitude"] or "",
                        "inferred" if e["inferred"] else "stated",
                        e["effect"]["id"] if e["effect"] else "",
                        first.get("slide_index") or "",
                        first.get("quote", ""),
                    ]
                )
    return out.getvalue()
