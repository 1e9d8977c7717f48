"""The lever pages (webui/levers.py) and commands (amkg scenario, amkg ministerie) over the
real graph: each page and its .json twin, the acceptance line of issue 14 through the API,
stated/inferred marking in page, JSON and CLI, and citations that trace to the deck."""

from __future__ import annotations

import csv
import io
import json
import re

from click.testing import CliRunner
from flask.testing import FlaskClient
from markupsafe import escape

from amkg.cli.main import main
from amkg.graph.paths import DECK_PATH
from tests.helpers import XSS

VAK = "kg:maatregel-vakkrachtenregeling"
EISEN = "kg:maatregel-hogere-eisen-randvoorwaarden"
INNOVATIE = "kg:factor-innovatie"


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _quotes(data: object) -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "quote" and isinstance(value, str):
                found.append(value)
            else:
                found += _quotes(value)
    elif isinstance(data, list):
        for value in data:
            found += _quotes(value)
    return found


def _factor(data: dict, factor: str) -> dict:
    return next(f for f in data["scenario"]["factors"] if f["factor"]["id"] == factor)


def test_levers_matrix_page_json_and_csv(client: FlaskClient) -> None:
    page = client.get("/knoppen")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'role="tooltip"' in html
    assert "cite-button" in html
    assert "effect-inferred" in html
    data = client.get("/knoppen.json").get_json()
    counts = data["counts"]
    assert counts["effects"] == counts["up"] + counts["down"] + counts["unknown"]
    assert counts["up"] > counts["down"] > counts["unknown"] > 0
    assert counts["inferred"] > 0
    assert {r["kind"] for r in data["rows"]} == {"track", "measure"}
    rows = list(csv.DictReader(io.StringIO(client.get("/knoppen.csv").get_data(as_text=True))))
    assert len(rows) == counts["effects"]
    assert {r["sign"] for r in rows} == {"+", "-", "?"}
    assert {r["status"] for r in rows} == {"stated", "inferred"}


def test_levers_filters(client: FlaskClient) -> None:
    four = client.get("/knoppen.json?spoor=4").get_json()
    assert {r["track_number"] for r in four["rows"]} == {4}
    group = client.get("/knoppen.json?groep=factor-arbeidsmarktkrapte").get_json()
    assert group["columns"]
    assert all(c["group"]["id"] == "kg:factor-arbeidsmarktkrapte" for c in group["columns"])
    ezk = client.get("/knoppen.json?ministerie=ezk").get_json()
    assert {r["track_number"] for r in ezk["rows"]} == {1}
    assert client.get("/knoppen?spoor=9").status_code == 400
    assert client.get("/knoppen.json?ministerie=xyz").status_code == 400


def test_acceptance_conflict_shows_both_paths_and_a_signal_and_goes_away(
    client: FlaskClient,
) -> None:
    both = client.get(f"/api/scenario?aan={VAK}&aan={EISEN}").get_json()
    innovation = _factor(both, INNOVATIE)
    assert innovation["conflict"]
    assert innovation["direction"] == "mixed"
    assert [r["id"] for r in innovation["raised_by"]] == [EISEN]
    assert [r["id"] for r in innovation["lowered_by"]] == [VAK]
    signs = {(p["item"]["id"], p["sign"]) for p in innovation["paths"]}
    assert {(EISEN, "+"), (VAK, "-")} <= signs
    signals = client.get(f"/signalen.json?aan={VAK}&aan={EISEN}").get_json()
    conflicts = [s for s in signals["signals"] if s["kind"] == "conflict"]
    assert INNOVATIE in {s["factor"]["id"] for s in conflicts}
    one = client.get(f"/api/scenario?aan={EISEN}").get_json()
    assert not _factor(one, INNOVATIE)["conflict"]
    assert one["scenario"]["conflicts"] == []
    alone = client.get(f"/signalen.json?aan={EISEN}").get_json()
    assert [s for s in alone["signals"] if s["kind"] == "conflict"] == []


