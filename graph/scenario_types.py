"""The scenario engine's result types (``graph/scenario.py`` re-exports them): a citation, a
step (an effect or a chain), a path, a cycle, the paths that reach one factor, the items a
scenario can switch on, feasibility flags, the whole result and one factor's change between two
scenarios. Plain data; signs are +1, -1 and 0 (unspecified)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Citation:
    iri: str
    quote: str
    slide: str | None
    slide_index: int | None
    section: str | None


@dataclass(frozen=True)
class Step:
    """One link of a path: an effect (item -> factor) or a chain (factor -> factor)."""

    kind: str  # "effect" | "chain"
    source: str
    target: str
    sign: int  # +1, -1, 0 (unspecified)
    node: str  # the effect, or the rdf:Statement of the chain (or "" if there is none)
    inferred: bool
    confidence: str | None = None
    magnitude: str | None = None
    notes: tuple[tuple[str, str], ...] = ()  # (lang, text)
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Path:
    item: str
    steps: tuple[Step, ...]

    @property
    def sign(self) -> int:
        product = 1
        for step in self.steps:
            product *= step.sign
        return product

    @property
    def inferred(self) -> bool:
        return any(step.inferred for step in self.steps)

    @property
    def factor(self) -> str:
        return self.steps[-1].target


@dataclass(frozen=True)
class Cycle:
    """A loop of chains: ``factors[0] -> factors[1] -> ... -> factors[0]``."""

    factors: tuple[str, ...]
    steps: tuple[Step, ...]

    @property
    def sign(self) -> int:
        product = 1
        for step in self.steps:
            product *= step.sign
        return product


@dataclass
class FactorResult:
    factor: str
    paths: list[Path] = field(default_factory=list)

    @property
    def signs(self) -> set[int]:
        return {p.sign for p in self.paths}

    @property
    def direction(self) -> str:
        signs = self.signs
        if 1 in signs and -1 in signs:
            return "mixed"
        if 1 in signs:
            return "up"
        if -1 in signs:
            return "down"
        return "unknown"

    def items(self, sign: int) -> list[str]:
        """The items with at least one path of this sign."""
        return sorted({p.item for p in self.paths if p.sign == sign})

    def nearest(self) -> dict[str, int]:
        """Per item: the sign of its shortest signed paths here (0 when those disagree)."""
        out: dict[str, int] = {}
        for item in sorted({p.item for p in self.paths}):
            signed = [p for p in self.paths if p.item == item and p.sign]
            if not signed:
                out[item] = 0
                continue
            shortest = min(len(p.steps) for p in signed)
            signs = {p.sign for p in signed if len(p.steps) == shortest}
            out[item] = signs.pop() if len(signs) == 1 else 0
        return out

    @property
    def conflict(self) -> bool:
        """Two different items pull this factor in opposite directions (by their nearest
        paths): what a coordinator should look at. A factor can also be ``mixed`` through
        one item alone (a feedback loop); that is no conflict between measures."""
        signs = self.nearest()
        return any(s == 1 for s in signs.values()) and any(s == -1 for s in signs.values())


@dataclass(frozen=True)
class Item:
    iri: str
    kind: str  # "track" | "measure"
    track: str
    track_number: int
    parent: str | None
    feasibility: tuple[tuple[str, str], ...]  # (verdict, assessment)


@dataclass(frozen=True)
class FeasibilityFlag:
    item: str
    verdict: str
    assessment: str
    citations: tuple[Citation, ...]


@dataclass
class ScenarioResult:
    on: tuple[str, ...]
    factors: dict[str, FactorResult]
    cycles: list[Cycle]
    feasibility: list[FeasibilityFlag]
    truncated: bool = False

    @property
    def conflicts(self) -> list[FactorResult]:
        return [r for r in self.factors.values() if r.conflict]


@dataclass(frozen=True)
class FactorChange:
    factor: str
    before: str | None  # direction in scenario A (None: not reached)
    after: str | None

    @property
    def flips(self) -> bool:
        return {self.before, self.after} == {"up", "down"}
