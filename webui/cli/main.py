"""The ``amkg`` command line.

This module holds the group and the graph commands (``validate``, ``export``, ``stats``). The
helpers every command shares (``--data-dir``, ``--lang``, :func:`load_kg` with its exit status 2
for an unreadable Turtle file) live in ``amkg.cli.common`` and are re-exported here. Other
commands live in ``amkg.cli.<name>`` modules and are registered at the bottom of this file.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import click

from amkg.cli.common import (  # noqa: F401  (re-exported for the command modules)
    EXIT_BAD_SHAPES,
    EXIT_INVALID,
    EXIT_LOAD_ERROR,
    data_dir_option,
    fail_load,
    lang_option,
    load_kg,
    store_root,
)
from amkg.graph.formats import EXPORT_FORMATS as FORMATS


@contextlib.contextmanager
def bad_shapes_exit() -> Iterator[None]:
    """A malformed shape (pyshacl cannot load it) or a hostile one (its SPARQL could reach the
    network: ``graph/shapes_guard.py``, checked before validation) ends the command with
    :data:`EXIT_BAD_SHAPES` and the reason on stderr."""
    from pyshacl.errors import ReportableRuntimeError

    from amkg.graph.shapes_guard import ShapesRefused

    try:
        yield
    except (ShapesRefused, ReportableRuntimeError) as error:
        click.echo(f"refused shapes: {error}", err=True)
        raise click.exceptions.Exit(EXIT_BAD_SHAPES) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Arbeidsmigratie Kennisgraaf: de presentatie over arbeidsmigratie als kennisgraaf.

    (Labour-migration knowledge graph: the slide deck as an RDF graph.)
    """


@main.command("build")
@lang_option
@data_dir_option
def build_command(lang: str, data_dir: Path | None) -> None:
    """Bouw de store uit de Turtle-bestanden en controleer met SHACL (build the store).

    Leest ontology/ en de data, controleert met de SHACL-regels en schrijft de store met het
    rapport en de vingerafdruk van de bronnen. Andere opdrachten openen die store; zijn de
    bronnen gewijzigd, dan bouwt de eerste opdracht hem vanzelf opnieuw. Exit 2 als een bestand
    niet te lezen is (de vorige store blijft dan staan).
    """
    from amkg.cli.text import counts
    from amkg.graph.build import build
    from amkg.graph.errors import GraphLoadError
    from amkg.graph.sources import Sources
    from amkg.webui.i18n import t

    try:
        with bad_shapes_exit():
            result = build(Sources.resolve(data_dir), store_root())
    except GraphLoadError as error:
        fail_load(error)
    report = result.report
    verdict = (
        t("cli.build.conforms", lang)
        if report.conforms
        else t("cli.build.violations", lang, **counts(report))
    )
    click.echo(
        t(
            "cli.build.done",
            lang,
            seconds=f"{result.seconds:.1f}",
            triples=result.build.manifest["triples"],
            shapes=report.shape_count,
            verdict=verdict,
            path=result.build.directory,
        )
    )


@main.command("validate")
@lang_option
@data_dir_option
def validate_command(lang: str, data_dir: Path | None) -> None:
    """Controleer de graaf met de SHACL-regels (check the graph against the shapes).

    Toont het SHACL-rapport dat bij het bouwen van de store is gemaakt. Exit 0 als de graaf
    voldoet, 1 bij overtredingen, 2 als een bestand niet te lezen is, 3 als een regel (shape)
    niet deugt of het netwerk op zou gaan (a malformed or hostile shape).
    """
    from amkg.cli.text import format_report

    with bad_shapes_exit():
        report = load_kg(data_dir).report
    click.echo(format_report(report, lang))
    if not report.conforms:
        raise click.exceptions.Exit(EXIT_INVALID)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``."""
    import tempfile

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
    from amkg.graph.export import export

    kg = load_kg(data_dir)
    data = export(kg, fmt)
    if output is None:
        click.echo(data, nl=False)  # bytes go to the binary stdout unchanged
        return
    write_atomically(output, data)
    click.echo(f"{kg.triple_count()} triples -> {output} ({fmt}, {len(data)} bytes)", err=True)


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
    from amkg.cli.text import format_table
    from amkg.graph.stats import stats

    kg = load_kg(data_dir)
    result = stats(kg)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(result, lang))


# The commands of the other modules, by plain import (each module imports only click at its top,
# so ``amkg --help`` stays fast; heavy imports wait inside the commands).
from amkg.cli import edits as _edits  # noqa: E402
from amkg.cli import levers as _levers  # noqa: E402
from amkg.cli import load as _load  # noqa: E402
from amkg.cli import queries as _queries  # noqa: E402
from amkg.cli import serve as _serve  # noqa: E402
from amkg.cli import sparql as _sparql  # noqa: E402
from amkg.cli import trace as _trace  # noqa: E402
from amkg.cli import users as _users  # noqa: E402

for _module in (_queries, _sparql, _serve, _trace, _levers, _load, _edits, _users):
    for _command in _module.COMMANDS:
        main.add_command(_command)
