"""SHACL validation (graph/validate.py and ``amkg validate``).

The mutation fixtures in ``tests/data/mutations/`` are SPARQL updates, one per rule. Each is
applied to a temporary copy of ``graph/data``; ``amkg validate --data-dir COPY`` must then exit
1 and name the changed entity and, in its message, the rule. Each file's ``#+ expect_nl`` /
``#+ expect_en`` line is a regular expression the message must match in that language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.namespace import SH, SKOS
from rdflib.term import Node

from amkg.cli.main import main
from amkg.cli.text import format_report
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import KG, load_shapes, merge, new_graph, parse_file
from amkg.graph.report import ValidationReport
from amkg.graph.validate import validate_graph

MUTATIONS_DIR = Path(__file__).parent / "data" / "mutations"
RULES = {
    "traject-zonder-ministerie",
    "totaal-klopt-niet",
    "maatregel-zonder-spoor",
    "geen-nederlands-label",
    "aandeel-boven-100",
    "stelling-zonder-bron",
}
MUTATIONS = sorted(MUTATIONS_DIR.glob("*.ru"))


def expectations(path: Path) -> dict[str, str]:
    """The ``#+ key: value`` lines of a mutation file."""
    pairs = re.findall(r"^#\+\s*(\w+):\s*(.+?)\s*$", path.read_text(encoding="utf-8"), re.M)
    return dict(pairs)


def apply_mutation(data_dir: Path, update: str) -> set[Node]:
    """Apply a SPARQL update to the data in ``data_dir``, file by file; return the subjects
    of the triples it removed or added. Removed triples leave the file that held them; added
    ones go to a new file ``zz-mutatie-<n>.ttl``."""
    files = {path: parse_file(path) for path in sorted(data_dir.glob("*.ttl"))}
    union = merge(files.values())
    before = set(union)
    union.update(update)
    after = set(union)
    removed, added = before - after, after - before
    for path, graph in files.items():
        hits = [triple for triple in removed if triple in graph]
        for triple in hits:
            graph.remove(triple)
        if hits:
            path.write_bytes(graph.serialize(format="turtle", encoding="utf-8"))
    if added:
        extra = new_graph()
        for triple in added:
            extra.add(triple)
        target = data_dir / f"zz-mutatie-{len(list(data_dir.glob('zz-mutatie-*.ttl')))}.ttl"
        target.write_bytes(extra.serialize(format="turtle", encoding="utf-8"))
    return {subject for subject, _, _ in removed | added}


def blocks_naming(output: str, prefixed: str) -> list[str]:
    """The result blocks (separated by blank lines) whose heading names ``prefixed``."""
    blocks = [block for block in re.split(r"\n\s*\n", output) if block.strip()]
    return [block for block in blocks if f"({prefixed})" in block.splitlines()[0]]


def message_lines(block: str) -> list[str]:
    return [line for line in block.splitlines() if re.match(r"\s+(melding|message):", line)]


# --- the real graph and the small fixture graph -------------------------------------------------


def test_the_real_graph_conforms(kg: KnowledgeGraph) -> None:
    report = kg.report
    assert report.conforms, format_report(report, "en")


def test_the_small_fixture_graph_conforms(small_kg: KnowledgeGraph) -> None:
    report = small_kg.report
    assert report.conforms, format_report(report, "en")


def test_validate_command_confirms_in_one_line(runner: CliRunner) -> None:
    small = Path(__file__).parent / "data" / "small"
    for lang, word in (("nl", "voldoet"), ("en", "conforms")):
        result = runner.invoke(main, ["validate", "--lang", lang, "--data-dir", str(small)])
        assert result.exit_code == 0, result.output
        assert len(result.output.strip().splitlines()) == 1
        assert word in result.output
        assert re.search(r"\d+ triples", result.output)


# --- one mutation per rule ----------------------------------------------------------------------


def test_one_fixture_per_rule() -> None:
    assert {path.stem for path in MUTATIONS} == RULES
    for path in MUTATIONS:
        assert {"expect_nl", "expect_en"} <= expectations(path).keys(), path.name


def assert_names_entity_and_rule(output: str, entity: Node, pattern: str, lang: str) -> None:
    prefixed = "kg:" + str(entity).removeprefix(str(KG))
    blocks = blocks_naming(output, prefixed)
    assert blocks, f"no result names {prefixed} ({lang}):\n{output}"
    messages = [line for block in blocks for line in message_lines(block)]
    rule = re.compile(pattern, re.IGNORECASE)
    assert any(rule.search(line) for line in messages), (
        f"no {lang} message about {prefixed} matches /{rule.pattern}/: {messages}"
    )


def mutate(data_dir: Path, mutation: Path) -> Node:
    """Apply one mutation; return the one entity it changed."""
    changed = apply_mutation(data_dir, mutation.read_text(encoding="utf-8"))
    assert changed, f"{mutation.name} changed nothing: is the entity it edits in graph/data yet?"
    assert len(changed) == 1, f"{mutation.name} should touch one entity, touched {changed}"
    return changed.pop()


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda path: path.stem)
def test_mutation_breaks_its_rule(mutation: Path, data_copy: Path, runner: CliRunner) -> None:
    entity = mutate(data_copy, mutation)
    result = runner.invoke(main, ["validate", "--data-dir", str(data_copy)])
    assert result.exit_code == 1, result.output
    assert_names_entity_and_rule(result.output, entity, expectations(mutation)["expect_nl"], "nl")


