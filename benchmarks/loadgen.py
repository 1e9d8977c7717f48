"""The load generators of :mod:`benchmarks.bench_http`: bounded, 127.0.0.1 only.

Both keep ``connections`` keep-alive connections busy for ``duration`` seconds, each sending
``GET /sparql?query=...`` with ``Accept: application/sparql-results+json``, cycling through the
given query texts from its own offset:

- ``asyncio``: in this process (a thread of its own). On a small machine it competes with the
  servers under test for the CPUs;
- ``wrk``: a separate C process (``wrk -t2``, a Lua script with the requests), if installed.
  Its numbers come from the script's ``done()`` hook: exact p50 and p95 from wrk's histogram,
  non-2xx answers (status >= 400) and socket errors (connect, read, write, timeout).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

HOST = "127.0.0.1"  # the load generators never connect anywhere else
ACCEPT = "application/sparql-results+json"
GENERATORS = ("wrk", "asyncio")


@dataclass
class LoadResult:
    """One load run: completed requests, errors, wall time (s) and latency percentiles (s)."""

    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    p50: float = float("nan")
    p95: float = float("nan")
    latencies: list[float] = field(default_factory=list, repr=False)  # asyncio only

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def set_percentiles(self) -> None:
        """p50 and p95 from ``latencies``."""
        ordered = sorted(self.latencies) or [float("nan")]
        self.p50, self.p95 = (ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]
                              for p in (50, 95))  # fmt: skip


def _request(port: int, text: str) -> bytes:
    return (f"GET /sparql?query={quote(text, safe='')} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"Accept: {ACCEPT}\r\nConnection: keep-alive\r\n\r\n").encode("ascii")  # fmt: skip


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response: its status, and whether the server closes the connection."""
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    return int(lines[0].split(" ", 2)[1]), headers.get("connection", "").lower() == "close"


async def _client(port: int, requests: list[bytes], offset: int, deadline: float,
                  result: LoadResult) -> None:  # fmt: skip
    """One keep-alive connection sending requests in turn until ``deadline``."""
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    i = offset
    while time.perf_counter() < deadline:
        try:
            streams = streams or await asyncio.open_connection(HOST, port)
            start = time.perf_counter()
            streams[1].write(requests[i % len(requests)])
            i += 1
            status, close = await asyncio.wait_for(_read_response(streams[0]), timeout=30)
            if status == 200:
                result.ok += 1
                result.latencies.append(time.perf_counter() - start)
            else:
                result.errors += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):  # TimeoutError is an OSError
            result.errors += 1
            close = True
            await asyncio.sleep(0.01)
        if close and streams is not None:
            streams[1].close()
            streams = None
    if streams is not None:
        streams[1].close()


def load_asyncio(port: int, texts: list[str], connections: int = 8,
                 duration: float = 10.0) -> LoadResult:  # fmt: skip
    """``connections`` keep-alive asyncio clients on 127.0.0.1:``port`` for ``duration`` s."""
    requests = [_request(port, text) for text in texts]
    result = LoadResult()
    step = max(1, len(requests) // connections)

    async def main() -> None:
        deadline = time.perf_counter() + duration
        await asyncio.gather(*(_client(port, requests, n * step, deadline, result)
                               for n in range(connections)))  # fmt: skip

    start = time.perf_counter()
    # A thread of its own: the caller may already run an event loop (Playwright's sync API
    # keeps one in the main thread), and asyncio.run() refuses to nest.
    runner = threading.Thread(target=asyncio.run, args=(main(),), name="bench-http-load")
    runner.start()
    runner.join()
    result.seconds = time.perf_counter() - start
    result.set_percentiles()
    return result


# Each wrk thread cycles through the paths from its own offset; done() prints the summary
# (microseconds) on one line for load_wrk to read.
WRK_SCRIPT = """\
wrk.headers["Accept"] = "%(accept)s"
local paths = {%(paths)s}
local prepared, i, started = {}, 0, 0
function setup(thread)
  thread:set("offset", started * %(step)d)
  started = started + 1
end
function init(args)
  for n, path in ipairs(paths) do prepared[n] = wrk.format("GET", path) end
  i = offset or 0
end
function request()
  i = i %% #prepared + 1
  return prepared[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("amkg-wrk %%.0f %%.0f %%.0f %%.0f %%.0f %%.0f\\n", summary.duration,
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95)))
end
"""


def load_wrk(port: int, texts: list[str], connections: int = 8,
             duration: float = 10.0) -> LoadResult:  # fmt: skip
    """The same load from ``wrk`` (a separate C process, 2 threads), whole seconds (>= 1)."""
    threads = min(2, connections)
    paths = ", ".join(f'"/sparql?query={quote(text, safe="")}"' for text in texts)
    step = max(1, len(texts) // threads)
    with tempfile.TemporaryDirectory(prefix="amkg-wrk-") as tmp:
        script = Path(tmp) / "mix.lua"
        script.write_text(WRK_SCRIPT % {"accept": ACCEPT, "paths": paths, "step": step},
                          encoding="utf-8")  # fmt: skip
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
                   "--latency", "--timeout", "30s", "-s", str(script),
                   f"http://{HOST}:{port}"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=duration + 120)  # fmt: skip
    summary = [line.split()[1:] for line in done.stdout.splitlines()
               if line.startswith("amkg-wrk ")]  # fmt: skip
    if done.returncode or not summary:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    micros, requests, socket_errors, status_errors, p50, p95 = (float(v) for v in summary[0])
    return LoadResult(ok=int(requests - status_errors), errors=int(socket_errors + status_errors),
                      seconds=micros / 1e6, p50=p50 / 1e6, p95=p95 / 1e6)  # fmt: skip


def default_generator() -> str:
    """``wrk`` if it is on the PATH, else ``asyncio``."""
    return "wrk" if shutil.which("wrk") else "asyncio"


def load(port: int, texts: list[str], connections: int = 8, duration: float = 10.0,
         generator: str = "asyncio") -> LoadResult:  # fmt: skip
    """Load 127.0.0.1:``port`` with ``texts`` in turn from ``generator`` (``wrk``/``asyncio``)."""
    run_load = load_wrk if generator == "wrk" else load_asyncio
    return run_load(port, texts, connections, duration)
