"""Commands for the edited graph (issue 11): ``amkg backup DEST``, ``amkg restore SRC``,
``amkg changes export [-o FILE]``, ``amkg changes replay FILE`` and ``amkg history NAME``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from amkg.cli.common import data_dir_option, lang_option, load_kg


@click.command("backup")
@click.argument("destination", type=click.Path(path_type=Path))
@data_dir_option
def backup_command(destination: Path, data_dir: Path | None) -> None:
    """Maak een consistente kopie van de graaf met alle wijzigingen, ook terwijl de server
    draait (a consistent copy of the graph and its changes, also while the server runs)."""
    from amkg.graph.backup import backup

    try:
        sequence = backup(load_kg(data_dir), destination)
    except FileExistsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup {destination}: {sequence} wijziging(en) (change sets)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@data_dir_option
def restore_command(source: Path, data_dir: Path | None) -> None:
    """Zet een backup terug (restore a backup made by amkg backup)."""
    from amkg.graph.backup import restore

    def failed(change_id: str, error: Exception) -> None:
        click.echo(f"wijziging {change_id} past niet meer (no longer applies): {error}", err=True)

    try:
        done = restore(load_kg(data_dir), source, on_failure=failed)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    how = "opnieuw toegepast (replayed)" if done.replayed else "teruggezet (restored)"
    click.echo(f"restore {source}: {done.sequence} wijziging(en) {how}")
    if done.failed:
        raise click.exceptions.Exit(1)


@click.group("changes")
def changes_group() -> None:
    """Wijzigingen exporteren en opnieuw toepassen (export and replay change sets)."""


@changes_group.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Schrijf naar dit bestand (write to this file; default: stdout).")  # fmt: skip
@data_dir_option
def export_command(output: Path | None, data_dir: Path | None) -> None:
    """Alle wijzigingen als TriG, byte-stabiel (every change set as TriG, byte-stable)."""
    from amkg.graph.change_export import export_changes

    text = export_changes(load_kg(data_dir))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@changes_group.command("replay")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_dir_option
def replay_command(file: Path, data_dir: Path | None) -> None:
    """Pas geëxporteerde wijzigingen opnieuw toe, in volgorde (replay exported change sets)."""
    from amkg.graph.change_export import replay
    from amkg.graph.changes_types import BadChange

    failures: list[str] = []

    def failed(change_id: str, error: Exception) -> None:
        failures.append(change_id)
        click.echo(f"wijziging {change_id} past niet meer (no longer applies): {error}", err=True)

    try:
        done = replay(load_kg(data_dir), file.read_text(encoding="utf-8"), on_failure=failed)
    except BadChange as error:
        raise click.ClickException(error.message_nl) from None
    for committed in done:
        click.echo(f"{committed.change_id} {committed.time.isoformat()}")
    click.echo(f"{len(done)} wijziging(en) toegepast (applied), {len(failures)} niet (not)")
    if failures:
        raise click.exceptions.Exit(1)


def _info_json(info: Any) -> dict[str, Any]:
    return {
        "change": info.change_id,
        "iri": info.iri,
        "time": info.time.isoformat(),
        "agent": info.agent,
        "reason": info.reason,
        "source": {
            "title": info.source.title,
            "date": info.source.date.isoformat() if info.source.date else None,
            "url": info.source.url,
            "meeting": info.source.meeting,
        },
        "added": [[str(t) for t in triple] for triple in info.added],
        "removed": [[str(t) for t in triple] for triple in info.removed],
    }


@click.command("history")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Uitvoer (output format).")  # fmt: skip
@lang_option
@data_dir_option
def history_command(name: str, fmt: str, lang: str, data_dir: Path | None) -> None:
    """De wijzigingen van een entiteit, nieuwste eerst (an entity's change sets, newest
    first). NAME: een IRI, kg:naam of een label."""
    from amkg.graph.history import history
    from amkg.graph.trace_types import TraceError

    kg = load_kg(data_dir)
    iri = kg.expand(name) if name.startswith("kg:") else None
    if iri is None and name.startswith(("http://", "https://")):
        iri = name  # type: ignore[assignment]
    if iri is None:
        from amkg.graph.resolve import resolve

        try:
            iri = resolve(kg, name).iri  # type: ignore[assignment]
        except TraceError as error:
            raise click.ClickException(str(error)) from None
    found = history(kg, str(iri))
    if fmt == "json":
        click.echo(json.dumps({"entity": str(iri), "changes": [_info_json(i) for i in found]}))
        return
    if not found:
        click.echo("geen wijzigingen (no changes)" if lang == "nl" else "no changes")
    for info in found:
        source = info.source.title or info.source.meeting or ""
        click.echo(
            f"{info.change_id}  {info.time.isoformat()}  {info.agent}  {info.reason}  "
            f"[{source}]  +{len(info.added)} -{len(info.removed)}"
        )


COMMANDS = (backup_command, restore_command, changes_group, history_command)
