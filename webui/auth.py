"""Logging in, sessions, CSRF and the rule that no write goes through without an account.

* ``/inloggen`` (GET: the form; POST: check name and password) and ``/uitloggen`` (POST). A
  wrong name or password gets one message that does not say which was wrong; too many failures
  for an account or from an address get 429 (:mod:`amkg.webui.throttle`).
* A session is a random id in Flask's signed cookie (``amkg_session``: HttpOnly, SameSite=Lax,
  Secure over https or when ``SESSION_COOKIE_SECURE`` is true), looked up in the accounts file
  (:mod:`amkg.webui.accounts`), so logging out, removing the user or restarting a web process
  each ends it where it should. The signing key is ``SECRET_KEY``, else one made once and kept
  in the accounts file (every web process shares it).
* CSRF: Flask-WTF's ``CSRFProtect`` on every unsafe request to a form route; a failure is 403.
  The token routes (``/sparql``, ``/rdf-graph-store``) are exempt: they take only
  ``Authorization: Bearer``, which a browser never sends by itself.
* Default deny: :func:`_writes_need_an_account` runs before every request. A request with a
  method other than GET/HEAD/OPTIONS needs a logged-in user, unless its view is marked with
  :func:`checks_its_own_access` (login itself; the token routes). So a new write route is
  protected from the start; ``tests/test_write_routes.py`` proves it route by route.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from amkg.webui import i18n, throttle
from amkg.webui.accounts import Accounts, User, default_path
from amkg.webui.errors import HttpError, render_error

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
F = TypeVar("F", bound=Callable[..., Any])

ACCOUNTS_KEY = "amkg_accounts"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REALM = 'Bearer realm="amkg"'
OWN_CHECK = "amkg_checks_its_own_access"


def checks_its_own_access(view: F) -> F:
    """Mark a view that does its own access check (a token route, or the login form)."""
    setattr(view, OWN_CHECK, True)
    return view


def token_route(view: F) -> F:
    """Mark a view that writes only with ``Authorization: Bearer`` (checked by the view): it
    checks its own access, and needs no CSRF token (no browser adds that header by itself)."""
    csrf.exempt(view)
    return checks_its_own_access(view)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, Secure when ``SESSION_COOKIE_SECURE`` is set or over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def accounts() -> Accounts:
    found: Accounts = current_app.extensions[ACCOUNTS_KEY]
    return found


def accounts_of(config: Any) -> Accounts:
    path = config.get("ACCOUNTS_PATH")
    root = Path(config["STORE_PATH"]) if config.get("STORE_PATH") else None
    return Accounts(Path(path) if path else default_path(root))


def current_user() -> User | None:
    """The user logged in with this request's session cookie, or ``None``."""
    if "amkg_user" not in g:
        user = None
        if current_app.config["SESSION_COOKIE_NAME"] in request.cookies:
            session_id = session.get("sid")
            if isinstance(session_id, str):
                user = accounts().session_user(session_id)
        g.amkg_user = user
    return g.amkg_user  # type: ignore[no-any-return]


def bearer(app: Flask, req: Request, lang: str = i18n.DEFAULT_LANG) -> User:
    """The user of the request's ``Authorization: Bearer`` token: 401 without a (valid) one.
    Needs no request context (``/sparql`` is answered straight from WSGI)."""
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HttpError(401, i18n.t("auth.api.need_token", lang), {"WWW-Authenticate": REALM})
    user: User | None = app.extensions[ACCOUNTS_KEY].user_for_token(token.strip())
    if user is None:
        raise HttpError(
            401,
            i18n.t("auth.api.bad_token", lang),
            {"WWW-Authenticate": REALM + ', error="invalid_token"'},
        )
    return user


def _local_target(target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/``."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _writes_need_an_account() -> Response | None:
    if request.method in SAFE_METHODS or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, OWN_CHECK, False):
        return None
    if current_user() is not None:
        return None
    if "text/html" in (request.accept_mimetypes.best or "") and request.mimetype.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        return redirect("/inloggen?next=" + request.path, 303)  # type: ignore[return-value]
    return render_error(401, i18n.t("auth.need_login"), {"WWW-Authenticate": REALM})


def _csrf_failed(error: CSRFError) -> Response:
    return render_error(403, i18n.t("auth.csrf_failed"))


def _template_globals() -> dict[str, Any]:
    return {"current_user": current_user, "csrf_token": generate_csrf}


def init_app(app: Flask) -> None:
    """Accounts, sessions, CSRF, the default-deny rule and the login routes on ``app``."""
    store = accounts_of(app.config)
    app.extensions[ACCOUNTS_KEY] = store
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = store.secret_key()
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if app.config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the session
    app.session_interface = _SessionInterface()
    app.before_request(_writes_need_an_account)  # before CSRF: anonymous gets 401/login
    csrf.init_app(app)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.context_processor(_template_globals)


def _limits() -> throttle.Limits:
    config = current_app.config
    return throttle.Limits(
        per_account=config["LOGIN_FAILURES_PER_ACCOUNT"],
        per_address=config["LOGIN_FAILURES_PER_ADDRESS"],
        window=config["LOGIN_FAILURE_WINDOW"],
    )


def _client() -> str:
    from amkg.webui.sparql import client_of

    return client_of(current_app, request)


def _login_data(error: str | None = None) -> dict[str, Any]:
    user = current_user()
    return {
        "user": None if user is None else {
            "name": user.name, "role": user.role, "ministry": user.ministry,
        },
        "error": error,
    }  # fmt: skip


def _login_page(status: int = 200, error: str | None = None, **extra: Any) -> Any:
    data = _login_data(error)
    target = _local_target(request.values.get("next"))
    return render_template(
        "login.html", page=data, json_url="/inloggen.json", next=target, **extra
    ), status


@bp.get("/inloggen")
def login_form() -> Any:
    return _login_page()


@bp.get("/inloggen.json")
def login_json() -> Any:
    return jsonify(_login_data())


@bp.post("/inloggen")
@checks_its_own_access
def login() -> Any:
    name = request.form.get("name", "").strip()
    password = request.form.get("password", "")
    store, limits, client = accounts(), _limits(), _client()
    wait = throttle.wait_seconds(store, name, client, limits)
    if wait:
        minutes = str(max(1, (wait + 59) // 60))
        response = _login_page(429, i18n.t("auth.throttled", minutes=minutes), name=name)
        return (*response, {"Retry-After": str(wait)})
    user = store.verify(name, password) if name and password else None
    if user is None:
        throttle.record_failure(store, name, client)
        return _login_page(401, i18n.t("auth.wrong"), name=name)
    throttle.clear(store, name)
    session.clear()  # a fresh session (and CSRF token) after login: no session fixation
    session["sid"] = store.open_session(user.name)
    return redirect(_local_target(request.form.get("next")), 303)


@bp.post("/uitloggen")
def logout() -> Any:
    session_id = session.get("sid")
    if isinstance(session_id, str):
        accounts().close_session(session_id)
    session.clear()
    return redirect("/", 303)
