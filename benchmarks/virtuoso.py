"""A throwaway OpenLink Virtuoso instance serving the knowledge graph at ``/sparql``.

:class:`Virtuoso` writes its own ``virtuoso.ini`` into a temporary directory (database, logs
and the N-Triples file all live there), starts ``virtuoso-t +foreground`` on two free loopback
ports (HTTP and SQL), loads the triples into the graph :data:`GRAPH` with ``isql`` and makes that
graph the default of ``/sparql`` for every ``Host``, so a plain ``GET /sparql?query=...`` sees
exactly those triples and none of Virtuoso's own system graphs. :meth:`Virtuoso.close` stops
the server and deletes the directory. Used by :mod:`benchmarks.bench_http`.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

HOST = "127.0.0.1"
GRAPH = "urn:amkg"
INSTALL = "apt-get install virtuoso-opensource"
ACCEPT = "application/sparql-results+json"

# Sized for a small graph on a 2-CPU box with memory to spare: about 1.4 GB of 8 KB pages
# (Virtuoso's own recommendation for 2 GB), no automatic checkpoint during the benchmark,
# no query time limit (anytime queries would cut answers short), a cap on result rows far
# above any catalogue answer, no cost-based refusal, and no gzip (nobody asks for it).
INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping        = 0

[Parameters]
ServerPort                 = {host}:{sql_port}
DisableUnixSocket          = 1
ServerThreads              = {server_threads}
CheckpointInterval         = 0
NumberOfBuffers            = 170000
MaxDirtyBuffers            = 130000
ThreadsPerQuery            = 2
DirsAllowed                = ., {dir}

[HTTPServer]
ServerPort           = {host}:{http_port}
ServerRoot           = {dir}
ServerThreads        = {http_threads}
MaxClientConnections = {http_threads}
MaxKeepAlives        = {http_threads}
KeepAliveTimeout     = 10
EnabledDavVSP        = 0
EnabledGzipContent   = 0
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 0
"""


def binaries() -> tuple[str, str] | None:
    """``virtuoso-t`` and its ``isql`` (Debian: ``isql-vt``), or None if either is missing."""
    server = shutil.which("virtuoso-t")
    if server is None:
        return None
    beside = Path(server).with_name("isql")  # an upstream build names it isql
    isql = shutil.which("isql-vt") or (str(beside) if beside.is_file() else None)
    return (server, isql) if isql else None


def free_ports(count: int) -> list[int]:
    """``count`` distinct free TCP ports on the loopback interface."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind((HOST, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class Virtuoso:
    """A Virtuoso server over ``ntriples`` (N-Triples bytes) on a free loopback port."""

    def __init__(self, ntriples: bytes, http_threads: int = 16, timeout: float = 120.0) -> None:
        found = binaries()
        if found is None:
            raise RuntimeError(f"virtuoso-t or isql-vt not found ({INSTALL})")
        server, self.isql = found
        self.dir = Path(tempfile.mkdtemp(prefix="amkg-virtuoso-"))
        self.port, self.sql_port = free_ports(2)
        self.process: subprocess.Popen[bytes] | None = None
        self._http = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy
        try:
            ini = self.dir / "virtuoso.ini"
            settings = INI.format(dir=self.dir, host=HOST, sql_port=self.sql_port,
                                  http_port=self.port, http_threads=http_threads,
                                  server_threads=http_threads + 20)  # fmt: skip
            ini.write_text(settings, encoding="utf-8")
            with (self.dir / "stdout.log").open("wb") as log:
                self.process = subprocess.Popen([server, "+foreground", "+configfile", str(ini)],
                                                cwd=self.dir, stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL)  # fmt: skip
            self._wait(timeout)
            self._load(ntriples)
        except BaseException:
            self.close()
            raise

    def _ready(self) -> bool:
        """Both ports answer: the log says the SQL server is online, and /sparql works."""
        return "Server online at" in self._log() and self.answer_size("ASK {}") == 1

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self._ready():
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited ({self.process and self.process.returncode})"
                                   f": {self.log_tail()}")  # fmt: skip
            if time.monotonic() > deadline:
                raise RuntimeError(f"virtuoso-t did not answer within {timeout:g} s")
            time.sleep(0.2)

    def _load(self, ntriples: bytes) -> None:
        data = self.dir / "amkg.graph.nt"
        data.write_bytes(ntriples)
        # isql takes no parameters: the file is ours (a temporary folder of this run) and GRAPH
        # a constant of this module; neither comes from a user.
        self.sql(f"DB.DBA.TTLP_MT(file_to_string_output('{data}'), '', '{GRAPH}', 0);\n"
                 # the default graph of /sparql, whatever the Host header (a LIKE pattern)
                 f"INSERT INTO DB.DBA.SYS_SPARQL_HOST (SH_HOST, SH_GRAPH_URI) "
                 f"VALUES ('%', '{GRAPH}');\n"
                 "checkpoint;\n")  # fmt: skip
        expected = sum(1 for line in ntriples.splitlines() if line.strip())
        loaded = self.answer_size("SELECT * WHERE { ?s ?p ?o }")
        if loaded != expected:
            raise RuntimeError(f"Virtuoso's /sparql sees {loaded} triples, not {expected}")

    def sql(self, script: str) -> str:
        """Run ``script`` through ``isql`` as dba; raise on any error."""
        path = self.dir / "script.sql"
        path.write_text(script, encoding="utf-8")
        done = subprocess.run([self.isql, f"{HOST}:{self.sql_port}", "dba", "dba", str(path)],
                              capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
        if done.returncode or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")
        return done.stdout

    def answer_size(self, text: str) -> int | str:
        """The number of rows (SELECT) or the truth value (ASK, 0/1) Virtuoso's ``/sparql``
        answers ``text`` with, as the load generators ask; the error message if it fails."""
        url = f"http://{HOST}:{self.port}/sparql?query={quote(text, safe='')}"
        request = urllib.request.Request(url, headers={"Accept": ACCEPT})
        try:
            with self._http.open(request, timeout=120) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            message = error.read().decode("utf-8", "replace").split("SPARQL query:")[0]
            return f"HTTP {error.code}: {' '.join(message.split())}"
        except OSError as error:
            return str(error)
        if "boolean" in answer:
            return int(answer["boolean"])
        return len(answer["results"]["bindings"])

    def _log(self) -> str:
        log = self.dir / "stdout.log"
        return log.read_text("utf-8", "replace") if log.exists() else ""

    def log_tail(self, lines: int = 10) -> str:
        """The last ``lines`` lines Virtuoso printed, on one line."""
        return " | ".join(self._log().splitlines()[-lines:])

    def close(self) -> None:
        """Stop the server (SIGTERM: a quick shutdown) and delete its directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Virtuoso:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