def test_scenario_json_marks_inferred_steps_and_cites_the_deck(client: FlaskClient) -> None:
    data = client.get(f"/scenario.json?aan={VAK}&aan=kg:spoor-2").get_json()
    steps = [s for f in data["scenario"]["factors"] for p in f["paths"] for s in p["steps"]]
    chains = [s for s in steps if s["kind"] == "chain"]
    assert chains
    assert all(s["inferred"] and s["status"] == "inferred" for s in chains)
    assert all(s["note"] and s["confidence"] for s in chains)
    assert all(s["citations"] for s in steps)
    deck = _fold(DECK_PATH.read_text(encoding="utf-8"))
    quotes = _quotes(data)
    assert quotes
    assert all(_fold(q) in deck for q in quotes)
    flags = data["scenario"]["feasibility"]
    assert [(f["item"]["id"], f["verdict_key"]) for f in flags] == [(VAK, "feasibleAsPilot")]


def test_scenario_page_permalink_comparison_and_errors(client: FlaskClient) -> None:
    html = client.get(f"/scenario?aan=kg:spoor-2&vergelijk={VAK}").get_data(as_text=True)
    assert 'id="compare"' in html
    assert "badge-inferred" in html
    assert "scenario.js" in html
    assert "aan=kg%3Aspoor-2&amp;vergelijk=kg%3Amaatregel-vakkrachtenregeling" in html
    data = client.get(f"/scenario.json?aan=kg:spoor-2&vergelijk={VAK}").get_json()
    assert data["compare"]["changes"]
    bad = client.get("/scenario?aan=kg:maatregel-vakkracht")
    assert bad.status_code == 400
    assert "kg:maatregel-vakkrachtenregeling" in bad.get_data(as_text=True)
    assert client.get("/api/scenario?aan=nope").status_code == 400


def test_scenario_confidence_threshold(client: FlaskClient, runner: CliRunner) -> None:
    every = client.get(f"/api/scenario?aan={VAK}").get_json()["scenario"]
    sure = client.get(f"/api/scenario?aan={VAK}&zekerheid=hoog").get_json()
    assert sure["min_confidence"]["id"] == "amkg:confidenceHigh"
    assert sure["scenario"]["counts"]["paths"] < every["counts"]["paths"]
    confidences = {
        s["confidence"]["id"]
        for f in sure["scenario"]["factors"]
        for p in f["paths"]
        for s in p["steps"]
        if s["kind"] == "chain"
    }
    assert confidences <= {"amkg:confidenceHigh"}
    assert client.get(f"/api/scenario?aan={VAK}&zekerheid=zeker").status_code == 400
    html = client.get(f"/scenario?aan={VAK}&zekerheid=hoog").get_data(as_text=True)
    assert "zekerheid=hoog" in html
    cli = runner.invoke(main, ["scenario", "--aan", VAK, "--zekerheid", "hoog", "--format", "json"])
    assert cli.exit_code == 0
    assert json.loads(cli.output)["scenario"]["counts"] == sure["scenario"]["counts"]


def test_signals_page_lists_every_kind(client: FlaskClient) -> None:
    data = client.get("/signalen.json").get_json()
    assert data["everything_on"]
    assert data["counts"]["cycle"] == 2
    assert data["counts"]["conflict"] > 0
    assert data["counts"]["feasibility"] == 2
    kinds = {s["kind"] for s in data["signals"]}
    assert {"conflict", "feasibility", "cycle"} <= kinds
    for s in data["signals"]:
        if s["kind"] == "cycle":
            assert all(step["inferred"] and step["citations"] for step in s["steps"])
    assert client.get("/signalen").status_code == 200


def test_ministry_lens(client: FlaskClient) -> None:
    szw = client.get("/ministerie/szw.json").get_json()
    assert szw["ministry"]["notation"] == "SZW"
    assert len(szw["coordinates"]) >= 9
    shared = {s["trajectory"]["id"]: {w["notation"] for w in s["with"]} for s in szw["shared"]}
    assert shared["kg:traject-kabinetsreactie-acvz-zorg"] == {"JenV", "VWS"}
    ezk = client.get("/ministerie/EZK.json").get_json()
    assert [t["number"] for t in ezk["tracks"]] == [1]
    assert any(
        d["trajectory"]["id"] == "kg:traject-werken-aan-de-toekomst" for d in ezk["depends_on"]
    )
    assert client.get("/ministerie/szw").status_code == 200
    assert client.get("/ministerie/xyz").status_code == 404


