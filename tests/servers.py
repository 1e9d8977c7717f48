"""Real SPARQL servers on loopback for the tests (and the benchmark): Oxigraph server, Apache
Jena and Virtuoso, each started on free ports in a temporary directory and stopped afterwards.

Where a server's program is missing, :func:`start` raises :class:`ServerMissing` naming what to
install; the fixtures skip with that message, except in CI (``CI`` set), where a missing server
is a failure. ``.ci/run`` installs all three.

- Oxigraph server: the ``oxigraph`` command of the PyPI package ``oxigraph`` (a test extra).
- Jena: Apache Jena Fuseki 5.6.0 itself where its jar is here (``$FUSEKI_JAR``, else the local
  Maven repository: ``mvn dependency:get -Dartifact=org.apache.jena:jena-fuseki-main:5.6.0``,
  which needs Maven Central). Otherwise Jena ARQ 4.5.0 from Debian (``libapache-jena-java``, in
  ``/usr/share/java`` or ``$JENA_JARS``) behind a minimal protocol server of ours,
  ``tests/servers/ArqServer.java`` (SPARQL 1.1 Protocol and Graph Store Protocol over a TDB2
  dataset), compiled here with ``javac``: Jena's query engine evaluates every query for real,
  but it is not Fuseki. :attr:`Server.label` says which one ran.
- Virtuoso: ``virtuoso-t`` and ``isql-vt`` of Debian's ``virtuoso-opensource``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

SERVERS = ("oxigraph", "jena", "virtuoso")
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
    #: What exactly runs, e.g. "Jena ARQ 4.5.0 (Debian) behind tests/servers/ArqServer.java".
    label: str = ""

    def settings(self) -> dict[str, Any]:
        """The app settings that point at this server."""
        return {
            "STORE_URL": self.url,
            "STORE_UPDATE_URL": self.update_url,
            "STORE_GSP_URL": self.gsp_url,
            "STORE_SERVER_TIMEOUT": self.server_timeout,
        }

    def config(self, **more: Any) -> Any:
        from amkg.graph.remote_config import RemoteConfig

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
                    process, directory, (port,), f"Oxigraph server {ox.__version__}")  # fmt: skip
    _wait_http(f"{base}/query?query=ASK%7B%7D", process, log)
    return server


def fuseki_jar() -> Path | None:
    """Fuseki 5.6.0's jar, if it is here."""
    from_env = os.environ.get("FUSEKI_JAR")
    candidates = [Path(from_env)] if from_env else []
    m2 = Path.home() / ".m2" / "repository" / "org" / "apache" / "jena" / "jena-fuseki-main"
    candidates.append(m2 / FUSEKI_VERSION / f"jena-fuseki-main-{FUSEKI_VERSION}.jar")
    return next((c for c in candidates if c.is_file()), None)


def start_fuseki(jar: Path, directory: Path, port: int) -> Server:
    log = directory / "fuseki.log"
    args = ["java", "-Xmx1g", "-jar", str(jar), "--localhost", "--port", str(port), "--update",
            "--loc", str(directory / "tdb2"), "--tdb2", "/ds"]  # fmt: skip
    process = _popen(args, directory, log)
    base = f"http://127.0.0.1:{port}/ds"
    label = f"Apache Jena Fuseki {FUSEKI_VERSION}"
    server = Server("jena", f"{base}/query", f"{base}/update", f"{base}/data", "seconds",
                    process, directory, (port,), label)  # fmt: skip
    _wait_http(f"{base}/query?query=ASK%7B%7D", process, log)
    return server


ARQ_SOURCE = Path(__file__).with_name("servers") / "ArqServer.java"
#: The jars of Debian's libapache-jena-java and what they need (its Depends), by file name.
JENA_JARS = [
    *("jena-arq", "jena-base", "jena-core", "jena-dboe-base", "jena-dboe-index"),
    *("jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction", "jena-iri"),
    *("jena-tdb2", "commons-cli", "commons-codec", "commons-compress", "commons-csv"),
    *("commons-io", "commons-lang3", "dexx.collection", "gson", "guava", "httpclient"),
    *("httpcore", "jackson-annotations", "jackson-core", "jackson-databind"),
    *("jakarta.json-api", "jsonld-java", "protobuf", "slf4j-api", "slf4j-nop", "thrift"),
    "titanium-json-ld",
]
_arq_build: dict[str, str] = {}


def jena_version(folder: Path) -> str:
    found = sorted(folder.glob("jena-arq-*.jar"))
    return found[-1].stem.removeprefix("jena-arq-") if found else "?"


