"""Editors save while readers browse (issue 11): no lost update, no 5xx, reads unaffected.

    .venv/bin/python -m benchmarks.bench_editors [--editors 10] [--shared 3] [--readers 50]
        [--saves 4] [--rounds 3] [--idle 20] [--workers 2] [--think 1.0] [--write-nice 10]
        [--editor-pause 0]

Starts ``amkg serve`` on a free port of 127.0.0.1 (:func:`benchmarks.soak.start`) over a copy of
the data with a store root of its own, makes one account per editor with ``amkg user add
--password-stdin`` (a redacteur of the trajectory's coordinating ministry) and logs each in.
Then it waits until the server has finished starting (its processes together use less than a
tenth of a CPU for a second: the web processes warm their caches, each write process its edit
path), so that no start-up work is counted as idle or as edits.

The readers: ``--readers`` keep-alive clients cycle through pages (matrix, timeline, entity
pages, catalogue queries; HTML and ``.json``), ``--think`` s on each page (``--think 0`` makes
them a saturating load test instead of browsers: then the server is busy all the time and any
added work shows in every read's wait). They read throughout, in windows that alternate:

- ``idle-0``, ``idle-1``, ...: ``--idle`` s of reading with nobody saving;
- ``edits-1``, ``edits-2``, ...: ``--rounds`` rounds between them, in each of which
  ``--editors`` editors save ``--saves`` changes each through the edit form (GET the form,
  POST: the date preview, POST: save with the form's etag as ``If-Match``). ``--shared`` of
  them edit one trajectory together: a save on a stale etag must get 409 and is retried on the
  fresh form; the others each edit their own. Each save moves the trajectory's revised date;
  ``--editor-pause`` s between two saves of one editor (0: as fast as the form allows). The
  round lasts until the editors are done; the next idle window starts once the web processes
  have moved to the last version (:data:`AFTER_SETTLING`).

Why alternate: the CPUs are shared with other programs whose load changes from minute to minute,
and the edited trajectories' pages show their newest changes (more to compute after the edits
than before, whether or not anyone is saving). Idle windows on both sides of every round see the
same machine and the same graph as the round, as far as a run can arrange it.

Then it checks: every accepted save (303) is a change set in ``/wijzigingen.json`` (agent,
reason; all its pages), each trajectory's revised date is its last accepted save's, and on the
shared trajectory every change removed the date the one before it added (nobody saved over a
change they had not seen); no answer was a 5xx or a connection error; the p95 of the reads of
all edit rounds is within 1.5x of the p95 of all idle windows (``p95_ratio``). The report also
gives each round against the idle windows on either side (``p95_ratio_by_round``), the ratio to
the first idle window (before any edit) and to the last, each window's reads and the machine's
load when it began, and each page's p95 (``p95_ms_by_page``: which pages the edits slow, and
which only got more to show). Prints one JSON report; exit 1 if a check fails. With
``SOAK_LOG_LEVEL=info`` the server's access log goes to standard error: each request's
milliseconds and the CPU milliseconds of the thread that answered it (the rest is waiting).
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import machine
from benchmarks.browsers import FORM, PASSWORD, TOO_SLOW, Editor, Reader, Session, login
from benchmarks.soak import REPO, process_tree, sparql_path, start

KG = "https://w3id.org/amkg/id/"
COORDINATED = """PREFIX amkg: <https://w3id.org/amkg/def#>
SELECT ?t (SAMPLE(?m) AS ?ministry) WHERE {
  ?t a amkg:Trajectory ; amkg:coordinatedBy ?m .
  FILTER NOT EXISTS { ?t amkg:trajectoryStatus amkg:statusAfgerond }
  FILTER NOT EXISTS { ?t amkg:trajectoryStatus amkg:statusGeschrapt }
} GROUP BY ?t HAVING (COUNT(DISTINCT ?m) = 1) ORDER BY ?t"""
#: Seconds after a round's last save before the next idle window: a web process moves to a new
#: version at most once a second (``webui/asof.py``: ``MOVE_SECONDS``).
AFTER_SETTLING = 3.0


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def _json(port: int, path: str) -> Any:
    session = Session(port, "setup")
    status, text, _s = session.request("GET", path, accept="application/json")
    session.close()
    if status != 200:
        raise RuntimeError(f"{path}: {status}")
    return json.loads(text)


def _pages(port: int) -> list[str]:
    names = [q["name"] for q in _json(port, "/api/queries")["queries"] if not q["params"]][:6]
    entities = ["traject-kamerbrief-arbeidsmarktkrapte", "traject-rapportage-commissie-roemer",
                "szw", "spoor-2", "domein-1"]  # fmt: skip
    pages = ["/matrix", "/matrix.json", "/tijdlijn", "/tijdlijn.json", "/queries"]
    pages += [f"/id/{e}" for e in entities] + [f"/id/{e}.json" for e in entities]
    return pages + [f"/api/queries/{n}" for n in names]


def _users(root: Path, names: dict[str, str]) -> None:
    env = {**os.environ, "AMKG_STORE": str(root)}  # the accounts file beside the stores
    for name, ministry in names.items():
        subprocess.run(
            [sys.executable, "-m", "amkg.cli", "user", "add", name, "--role", "redacteur",
             "--ministerie", ministry, "--password-stdin"],
            input=PASSWORD + "\n", text=True, check=True, env=env, cwd=REPO,
            capture_output=True,
        )  # fmt: skip


def _trajectories(port: int) -> list[tuple[str, str]]:
    answer = _json(port, sparql_path(COORDINATED))
    rows = answer["results"]["bindings"]
    return [(r["t"]["value"][len(KG) :], r["ministry"]["value"]) for r in rows]


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    data = work / "data"
    shutil.copytree(REPO / "graph" / "data", data)
    root = work / "store"
    before = os.environ.get("AMKG_STORE")
    os.environ["AMKG_STORE"] = str(root)  # serve and `amkg user add` share the accounts file
    try:
        nice = None if args.write_nice == "none" else int(args.write_nice)
        server = start(data_dir=data, workers=args.workers, query_timeout=30.0, queue_wait=60.0,
                       settings={"WRITE_PROCESS_NICE": nice})  # fmt: skip
    finally:
        if before is None:
            del os.environ["AMKG_STORE"]
        else:
            os.environ["AMKG_STORE"] = before
    editors: list[Editor] = []
    try:
        port = server.port
        own = args.editors - args.shared
        found = _trajectories(port)
        if len(found) < own + 1:
            raise RuntimeError(f"only {len(found)} editable trajectories")
        shared_local, shared_ministry = found[0]
        plan = [(f"gedeeld{i}", shared_local, shared_ministry) for i in range(args.shared)]
        plan += [(f"eigen{i}", local, m) for i, (local, m) in enumerate(found[1 : own + 1])]
        _users(root, {name: ministry for name, _local, ministry in plan})
        for index, (name, local, _m) in enumerate(plan):
            session, csrf = login(port, name, local)
            first = datetime.date(2031, 1, 1) + datetime.timedelta(days=100 * index)
            editor = Editor(name, local, session, csrf, args.saves, first)
            editor.pause = getattr(args, "editor_pause", 0.0)
            editors.append(editor)
        settled = _settle(server.process.pid)
        pages = _pages(port)
        readers = [Reader(i, port, pages, think=args.think) for i in range(args.readers)]
        threads = [threading.Thread(target=r.run, daemon=True) for r in readers]
        _phase(readers, "warm-up")
        for thread in threads:
            thread.start()
        time.sleep(min(10.0, args.idle / 2))
        windows = Windows(readers, server.process.pid)
        edit_seconds = 0.0
        for number in range(args.rounds + 1):
            windows.idle(f"idle-{number}", args.idle)
            if number == args.rounds:
                break
            windows.open(f"edits-{number + 1}")
            writers = [threading.Thread(target=e.run) for e in editors]
            for writer in writers:
                writer.start()
            for writer in writers:
                writer.join()
            edit_seconds += windows.close()
            _phase(readers, "settling")  # until every web process has moved to the last version
            time.sleep(AFTER_SETTLING)
        for reader in readers:
            reader.stop.set()
        for thread in threads:
            thread.join(TOO_SLOW + 5)
        report = {"write_process_nice": nice, "editor_pause_s": getattr(args, "editor_pause", 0.0),
                  **_report(port, editors, readers, windows.found, edit_seconds)}  # fmt: skip
        report["server_settled_before_reading_s"] = settled
        return report
    finally:
        for editor in editors:
            editor.session.close()
        server.stop()


def _tree_cpu_by_nice(pid: int) -> tuple[float, float]:
    """CPU seconds so far of ``pid`` and its descendants (``/proc``; those that ended are not
    counted): those with nice value 0 and those with a higher one (the write processes)."""
    ticks = os.sysconf("SC_CLK_TCK")
    plain = niced = 0.0
    for current in process_tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / ticks
        if int(fields[16]) > 0:
            niced += seconds
        else:
            plain += seconds
    return plain, niced


def _tree_cpu(pid: int) -> float:
    """CPU seconds so far of ``pid`` and its descendants."""
    return sum(_tree_cpu_by_nice(pid))


def _settle(pid: int, quiet: float = 0.1, longest: float = 90.0) -> float:
    """Wait until the server (``pid`` and its processes) has finished starting: less than
    ``quiet`` of a CPU in a second (the web processes warm their caches, each write process
    its edit path). Measuring before that would count start-up work as idle or as edits.
    Returns the seconds waited."""
    started = time.monotonic()
    before = _tree_cpu(pid)
    while time.monotonic() - started < longest:
        time.sleep(1.0)
        now = _tree_cpu(pid)
        if now - before < quiet:
            break
        before = now
    return round(time.monotonic() - started, 1)


def _phase(readers: list[Reader], name: str) -> None:
    for reader in readers:
        reader.phase = name


class Windows:
    """The windows the readers' reads are counted in, each with its length, the machine's load
    when it began and the CPU seconds per second each part used in it: the web processes, the
    write processes (a nice value above 0) and this benchmark's own clients."""

    def __init__(self, readers: list[Reader], server_pid: int) -> None:
        self.readers, self.server_pid = readers, server_pid
        self.found: list[dict[str, Any]] = []
        self._started = 0.0
        self._cpu: dict[str, float] = {}

    def open(self, name: str) -> None:
        """From now on the readers' reads count as the window ``name``."""
        _phase(self.readers, name)
        self.found.append({"phase": name, "load_1min_at_start": os.getloadavg()[0]})
        self._started, self._cpu = time.monotonic(), self._cpu_now()

    def close(self) -> float:
        """The window opened last ends now; returns its seconds."""
        seconds = time.monotonic() - self._started
        now = self._cpu_now()
        self.found[-1]["seconds"] = round(seconds, 1)
        self.found[-1]["cpus_used"] = {k: round((now[k] - self._cpu[k]) / seconds, 2) for k in now}
        return seconds

    def idle(self, name: str, seconds: float) -> None:
        """Readers alone for ``seconds``, their reads counted as the window ``name``."""
        self.open(name)
        time.sleep(seconds)
        self.close()

    def _cpu_now(self) -> dict[str, float]:
        web, write = _tree_cpu_by_nice(self.server_pid)
        return {"web": web, "write": write, "bench_clients": time.process_time()}


