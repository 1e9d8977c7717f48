"""``amkg trace``, ``amkg impact`` and ``amkg hubs``: the network analyses of ``graph/trace.py``.

Exit status: 0 with a result (also when no path exists), 1 for a name that matches nothing or
more than one entity (the message lists the suggestions or candidates), 2 for a usage error
or a Turtle file that cannot be read.

The shared options and :func:`~amkg.cli.common.load_kg` come from ``amkg.cli.common``, so
this module can be imported before or after ``amkg.cli.main`` (which imports it to register
:data:`COMMANDS`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from amkg.cli.common import data_dir_option, lang_option, load_kg
from amkg.graph.limits import MAX_PATHS, MAX_STEPS

if TYPE_CHECKING:  # the analyses import networkx and rdflib: only inside the commands
    from amkg.graph.kg import KnowledgeGraph
    from amkg.graph.trace import ImpactResult, TraceError, TraceResult

#: The UI strings of the output (``webui/i18n/<lang>.cli.json``) by the names the code uses.
_KEYS: dict[str, str | tuple[str, ...]] = {
    "from": "cli.trace.from", "to": "cli.trace.to", "none": "cli.trace.none",
    "paths": "cli.trace.paths", "steps": ("cli.trace.step", "cli.trace.steps"),
    "more": "cli.trace.more", "impact": "cli.impact.head", "directed": "cli.impact.directed",
    "undirected": "cli.impact.undirected", "distance": "cli.impact.distance",
    "via": "cli.impact.via", "nothing": "cli.impact.nothing", "hint": "cli.impact.hint",
    "total": "cli.impact.total", "no_class": "cli.trace.no_class", "hubs": "cli.hubs.head",
    "columns": ("cli.hubs.rank", "cli.hubs.degree", "cli.hubs.betweenness", "cli.hubs.class",
                "cli.hubs.entity"),
    "unknown": "cli.name.unknown", "ambiguous": "cli.name.ambiguous",
    "suggest": "cli.name.suggest", "candidates": "cli.name.candidates",
}  # fmt: skip


def _words(lang: str) -> dict[str, Any]:
    """The output's words in ``lang``."""
    from amkg.webui.i18n import t

    return {
        name: tuple(t(k, lang) for k in key) if isinstance(key, tuple) else t(key, lang)
        for name, key in _KEYS.items()
    }


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
statistics_option = click.option(
    "--with-statistics",
    "statistics",
    is_flag=True,
    help="Neem statistische waarnemingen (qb:Observation) mee (include data-cube cells).",
)


def steps_option(default: int) -> Any:
    return click.option(
        "--max-steps",
        type=click.IntRange(1, MAX_STEPS),
        default=default,
        show_default=True,
        help="Hoogstens zoveel stappen (at most this many steps).",
    )


def _load(data_dir: Path | None) -> KnowledgeGraph:
    return load_kg(data_dir)


def _entity_line(entity: Any, lang: str) -> str:
    cls = entity.cls_label.get(lang) or _words(lang)["no_class"]
    return f"{entity.label.get(lang)} ({entity.id}, {cls})"


def _fail(error: TraceError, lang: str) -> click.ClickException:
    from amkg.graph.trace import AmbiguousName, EntityNotFound
    from amkg.webui.i18n import t

    words = _words(lang)
    if isinstance(error, AmbiguousName):
        head, listed = words["ambiguous"].format(name=error.name), error.candidates
        lines = [f"{head}. {words['candidates']}:"]
    elif isinstance(error, EntityNotFound):
        head, listed = words["unknown"].format(name=error.name), error.suggestions
        lines = [f"{head}: {t(f'trace.reason.{error.kind}', lang)}."]
        if listed:
            lines.append(f"{words['suggest']}:")
    else:
        return click.ClickException(str(error))
    lines += [f"  - {_entity_line(entity, lang)}" for entity in listed]
    return click.ClickException("\n".join(lines))


def _resolve(kg: KnowledgeGraph, name: str, lang: str) -> Any:
    from amkg.graph.trace import TraceError, resolve

    try:
        return resolve(kg, name)
    except TraceError as error:
        raise _fail(error, lang) from None


def format_trace(result: TraceResult, lang: str) -> str:
    words = _words(lang)
    lines = [
        f"{words['from']}: {_entity_line(result.source, lang)}",
        f"{words['to']}: {_entity_line(result.target, lang)}",
        "",
    ]
    if not result.paths:
        return "\n".join([*lines, words["none"].format(k=result.max_steps)])
    lines.append(words["paths"].format(n=len(result.paths), k=result.max_steps))
    for number, path in enumerate(result.paths, 1):
        count = len(path.steps)
        lines.append(f"{number:>3}. [{count} {words['steps'][count > 1]}] {path.text(lang)}")
        for index, step in enumerate(path.steps, 1):
            lines += [f"       ↳ {words['steps'][0]} {index}: {note}" for note in step.notes(lang)]
    if result.truncated:
        lines.append(words["more"].format(n=len(result.paths)))
    return "\n".join(lines)


