"""Benchmark of the graph explorer (/graph) in headless Chromium.

    .venv/bin/python -m benchmarks.bench_explorer   # or: python benchmarks/bench_explorer.py
    .venv/bin/python -m benchmarks.bench_explorer --runs 5 --no-baseline

For each scenario the app is served by waitress on a loopback port and the page is opened in a
fresh browser context (empty cache) ``1 + runs`` times: the first load is *cold* (the server
has not built that view yet: selection, layout and pyvis network are computed in the request),
the others *warm* (the view comes from the server's cache). Measured, from the navigation start
of the page (``performance.now()`` in the page):

- ``settled``: with physics off (the default), the first vis-network ``afterDrawing`` after the
  network got its data: the picture is complete and nothing moves any more. With physics on,
  the ``stabilized`` event (stabilisation capped at 150 rounds).
- ``ttfb``: time to the first byte of the page (the server's share: building the view).
- ``client``: from the page's data being parsed to ``settled`` (vis-network's share).
- ``html``: bytes of the page (its view data is embedded); the vis-network script (469 kB) and
  stylesheet are static files of the app, fetched once and cached by a browser.

The baseline is what pyvis gives for the same nodes and edges with its defaults (no positions,
physics on, 1,000 stabilisation rounds), ``cdn_resources="in_line"`` so nothing is fetched
(its template's Bootstrap links to a CDN are blocked): the time until vis-network's
``stabilized`` event, waited for at most ``--baseline-timeout`` seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/bench_explorer.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from pyvis.network import Network
from waitress.server import create_server

from amkg.graph.kg import KnowledgeGraph
from amkg.webui.app import create_app
from amkg.webui.explorer.routes import _source
from amkg.webui.explorer.source import source_for_kg
from amkg.webui.explorer.synthetic import synthetic_graph
from tests.helpers import CHROMIUM, CHROMIUM_ARGS

VIEWPORT = {"width": 1400, "height": 900}
READY = "html[data-graph-ready]"
#: Targets of the issue, in ms from load.
VERBOSE = False
TARGETS = {"real": 1000.0, "1000": 3000.0}
#: Hooks vis-network in the pyvis page (its `network` is a global made by inline script).
BASELINE_HOOK = """
window.__bench = {};
const poll = setInterval(() => {
  if (!window.network || !window.network.on) { return; }
  clearInterval(poll);
  const b = window.__bench;
  window.network.once('afterDrawing', () => { b.firstDraw = performance.now(); });
  window.network.once('stabilizationIterationsDone', () => {
    b.iterationsDone = performance.now();
  });
  window.network.once('stabilized', () => { b.stabilized = performance.now(); });
}, 2);
"""


@dataclass
class Scenario:
    name: str
    key: str  # app config: "real", or the size of the synthetic graph
    path: str
    cap: int | None = None
    target: float | None = None
    baseline: bool = False


SCENARIOS = [
    Scenario(
        "real graph, whole (default view)", "real", "/graph", target=TARGETS["real"], baseline=True
    ),
    Scenario("real graph, whole, statistics shown", "real", "/graph?hide="),
    Scenario("real graph, layered layout", "real", "/graph?layout=layered"),
    Scenario("real graph, focus kg:spoor-3, 2 steps", "real", "/graph?focus=kg:spoor-3"),
    Scenario("real graph, physics on (150 rounds max)", "real", "/graph?physics=1"),
    Scenario(
        "synthetic 1,000 nodes, cap raised to 1,000",
        "1000",
        "/graph?hide=",
        cap=1000,
        target=TARGETS["1000"],
        baseline=True,
    ),
    Scenario("synthetic 5,000 nodes, default cap (500 drawn)", "5000", "/graph?hide="),
    Scenario(
        "synthetic 5,000 nodes, cap raised to 5,000",
        "5000",
        "/graph?hide=",
        cap=5000,
        baseline=True,
    ),
]


@dataclass
class Result:
    scenario: Scenario
    cold: dict[str, float] = field(default_factory=dict)
    warm: list[dict[str, float]] = field(default_factory=list)
    baseline: dict[str, Any] = field(default_factory=dict)


@contextmanager
def serve(config: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    app = create_app({"TESTING": True, **config})
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", app
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=5)


def measure(browser: Browser, url: str, origin: str) -> dict[str, float]:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        foreign: list[str] = []
        page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(origin) else 0)
        response = page.goto(url, wait_until="commit")
        page.wait_for_selector(READY, state="attached", timeout=120_000)
        data = page.evaluate("""() => { const t = window.amkgTimings;
            const nav = performance.getEntriesByType('navigation')[0];
            return {settled: t.start + t.settled, client: t.settled - t.dataLoaded,
                    ttfb: nav.responseStart - nav.requestStart, script: t.start,
                    dcl: nav.domContentLoadedEventStart, draw: t.firstDraw - t.networkCreated,
                    nodes: amkgNetwork.body.data.nodes.length,
                    edges: amkgNetwork.body.data.edges.length}; }""")
        assert response is not None
        data["html"] = float(len(response.body()))
        assert not foreign, foreign
        if VERBOSE:
            print({k: round(v) for k, v in data.items()}, file=sys.stderr)
        return data  # type: ignore[no-any-return]
    finally:
        context.close()


def baseline(browser: Browser, view: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """pyvis's defaults on the same nodes and edges: in_line assets, physics from scratch."""
    net = Network(height="800px", width="100%", directed=True, cdn_resources="in_line")
    for node in view["nodes"]:
        options = {k: v for k, v in node.items() if k not in {"id", "x", "y", "physics"}}
        net.add_node(node["id"], **options)
    for edge in view["edges"]:
        net.add_edge(edge["from"], edge["to"], title=edge["title"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pyvis.html"
        path.write_text(net.generate_html(), encoding="utf-8")
        context = browser.new_context(viewport=VIEWPORT)
        context.route("http*://**", lambda route: route.abort())  # its CDN links: no network
        try:
            page = context.new_page()
            page.add_init_script(BASELINE_HOOK)
            page.goto(path.as_uri(), wait_until="commit", timeout=timeout_s * 1000)
            with suppress(PlaywrightError):  # did not settle in time
                page.wait_for_function("() => window.__bench.stabilized", timeout=timeout_s * 1000)
            found = page.evaluate("() => window.__bench")
        finally:
            context.close()
        found["html"] = path.stat().st_size
    return found


def apps() -> dict[str, Callable[[], dict[str, Any]]]:
    return {
        "real": dict,
        "1000": lambda: {"GRAPH_EXPLORER_GRAPH": synthetic_graph(1000)},
        "5000": lambda: {"GRAPH_EXPLORER_GRAPH": synthetic_graph(5000)},
    }


def clear_cache(app: Any) -> None:
    """Forget every built view, so the next load is cold (the projection itself stays: it is
    built once per process, see :func:`projection_time`)."""
    with app.test_request_context():
        _source()._views.clear()


def projection_time() -> float:
    """ms to build the explorer's source over the real graph (once per process and graph)."""
    kg = KnowledgeGraph.load()
    start = time.perf_counter()
    source_for_kg(kg)
    return (time.perf_counter() - start) * 1000


def run(runs: int, with_baseline: bool, baseline_timeout: float, only: str | None) -> list[Result]:
    results = []
    makers = apps()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for scenario in SCENARIOS:
            if only and only not in scenario.name:
                continue
            config = makers[scenario.key]()
            if scenario.cap:
                config["GRAPH_NODE_CAP"] = scenario.cap
            with serve(config) as (origin, app):
                result = Result(scenario)
                measure(browser, origin + scenario.path, origin)  # warm up browser and server
                clear_cache(app)
                result.cold = measure(browser, origin + scenario.path, origin)
                result.warm = [
                    measure(browser, origin + scenario.path, origin) for _ in range(runs)
                ]
                if with_baseline and scenario.baseline:
                    view = app.test_client().get("/api/graph" + scenario.path[len("/graph") :])
                    result.baseline = baseline(browser, view.get_json(), baseline_timeout)
            results.append(result)
            print(f"  measured: {scenario.name}", file=sys.stderr, flush=True)
        browser.close()
    return results


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def report(results: list[Result], baseline_timeout: float) -> str:
    lines = [
        "| scenario | nodes / edges drawn | settled, cold | settled, warm (median) | "
        "server (ttfb) cold / warm | client | HTML | vs target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        warm = statistics.median(m["settled"] for m in r.warm) if r.warm else None
        ttfb = statistics.median(m["ttfb"] for m in r.warm) if r.warm else None
        client = statistics.median(m["client"] for m in r.warm) if r.warm else None
        target = "–"
        if r.scenario.target:
            target = (
                f"{r.cold['settled'] / r.scenario.target:.2f}x of "
                f"{r.scenario.target / 1000:g} s (cold)"
            )
        lines.append(
            f"| {r.scenario.name} | {r.cold['nodes']:,.0f} / {r.cold['edges']:,.0f} | "
            f"{_ms(r.cold['settled'])} | {_ms(warm)} | {_ms(r.cold['ttfb'])} / {_ms(ttfb)} | "
            f"{_ms(client)} | {r.cold['html'] / 1024:,.0f} kB | {target} |"
        )
    with_base = [r for r in results if r.baseline]
    if with_base:
        lines += [
            "",
            "| same nodes and edges | pyvis defaults: stabilized | ours: settled (cold) "
            "| speed-up | pyvis HTML (in_line) | our HTML |",
            "|---|---|---|---|---|---|",
        ]
        for r in with_base:
            b = r.baseline
            stable = b.get("stabilized")
            shown = (
                _ms(stable)
                if stable
                else f"> {baseline_timeout:g} s (did not settle; "
                f"1,000 rounds done: {_ms(b.get('iterationsDone'))})"
            )
            bound = stable or baseline_timeout * 1000
            ratio = f"{'≥ ' if not stable else ''}{bound / r.cold['settled']:,.0f}x"
            lines.append(
                f"| {r.scenario.name} | {shown} | {_ms(r.cold['settled'])} | {ratio} | "
                f"{b['html'] / 1024:,.0f} kB | {r.cold['html'] / 1024:,.0f} kB |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="warm loads per scenario (3)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the pyvis baseline")
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=90.0,
        help="seconds to wait for pyvis to settle (90)",
    )
    parser.add_argument("--only", help="run the scenarios whose name contains this")
    args = parser.parse_args(argv)
    results = run(args.runs, not args.no_baseline, args.baseline_timeout, args.only)
    print(report(results, args.baseline_timeout))
    print(
        f"\nBuilding the projection of the real graph (once per process, before the first "
        f"view): {projection_time():,.0f} ms."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
