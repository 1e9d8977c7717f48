"""Login throttling, per account and per client address, kept in the accounts file.

A failed login is recorded twice: under the account name and under the client's address. When
either has :attr:`Limits.per_account` / :attr:`Limits.per_address` failures within the window,
further attempts are refused (429 with ``Retry-After``) until the oldest failure leaves the
window, without checking the password at all. A successful login clears its account's failures
(not its address's). The record lives in SQLite beside the accounts, so it holds across web
processes and restarts. (Flask-Limiter keeps its counters in memory, Redis or Memcached; none
of those is shared by our web processes without a server of its own.)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from amkg.webui.accounts import Accounts


@dataclass(frozen=True)
class Limits:
    per_account: int = 5
    per_address: int = 20
    window: float = 15 * 60.0


def _keys(name: str, address: str) -> tuple[str, str]:
    return f"user:{name.strip().lower()}", f"addr:{address}"


def wait_seconds(accounts: Accounts, name: str, address: str, limits: Limits) -> int:
    """Seconds until a login for ``name`` from ``address`` may be tried again (0: now)."""
    now = time.time()
    since = now - limits.window
    wait = 0.0
    with accounts.connect() as db:
        db.execute("DELETE FROM failures WHERE at < ?", (since,))
        for key, limit in zip(
            _keys(name, address), (limits.per_account, limits.per_address), strict=True
        ):
            rows = db.execute(
                "SELECT at FROM failures WHERE key = ? AND at >= ? ORDER BY at DESC LIMIT ?",
                (key, since, limit),
            ).fetchall()
            if len(rows) >= limit:
                wait = max(wait, rows[-1][0] + limits.window - now)
    return max(0, math.ceil(wait))


def record_failure(accounts: Accounts, name: str, address: str) -> None:
    now = time.time()
    with accounts.connect() as db:
        db.executemany(
            "INSERT INTO failures (key, at) VALUES (?, ?)", [(k, now) for k in _keys(name, address)]
        )


def clear(accounts: Accounts, name: str) -> None:
    """Forget the failures of account ``name`` (after it logged in)."""
    with accounts.connect() as db:
        db.execute("DELETE FROM failures WHERE key = ?", (_keys(name, "")[0],))
