"""What every ``amkg`` command shares: ``--data-dir`` (or ``$AMKG_DATA_DIR``), ``--lang``, and
:func:`load_kg`, which turns a syntax error in any Turtle file into exit status 2 with a
``path:line: message`` line on stderr.

A module of its own so that ``amkg.cli.main`` (the group, which imports the command modules to
register them) and the command modules can all import it without importing each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from amkg.graph.errors import GraphLoadError
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.paths import DATA_DIR_ENV

#: Exit status when a file of the graph cannot be read (click uses 2 for usage errors too).
EXIT_LOAD_ERROR = 2
#: Exit status of ``amkg validate`` when the graph breaks a rule.
EXIT_INVALID = 1

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar=DATA_DIR_ENV,
    default=None,
    help=f"Map met de Turtle-data (standaard graph/data; ook via ${DATA_DIR_ENV}).",
)
lang_option = click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Taal van de uitvoer (language of the output).",
)


def load_kg(data_dir: Path | None = None, engine: str = "oxigraph") -> KnowledgeGraph:
    """Load the graph, or print ``path:line: message`` and exit with status 2."""
    try:
        return KnowledgeGraph.load(data_dir=data_dir, engine=engine)
    except GraphLoadError as error:
        fail_load(error)


def fail_load(error: GraphLoadError) -> NoReturn:
    """Report a file that could not be read and exit with :data:`EXIT_LOAD_ERROR`."""
    click.echo(str(error), err=True)
    raise click.exceptions.Exit(EXIT_LOAD_ERROR)