def test_briefing_in_both_languages(client: FlaskClient) -> None:
    nl = client.get("/spoor/4/briefing").get_data(as_text=True)
    assert "print.css" in nl
    assert "Vakkrachtenregeling" in nl
    en = client.get("/spoor/4/briefing?lang=en").get_data(as_text=True)
    assert "Briefing track 4" in en
    data = client.get("/spoor/4/briefing.json").get_json()
    assert data["track"]["number"] == 4
    assert data["signals"]
    assert client.get("/spoor/9/briefing").status_code == 404


def test_family_calculator_defaults_and_ratios(client: FlaskClient) -> None:
    data = client.get("/gezinsmigratie.json").get_json()
    assert data["year"] == 2022
    # 33.080 decisions x 94% approved; the non-footnoted categories of 2022.
    assert data["inputs"]["kennis"] == round(33080 * 0.94)
    assert data["inputs"]["overig"] == 2178 + 1550 + 414 + 2590
    assert data["ratios"]["kennis"]["printed"] == "bijna 1"
    assert data["ratios"]["overig"]["ratio"] == 0.6
    assert data["result"]["overig"] == round(6732 * 0.6)
    assert data["result"]["kennis_high"] == 31095
    assert data["result"]["kennis_low"] == round(31095 * 0.9)
    given = client.get("/gezinsmigratie.json?kennis=1000&overig=10&laag=0,8").get_json()
    assert given["result"] == {
        "kennis_low": 800,
        "kennis_high": 1000,
        "overig": 6,
        "total_low": 806,
        "total_high": 1006,
    }
    assert client.get("/gezinsmigratie?jaar=1999").status_code == 400
    assert client.get("/gezinsmigratie.json?laag=2").status_code == 400


def test_cli_scenario_marks_inferred_steps_and_sources(runner: CliRunner) -> None:
    result = runner.invoke(main, ["scenario", "--aan", VAK, "--aan", EISEN])
    assert result.exit_code == 0, result.output
    assert "CONFLICT" in result.output
    assert "AFGELEID" in result.output
    assert 'dia 10: "' in result.output
    en = runner.invoke(
        main, ["scenario", "--aan", "kg:spoor-2", "--vergelijk", "3", "--lang", "en"]
    )
    assert en.exit_code == 0
    assert "Comparison with scenario B" in en.output
    as_json = runner.invoke(main, ["scenario", "--aan", VAK, "--format", "json"])
    data = json.loads(as_json.output)
    assert data["scenario"]["on"][0]["id"] == VAK
    bad = runner.invoke(main, ["scenario", "--aan", "kg:maatregel-vakkracht"])
    assert bad.exit_code == 1
    assert "kg:maatregel-vakkrachtenregeling" in bad.output


def test_cli_ministry(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ministerie", "szw"])
    assert result.exit_code == 0
    assert "SZW" in result.output
    assert "JenV" in result.output
    assert runner.invoke(main, ["ministerie", "xyz"]).exit_code == 1


def test_lever_pages_escape_labels(xss_client: FlaskClient) -> None:
    # kg:maatregel-xss-test (tests/helpers.py) has a label that is HTML; switched on, it is
    # listed by the scenario page and the signals page, and must stay text there.
    escaped = escape(XSS)
    for url in (
        "/scenario?aan=kg:maatregel-xss-test",
        "/scenario?aan=kg:spoor-1&vergelijk=kg:maatregel-xss-test",
        "/spoor/3/briefing",
    ):
        html = xss_client.get(url).get_data(as_text=True)
        assert XSS not in html, url
        assert escaped in html, url
    for url in ("/knoppen", "/signalen", "/ministerie/szw"):
        assert XSS not in xss_client.get(url).get_data(as_text=True), url