def test_all_mutations_together_in_english(data_copy: Path, runner: CliRunner) -> None:
    """The six mutations touch different entities, so one English run checks them all."""
    entities = {mutation: mutate(data_copy, mutation) for mutation in MUTATIONS}
    result = runner.invoke(main, ["validate", "--lang", "en", "--data-dir", str(data_copy)])
    assert result.exit_code == 1, result.output
    for mutation, entity in entities.items():
        pattern = expectations(mutation)["expect_en"]
        assert_names_entity_and_rule(result.output, entity, pattern, "en")


# --- the report itself, against shapes written here ---------------------------------------------

TEST_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix amkg: <https://w3id.org/amkg/def#> .
@prefix amkgsh: <https://w3id.org/amkg/shapes#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

amkgsh:MinistryShape a sh:NodeShape ;
    sh:targetClass amkg:Ministry ;
    sh:property [
        sh:path skos:notation ; sh:minCount 1 ;
        sh:message "Een ministerie heeft een afkorting."@nl , "A ministry has an abbreviation."@en
    ] .

amkgsh:TrackShape a sh:NodeShape ;
    sh:targetClass amkg:Track ;
    sh:property [
        sh:path [ sh:inversePath amkg:belongsToTrack ] ; sh:minCount 1 ;
        sh:severity sh:Warning ;
        sh:message "A track has measures."@en
    ] .
"""


@dataclass
class Checked:
    graph: Graph
    shapes: Graph


def validate(checked: Checked, lang: str = "nl") -> ValidationReport:
    return validate_graph(checked.graph, checked.shapes, lang)


@pytest.fixture
def checked(small_graph: Graph, tmp_path: Path) -> Checked:
    """The small graph without JenV's notation, checked against ``TEST_SHAPES``."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(TEST_SHAPES, encoding="utf-8")
    graph = merge([small_graph])
    graph.remove((KG["jenv"], SKOS.notation, None))
    return Checked(graph, load_shapes(shapes))


def test_violation_carries_label_path_messages_and_severity(checked: Checked) -> None:
    report = validate(checked)
    assert isinstance(report, ValidationReport)
    assert not report.conforms
    errors = [v for v in report.violations if v.severity == SH.Violation]
    assert len(errors) == 1
    error = errors[0]
    assert error.focus == KG["jenv"]
    assert error.focus_label == "JenV"
    assert error.focus_prefixed == "kg:jenv"
    assert error.path == "skos:notation"
    assert error.message_nl == "Een ministerie heeft een afkorting."
    assert error.message_en == "A ministry has an abbreviation."
    assert error.shape.startswith("amkgsh:MinistryShape")


def test_warnings_are_listed_but_do_not_fail(checked: Checked) -> None:
    checked.graph.add((KG["jenv"], SKOS.notation, Literal("JenV")))
    report = validate(checked)
    assert report.conforms
    warning = next(v for v in report.violations if v.focus == KG["spoor-3"])
    assert warning.severity == SH.Warning
    assert warning.path == "^amkg:belongsToTrack"
    assert warning.message_nl == warning.message_en == "A track has measures."  # nl falls back


def test_report_text_in_both_languages(checked: Checked) -> None:
    report = validate(checked, lang="en")
    dutch, english = format_report(report, "nl"), format_report(report, "en")
    assert "[fout] JenV (kg:jenv)" in dutch
    assert "melding: Een ministerie heeft een afkorting." in dutch
    assert "[violation] Ministry of Justice and Security (JenV) (kg:jenv)" in english
    assert "path: skos:notation" in english
    assert "[warning]" in english


SPARQL_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix amkg: <https://w3id.org/amkg/def#> .
@prefix amkgsh: <https://w3id.org/amkg/shapes#> .

amkgsh:TrackNumberShape a sh:NodeShape ;
    sh:targetClass amkg:Track ;
    sh:sparql [
        sh:select \"\"\"PREFIX amkg: <https://w3id.org/amkg/def#>
            SELECT $this ?value WHERE { $this amkg:trackNumber ?value FILTER(?value > 3) }\"\"\" ;
        sh:message "Spoornummer {?value} is te hoog."@nl , "Track number {?value} is too high."@en
    ] .
"""


def test_sparql_messages_keep_their_language(small_graph: Graph, tmp_path: Path) -> None:
    """pyshacl drops the language tags of SPARQL constraint messages; they are recovered."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SPARQL_SHAPES, encoding="utf-8")
    report = validate(Checked(small_graph, load_shapes(shapes)))
    (violation,) = report.violations
    assert violation.focus == KG["spoor-4"]
    assert violation.message_nl == "Spoornummer 4 is te hoog."
    assert violation.message_en == "Track number 4 is too high."
    assert violation.value == "4"