def _kind(phase: str) -> str:
    """``idle`` or ``edits`` for a window's name (``idle-0``, ``edits-1``, ...), else itself."""
    return phase.split("-", 1)[0] if phase.startswith(("idle-", "edits-")) else phase


def _summary(seconds: list[float]) -> dict[str, int]:
    return {"n": len(seconds), "median_ms": round(statistics.median(seconds) * 1000),
            "p95_ms": round(_p95(seconds) * 1000)}  # fmt: skip


#: The columns of ``p95_ms_by_page``: the idle windows and the edit rounds pooled, then the
#: first idle window (before any edit) and the last (after all of them).
PAGE_COLUMNS = ("idle", "edits", "idle_before", "idle_after")


def _by_page(readers: list[Reader], first: str, last: str) -> dict[str, list[int]]:
    """Per page: the p95 in ms idle and during the edits (pooled), before the edits and after
    them (which pages the edits slow, and which only got more to show)."""
    found: dict[tuple[str, str], list[float]] = {}
    for reader in readers:
        for (phase, path), seconds in reader.by_page.items():
            found.setdefault((_kind(phase), path), []).extend(seconds)
            if phase in (first, last):
                column = "idle_before" if phase == first else "idle_after"
                found.setdefault((column, path), []).extend(seconds)
    paths = sorted({path for _column, path in found})
    return {
        path: [round(1000 * _p95(found[(column, path)])) if (column, path) in found else -1
               for column in PAGE_COLUMNS]
        for path in paths
    }  # fmt: skip


