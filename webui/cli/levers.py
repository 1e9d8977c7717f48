"""``amkg scenario`` and ``amkg ministerie``: the lever pages on the command line.

``amkg scenario --aan kg:spoor-1 --aan kg:maatregel-vakkrachtenregeling [--vergelijk ...]``
prints per factor the resulting direction and every path, each step with its sign, whether it
is stated or inferred (a reading, with confidence) and its source (slide and quote).
``amkg ministerie szw`` prints the ministry lens. ``--format json`` gives the same data as
``/api/scenario`` and ``/ministerie/<naam>.json``.

Exit status: 0 with a result, 1 for a name that is no track, measure or ministry (with
suggestions), 2 for a usage error or an unreadable Turtle file. Only click is imported at the
top, so ``amkg --help`` stays fast; the graph and the builders load inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from amkg.cli.common import data_dir_option, lang_option, load_kg


def _words(lang: str) -> dict[str, str]:
    """The output's words in ``lang`` (``webui/i18n/<lang>.cli.json``, keys ``cli.levers.*``)."""
    from amkg.webui.i18n import t

    return {key: t(f"cli.levers.{key}", lang) for key in _KEYS}


_KEYS = (
    "on",
    "none_on",
    "factors",
    "up",
    "down",
    "mixed",
    "unknown",
    "conflict",
    "path",
    "stated",
    "inferred",
    "source",
    "slide",
    "note",
    "cycles",
    "feasibility",
    "compare",
    "flips",
    "not_reached",
    "same",
    "unknown_item",
    "suggest",
    "ministry",
    "coordinates",
    "tracks",
    "shared",
    "depends",
    "truncated",
)

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)


def _step_lines(step: dict[str, Any], tx: dict[str, str]) -> list[str]:
    status = tx["inferred"] if step["inferred"] else tx["stated"]
    if step["inferred"] and step["confidence"]:
        status += f", {step['confidence']['label']}"
    magnitude = f" [{step['magnitude']}]" if step["magnitude"] else ""
    lines = [
        f"      {step['kind']}: {step['from']['label']} -> {step['sign']} "
        f"{step['to']['label']}{magnitude} ({status})"
    ]
    if step["note"]:
        lines.append(f"        {tx['note']}: {step['note']}")
    for c in step["citations"]:
        where = f"{tx['slide']} {c['slide_index']}" if c["slide_index"] else tx["source"]
        lines.append(f'        {where}: "{c["quote"]}"')
    return lines


def scenario_text(data: dict[str, Any], lang: str) -> str:
    tx = _words(lang)
    out: list[str] = []
    if not data["on"]:
        return tx["none_on"]
    out.append(f"{tx['on']}: " + ", ".join(f"{i['label']} ({i['id']})" for i in data["on"]))
    out.append(tx["factors"].format(n=data["counts"]["factors"], c=data["counts"]["conflicts"]))
    if data["truncated"]:
        out.append(tx["truncated"])
    for flag in data["feasibility"]:
        out.append(
            tx["feasibility"].format(
                item=flag["item"]["label"],
                verdict=flag["verdict"]["label"],
                assessment=flag["assessment"]["label"],
            )
        )
    for f in data["factors"]:
        out.append("")
        out.append(f"{f['factor']['label']} ({f['factor']['id']}): {tx[f['direction']]}")
        if f["conflict"]:
            up = ", ".join(r["label"] for r in f["raised_by"])
            down = ", ".join(r["label"] for r in f["lowered_by"])
            out.append("  " + tx["conflict"].format(up=up, down=down))
        for p in f["paths"]:
            mark = f" ({tx['inferred']})" if p["inferred"] else ""
            out.append("    " + tx["path"].format(sign=p["sign"], item=p["item"]["label"]) + mark)
            for step in p["steps"]:
                out.extend(_step_lines(step, tx))
    if data["cycles"]:
        out.append("")
        out.append(tx["cycles"])
        for c in data["cycles"]:
            names = " -> ".join(f["label"] for f in c["factors"])
            out.append(f"  {names} -> {c['factors'][0]['label']} ({c['sign']}, {c['loop']})")
    return "\n".join(out)


