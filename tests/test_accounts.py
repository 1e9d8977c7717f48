"""Accounts (issue 11): argon2id password hashes, tokens shown once and kept hashed, the
``amkg user`` / ``amkg token`` commands, login throttling and the role rules."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from rdflib import RDF, Literal, URIRef

from amkg.cli.main import main
from amkg.graph.kg import KnowledgeGraph
from amkg.webui import throttle
from amkg.webui.accounts import AccountError, Accounts, User, digest
from amkg.webui.permissions import refusal, resolve_ministry

KG = "https://w3id.org/amkg/id/"
AMKG = "https://w3id.org/amkg/def#"
SZW, JENV = KG + "szw", KG + "jenv"
PASSWORD = "een lang geheim wachtwoord"


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    return Accounts(tmp_path / "accounts.sqlite3")


def _all_text(path: Path) -> str:
    with sqlite3.connect(path) as db:
        rows = [
            row
            for table in ("users", "tokens", "sessions", "meta")
            for row in db.execute(f"SELECT * FROM {table}")
        ]
    return repr(rows)


def test_passwords_are_stored_as_argon2id_with_its_memory_hard_parameters(
    accounts: Accounts,
) -> None:
    accounts.add_user("anna", "redacteur", PASSWORD, SZW)
    with sqlite3.connect(accounts.path) as db:
        (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in _all_text(accounts.path)
    assert PasswordHasher().verify(stored, PASSWORD)
    assert accounts.verify("anna", PASSWORD) == User("anna", "redacteur", SZW)
    assert accounts.verify("anna", PASSWORD + "x") is None
    assert accounts.verify("niemand", PASSWORD) is None


def test_the_file_is_sqlite_in_wal_mode_with_its_schema_made_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "accounts.sqlite3"
    assert Accounts(path).users() == []
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(
    ("name", "role", "password", "ministry", "key"),
    [
        ("anna", "redacteur", "", SZW, "auth.err.password_empty"),
        ("anna", "redacteur", "kort", SZW, "auth.err.password_short"),
        ("anna", "redacteur", PASSWORD, None, "auth.err.editor_needs_ministry"),
        ("anna", "lezer", PASSWORD, None, "auth.err.bad_role"),
        ("<b>", "beheerder", PASSWORD, None, "auth.err.bad_name"),
    ],
)
def test_bad_accounts_are_refused(
    accounts: Accounts, name: str, role: str, password: str, ministry: str | None, key: str
) -> None:
    with pytest.raises(AccountError) as caught:
        accounts.add_user(name, role, password, ministry)
    assert caught.value.key == key
    assert accounts.users() == []


def test_a_token_is_kept_only_as_its_hash_and_revoking_it_ends_it(accounts: Accounts) -> None:
    accounts.add_user("anna", "redacteur", PASSWORD, SZW)
    token_id, token = accounts.create_token("anna")
    assert token not in _all_text(accounts.path)
    assert digest(token) in _all_text(accounts.path)
    assert accounts.user_for_token(token) == User("anna", "redacteur", SZW)
    assert accounts.user_for_token(token + "x") is None
    assert accounts.revoke(token_id) == 1
    assert accounts.user_for_token(token) is None


def test_removing_a_user_ends_their_tokens_and_sessions(accounts: Accounts) -> None:
    accounts.add_user("anna", "redacteur", PASSWORD, SZW)
    _, token = accounts.create_token("anna")
    session_id = accounts.open_session("anna")
    assert accounts.session_user(session_id) is not None
    accounts.remove_user("anna")
    assert accounts.user_for_token(token) is None
    assert accounts.session_user(session_id) is None


def test_an_expired_session_is_no_session(accounts: Accounts) -> None:
    accounts.add_user("anna", "redacteur", PASSWORD, SZW)
    assert accounts.session_user(accounts.open_session("anna", seconds=-1)) is None


def test_throttling_counts_per_account_and_per_address(accounts: Accounts) -> None:
    limits = throttle.Limits(per_account=3, per_address=5, window=60)
    for _ in range(3):
        assert throttle.wait_seconds(accounts, "anna", "10.0.0.1", limits) == 0
        throttle.record_failure(accounts, "anna", "10.0.0.1")
    assert 0 < throttle.wait_seconds(accounts, "Anna", "10.0.0.9", limits) <= 60  # the account
    assert throttle.wait_seconds(accounts, "bob", "10.0.0.9", limits) == 0
    for _ in range(2):
        throttle.record_failure(accounts, "carla", "10.0.0.1")
    assert throttle.wait_seconds(accounts, "dirk", "10.0.0.1", limits) > 0  # the address
    throttle.clear(accounts, "anna")
    assert throttle.wait_seconds(accounts, "anna", "10.0.0.2", limits) == 0
    # another process (a second web process) sees the same record
    assert throttle.wait_seconds(Accounts(accounts.path), "dirk", "10.0.0.1", limits) > 0


def test_failures_leave_the_window(accounts: Accounts) -> None:
    limits = throttle.Limits(per_account=1, per_address=10, window=60)
    with accounts.connect() as db:
        db.execute("INSERT INTO failures (key, at) VALUES ('user:anna', ?)", (time.time() - 61,))
    assert throttle.wait_seconds(accounts, "anna", "x", limits) == 0


# --- the command line ---------------------------------------------------------------------


def _cli(args: list[str], path: Path, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--accounts", str(path)], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_user_and_token_commands(tmp_path: Path) -> None:
    path = tmp_path / "accounts.sqlite3"
    code, out, _ = _cli(
        ["user", "add", "anna", "--role", "redacteur", "--ministerie", "SZW", "--password-stdin"],
        path,
        PASSWORD + "\n",
    )
    assert code == 0, out
    assert Accounts(path).verify("anna", PASSWORD) == User("anna", "redacteur", SZW)
    code, out, _ = _cli(["token", "create", "anna"], path)
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert Accounts(path).user_for_token(token) is not None
    code, out, _ = _cli(["user", "list"], path)
    assert "anna" in out
    assert "redacteur" in out
    assert token not in out
    code, out, _ = _cli(["token", "list"], path)
    assert token not in out
    assert "anna" in out
    assert _cli(["token", "revoke", "anna"], path)[0] == 0
    assert Accounts(path).user_for_token(token) is None
    assert _cli(["user", "remove", "anna"], path)[0] == 0
    assert Accounts(path).users() == []


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "redacteur", "--ministerie", "SZW", "--password-stdin"], "\n", "leeg"),
        (["--role", "redacteur", "--ministerie", "BZK", "--password-stdin"], PASSWORD, "BZK"),
        (["--role", "redacteur", "--password-stdin"], PASSWORD, "--ministerie"),
        (["--role", "beheerder"], PASSWORD, "--password-stdin"),
    ],
)
def test_user_add_refuses_in_dutch(
    tmp_path: Path, args: list[str], stdin: str, message: str
) -> None:
    path = tmp_path / "accounts.sqlite3"
    code, _, err = _cli(["user", "add", "bob", *args], path, stdin)
    assert code == 1
    assert message in err
    assert Accounts(path).users() == []


def test_the_password_is_never_an_argument() -> None:
    add = main.commands["user"].commands["add"]  # type: ignore[attr-defined]
    assert not [p for p in add.params if "password" in p.name and not p.is_flag]


# --- who may change what --------------------------------------------------------------------

T_JENV = URIRef(KG + "traject-kabinetsreactie-acvz-richtgetallen")  # JenV, SZW a partner
T_SZW = URIRef(KG + "traject-werken-aan-de-toekomst")  # SZW
NOTE = URIRef("http://www.w3.org/2004/02/skos/core#note")


def test_ministries_resolve_by_abbreviation_iri_and_name(kg: KnowledgeGraph) -> None:
    assert resolve_ministry(kg, "SZW") == SZW
    assert resolve_ministry(kg, "jenv") == JENV
    assert resolve_ministry(kg, "kg:szw") == SZW
    assert resolve_ministry(kg, f"<{SZW}>") == SZW
    assert resolve_ministry(kg, "Ministerie van Justitie en Veiligheid") == JENV
    assert resolve_ministry(kg, "BZK") is None
    assert resolve_ministry(kg, "kg:spoor-1") is None


def test_an_editor_of_szw_cannot_change_a_jenv_trajectory(kg: KnowledgeGraph) -> None:
    szw = User("anna", "redacteur", SZW)
    change = [(T_JENV, NOTE, Literal("verschoven", lang="nl"))]
    denied = refusal(kg, szw, change, [])
    assert denied is not None
    assert denied.key == "auth.deny.trajectory"
    assert refusal(kg, User("jan", "redacteur", JENV), change, []) is None
    assert refusal(kg, User("root", "beheerder", None), change, []) is None


def test_an_editor_changes_their_own_trajectories_and_partner_entry(kg: KnowledgeGraph) -> None:
    szw = User("anna", "redacteur", SZW)
    assert refusal(kg, szw, [(T_SZW, NOTE, Literal("x"))], []) is None
    partner = (T_JENV, URIRef(AMKG + "inCooperationWith"), URIRef(SZW))
    assert refusal(kg, szw, [], [partner]) is None  # SZW's own partner entry
    other_partner = (T_JENV, URIRef(AMKG + "inCooperationWith"), URIRef(KG + "ezk"))
    assert refusal(kg, szw, [other_partner], []) is not None


def test_new_subjects_and_other_subjects(kg: KnowledgeGraph) -> None:
    szw = User("anna", "redacteur", SZW)
    new = URIRef(KG + "maatregel-nieuw")
    assert refusal(kg, szw, [(new, RDF.type, URIRef(AMKG + "Measure"))], []) is None
    track = URIRef(KG + "spoor-1")
    denied = refusal(kg, szw, [(track, NOTE, Literal("x"))], [])
    assert denied is not None
    assert denied.key == "auth.deny.other"
    new_trajectory = URIRef(KG + "traject-nieuw")
    mine = [(new_trajectory, RDF.type, URIRef(AMKG + "Trajectory")),
            (new_trajectory, URIRef(AMKG + "coordinatedBy"), URIRef(SZW))]  # fmt: skip
    assert refusal(kg, szw, mine, []) is None
    theirs = [mine[0], (new_trajectory, URIRef(AMKG + "coordinatedBy"), URIRef(JENV))]
    assert refusal(kg, szw, theirs, []) is not None
    statement = URIRef(KG + "stmt-nieuw")
    about_jenv = [(statement, RDF.type, RDF.Statement), (statement, RDF.subject, T_JENV)]
    assert refusal(kg, szw, about_jenv, []) is not None
    assert refusal(kg, User("x", "redacteur", None), mine, []) is not None