def arq_classpath() -> str:
    """The class path of the ARQ server, compiled once per process from
    ``tests/servers/ArqServer.java`` into a temporary directory that is removed when the
    process exits (the servers it started are stopped before that)."""
    if "classpath" in _arq_build:
        return _arq_build["classpath"]
    folder = Path(os.environ.get("JENA_JARS", "/usr/share/java"))
    jars = [folder / f"{name}.jar" for name in JENA_JARS]
    missing = [j.name for j in jars if not j.is_file()]
    if shutil.which("javac") is None or shutil.which("java") is None or missing:
        raise ServerMissing(
            "Jena: neither Fuseki's jar ($FUSEKI_JAR, or mvn dependency:get -Dartifact="
            f"org.apache.jena:jena-fuseki-main:{FUSEKI_VERSION}) nor Debian's Jena ARQ "
            "(apt-get install libapache-jena-java, and a JDK for javac)"
            + (f"; missing {', '.join(missing[:4])}" if missing else "")
        )
    build = Path(tempfile.mkdtemp(prefix="amkg-arqserver-"))
    atexit.register(shutil.rmtree, build, True)
    classes, resources = build / "classes", build / "resources"
    classpath = os.pathsep.join([str(classes), str(resources), *map(str, jars)])
    subprocess.run(["javac", "-nowarn", "-d", str(classes), "-cp", classpath, str(ARQ_SOURCE)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    # Debian's jena-core moved Jena's copy of Xerces to the package "xerces" but left its
    # message files under org/apache/jena/ext/xerces: without them Jena cannot even start
    # (XSDDatatype: "internal error"). Put them where the classes look.
    with zipfile.ZipFile(folder / "jena-core.jar") as jar:
        prefix = "org/apache/jena/ext/xerces/"
        for name in jar.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                target = resources / "xerces" / name[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    _arq_build["classpath"] = classpath
    _arq_build["version"] = jena_version(folder)
    return classpath


def start_arq(directory: Path, port: int) -> Server:
    classpath = arq_classpath()
    log = directory / "arqserver.log"
    # Without TCP_NODELAY the JDK server waits for the delayed ACK of its last segment (40 ms
    # on Linux) on some answers: that is no part of Jena's time.
    args = ["java", "-Xmx1g", "-Dsun.net.httpserver.nodelay=true", "-cp", classpath, "ArqServer",
            str(port), str(directory / "tdb2")]  # fmt: skip
    process = _popen(args, directory, log)
    base = f"http://127.0.0.1:{port}/ds"
    label = (f"Jena ARQ {_arq_build['version']} (Debian) behind a minimal protocol server "
             "(tests/servers/ArqServer.java), not Fuseki")  # fmt: skip
    server = Server("jena", f"{base}/query", f"{base}/update", f"{base}/data", "seconds",
                    process, directory, (port,), label)  # fmt: skip
    _wait_http(f"{base}/query?query=ASK%7B%7D", process, log)
    return server


def start_jena(directory: Path, port: int | None = None) -> Server:
    """Fuseki 5.6.0 where its jar is here, else Debian's Jena ARQ behind our protocol server."""
    port = port or free_port()
    jar = fuseki_jar()
    if jar is not None:
        if shutil.which("java") is None:
            raise ServerMissing("Fuseki: no java (Java 17 is needed)")
        return start_fuseki(jar, directory, port)
    return start_arq(directory, port)


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
    # Writes go through Virtuoso's Graph Store endpoint: SPARQL Update refuses an xsd:duration
    # in INSERT DATA and, in a template, mixes up the datatypes of a batch's literals.
    server = Server("virtuoso", f"{base}/sparql", f"{base}/sparql", f"{base}/sparql-graph-crud",
                    "milliseconds",
                    process, directory, (sql, http), "Virtuoso " + virtuoso_version())  # fmt: skip
    _wait_http(f"{base}/sparql?query=ASK%7B%7D", process, log)
    subprocess.run([isql, str(sql), "dba", "dba", f"exec={VIRTUOSO_GRANTS}"], check=True,
                   capture_output=True, timeout=60)  # fmt: skip
    return server


def virtuoso_version() -> str:
    out = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True, timeout=30)
    found = re.search(r"Version (\S+)", out.stdout + out.stderr)
    return found.group(1) if found else "?"


STARTERS = {"oxigraph": start_oxigraph, "jena": start_jena, "virtuoso": start_virtuoso}


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
