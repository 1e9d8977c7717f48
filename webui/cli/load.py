"""``amkg load --into URL``: check the sources with SHACL, then load them into a SPARQL server.

Only click at the top (``amkg --help`` stays fast); the loader is imported inside the command.
"""

from __future__ import annotations

from pathlib import Path

import click

from amkg.cli.common import EXIT_INVALID, STORE_URL_ENV, fail_load

#: Exit status when the server failed half-way (the previous graph is still in place).
EXIT_LOAD_FAILED = 3
#: Exit status when the server holds edits that the load would lose (nothing was sent).
EXIT_EDITS = 4


@click.command("load")
@click.option(
    "--into",
    "url",
    metavar="URL",
    envvar=STORE_URL_ENV,
    required=True,
    help=f"Query-endpoint van de SPARQL-server (ook via ${STORE_URL_ENV}); update- en "
    "Graph-Store-endpoint via $AMKG_STORE_UPDATE_URL / $AMKG_STORE_GSP_URL, inloggegevens via "
    "$AMKG_STORE_USER / $AMKG_STORE_PASSWORD of $AMKG_STORE_CREDENTIALS.",
)
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar="AMKG_DATA_DIR",
    default=None,
    help="Map met de Turtle-data (standaard graph/data).",
)
@click.option("--batch", default=2000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Regels N-Triples per verzoek.")  # fmt: skip
@click.option(
    "--replace-edits",
    is_flag=True,
    help="Laad ook als de server wijzigingen uit de app heeft; die worden dan verwijderd "
    "(exporteer ze eerst met amkg changes export).",
)
def load(url: str, data_dir: Path | None, batch: int, replace_edits: bool) -> None:
    """Laad de graaf in een SPARQL-server (load the graph into a SPARQL server).

    Controleert eerst met SHACL (bij overtredingen wordt niets verstuurd, exit 1), schrijft de
    data, de shapes en de metadata in nieuwe named graphs en wisselt ze pas daarna in één
    update om. Twee keer laden geeft dezelfde triples; mislukt het halverwege, dan blijft de
    vorige graaf staan (exit 3) en zegt de melding wat mislukte. Heeft de server wijzigingen
    die via de app zijn gemaakt, dan laadt hij niet (exit 4), tenzij met --replace-edits.
    """
    from amkg.graph.errors import GraphLoadError
    from amkg.graph.remote import RemoteStore
    from amkg.graph.remote_config import config_from_env
    from amkg.graph.remote_load import EditsOnServer, LoadFailed, NotConforming, load_into
    from amkg.graph.sources import Sources

    store = RemoteStore(config_from_env(url).with_auth_from_env())
    try:
        result = load_into(
            store, Sources.resolve(data_dir), batch_lines=batch, replace_edits=replace_edits
        )
    except GraphLoadError as error:
        fail_load(error)
    except NotConforming as error:
        click.echo(f"amkg load: {error}", err=True)
        raise click.exceptions.Exit(EXIT_INVALID) from None
    except LoadFailed as error:
        click.echo(f"amkg load: {error}", err=True)
        raise click.exceptions.Exit(EXIT_LOAD_FAILED) from None
    except EditsOnServer as error:
        click.echo(f"amkg load: {error}", err=True)
        raise click.exceptions.Exit(EXIT_EDITS) from None
    finally:
        store.close()
    click.echo(
        f"{result.triples} triples + {result.shape_triples} shape triples -> {url} "
        f"<{store.config.graph}> in {result.batches} batches ({result.method}), "
        f"{result.seconds:.1f} s"
    )


COMMANDS = [load]
