"""Accounts of the people who may change the graph: users, roles, API tokens, sessions.

Accounts are not graph data: they live in one SQLite file (WAL mode, the schema made on first
use), by default beside the stores (``<store root>/accounts.sqlite3``), elsewhere with the
setting ``ACCOUNTS_PATH`` or ``$AMKG_ACCOUNTS``. Every web process and the command line open the
same file, so a user added with ``amkg user add`` can log in at once, a revoked token stops
working at once, and login throttling (:mod:`amkg.webui.throttle`) holds across web processes.

* Passwords: argon2id (``argon2-cffi``'s ``PasswordHasher``, its RFC 9106 low-memory profile:
  64 MiB, 3 passes, 4 lanes); only the encoded hash is stored. Checking an unknown name costs
  the same as checking a known one (a dummy hash is verified).
* Tokens (``Authorization: Bearer ...``) and session ids are 32 random bytes, shown once and
  stored as their SHA-256 only: they carry their own entropy, so a fast hash is enough, and a
  request does not pay an argon2 run.
* Roles: ``redacteur`` (an editor: changes the trajectories of their own ministry) and
  ``beheerder`` (an administrator: everything). A redacteur always has a ministry (its IRI).

Importing this module does not import Flask: the command line uses it too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ACCOUNTS_ENV = "AMKG_ACCOUNTS"
FILE_NAME = "accounts.sqlite3"
EDITOR, ADMIN = "redacteur", "beheerder"
ROLES = (EDITOR, ADMIN)
#: A user name: letters, digits and ``. _ @ -``, at most 64 characters.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
TOKEN_PREFIX = "amkg_"
#: How long a login session lasts, in seconds (8 hours).
SESSION_SECONDS = 8 * 3600

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('redacteur', 'beheerder')),
    ministry TEXT,
    password_hash TEXT NOT NULL,
    created REAL NOT NULL,
    CHECK (role = 'beheerder' OR ministry IS NOT NULL)
);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    hash TEXT NOT NULL UNIQUE,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS failures_key ON failures (key, at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
_DUMMY_HASH = _hasher.hash("no such user: a hash to verify against, so timing tells nothing")


class AccountError(ValueError):
    """A refused account operation; ``key`` names its UI string (``webui/i18n/*.auth.json``)."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class User:
    """An account: its name, role and (for a redacteur) ministry IRI."""

    name: str
    role: str
    ministry: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


@dataclass(frozen=True)
class TokenInfo:
    id: str
    user: str
    created: float


def default_path(store_root: Path | None = None) -> Path:
    """``$AMKG_ACCOUNTS``, else ``accounts.sqlite3`` in the store root (``$AMKG_STORE``, else
    the user's data directory)."""
    from_env = os.environ.get(ACCOUNTS_ENV)
    if from_env:
        return Path(from_env)
    if store_root is None:
        from amkg.graph.build import default_root

        store_root = default_root()
    return Path(store_root) / FILE_NAME


def digest(secret: str) -> str:
    """The stored form of a token or a session id."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_password(password: str) -> None:
    """Refuse a password that is empty, too short or too long."""
    if not password:
        raise AccountError("auth.err.password_empty")
    if len(password) < MIN_PASSWORD:
        raise AccountError("auth.err.password_short", n=str(MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise AccountError("auth.err.password_long", n=str(MAX_PASSWORD))


class Accounts:
    """The accounts file at ``path`` (made, with its schema, on first use)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._ready = False

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction (committed on success, rolled back on error)."""
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA busy_timeout = 10000")
            if not self._ready:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.executescript(SCHEMA)
                with contextlib.suppress(OSError):
                    os.chmod(self.path, 0o600)
                self._ready = True
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()

    # --- users ----------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str, ministry: str | None = None) -> User:
        """Add a user; :class:`AccountError` for a bad name, role, password or a taken name."""
        if not NAME_PATTERN.match(name):
            raise AccountError("auth.err.bad_name", name=name)
        if role not in ROLES:
            raise AccountError("auth.err.bad_role", role=role)
        if role == EDITOR and not ministry:
            raise AccountError("auth.err.editor_needs_ministry")
        check_password(password)
        encoded = _hasher.hash(password)
        with self.connect() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AccountError("auth.err.name_taken", name=name)
            db.execute(
                "INSERT INTO users (name, role, ministry, password_hash, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, role, ministry, encoded, time.time()),
            )
        return User(name, role, ministry)

    def remove_user(self, name: str) -> None:
        """Remove a user with their tokens and sessions."""
        with self.connect() as db:
            if db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise AccountError("auth.err.no_user", name=name)

    def users(self) -> list[User]:
        with self.connect() as db:
            rows = db.execute("SELECT name, role, ministry FROM users ORDER BY name").fetchall()
        return [User(*row) for row in rows]

    def user(self, name: str) -> User | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT name, role, ministry FROM users WHERE name = ?", (name,)
            ).fetchone()
        return User(*row) if row else None

    def verify(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else ``None`` (as slow for an unknown name)."""
        with self.connect() as db:
            row = db.execute(
                "SELECT name, role, ministry, password_hash FROM users WHERE name = ?", (name,)
            ).fetchone()
        encoded = row[3] if row else _DUMMY_HASH
        try:
            _hasher.verify(encoded, password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(encoded):
            with self.connect() as db:
                db.execute(
                    "UPDATE users SET password_hash = ? WHERE name = ?",
                    (_hasher.hash(password), name),
                )
        return User(row[0], row[1], row[2])

    # --- tokens ---------------------------------------------------------------------------

    def create_token(self, name: str) -> tuple[str, str]:
        """A new token of user ``name``: ``(id, token)``. The token is returned once and only
        its hash is kept."""
        token_id = secrets.token_hex(4)
        token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        with self.connect() as db:
            if not db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AccountError("auth.err.no_user", name=name)
            db.execute(
                "INSERT INTO tokens (id, user, hash, created) VALUES (?, ?, ?, ?)",
                (token_id, name, digest(token), time.time()),
            )
        return token_id, token

    def revoke(self, id_or_name: str) -> int:
        """Revoke the token with this id, or every token of the user with this name."""
        with self.connect() as db:
            count = db.execute("DELETE FROM tokens WHERE id = ?", (id_or_name,)).rowcount
            if count == 0:
                count = db.execute("DELETE FROM tokens WHERE user = ?", (id_or_name,)).rowcount
        if count == 0:
            raise AccountError("auth.err.no_token", name=id_or_name)
        return count

    def tokens(self) -> list[TokenInfo]:
        with self.connect() as db:
            rows = db.execute("SELECT id, user, created FROM tokens ORDER BY user, id").fetchall()
        return [TokenInfo(*row) for row in rows]

    def user_for_token(self, token: str) -> User | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self.connect() as db:
            row = db.execute(
                "SELECT u.name, u.role, u.ministry FROM tokens t JOIN users u ON u.name = t.user "
                "WHERE t.hash = ?",
                (digest(token),),
            ).fetchone()
        return User(*row) if row else None

    # --- sessions -------------------------------------------------------------------------

    def open_session(self, name: str, seconds: float = SESSION_SECONDS) -> str:
        """A new session of user ``name``; returns its id (for the signed cookie)."""
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        with self.connect() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (now,))
            db.execute(
                "INSERT INTO sessions (hash, user, expires) VALUES (?, ?, ?)",
                (digest(session_id), name, now + seconds),
            )
        return session_id

    def session_user(self, session_id: str) -> User | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT u.name, u.role, u.ministry FROM sessions s JOIN users u "
                "ON u.name = s.user WHERE s.hash = ? AND s.expires >= ?",
                (digest(session_id), time.time()),
            ).fetchone()
        return User(*row) if row else None

    def close_session(self, session_id: str) -> None:
        with self.connect() as db:
            db.execute("DELETE FROM sessions WHERE hash = ?", (digest(session_id),))

    # --- the app's signing key ------------------------------------------------------------

    def secret_key(self) -> str:
        """The key that signs session cookies: made once, shared by every web process."""
        with self.connect() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'secret_key'").fetchone()
            if row:
                return str(row[0])
            key = secrets.token_hex(32)
            db.execute("INSERT INTO meta (key, value) VALUES ('secret_key', ?)", (key,))
        return key