def _all_changes(port: int) -> list[dict[str, Any]]:
    """Every change set ``/wijzigingen.json`` lists, following its ``next`` links."""
    found: list[dict[str, Any]] = []
    path: str | None = "/wijzigingen.json"
    while path:
        page = _json(port, path)
        found += page["changes"]
        path = page.get("next")
    return found


def _report(port: int, editors: list[Editor], readers: list[Reader],
            windows: list[dict[str, Any]], edit_seconds: float) -> dict[str, Any]:  # fmt: skip
    by_reason = {c["reason"]: c for c in _all_changes(port)}
    accepted = [(e, a) for e in editors for a in e.accepted]
    missing = [a["reason"] for e, a in accepted if a["reason"] not in by_reason
               or by_reason[a["reason"]]["agent"] != e.name]  # fmt: skip
    wrong_state = []
    for local in sorted({e.local for e in editors}):
        mine = [by_reason[a["reason"]] for e, a in accepted
                if e.local == local and a["reason"] in by_reason]  # fmt: skip
        last = max(mine, key=lambda c: c["sequence"]) if mine else None
        reader = next(e for e in editors if e.local == local).session  # the form needs a login
        _status, text, _s = reader.request("GET", f"{FORM}{local}.json", accept="application/json")
        revised = json.loads(text)["values"]["revised"]
        expected = next(
            (a["day"] for e, a in accepted if last and a["reason"] == last["reason"]), ""
        )
        if revised != expected:
            wrong_state.append({"trajectory": local, "revised": revised, "expected": expected})
    chain_breaks = []
    shared = [e for e in editors if e.name.startswith("gedeeld")]
    if shared:
        saves = sorted((by_reason[a["reason"]]["sequence"], a) for e in shared
                       for a in e.accepted if a["reason"] in by_reason)  # fmt: skip
        for (_s0, earlier), (seq, later) in itertools.pairwise(saves):
            if later["before"] != earlier["day"]:
                chain_breaks.append({"sequence": seq, "saw": later["before"],
                                     "previous": earlier["day"]})  # fmt: skip
    reads: dict[str, list[float]] = {}
    for reader in readers:
        for phase, seconds in reader.times.items():
            reads.setdefault(phase, []).extend(seconds)
    for window in windows:
        if reads.get(window["phase"]):
            window.update(_summary(reads[window["phase"]]))
    idle_windows = [w["phase"] for w in windows if _kind(w["phase"]) == "idle"]
    idle = [t for name in idle_windows for t in reads.get(name, [])]
    during = [t for w in windows if _kind(w["phase"]) == "edits" for t in reads.get(w["phase"], [])]
    p95_idle, p95_edits = _p95(idle), _p95(during)
    by_round = []
    for number, window in enumerate(w for w in windows if _kind(w["phase"]) == "edits"):
        around = reads[idle_windows[number]] + reads[idle_windows[number + 1]]
        by_round.append(round(_p95(reads[window["phase"]]) / _p95(around), 2))
    bad = [b for r in readers for found in r.bad.values() for b in found]
    editor_5xx = [s for e in editors for s in e.statuses if s == 0 or s >= 500]
    report = {
        "editors": len(editors),
        "saves_accepted": len(accepted),
        "conflicts_409": sum(e.conflicts for e in editors),
        "editor_failures": [f for e in editors for f in e.failures],
        "edit_phase_s": round(edit_seconds, 1),
        "saves_per_s": round(len(accepted) / edit_seconds, 2),
        "lost_updates": {
            "missing_from_history": missing,
            "wrong_final_state": wrong_state,
            "chain_breaks": chain_breaks,
        },
        "reads": {
            "idle": _summary(idle),
            "during_edits": _summary(during),
            "p95_ratio": round(p95_edits / p95_idle, 2),
            "p95_ratio_by_round": by_round,
            "p95_ratio_to_idle_before": round(p95_edits / _p95(reads[idle_windows[0]]), 2),
            "p95_ratio_to_idle_after": round(p95_edits / _p95(reads[idle_windows[-1]]), 2),
            "windows": windows,
            "p95_ms_by_page_columns": list(PAGE_COLUMNS),
            "p95_ms_by_page": _by_page(readers, idle_windows[0], idle_windows[-1]),
        },
        "errors_5xx_or_connection": {
            "readers": bad[:20],
            "readers_n": len(bad),
            "reader_gets_retried_on_a_new_connection": sum(r.retried for r in readers),
            "editors_n": len(editor_5xx),
        },
    }
    report["checks"] = {
        "no_lost_update": not missing
        and not wrong_state
        and not chain_breaks
        and not report["editor_failures"],
        "no_5xx": not bad and not editor_5xx,
        "reads_unaffected": p95_edits <= 1.5 * p95_idle,
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--shared", type=int, default=3)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--saves", type=int, default=4)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="edit rounds, each between two idle windows (each editor saves --saves a round)",
    )
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of each idle window")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--editor-pause",
        type=float,
        default=0.0,
        help="seconds an editor waits between two saves (0: saves as fast as the form allows)",
    )
    parser.add_argument(
        "--write-nice",
        default="10",
        help="WRITE_PROCESS_NICE of the server: 0 to 19, or 'none' (writes in the web process)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds a reader spends on a page before the next (0: none)",
    )
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory(prefix="amkg-bench-editors-") as directory:
        report = run(args, Path(directory))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if all(report["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