def format_impact(result: ImpactResult, lang: str) -> str:
    words = _words(lang)
    mode = words["undirected" if result.undirected else "directed"]
    head = words["impact"].format(label=_entity_line(result.entity, lang), k=result.max_steps)
    lines = [f"{head} ({mode}):"]
    if not result.reached:
        return "\n".join([*lines, words["nothing" if result.undirected else "hint"]])
    for distance, groups in result.levels(lang):
        lines.append("")
        lines.append(words["distance"].format(d=distance))
        for label, _cls, reached in groups:
            lines.append(f"  {label.get(lang) or words['no_class']} ({len(reached)})")
            for r in reached:
                via = r.via.text(lang)
                if r.distance > 1:  # at distance 1 the source is the entity itself
                    via = f"{r.via.source.label.get(lang)} {via}"
                lines.append(
                    f"    - {r.entity.label.get(lang)} ({r.entity.id})  [{words['via']}: {via}]"
                )
    lines += ["", words["total"].format(n=len(result.reached))]
    return "\n".join(lines)


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.command("trace")
@click.argument("source")
@click.argument("target")
@steps_option(4)
@lang_option
@format_option
@statistics_option
@data_dir_option
def trace_command(
    source: str,
    target: str,
    max_steps: int,
    lang: str,
    fmt: str,
    statistics: bool,
    data_dir: Path | None,
) -> None:
    """Paden tussen twee entiteiten, elke stap uitgelegd (paths between two entities).

    SOURCE en TARGET: een IRI, prefixed name (kg:spoor-1) of eenduidig label (nl of en).
    """
    from amkg.graph.trace import TraceError, trace

    kg = _load(data_dir)
    a, b = _resolve(kg, source, lang), _resolve(kg, target, lang)
    try:
        result = trace(kg, a, b, max_steps, lang=lang, statistics=statistics, limit=MAX_PATHS)
    except TraceError as error:
        raise _fail(error, lang) from None
    if fmt == "json":
        _echo_json(result.to_dict(lang))
    else:
        click.echo(format_trace(result, lang))


@click.command("impact")
@click.argument("entity")
@steps_option(3)
@click.option(
    "--undirected",
    is_flag=True,
    help="Volg elke relatie in beide richtingen (follow every link both ways).",
)
@lang_option
@format_option
@statistics_option
@data_dir_option
def impact_command(
    entity: str,
    max_steps: int,
    undirected: bool,
    lang: str,
    fmt: str,
    statistics: bool,
    data_dir: Path | None,
) -> None:
    """Wat een entiteit raakt, per afstand en klasse (what an entity touches)."""
    from amkg.graph.trace import impact

    kg = _load(data_dir)
    start = _resolve(kg, entity, lang)
    result = impact(kg, start, max_steps, undirected=undirected, statistics=statistics)
    if fmt == "json":
        _echo_json(result.to_dict(lang))
    else:
        click.echo(format_impact(result, lang))


@click.command("hubs")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option(
    "--by",
    type=click.Choice(["degree", "betweenness"]),
    default="degree",
    show_default=True,
    help="Sorteer op (sort by).",
)
@lang_option
@format_option
@statistics_option
@data_dir_option
def hubs_command(
    top: int, by: str, lang: str, fmt: str, statistics: bool, data_dir: Path | None
) -> None:
    """De knooppunten van de graaf: graad- en tussenheidscentraliteit (the hubs)."""
    from amkg.graph.trace import hubs

    kg = _load(data_dir)
    found = hubs(kg, top, by=by, statistics=statistics)
    if fmt == "json":
        _echo_json({"by": by, "top": top, "hubs": [hub.to_dict(lang) for hub in found]})
        return
    words = _words(lang)
    rows = [words["columns"]] + [
        (
            str(n),
            str(h.degree),
            f"{h.betweenness:.3f}",
            h.entity.cls_label.get(lang) or words["no_class"],
            f"{h.entity.label.get(lang)} ({h.entity.id})",
        )
        for n, h in enumerate(found, 1)
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    click.echo(words["hubs"] + ":")
    for row in rows:
        click.echo(
            "  ".join(
                [*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[4]]
            ).rstrip()
        )


COMMANDS = [trace_command, impact_command, hubs_command]
