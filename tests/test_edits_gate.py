"""The edit gate validates only what a change can affect (graph/gate.py); on a set of edits,
valid and violating, its result equals a full validation of the changed graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from amkg.graph import gate
from amkg.graph.changes_types import Triple
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG
from amkg.graph.store import OxigraphStore
from tests.edits_helpers import TRAJECTORY, day

UNSTATED = KG["traject-brief-statushouders-aan-het-werk"]  # coordinator not stated
ROEMER = KG["traject-rapportage-commissie-roemer"]
NEW = KG["traject-nieuw"]
OBSERVATION = KG["obs-roa-pedagogisch-medewerkers-aandeel"]  # amkg:value 28.0
EFFECT = KG["effect-nieuw"]  # acts on a factor whose effect chains are marked readings

EDITS: dict[str, tuple[list[Triple], list[Triple]]] = {
    "revised date": ([(TRAJECTORY, AMKG.revisedDate, day("2023-05-31"))], []),
    "revised before planned": ([(TRAJECTORY, AMKG.revisedDate, day("2023-01-02"))], []),
    "completion without afgerond": ([(TRAJECTORY, AMKG.completionDate, day("2023-04-01"))], []),
    "completed": (
        [
            (TRAJECTORY, AMKG.trajectoryStatus, AMKG.statusAfgerond),
            (TRAJECTORY, AMKG.completionDate, day("2023-04-01")),
        ],
        [],
    ),
    "active without coordinator": ([(UNSTATED, AMKG.trajectoryStatus, AMKG.statusLopend)], []),
    "status outside the scheme": ([(TRAJECTORY, AMKG.trajectoryStatus, AMKG.Trajectory)], []),
    "coordinator removed": ([], [(TRAJECTORY, AMKG.coordinatedBy, KG.szw)]),
    "reified fact removed": ([], [(ROEMER, AMKG.touchesDomain, KG["domein-1"])]),
    "ministry no longer a ministry": ([], [(KG.szw, RDF.type, AMKG.Ministry)]),
    "label with markup": ([(TRAJECTORY, RDFS.label, Literal("<b>vet</b>", lang="nl"))], []),
    "bare new trajectory": ([(NEW, RDF.type, AMKG.Trajectory)], []),
    # Oxigraph keeps "28.00"^^xsd:decimal as 28, the value the observation has already: the gate
    # must read the change as the store applies it (no second value)
    "same value in another form": (
        [(OBSERVATION, AMKG.value, Literal("28.00", datatype=XSD.decimal))],
        [],
    ),
    "new effect on a factor with marked chains": (
        [
            (EFFECT, RDF.type, AMKG.Effect),
            (EFFECT, RDFS.label, Literal("Minder krapte", lang="nl")),
            (EFFECT, RDFS.label, Literal("Less shortage", lang="en")),
            (EFFECT, AMKG.effectOf, KG["maatregel-kennissessies"]),
            (KG["maatregel-kennissessies"], AMKG.hasEffect, EFFECT),
            (EFFECT, AMKG.actsOn, KG["factor-arbeidsmarktkrapte"]),
            (EFFECT, AMKG.direction, AMKG.decrease),
            (EFFECT, AMKG.inferred, Literal(False)),
            (EFFECT, AMKG.citation, KG["bron-maatregel-kennissessies-effect"]),
        ],
        [],
    ),
    "second revised date": (
        [
            (TRAJECTORY, AMKG.revisedDate, day("2023-05-31")),
            (TRAJECTORY, AMKG.revisedDate, day("2023-06-30")),
        ],
        [],
    ),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeGraph, Path]:
    kg = KnowledgeGraph.open()
    assert kg.build is not None
    return kg, tmp_path_factory.mktemp("gate")


def key(found: list[gate.Violation]) -> set[tuple[str, str | None, str | None, str, str]]:
    return {(v.focus, v.path, v.shape, v.severity, v.message_nl) for v in found}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_the_gate_equals_a_full_validation(base: tuple[KnowledgeGraph, Path], name: str) -> None:
    kg, scratch = base
    assert kg.build is not None
    added, removed = EDITS[name]
    target = scratch / name.replace(" ", "-")
    ox.Store.read_only(str(kg.build.store_dir)).backup(str(target))
    candidate = OxigraphStore.open_writable(target)
    candidate.apply([(*t, None) for t in added], [(*t, None) for t in removed])
    full = gate.full_check(candidate)
    # on the written candidate, and on the base with the change beside it (what a commit does
    # while it writes the candidate)
    partial, _report = gate.check(candidate, kg.build.fingerprint, [*added, *removed])
    assert key(partial) == key(full)
    base_store = OxigraphStore.open_read_only(kg.build.store_dir)
    beside, _report = gate.check_change(base_store, kg.build.fingerprint, added, removed)
    assert key(beside) == key(full)
    expected_valid = name in {
        "revised date",
        "completed",
        "same value in another form",
        "new effect on a factor with marked chains",
    }
    assert (gate.blocking(full) == []) is expected_valid


def test_the_deck_passes_the_gate(base: tuple[KnowledgeGraph, Path]) -> None:
    kg, _scratch = base
    assert kg.report.conforms
    assert not any(URIRef(v.focus) == TRAJECTORY for v in kg.report.violations)
