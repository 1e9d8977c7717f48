"""The ``amkg`` command line.

This module holds the group and the graph commands (``validate``, ``export``, ``stats``). The
helpers every command shares (``--data-dir``, ``--lang``, :func:`load_kg` with its exit status 2
for an unreadable Turtle file) live in ``webui/cli_common.py`` and are re-exported here. Other
commands live in ``webui/cli_<name>.py`` modules and are registered at the bottom of this file.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

import click

from graph.errors import GraphLoadError
from graph.export import FORMATS, export
from graph.stats import format_table, stats
from graph.validate import format_report, validate
from webui.cli_common import (  # noqa: F401  (re-exported for the command modules)
    EXIT_INVALID,
    EXIT_LOAD_ERROR,
    data_dir_option,
    fail_load,
    lang_option,
    load_kg,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Arbeidsmigratie Kennisgraaf: de presentatie over arbeidsmigratie als kennisgraaf.

    (Labour-migration knowledge graph: the slide deck as an RDF graph.)
    """


@main.command("validate")
@lang_option
@data_dir_option
def validate_command(lang: str, data_dir: Path | None) -> None:
    """Controleer de graaf met de SHACL-regels (check the graph against the shapes).

    Exit 0 als de graaf voldoet, 1 bij overtredingen, 2 als een bestand niet te lezen is.
    """
    kg = load_kg(data_dir)
    try:
        report = validate(kg, lang=lang)
    except GraphLoadError as error:  # the shapes file itself is broken or missing
        fail_load(error)
    click.echo(format_report(report, lang))
    if not report.conforms:
        raise click.exceptions.Exit(EXIT_INVALID)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``."""
    directory = path.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="ttl",
    show_default=True,
    help="Uitvoerformaat (graphml = de projectie op entiteiten en hun relaties).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Schrijf naar dit bestand in plaats van naar stdout (pas na succes vervangen).",
)
@data_dir_option
def export_command(fmt: str, output: Path | None, data_dir: Path | None) -> None:
    """Exporteer de hele graaf: ontologie en data (export the whole graph)."""
    kg = load_kg(data_dir)
    data = export(kg.graph, fmt)
    if output is None:
        click.echo(data, nl=False)  # bytes go to the binary stdout unchanged
        return
    write_atomically(output, data)
    click.echo(f"{len(kg.graph)} triples -> {output} ({fmt}, {len(data)} bytes)", err=True)


@main.command("stats")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@lang_option
@data_dir_option
def stats_command(fmt: str, lang: str, data_dir: Path | None) -> None:
    """Tel instanties per klasse en triples (instances per class, triple count)."""
    kg = load_kg(data_dir)
    result = stats(kg)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(result, lang))


# Commands written by other modules. Each ``webui/cli_<name>.py`` exposes ``COMMANDS``, a list
# of click commands, and may import the helpers above (``load_kg``, ``data_dir_option``, ...).
# A module that does not exist (yet) is skipped; one that exists but fails to import, or has
# no ``COMMANDS``, is an error and is not hidden.
COMMAND_MODULES = ("webui.cli_queries", "webui.cli_sparql", "webui.cli_serve", "webui.cli_trace")


def register_command_modules(group: click.Group) -> None:
    """Add the ``COMMANDS`` of every module in :data:`COMMAND_MODULES` that exists."""
    for module_name in COMMAND_MODULES:
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        commands = getattr(module, "COMMANDS", None)
        if commands is None:
            raise RuntimeError(f"{module_name} must define COMMANDS, a list of click commands")
        for command in commands:
            group.add_command(command)


if __name__ == "__main__":
    # ``python -m webui.cli``: run the importable module's group, so that the command modules
    # (which import helpers from ``webui.cli``) and this group are one and the same copy.
    from webui.cli import main as importable_main

    sys.exit(importable_main())
elif __name__ != "__mp_main__":
    # A worker process started with "spawn" re-imports the parent's main module as
    # ``__mp_main__``; registering there would import the command modules half-way.
    register_command_modules(main)
