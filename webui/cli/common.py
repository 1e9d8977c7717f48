"""What every ``amkg`` command shares: ``--data-dir`` (or ``$AMKG_DATA_DIR``), ``--lang``, and
:func:`load_kg`, which turns a syntax error in any Turtle file into exit status 2 with a
``path:line: message`` line on stderr.

A module of its own so that ``amkg.cli.main`` (the group, which imports the command modules to
register them) and the command modules can all import it without importing each other.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from amkg.graph.paths import DATA_DIR_ENV, STORE_ENV

STORE_URL_ENV = "AMKG_STORE_URL"

if TYPE_CHECKING:
    from amkg.graph.errors import GraphLoadError
    from amkg.graph.kg import KnowledgeGraph

F = TypeVar("F", bound=Callable[..., Any])


#: Exit status when a file of the graph cannot be read (click uses 2 for usage errors too).
EXIT_LOAD_ERROR = 2
#: Exit status of ``amkg validate`` when the graph breaks a rule.
EXIT_INVALID = 1
#: Exit status for a shapes graph that is malformed (pyshacl cannot load a shape) or hostile
#: (its SPARQL could reach the network: ``graph/shapes_guard.py``).
EXIT_BAD_SHAPES = 3

_STORE_KEY = "amkg.store"


def _remember_store(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.meta[_STORE_KEY] = value


_data_dir = click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar=DATA_DIR_ENV,
    default=None,
    help=f"Map met de Turtle-data (standaard graph/data; ook via ${DATA_DIR_ENV}).",
)
_store = click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=STORE_ENV,
    default=None,
    expose_value=False,
    callback=_remember_store,
    help=f"Map van de store (standaard in de gebruikersdatamap; ook via ${STORE_ENV}).",
)


def _remember_store_url(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    # Through the environment, so the processes a command starts (query workers, a time-limited
    # query) open the same server; KnowledgeGraph.open reads it.
    if value:
        os.environ[STORE_URL_ENV] = value


_store_url = click.option(
    "--store-url",
    metavar="URL",
    envvar=STORE_URL_ENV,
    default=None,
    expose_value=False,
    callback=_remember_store_url,
    help=f"SPARQL-server als store (query-endpoint; ook via ${STORE_URL_ENV}). Andere "
    "instellingen en inloggegevens alleen via de omgeving (zie README).",
)


def data_dir_option(command: F) -> F:
    """``--data-dir`` (the Turtle sources), ``--store`` (where their store lives) and
    ``--store-url`` (a SPARQL server that holds the graph instead)."""
    return _data_dir(_store(_store_url(command)))


def store_root() -> Path | None:
    """The ``--store`` of the running command (``$AMKG_STORE``), if one was given."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(_STORE_KEY) if ctx is not None else None


def rebuild_notice(event: str) -> None:
    """One line on stderr when a command finds the sources changed and builds the store, and
    when it applies the graph's earlier changes to the new build (issue 11)."""
    if event.startswith("rebase "):
        click.echo(
            f"amkg: {event.split()[1]} eerdere wijziging(en) opnieuw toegepast op de nieuwe "
            "build (earlier changes replayed on the new build)",
            err=True,
        )
    elif event.startswith("rebase-failed "):
        click.echo(
            f"amkg: wijziging {event.split()[1]} past niet meer en is niet toegepast; zie "
            f"`amkg changes replay` (change no longer applies): {event.split(' ', 2)[2]}",
            err=True,
        )
    if event == "build first":
        click.echo(
            "amkg: de store wordt voor het eerst gebouwd (first run: building the store)",
            err=True,
        )
    if event == "build":
        click.echo(
            "amkg: de bronbestanden zijn gewijzigd; de store wordt opnieuw gebouwd "
            "(sources changed; rebuilding the store)",
            err=True,
        )


lang_option = click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Taal van de uitvoer (language of the output).",
)


def load_kg(data_dir: Path | None = None, engine: str = "oxigraph") -> KnowledgeGraph:
    """Open the graph's store (building it first if the sources changed), or print
    ``path:line: message`` and exit with status 2 (the previous store is left as it was)."""
    from pyshacl.errors import ReportableRuntimeError

    from amkg.graph.errors import GraphLoadError
    from amkg.graph.kg import KnowledgeGraph
    from amkg.graph.shapes_guard import ShapesRefused

    try:
        return KnowledgeGraph.open(
            data_dir=data_dir, engine=engine, store=store_root(), on_rebuild=rebuild_notice
        )
    except GraphLoadError as error:
        fail_load(error)
    except (ShapesRefused, ReportableRuntimeError) as error:  # while building the store
        click.echo(f"refused shapes: {error}", err=True)
        raise click.exceptions.Exit(EXIT_BAD_SHAPES) from None


def fail_load(error: GraphLoadError) -> NoReturn:
    """Report a file that could not be read and exit with :data:`EXIT_LOAD_ERROR`."""
    click.echo(str(error), err=True)
    raise click.exceptions.Exit(EXIT_LOAD_ERROR)
