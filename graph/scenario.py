"""Scenarios: which levers (tracks) and measures are on, and what that moves.

A scenario switches items on. Each item's effects (``amkg:Effect``: the factor it acts on and
the direction) start a path; from a factor the path goes on along the effect chains between
factors (``amkg:raisesFactor`` +, ``amkg:lowersFactor`` -, always readings, see
``ontology/levers.ttl``). The sign of a path is the product of its steps' signs (an effect of
unspecified direction gives sign 0: unknown). Several paths to one factor are kept side by
side, never summed: a factor is ``up`` or ``down`` when all its signed paths agree, ``mixed``
when they pull both ways (a conflict), ``unknown`` when no path has a sign. A path never visits
a factor twice: where a chain leads back into the path, the loop is recorded as a cycle and
the walk stops there, so every walk terminates.

Every step keeps what explains it: the effect or chain statement, its citations (slide,
section, verbatim quote), whether it is stated or a reading (with confidence and note).

Data comes only through ``kg.store.query`` with the SPARQL of ``queries/internal/levers-*.rq``.
Pure domain: no web, no UI strings; labels are the data's own (``rdfs:label`` nl and en).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import networkx as nx
from rdflib import Literal
from rdflib.term import Node

from amkg.graph.scenario_types import (
    Citation,
    Cycle,
    FactorChange,
    FactorResult,
    FeasibilityFlag,
    Item,
    Path,
    ScenarioResult,
    Step,
)
from amkg.graph.store import Store
from amkg.queries import internal

__all__ = [  # the result types are re-exported: callers use ``scenario.Step`` and the like
    "CONFIDENCE_ORDER",
    "MAX_DEPTH",
    "MAX_PATHS",
    "Citation",
    "Cycle",
    "FactorChange",
    "FactorResult",
    "FeasibilityFlag",
    "Item",
    "KGLike",
    "LeverModel",
    "Path",
    "ScenarioResult",
    "Step",
    "UnknownItem",
    "chain_cycles",
    "compare",
    "load_model",
    "model",
    "run",
]

AMKG = "https://w3id.org/amkg/def#"
KG = "https://w3id.org/amkg/id/"
SIGNS = {AMKG + "increase": 1, AMKG + "decrease": -1}
CHAIN_SIGNS = {AMKG + "raisesFactor": 1, AMKG + "lowersFactor": -1}
FLAGGED_FEASIBILITY = (AMKG + "notFeasible", AMKG + "feasibleAsPilot")
MAX_DEPTH = 8  # steps in one path (an effect and at most seven chains)
MAX_PATHS = 500  # paths per scenario; beyond that the result says it was cut
#: The confidence levels of readings, weakest first: ``run(..., min_confidence=...)`` follows
#: only chains at least that sure.
CONFIDENCE_ORDER = (AMKG + "confidenceLow", AMKG + "confidenceMedium", AMKG + "confidenceHigh")


class KGLike(Protocol):
    @property
    def store(self) -> Store: ...

    def labels(self, iri: Node) -> dict[str, str]: ...

    def prefixed(self, iri: Node) -> str: ...


class UnknownItem(LookupError):
    """A name that is no track or measure of the graph; ``suggestions`` are close names."""

    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        super().__init__(f"{name!r} is no track or measure of the graph")
        self.name = name
        self.suggestions = list(suggestions)


@dataclass
class LeverModel:
    """Everything a scenario needs, read once per graph."""

    items: dict[str, Item]
    effects: dict[str, list[Step]]  # item -> effect steps
    chains: dict[str, list[Step]]  # factor -> chain steps
    citations: dict[str, tuple[Citation, ...]]

    def resolve(self, name: str) -> str:
        """The item IRI for a full IRI, ``kg:local``, bare local name or track number."""
        raw = name.strip()
        candidates = [raw]
        if raw.startswith("kg:"):
            candidates.append(KG + raw[3:])
        candidates.append(KG + raw)
        if raw.isdigit():
            candidates.append(KG + "spoor-" + raw)
        for candidate in candidates:
            if candidate in self.items:
                return candidate
        needle = raw.removeprefix("kg:").casefold()
        close = sorted(
            "kg:" + iri[len(KG) :] for iri in self.items if needle and needle in iri.casefold()
        )
        raise UnknownItem(name, close[:10])


_models: dict[int, tuple[object, LeverModel]] = {}
_lock = threading.Lock()


def _text(value: Node | None) -> str | None:
    return str(value) if value is not None else None


def _citations(kg: KGLike) -> dict[str, tuple[Citation, ...]]:
    found: dict[str, list[Citation]] = defaultdict(list)
    for row in internal.select(kg, "levers-citations"):
        index = row.get("slideIndex")
        citation = Citation(
            iri=str(row["citation"]),
            quote=str(row["quote"]),
            slide=_text(row.get("slide")),
            slide_index=int(index.toPython()) if isinstance(index, Literal) else None,
            section=_text(row.get("section")),
        )
        if citation not in found[str(row["node"])]:
            found[str(row["node"])].append(citation)
    return {node: tuple(cs) for node, cs in found.items()}


@dataclass
class _ItemRows:
    """One item as its rows come in: a row per feasibility verdict, gathered here."""

    kind: str
    track: str
    number: int
    parent: str | None
    feasibility: list[tuple[str, str]] = field(default_factory=list)  # (verdict, assessment)


def _true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def load_model(kg: KGLike) -> LeverModel:
    """Read items, effects, chains and citations from the store (no cache)."""
    citations = _citations(kg)
    items: dict[str, _ItemRows] = {}
    for row in internal.select(kg, "levers-items"):
        iri = str(row["item"])
        entry = items.setdefault(
            iri,
            _ItemRows(
                kind=str(row["kind"]),
                track=str(row["track"]),
                number=int(str(row["trackNumber"])),  # an xsd:integer literal
                parent=_text(row.get("parent")),
            ),
        )
        if "feasibility" in row:
            pair = (str(row["feasibility"]), str(row["assessment"]))
            if pair not in entry.feasibility:
                entry.feasibility.append(pair)
    effects: dict[str, list[Step]] = defaultdict(list)
    for row in internal.select(kg, "levers-effects"):
        effect = str(row["effect"])
        magnitude = row.get("magnitude")
        effects[str(row["source"])].append(
            Step(
                kind="effect",
                source=str(row["source"]),
                target=str(row["factor"]),
                sign=SIGNS.get(str(row.get("direction", "")), 0),
                node=effect,
                inferred=_true(row.get("inferred")),
                magnitude=str(magnitude) if magnitude is not None else None,
                citations=citations.get(effect, ()),
            )
        )
    chains: dict[str, list[Step]] = defaultdict(list)
    for row in internal.select(kg, "levers-chains"):
        statement = _text(row.get("statement")) or ""
        notes = tuple(
            (lang, str(row[key]))
            for lang, key in (("nl", "noteNl"), ("en", "noteEn"))
            if key in row
        )
        chains[str(row["from"])].append(
            Step(
                kind="chain",
                source=str(row["from"]),
                target=str(row["to"]),
                sign=CHAIN_SIGNS[str(row["predicate"])],
                node=statement,
                inferred=_true(row.get("inferred")),
                confidence=_text(row.get("confidence")),
                notes=notes,
                citations=citations.get(statement, ()),
            )
        )
    return LeverModel(
        items={
            iri: Item(
                iri=iri,
                kind=e.kind,
                track=e.track,
                track_number=e.number,
                parent=e.parent,
                feasibility=tuple(e.feasibility),
            )
            for iri, e in items.items()
        },
        effects=dict(effects),
        chains=dict(chains),
        citations=citations,
    )


def model(kg: KGLike) -> LeverModel:
    """The lever model of ``kg``, read once per graph object."""
    with _lock:
        entry = _models.get(id(kg))
        if entry is not None and entry[0] is kg:
            return entry[1]
    built = load_model(kg)
    with _lock:
        _models[id(kg)] = (kg, built)
        while len(_models) > 8:
            del _models[next(iter(_models))]
    return built


def _canonical(factors: list[str], steps: list[Step]) -> Cycle:
    """The cycle rotated to start at its smallest factor IRI (one cycle, one form)."""
    start = factors.index(min(factors))
    return Cycle(
        factors=tuple(factors[start:] + factors[:start]),
        steps=tuple(steps[start:] + steps[:start]),
    )


def _sure_enough(step: Step, min_confidence: str | None) -> bool:
    if min_confidence is None or not step.inferred:
        return True
    if step.confidence not in CONFIDENCE_ORDER:
        return False
    return CONFIDENCE_ORDER.index(step.confidence) >= CONFIDENCE_ORDER.index(min_confidence)


def run(
    kg: KGLike,
    on: Iterable[str],
    max_depth: int = MAX_DEPTH,
    min_confidence: str | None = None,
) -> ScenarioResult:
    """Switch ``on`` (names of tracks and measures) on and follow effects and chains.

    ``min_confidence`` (one of :data:`CONFIDENCE_ORDER`) leaves out chains that are readings of
    lower confidence. Raises :class:`UnknownItem` for a name that is no track or measure.
    """
    if min_confidence is not None and min_confidence not in CONFIDENCE_ORDER:
        raise ValueError(f"min_confidence must be one of {CONFIDENCE_ORDER}")
    lm = model(kg)
    items = list(dict.fromkeys(lm.resolve(name) for name in on))
    factors: dict[str, FactorResult] = {}
    cycles: dict[tuple[str, ...], Cycle] = {}
    count = 0
    truncated = False

    def walk(item: str, steps: list[Step]) -> None:
        nonlocal count, truncated
        if count >= MAX_PATHS:
            truncated = True
            return
        count += 1
        path = Path(item, tuple(steps))
        factors.setdefault(path.factor, FactorResult(path.factor)).paths.append(path)
        if len(steps) >= max_depth:
            truncated = True
            return
        visited = [s.target for s in steps]
        for chain in lm.chains.get(path.factor, []):
            if not _sure_enough(chain, min_confidence):
                continue
            if chain.target in visited:
                at = visited.index(chain.target)
                loop = _canonical(visited[at:], [*steps[at + 1 :], chain])
                cycles.setdefault(loop.factors, loop)
                continue
            walk(item, [*steps, chain])

    for item in items:
        for effect in lm.effects.get(item, []):
            walk(item, [effect])
    flags = [
        FeasibilityFlag(item, verdict, assessment, lm.citations.get(assessment, ()))
        for item in items
        for verdict, assessment in lm.items[item].feasibility
        if verdict in FLAGGED_FEASIBILITY
    ]
    ordered = dict(sorted(factors.items()))
    for result in ordered.values():
        result.paths.sort(key=lambda p: (-p.sign, len(p.steps), p.item, [s.node for s in p.steps]))
    return ScenarioResult(
        on=tuple(items),
        factors=ordered,
        cycles=sorted(cycles.values(), key=lambda c: c.factors),
        feasibility=flags,
        truncated=truncated,
    )


def chain_cycles(kg: KGLike) -> list[Cycle]:
    """Every loop in the effect chains between factors, each once."""
    lm = model(kg)
    network: nx.DiGraph[str] = nx.DiGraph()
    steps: dict[tuple[str, str], Step] = {}
    for chain_steps in lm.chains.values():
        for step in chain_steps:
            network.add_edge(step.source, step.target)
            steps[(step.source, step.target)] = step
    found = []
    for loop in nx.simple_cycles(network):
        ordered = [str(f) for f in loop]
        links = [steps[(a, b)] for a, b in zip(ordered, ordered[1:] + ordered[:1], strict=True)]
        found.append(_canonical(ordered, links))
    return sorted(found, key=lambda c: c.factors)


def compare(a: ScenarioResult, b: ScenarioResult) -> list[FactorChange]:
    """Per factor reached in either scenario: its direction in A and in B (changes only)."""
    out = []
    for factor in sorted(set(a.factors) | set(b.factors)):
        before = a.factors[factor].direction if factor in a.factors else None
        after = b.factors[factor].direction if factor in b.factors else None
        if before != after:
            out.append(FactorChange(factor, before, after))
    return out
