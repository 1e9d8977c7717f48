"""``amkg user add|remove|list`` and ``amkg token create|revoke|list``: the accounts of editors
and administrators (``webui/accounts.py``), in the accounts file beside the stores (``--accounts``
or ``$AMKG_ACCOUNTS`` elsewhere).

A password comes as one line on standard input (``--password-stdin``), never as an argument
(arguments are visible to every user of the machine). A token is printed once, as the last line
of ``amkg token create``; only its hash is kept.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from amkg.cli.common import data_dir_option, lang_option, load_kg, store_root

if TYPE_CHECKING:
    from amkg.webui.accounts import Accounts

_accounts_option = click.option(
    "--accounts",
    "accounts_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="AMKG_ACCOUNTS",
    default=None,
    help="Het accountbestand (standaard accounts.sqlite3 naast de stores; ook $AMKG_ACCOUNTS).",
)


def _open(path: Path | None) -> Accounts:
    from amkg.webui.accounts import Accounts, default_path

    return Accounts(path or default_path(store_root()))


def _fail(key: str, lang: str, **values: Any) -> NoReturn:
    from amkg.webui.i18n import t

    click.echo(t(key, lang, **values), err=True)
    raise click.exceptions.Exit(1)


def _read_password() -> str:
    """The first line of standard input, without its line end."""
    return sys.stdin.readline().rstrip("\r\n")


@click.group("user")
def user_group() -> None:
    """Accounts van redacteuren en beheerders (editor and administrator accounts)."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["redacteur", "beheerder"]), required=True)
@click.option("--ministerie", "ministry", default=None, help="Ministerie (naam, afkorting, IRI).")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord als één regel van stdin.")
@_accounts_option
@lang_option
@data_dir_option
def user_add(
    name: str,
    role: str,
    ministry: str | None,
    password_stdin: bool,
    accounts_path: Path | None,
    lang: str,
    data_dir: Path | None,
) -> None:
    """Voeg een gebruiker toe (add a user). Het wachtwoord komt als één regel via stdin."""
    from amkg.webui.accounts import AccountError
    from amkg.webui.i18n import t
    from amkg.webui.permissions import ministries, resolve_ministry

    if not password_stdin:
        _fail("auth.cli.need_stdin", lang)
    if role == "redacteur" and not ministry:
        _fail("auth.err.editor_needs_ministry", lang)
    ministry_iri = None
    if ministry:
        kg = load_kg(data_dir)
        ministry_iri = resolve_ministry(kg, ministry)
        if ministry_iri is None:
            known = ", ".join(sorted(min(n, key=len) for n in ministries(kg).values() if n))
            _fail("auth.cli.no_ministry", lang, name=ministry, known=known)
    password = _read_password()
    try:
        user = _open(accounts_path).add_user(name, role, password, ministry_iri)
    except AccountError as error:
        _fail(error.key, lang, **error.values)
    click.echo(t("auth.cli.added", lang, name=user.name, role=user.role,
                 ministry=user.ministry or "-"))  # fmt: skip


@user_group.command("remove")
@click.argument("name")
@_accounts_option
@lang_option
def user_remove(name: str, accounts_path: Path | None, lang: str) -> None:
    """Verwijder een gebruiker met zijn tokens en sessies (remove a user)."""
    from amkg.webui.accounts import AccountError
    from amkg.webui.i18n import t

    try:
        _open(accounts_path).remove_user(name)
    except AccountError as error:
        _fail(error.key, lang, **error.values)
    click.echo(t("auth.cli.removed", lang, name=name))


@user_group.command("list")
@_accounts_option
@lang_option
def user_list(accounts_path: Path | None, lang: str) -> None:
    """Toon de gebruikers met hun rol en ministerie (list users)."""
    from amkg.webui.i18n import t

    accounts = _open(accounts_path)
    users = accounts.users()
    if not users:
        click.echo(t("auth.cli.no_users", lang))
        return
    tokens: dict[str, int] = {}
    for info in accounts.tokens():
        tokens[info.user] = tokens.get(info.user, 0) + 1
    head = [t("auth.cli.col.name", lang), t("auth.cli.col.role", lang),
            t("auth.cli.col.ministry", lang), t("auth.cli.col.tokens", lang)]  # fmt: skip
    rows = [[u.name, u.role, u.ministry or "-", str(tokens.get(u.name, 0))] for u in users]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@click.group("token")
def token_group() -> None:
    """API-tokens voor SPARQL Update en het Graph Store Protocol (API tokens)."""


@token_group.command("create")
@click.argument("name")
@_accounts_option
@lang_option
def token_create(name: str, accounts_path: Path | None, lang: str) -> None:
    """Maak een token voor gebruiker NAME; het staat op de laatste regel en wordt één keer
    getoond (create a token, shown once on the last line)."""
    from amkg.webui.accounts import AccountError
    from amkg.webui.i18n import t

    try:
        token_id, token = _open(accounts_path).create_token(name)
    except AccountError as error:
        _fail(error.key, lang, **error.values)
    click.echo(t("auth.cli.token_created", lang, name=name, id=token_id))
    click.echo(token)


@token_group.command("revoke")
@click.argument("id_or_name")
@_accounts_option
@lang_option
def token_revoke(id_or_name: str, accounts_path: Path | None, lang: str) -> None:
    """Trek een token in (op id), of alle tokens van een gebruiker (op naam)."""
    from amkg.webui.accounts import AccountError
    from amkg.webui.i18n import t

    try:
        count = _open(accounts_path).revoke(id_or_name)
    except AccountError as error:
        _fail(error.key, lang, **error.values)
    click.echo(t("auth.cli.revoked", lang, n=count, name=id_or_name))


@token_group.command("list")
@_accounts_option
@lang_option
def token_list(accounts_path: Path | None, lang: str) -> None:
    """Toon de tokens (id en gebruiker; nooit het token zelf)."""
    import datetime

    from amkg.webui.i18n import t

    infos = _open(accounts_path).tokens()
    if not infos:
        click.echo(t("auth.cli.no_tokens", lang))
    for info in infos:
        created = datetime.datetime.fromtimestamp(info.created, datetime.UTC)
        click.echo(f"{info.id}  {info.user}  {created:%Y-%m-%d %H:%M} UTC")


COMMANDS = (user_group, token_group)
