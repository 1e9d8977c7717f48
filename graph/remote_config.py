"""Where a remote SPARQL store is and how to talk to it (issue 10): :class:`RemoteConfig`, read
by :func:`config_from_env` from a command's settings and the environment, credentials from the
environment or a file (:func:`credentials`), never from the command line.

The names of the graphs that :class:`~amkg.graph.remote.RemoteStore` reads and ``amkg load
--into`` writes live here too: SPARQL Update has no parameter for a graph's name, so each is
checked once (:func:`nameable`) before it is written between ``<`` and ``>``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from amkg.graph.store import SHAPES_GRAPH

#: The named graph that holds the data (ontology and instances) in a remote store.
DATA_GRAPH = "https://w3id.org/amkg/graph"
#: The named graph with what the last load wrote: prefixes, SHACL report, fingerprint.
META_GRAPH = "https://w3id.org/amkg/meta"
META = "https://w3id.org/amkg/meta#"
USER_ENV, PASSWORD_ENV, CREDENTIALS_ENV = (
    "AMKG_STORE_USER",
    "AMKG_STORE_PASSWORD",
    "AMKG_STORE_CREDENTIALS",
)


def credentials(environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(user, password) from the environment or the credentials file it names, if any."""
    env = os.environ if environ is None else environ
    if env.get(USER_ENV):
        return env[USER_ENV], env.get(PASSWORD_ENV, "")
    path = env.get(CREDENTIALS_ENV)
    if path:
        first = Path(path).read_text(encoding="utf-8").splitlines()[:1]
        user, colon, password = (first[0] if first else "").partition(":")
        if not colon:
            raise ValueError(f"{path}: the first line must be user:password")
        return user.strip(), password.strip()
    return None


def default_update_url(url: str) -> str:
    """The update endpoint beside a query endpoint: ``.../query`` -> ``.../update``, ``.../sparql``
    of Fuseki's dataset -> ``.../update``; otherwise the same URL (Virtuoso's ``/sparql``)."""
    path = urlsplit(url).path
    if path.endswith("/query"):
        return url[: -len("query")] + "update"
    return url


#: An IRI as SPARQL writes it between ``<`` and ``>`` (IRIREF), with a scheme.
_ABSOLUTE_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]+')


@dataclass(frozen=True)
class RemoteConfig:
    """Where a remote store is and how to talk to it."""

    url: str
    update_url: str | None = None
    gsp_url: str | None = None
    graph: str = DATA_GRAPH
    shapes_graph: str = SHAPES_GRAPH
    meta_graph: str = META_GRAPH
    timeout: float = 30.0
    connect_timeout: float = 5.0
    retries: int = 3
    backoff: float = 0.2
    #: Send the server our time limit as ``timeout=`` in ``seconds`` (Fuseki) or
    #: ``milliseconds`` (Virtuoso); ``None``: send none (Oxigraph server has no such parameter).
    server_timeout: str | None = None
    auth: tuple[str, str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # The graph names are written into SPARQL Update text (GRAPH <...>, where SPARQL has
        # no parameter); an IRI that could close its brackets is refused here, once.
        for name in ("graph", "shapes_graph", "meta_graph"):
            value = getattr(self, name)
            if not _ABSOLUTE_IRI.fullmatch(value):
                raise ValueError(
                    f'{name} must be an absolute IRI without spaces or <>"{{}}|^`\\: {value!r}'
                )

    @property
    def update_endpoint(self) -> str:
        return self.update_url or default_update_url(self.url)

    def with_auth_from_env(self) -> RemoteConfig:
        return replace(self, auth=self.auth or credentials())


def nameable(iri: str) -> bool:
    """Whether ``iri`` may be written between ``<`` and ``>`` in update text: absolute, without
    spaces or ``<>"{}|^`\\`` (SPARQL has no parameter for a graph's name)."""
    return _ABSOLUTE_IRI.fullmatch(iri) is not None


#: Environment variables of the other endpoint settings (``amkg`` commands read them).
ENDPOINT_ENV = {
    "update_url": "AMKG_STORE_UPDATE_URL",
    "gsp_url": "AMKG_STORE_GSP_URL",
    "graph": "AMKG_STORE_GRAPH",
    "server_timeout": "AMKG_STORE_SERVER_TIMEOUT",
}


def config_from_env(url: str, **settings: Any) -> RemoteConfig:
    """A config for the query endpoint ``url``: ``settings`` first, then the environment
    (:data:`ENDPOINT_ENV`)."""
    values = {k: v for k, v in settings.items() if v is not None}
    for key, name in ENDPOINT_ENV.items():
        if key not in values and os.environ.get(name):
            values[key] = os.environ[name]
    if values.get("server_timeout") not in (None, "seconds", "milliseconds"):
        raise ValueError("the server timeout unit must be 'seconds' or 'milliseconds'")
    return RemoteConfig(url, **values)