def compare_text(data: dict[str, Any], lang: str) -> str:
    tx = _words(lang)
    b = data["scenario"]
    out = ["", tx["compare"].format(items=", ".join(i["label"] for i in b["on"]))]
    for c in data["changes"]:
        before = tx[c["before"]] if c["before"] else tx["not_reached"]
        after = tx[c["after"]] if c["after"] else tx["not_reached"]
        flip = f"  {tx['flips']}" if c["flips"] else ""
        out.append(f"  {c['factor']['label']}: {before} -> {after}{flip}")
    if not data["changes"]:
        out.append("  " + tx["same"])
    return "\n".join(out)


@click.command("scenario")
@click.option("--aan", "aan", multiple=True, help="Een spoor of maatregel die aan staat (herhaal).")
@click.option("--vergelijk", "vergelijk", multiple=True, help="Scenario B om mee te vergelijken.")
@click.option(
    "--zekerheid",
    type=click.Choice(["laag", "middel", "hoog"]),
    default="laag",
    show_default=True,
    help="Volg alleen effectketens (lezingen) met minstens deze zekerheid.",
)
@lang_option
@format_option
@data_dir_option
def scenario_command(
    aan: tuple[str, ...],
    vergelijk: tuple[str, ...],
    zekerheid: str,
    lang: str,
    fmt: str,
    data_dir: Path | None,
) -> None:
    """Zet knoppen en maatregelen aan en toon wat er beweegt, met paden en bronnen
    (switch levers and measures on and show what moves, with paths and sources)."""
    from amkg.webui.views import levers_scenario

    kg = load_kg(data_dir)
    try:
        data = levers_scenario.build(kg, lang, list(aan), list(vergelijk), zekerheid)
    except levers_scenario.ScenarioProblem as error:
        message = _words(lang)["unknown_item"].format(name=error.reason)
        if error.suggestions:
            message += f"\n{_words(lang)['suggest']}: " + ", ".join(error.suggestions)
        raise click.ClickException(message) from None
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(scenario_text(data["scenario"], lang))
    if data["compare"]:
        click.echo(compare_text(data["compare"], lang))


@click.command("ministerie")
@click.argument("naam")
@lang_option
@format_option
@data_dir_option
def ministry_command(naam: str, lang: str, fmt: str, data_dir: Path | None) -> None:
    """Wat een ministerie coördineert, deelt en waarvan het afhangt (the ministry lens)."""
    from amkg.webui.views import levers_ministry

    kg = load_kg(data_dir)
    try:
        data = levers_ministry.build(kg, lang, naam)
    except levers_ministry.UnknownMinistry as error:
        raise click.ClickException(str(error)) from None
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    tx = _words(lang)
    m = data["ministry"]
    lines = [f"{tx['ministry']}: {m['notation']} ({m['label']})", "", f"{tx['coordinates']}:"]
    for c in data["coordinates"]:
        planning = c["planning"]["label"] if c["planning"] else "-"
        tracks = ", ".join(
            t["label"] + (f" ({tx['inferred']})" if t["inferred"] else "") for t in c["tracks"]
        )
        lines.append(f"  {c['label']} [{c['role']}, {planning}] -> {tracks or '-'}")
    lines += ["", f"{tx['tracks']}:"]
    lines += [
        f"  {t['label']}" + (f" ({tx['inferred']})" if t["inferred"] else "")
        for t in data["tracks"]
    ]
    lines += ["", f"{tx['shared']}:"]
    for s in data["shared"]:
        lines.append(
            f"  {s['trajectory']['label']}: " + ", ".join(w["notation"] for w in s["with"])
        )
    lines += ["", f"{tx['depends']}:"]
    for d in data["depends_on"]:
        who = ", ".join(x["notation"] for x in d["ministries"]) or "-"
        mark = f" ({tx['inferred']})" if d["inferred"] else ""
        lines.append(f"  {d['track']['label']}: {d['trajectory']['label']} [{who}]{mark}")
    click.echo("\n".join(lines))


COMMANDS = [scenario_command, ministry_command]
