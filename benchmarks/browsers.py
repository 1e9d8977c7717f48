"""The people :mod:`benchmarks.bench_editors` simulates: a logged-in browser
(:class:`Session`: one keep-alive connection and its cookies), an :class:`Editor` who moves a
trajectory's revised date through the edit form as a person does (the form, the date preview,
the save with the form's etag; again on a fresh form after a 409), and a :class:`Reader` who goes
through the pages, a while on each, recording how long each answer took."""

from __future__ import annotations

import datetime
import http.client
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from benchmarks.soak import HOST

PASSWORD = "benchmark-wachtwoord-1"
FORM = "/bewerken/traject/"
TOO_SLOW = 60.0


class Session:
    """One logged-in browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int, client: str) -> None:
        self.port, self.client = port, client
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=TOO_SLOW)
        self.retried = 0  # GETs that failed on their connection and were sent again

    def reconnect(self) -> None:
        """A new connection (the server closes keep-alive connections left idle)."""
        self.conn.close()
        self.conn = http.client.HTTPConnection(HOST, self.port, timeout=TOO_SLOW)

    def request(self, method: str, path: str, form: dict[str, Any] | None = None,
                accept: str = "text/html") -> tuple[int, str, float]:  # fmt: skip
        headers = {"X-Client": self.client, "Accept": accept}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (OSError, http.client.HTTPException):
                self.reconnect()
                self.retried += attempt == 1
                if method != "GET" or attempt == 2:  # a GET is tried again on a new connection
                    return 0, "", time.monotonic() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, text, time.monotonic() - started

    def close(self) -> None:
        self.conn.close()


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    if found is None:
        raise RuntimeError(f"no {name} in the page")
    return found.group(1)


def login(port: int, name: str, local: str) -> tuple[Session, str]:
    """A session logged in as ``name`` and the CSRF token of its edit form of ``local``."""
    session = Session(port, f"editor-{name}")
    _status, page, _s = session.request("GET", "/inloggen")
    form = {"name": name, "password": PASSWORD, "csrf_token": _hidden(page, "csrf_token")}
    status, _page, _s = session.request("POST", "/inloggen", form)
    if status != 303:
        raise RuntimeError(f"login of {name}: {status}")
    status, page, _s = session.request("GET", FORM + local)
    if status != 200:
        raise RuntimeError(f"the form of {local} for {name}: {status}")
    return session, _hidden(page, "csrf_token")


@dataclass
class Editor:
    name: str
    local: str  # the trajectory's local name
    session: Session
    csrf: str
    saves: int
    first_day: datetime.date
    accepted: list[dict[str, str]] = field(default_factory=list)
    conflicts: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    pause: float = 0.0  # seconds between two saves
    done: int = 0  # saves tried in the rounds before

    def save_once(self, n: int) -> None:
        """One change of the revised date; retried on a fresh form after a 409."""
        day = (self.first_day + datetime.timedelta(days=n)).isoformat()
        reason = f"bench {self.name} {n}"
        self.session.reconnect()  # an editor pauses between saves; a reader never does
        for _attempt in range(20):
            status, text, _s = self.session.request(
                "GET", FORM + self.local + ".json", accept="application/json"
            )
            self.statuses.append(status)
            if status != 200:
                self.failures.append(f"form {status}")
                return
            shown = json.loads(text)
            values = {k: v for k, v in shown["values"].items() if k != "planning_end"}
            before = values.get("revised", "")
            form = {**values, "revised": day, "status": "vertraagd", "etag": shown["etag"],
                    "csrf_token": self.csrf, "previewed": "", "reason": reason,
                    "source_title": "Benchmark", "source_date": "2023-04-01",
                    "action": "save"}  # fmt: skip
            status, page, _s = self.session.request("POST", FORM + self.local, form)
            self.statuses.append(status)
            if status == 200:  # the date preview comes first
                form["previewed"] = _hidden(page, "previewed")
                status, page, _s = self.session.request("POST", FORM + self.local, form)
                self.statuses.append(status)
            if status == 303:
                self.accepted.append({"day": day, "before": before, "reason": reason})
                return
            if status == 409:
                self.conflicts += 1
                continue
            self.failures.append(f"save {status}")
            return
        self.failures.append("20 conflicts in a row")

    def run(self) -> None:
        """One round: ``saves`` saves (a new day and reason each, counting on from the rounds
        before)."""
        for n in range(self.done, self.done + self.saves):
            if n > self.done and self.pause:
                time.sleep(self.pause)  # reading the page, thinking about the next change
            self.save_once(n)
        self.done += self.saves


@dataclass
class Reader:
    index: int
    port: int
    paths: list[str]
    phase: str = "idle"
    times: dict[str, list[float]] = field(default_factory=dict)
    by_page: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    bad: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    retried: int = 0
    think: float = 0.0

    def run(self) -> None:
        session = Session(self.port, f"reader-{self.index}")
        n = self.index
        while not self.stop.is_set():
            path = self.paths[n % len(self.paths)]
            n += 1
            accept = "application/json" if ".json" in path or "/api/" in path else "text/html"
            status, _text, seconds = session.request("GET", path, accept=accept)
            phase = self.phase
            self.times.setdefault(phase, []).append(seconds)
            self.by_page.setdefault((phase, path), []).append(seconds)
            if status == 0 or status >= 500:
                self.bad.setdefault(phase, []).append((path, status))
            self.stop.wait(self.think)  # a person reads the page
        self.retried = session.retried
        session.close()
