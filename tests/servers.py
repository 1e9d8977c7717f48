"""Real SPARQL servers on loopback for the tests (and the benchmark): Oxigraph server, Apache
Jena Fuseki and Virtuoso, each started on free ports in a temporary directory and stopped
afterwards.

Where a server's program is missing, :func:`start` raises :class:`ServerMissing` naming what to
install; the fixtures skip with that message, except in CI (``CI`` set), where a missing server
is a failure. ``.ci/run`` installs all three.

- Oxigraph server: the ``oxigraph`` command of the PyPI package ``oxigraph`` (a test extra).
- Fuseki: ``jena-fuseki-main-5.6.0.jar`` from ``$FUSEKI_JAR``, else the local Maven repository
  (``mvn dependency:get -Dartifact=org.apache.jena:jena-fuseki-main:5.6.0``); Java 17.
- Virtuoso: ``virtuoso-t`` and ``isql-vt`` of Debian's ``virtuoso-opensource``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SERVERS = ("oxigraph", "fuseki", "virtuoso")
FUSEKI_VERSION = "5.6.0"
START_TIMEOUT = 90.0


class ServerMissing(RuntimeError):
    """The program of a server is not installed here."""


@dataclass
class Server:
    """A running server: its endpoints and how to stop it."""

    name: str
    url: str
    update_url: str
    gsp_url: str | None
    server_timeout: str | None
    process: subprocess.Popen[bytes]
    directory: Path
    ports: tuple[int, ...] = ()
    restart_args: dict[str, Any] = field(default_factory=dict)

    def settings(self) -> dict[str, Any]:
        """The app settings that point at this server."""
        return {
            "STORE_URL": self.url,
            "STORE_UPDATE_URL": self.update_url,
            "STORE_GSP_URL": self.gsp_url,
            "STORE_SERVER_TIMEOUT": self.server_timeout,
        }

    def config(self, **more: Any) -> Any:
        from amkg.graph.remote import RemoteConfig

        return RemoteConfig(self.url, update_url=self.update_url, gsp_url=self.gsp_url,
                            server_timeout=self.server_timeout, **more)  # fmt: skip

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def alive(self) -> bool:
        return self.process.poll() is None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-800:]
            raise RuntimeError(f"{url}: the server exited: {tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url}: no answer within {START_TIMEOUT:g} s")


def _popen(args: list[str], directory: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, cwd=directory, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)  # fmt: skip


def oxigraph_command() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).exists():
        raise ServerMissing("Oxigraph server: pip install oxigraph (the 'oxigraph' command)")
    return found


def start_oxigraph(directory: Path, port: int | None = None) -> Server:
    port = port or free_port()
    log = directory / "oxigraph.log"
    args = [oxigraph_command(), "serve", "--location", str(directory / "data"),
            "--bind", f"127.0.0.1:{port}"]  # fmt: skip
    process = _popen(args, directory, log)
    base = f"http://127.0.0.1:{port}"
    server = Server("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store", None,
                    process, directory, (port,))  # fmt: skip
    _wait_http(f"{base}/query?query=ASK%7B%7D", process, log)
    return server


def fuseki_jar() -> Path:
    from_env = os.environ.get("FUSEKI_JAR")
    candidates = [Path(from_env)] if from_env else []
    m2 = Path.home() / ".m2" / "repository" / "org" / "apache" / "jena" / "jena-fuseki-main"
    candidates.append(m2 / FUSEKI_VERSION / f"jena-fuseki-main-{FUSEKI_VERSION}.jar")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if shutil.which("java") is None:
        raise ServerMissing("Fuseki: no java (Java 17 is needed)")
    raise ServerMissing(
        f"Fuseki: no jena-fuseki-main-{FUSEKI_VERSION}.jar (set $FUSEKI_JAR, or: mvn "
        f"dependency:get -Dartifact=org.apache.jena:jena-fuseki-main:{FUSEKI_VERSION})"
    )


def start_fuseki(directory: Path, port: int | None = None) -> Server:
    jar = fuseki_jar()
    port = port or free_port()
    log = directory / "fuseki.log"
    args = ["java", "-Xmx1g", "-jar", str(jar), "--localhost", "--port", str(port), "--update",
            "--loc", str(directory / "tdb2"), "--tdb2", "/ds"]  # fmt: skip
    process = _popen(args, directory, log)
    base = f"http://127.0.0.1:{port}/ds"
    server = Server("fuseki", f"{base}/query", f"{base}/update", f"{base}/data", "seconds",
                    process, directory, (port,))  # fmt: skip
    _wait_http(f"{base}/query?query=ASK%7B%7D", process, log)
    return server


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., {d}
Charset = UTF-8

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10
KeepAliveTimeout = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
DefaultQuery = ASK {{}}
"""
#: Lets the anonymous SPARQL user write (a test server on loopback only).
VIRTUOSO_GRANTS = (
    "grant SPARQL_UPDATE to \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
)


def start_virtuoso(directory: Path, ports: tuple[int, int] | None = None) -> Server:
    program, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if program is None or isql is None:
        raise ServerMissing("Virtuoso: apt-get install virtuoso-opensource (virtuoso-t, isql-vt)")
    sql, http = ports or (free_port(), free_port())
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=directory, sql=sql, http=http), encoding="utf-8")
    log = directory / "virtuoso.out"
    process = _popen([program, "-f", "-c", str(ini)], directory, log)
    base = f"http://127.0.0.1:{http}"
    server = Server("virtuoso", f"{base}/sparql", f"{base}/sparql", None, "milliseconds",
                    process, directory, (sql, http))  # fmt: skip
    _wait_http(f"{base}/sparql?query=ASK%7B%7D", process, log)
    subprocess.run([isql, str(sql), "dba", "dba", f"exec={VIRTUOSO_GRANTS}"], check=True,
                   capture_output=True, timeout=60)  # fmt: skip
    return server


STARTERS = {"oxigraph": start_oxigraph, "fuseki": start_fuseki, "virtuoso": start_virtuoso}


def start(name: str, directory: Path | None = None) -> Server:
    """Start the server ``name`` in ``directory`` (a new temporary one by default)."""
    folder = directory or Path(tempfile.mkdtemp(prefix=f"amkg-{name}-"))
    return STARTERS[name](folder)


def restart(server: Server) -> Server:
    """Start ``server`` again on the same ports over the same data (after :meth:`stop`)."""
    server.stop()
    if server.name == "virtuoso":
        return start_virtuoso(server.directory, (server.ports[0], server.ports[1]))
    return STARTERS[server.name](server.directory, server.ports[0])


@contextlib.contextmanager
def running(name: str) -> Iterator[Server]:
    directory = Path(tempfile.mkdtemp(prefix=f"amkg-{name}-"))
    server = start(name, directory)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
