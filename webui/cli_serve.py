"""``amkg serve``: the web app and the SPARQL endpoint on waitress (never Flask's dev server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask
from waitress import create_server

from graph.errors import GraphLoadError
from graph.paths import DATA_DIR_ENV
from webui.app import create_app
from webui.cli_common import fail_load
from webui.explorer import warm_up
from webui.sparql import close_pool, start_pool

#: waitress worker threads: at least this many, so slow queries do not block the pages.
MIN_THREADS = 8
DATA_DIR_HELP = f"Map met de Turtle-data (standaard graph/data; ook via ${DATA_DIR_ENV})."


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 5000,
                threads: int = MIN_THREADS) -> Any:  # fmt: skip
    """A waitress server for ``app``, bound (``port`` 0: a free port) but not yet serving."""
    return create_server(app, host=host, port=port, threads=threads, ident="amkg")


def server_url(server: Any) -> str:
    """The URL a bound server answers on (the first, when it listens on several sockets)."""
    listening = getattr(server, "effective_listen", None)  # waitress's MultiSocketServer
    host, port = listening[0] if listening else (server.effective_host, server.effective_port)
    if ":" in str(host):
        host = f"[{host}]"
    return f"http://{host}:{port}/"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adres om op te luisteren.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Poort (0: een vrije poort).")  # fmt: skip
@click.option("--threads", default=MIN_THREADS, show_default=True,
              type=click.IntRange(min=MIN_THREADS), help="Aantal waitress-threads.")  # fmt: skip
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              envvar=DATA_DIR_ENV, default=None,
              help=DATA_DIR_HELP)  # fmt: skip
def serve(host: str, port: int, threads: int, data_dir: Path | None) -> None:
    """Start de webinterface en het SPARQL-endpoint (serve the web UI and /sparql).

    The query workers are started (and the graph loaded) before the first connection is
    accepted. Settings: webui/settings.py, overridden by the file in $AMKG_SETTINGS.
    """
    try:
        app = create_app({"DATA_DIR": str(data_dir)} if data_dir else None)
    except GraphLoadError as error:
        fail_load(error)  # exit 2 with ``path:line: message``, like every other command
    try:
        pool = start_pool(app)
        warm_up(app)
        server = make_server(app, host, port, threads)
        url = server_url(server)
        click.echo(f"Arbeidsmigratie Kennisgraaf: {url}")
        click.echo(f"SPARQL endpoint: {url}sparql ({pool.size} query workers, "
                   f"time limit {pool.timeout:g} s). Stop with Ctrl+C.")  # fmt: skip
        try:
            server.run()
        finally:
            server.close()
    finally:
        close_pool(app)


COMMANDS = [serve]
