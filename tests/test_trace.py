"""graph/trace.py and the ``amkg trace|impact|hubs`` commands.

On the real graph (``kg``) and on a small fixture (``tests/data/trace/``) that holds tracks and
measures whatever state the real data is in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from amkg.cli.main import main
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG
from amkg.graph.trace import (
    MAX_STEPS,
    AmbiguousName,
    EntityNotFound,
    TraceError,
    hubs,
    impact,
    network,
    resolve,
    trace,
)

TRACE_DATA = Path(__file__).resolve().parent / "data" / "trace"
DEMOGRAFIE = "kg:traject-advies-staatscommissie-demografie-2050"
ACVZ_ZORG = "kg:traject-kabinetsreactie-acvz-zorg"


@pytest.fixture(scope="module")
def trace_kg() -> KnowledgeGraph:
    return KnowledgeGraph.load(data_dir=TRACE_DATA)


def ids(entities: object) -> list[str]:
    return [e.id for e in entities]  # type: ignore[attr-defined]


# --- resolve --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "kg:spoor-1",
        "spoor-1",
        "https://w3id.org/amkg/id/spoor-1",
        "<https://w3id.org/amkg/id/spoor-1>",
        "  SPOOR 1: langetermijnvisie ",
        "Track 1: Long-term vision",
        "keuzes rondom economie",  # skos:altLabel
    ],
)
def test_resolve_by_iri_prefixed_name_and_label(trace_kg: KnowledgeGraph, name: str) -> None:
    assert resolve(trace_kg, name).iri == str(KG["spoor-1"])


def test_resolve_entity_carries_labels_and_class(trace_kg: KnowledgeGraph) -> None:
    entity = resolve(trace_kg, "acvz")
    assert entity.id == "kg:acvz"
    assert entity.cls == "amkg:AdvisoryBody"
    assert entity.cls_label.get("nl") == "adviesorgaan"
    assert entity.to_dict("en")["label"] == "Advisory Council on Migration"


def test_ambiguous_name_lists_candidates(trace_kg: KnowledgeGraph) -> None:
    with pytest.raises(AmbiguousName) as caught:
        resolve(trace_kg, "techniek")
    assert ids(caught.value.candidates) == ["kg:beroepsgroep-techniek", "kg:sector-techniek"]
    assert "amkg:Sector" in str(caught.value)


def test_ambiguous_name_on_the_real_graph(kg: KnowledgeGraph) -> None:
    with pytest.raises(AmbiguousName) as caught:
        resolve(kg, "ICT")
    assert {"kg:sector-ict", "kg:beroepsgroep-ict"} <= set(ids(caught.value.candidates))


def test_unknown_name_suggests_close_matches(trace_kg: KnowledgeGraph) -> None:
    with pytest.raises(EntityNotFound) as caught:
        resolve(trace_kg, "acvz zorg")
    assert ACVZ_ZORG in ids(caught.value.suggestions)
    assert caught.value.kind == "no_match"
    with pytest.raises(EntityNotFound) as caught:
        resolve(trace_kg, "kg:spor-1")
    assert caught.value.kind == "no_iri"
    assert "kg:spoor-1" in ids(caught.value.suggestions)


def test_a_non_entity_iri_is_not_found(trace_kg: KnowledgeGraph) -> None:
    with pytest.raises(EntityNotFound) as caught:
        resolve(trace_kg, "kg:stmt-domein-4-spoor-1")
    assert caught.value.kind == "not_entity"
    assert caught.value.kind == "not_entity"
    with pytest.raises(EntityNotFound):
        resolve(trace_kg, "   ")


# --- trace ----------------------------------------------------------------------------------


def test_trace_demografie_to_spoor_1_through_domain_4_inferred(kg: KnowledgeGraph) -> None:
    result = trace(kg, DEMOGRAFIE, "kg:spoor-1", max_steps=3)
    lengths = [len(p.steps) for p in result.paths]
    assert lengths == sorted(lengths)
    first = next(p for p in result.paths if len(p.steps) == 2)  # the shortest via a domain
    assert ids(first.nodes) == [DEMOGRAFIE, "kg:domein-4", "kg:spoor-1"]
    assert all(link.inferred for step in first.steps for link in step.links)
    assert all(link.forward for step in first.steps for link in step.links)
    assert all(step.notes("nl") for step in first.steps)  # each says why, from inferenceNote
    text = first.text("nl")
    assert "—raakt domein (afgeleid)→" in text
    assert "—komt overeen met spoor (afgeleid)→" in text
    assert "—touches domain (inferred)→" in first.text("en")
    as_json = first.to_dict("en")
    assert as_json["inferred"] is True
    assert as_json["steps"][0]["links"][0]["id"] == "amkg:touchesDomain"
    assert as_json["steps"][0]["links"][0]["note"]


def test_paths_are_sorted_and_steps_against_the_arrow_read_backwards(
    trace_kg: KnowledgeGraph,
) -> None:
    result = trace(trace_kg, DEMOGRAFIE, "kg:spoor-1", max_steps=4)
    lengths = [len(p.steps) for p in result.paths]
    assert lengths == sorted(lengths)
    assert ids(result.paths[0].nodes) == [DEMOGRAFIE, "kg:domein-4", "kg:spoor-1"]
    through_track_4 = next(p for p in result.paths if "kg:spoor-4" in ids(p.nodes))
    assert "Spoor 4: Voorzieningen ←legt de basis onder— Spoor 1" in through_track_4.text("nl")
    # row 10 -> domain 3 is not reified in the fixture: stated, so not marked
    assert "—raakt domein→ (lokale) behoeften" in through_track_4.text("nl")
    assert not result.truncated


def test_stated_reified_link_is_not_inferred(trace_kg: KnowledgeGraph) -> None:
    result = trace(trace_kg, ACVZ_ZORG, "kg:jenv", max_steps=1)
    (path,) = result.paths
    (link,) = path.steps[0].links
    assert (link.id, link.inferred, link.note) == ("amkg:coordinatedBy", False, None)


def test_trace_is_bounded(trace_kg: KnowledgeGraph) -> None:
    result = trace(trace_kg, DEMOGRAFIE, "kg:spoor-1", max_steps=4, limit=1)
    assert len(result.paths) == 1
    assert result.truncated
    assert trace(trace_kg, DEMOGRAFIE, "kg:spoor-1", max_steps=1).paths == ()


@pytest.mark.parametrize("steps", [0, MAX_STEPS + 1])
def test_bad_max_steps(trace_kg: KnowledgeGraph, steps: int) -> None:
    with pytest.raises(TraceError, match="max_steps"):
        trace(trace_kg, DEMOGRAFIE, "kg:spoor-1", max_steps=steps)
    with pytest.raises(TraceError, match="max_steps"):
        impact(trace_kg, DEMOGRAFIE, max_steps=steps)


def test_same_entity_is_an_error(trace_kg: KnowledgeGraph) -> None:
    with pytest.raises(TraceError, match="same entity"):
        trace(trace_kg, "kg:szw", "SZW")


def test_observations_only_when_asked_or_named(trace_kg: KnowledgeGraph) -> None:
    pair = ("kg:sector-techniek", "kg:beroepsgroep-techniek")
    assert trace(trace_kg, *pair, max_steps=3).paths == ()
    (path,) = trace(trace_kg, *pair, max_steps=3, statistics=True).paths
    assert "kg:obs-vacatures-techniek" in ids(path.nodes)
    named = trace(trace_kg, "kg:obs-vacatures-techniek", "kg:sector-techniek", max_steps=1)
    assert len(named.paths) == 1


# --- impact ---------------------------------------------------------------------------------


def test_impact_lists_tracks_measures_and_ministries(trace_kg: KnowledgeGraph) -> None:
    result = impact(trace_kg, ACVZ_ZORG, max_steps=3)
    distance = {r.entity.id: r.distance for r in result.reached}
    assert {d: distance[d] for d in ("kg:jenv", "kg:vws", "kg:szw")} == dict.fromkeys(
        ("kg:jenv", "kg:vws", "kg:szw"), 1
    )
    assert distance["kg:spoor-2"] == distance["kg:spoor-4"] == 2
    for measure in ("kg:maatregel-vakkrachtenregeling", "kg:actielijn-vroege-participatie"):
        assert distance[measure] == 3
    # directed: a ministry it shares with another trajectory does not spread to that one
    assert "kg:traject-werken-aan-de-toekomst" not in distance
    via = next(r.via for r in result.reached if r.entity.id == "kg:maatregel-vakkrachtenregeling")
    assert via.text("nl") == "←hoort bij spoor—"
    levels = result.levels("nl")
    assert [d for d, _ in levels] == [1, 2, 3]
    classes_at_1 = [cls for _, cls, _ in levels[0][1]]
    assert "amkg:Ministry" in classes_at_1
    data = result.to_dict("en")
    assert data["by_class"]["amkg:Track"] == 2
    assert data["mode"] == "directed"


def test_impact_undirected_follows_every_link(trace_kg: KnowledgeGraph) -> None:
    reached = {r.entity.id for r in impact(trace_kg, ACVZ_ZORG, 2, undirected=True).reached}
    assert "kg:traject-werken-aan-de-toekomst" in reached  # through SZW
    assert "kg:traject-advies-staatscommissie-demografie-2050" in reached  # through domain 3


def test_impact_on_the_real_graph(kg: KnowledgeGraph, graph: Graph) -> None:
    result = impact(kg, ACVZ_ZORG, max_steps=3)
    distance = {r.entity.iri: r.distance for r in result.reached}
    assert distance[str(KG["spoor-2"])] == distance[str(KG["spoor-4"])] == 2
    ministries = [r for r in result.reached if r.entity.cls == "amkg:Ministry"]
    assert ministries
    assert all(r.distance == 1 for r in ministries)
    # every measure that belongs to one of those tracks is touched (once the measures exist)
    for track in ("spoor-2", "spoor-4"):
        for measure in graph.subjects(AMKG.belongsToTrack, KG[track]):
            assert str(measure) in distance


# --- hubs -----------------------------------------------------------------------------------


def test_hubs(kg: KnowledgeGraph) -> None:
    found = hubs(kg, 5)
    assert len(found) == 5
    degrees = [h.degree_centrality for h in found]
    assert degrees == sorted(degrees, reverse=True)
    assert all(h.entity.label.get("nl") and h.entity.cls for h in found)
    assert all(h.entity.cls != "qb:Observation" for h in hubs(kg, 50))
    by_betweenness = hubs(kg, 5, by="betweenness")
    values = [h.betweenness for h in by_betweenness]
    assert values == sorted(values, reverse=True)
    with pytest.raises(TraceError):
        hubs(kg, 5, by="pagerank")


def test_network_is_cached(trace_kg: KnowledgeGraph) -> None:
    assert network(trace_kg) is network(trace_kg)
    assert network(trace_kg).view(False) is network(trace_kg).view(False)


def test_projection_has_no_literals_or_statements(trace_kg: KnowledgeGraph) -> None:
    net = network(trace_kg)
    assert str(KG["stmt-domein-4-spoor-1"]) not in net.multi
    assert all(isinstance(URIRef(n), URIRef) and n.startswith(str(KG)) for n in net.multi)


# --- the CLI --------------------------------------------------------------------------------


def run(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(main, [*args, "--data-dir", str(TRACE_DATA)])
    return result.exit_code, result.output


def test_cli_trace_prints_the_explained_path(runner: CliRunner) -> None:
    code, out = run(runner, "trace", DEMOGRAFIE, "kg:spoor-1", "--max-steps", "2")
    assert code == 0, out
    assert (
        "Advies van de Staatscommissie Demografie 2050 —raakt domein (afgeleid)→ "
        "Toekomstvisie op economie —komt overeen met spoor (afgeleid)→ Spoor 1: Langetermijnvisie"
    ) in out
    assert "[2 stappen]" in out
    assert "↳ stap 1: raakt domein (afgeleid, middel): Spoor 1 noemt het advies: domein 4." in out


def test_cli_trace_on_the_real_graph(runner: CliRunner) -> None:
    result = runner.invoke(main, ["trace", DEMOGRAFIE, "kg:spoor-1", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "—touches domain (inferred)→" in result.output


def test_cli_trace_json(runner: CliRunner) -> None:
    code, out = run(
        runner,
        "trace",
        DEMOGRAFIE,
        "Spoor 1: Langetermijnvisie",
        "--format",
        "json",
        "--lang",
        "en",
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["from"]["id"] == DEMOGRAFIE
    assert data["paths"][0]["steps"][0]["links"][0]["label"] == "touches domain"


def test_cli_impact_lists_tracks_measures_and_ministries(runner: CliRunner) -> None:
    code, out = run(runner, "impact", ACVZ_ZORG)
    assert code == 0, out
    for expected in (
        "Afstand 3",
        "spoor (2)",
        "Spoor 2: Sturing op de arbeidsmarkt",
        "Vakkrachtenregeling",
        "ministerie (3)",
        "JenV",
        "←hoort bij spoor—",
    ):
        assert expected in out
    code, out = run(runner, "impact", ACVZ_ZORG, "--format", "json", "--max-steps", "1")
    assert code == 0
    assert json.loads(out)["count"] == 6


def test_cli_impact_hint_when_nothing_is_downstream(runner: CliRunner) -> None:
    code, out = run(runner, "impact", "kg:szw")
    assert code == 0
    assert "--undirected" in out


def test_cli_hubs(runner: CliRunner) -> None:
    code, out = run(runner, "hubs", "--top", "3")
    assert code == 0, out
    assert len(out.strip().splitlines()) == 5  # title, header, three rows
    code, out = run(runner, "hubs", "--top", "2", "--format", "json", "--by", "betweenness")
    assert [h["by"] for h in [json.loads(out)]] == ["betweenness"]


def test_cli_name_errors(runner: CliRunner) -> None:
    code, out = run(runner, "trace", "techniek", "kg:szw")
    assert code == 1
    assert "niet eenduidig" in out
    assert "kg:sector-techniek" in out
    assert "kg:beroepsgroep-techniek" in out
    code, out = run(runner, "impact", "acvz zorg", "--lang", "en")
    assert code == 1
    assert "Unknown name" in out
    assert ACVZ_ZORG in out
    code, out = run(runner, "trace", DEMOGRAFIE, "kg:spoor-1", "--max-steps", "0")
    assert code == 2


def test_network_cache_does_not_keep_a_graph_alive() -> None:
    import gc
    import weakref

    loaded = KnowledgeGraph.load(data_dir=TRACE_DATA)
    network(loaded)
    ref = weakref.ref(loaded)
    del loaded
    gc.collect()
    assert ref() is None


def test_command_module_imports_before_the_group() -> None:
    import subprocess
    import sys

    code = (
        "import amkg.cli.trace as m; import amkg.cli.main as c; assert 'trace' in c.main.commands"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])
