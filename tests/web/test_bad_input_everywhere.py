"""Hostile input on every route of the application answers in words — never a server error.

Every rule of ``app.url_map`` (API and pages, every method) is sent, by a visitor, a system
administrator and a candidate: path ids of 2³¹ and 2⁶³, text path values with a NUL or a lone
surrogate, query strings whose every parameter is a NUL, a lone surrogate, invalid UTF-8, 2³¹,
2⁶³, -1, 1e309 or four hundred nines, a huge ``?page=``; JSON bodies nested 100,000 deep, with
NUL, lone surrogates (values and keys), huge and non-finite numbers; page forms (with a valid
CSRF token) whose every field is one of those. The parameter and field names are the ones the
code reads and the templates send, found in the sources, so a new form is covered without a
change here. API bodies give the fields the operation's schema reads (else every name). One request per rule
per kind (what is refused before anyone is known, by the visitor only; a signed-in prober skips
the page areas of other roles); the test counts the answers ≥ 500 (an exception
raised in the test client counts as one) and fails listing them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from certflow.extensions import limiter
from tests.factories import PASSWORD, make_schedule
from tests.web.test_pages_support import csrf_token

ROOT = Path(__file__).resolve().parents[2]

NUL = "a\x00b"
SURROGATE = "%ED%A0%80"  # a lone surrogate (U+D800) written as UTF-8: not valid UTF-8
INVALID_UTF8 = "%FF%FE"
NUMBERS = {
    "2**31": str(2**31),
    "2**63": str(2**63),
    "-1": "-1",
    "1e309": "1e309",
    "9*400": "9" * 400,
    "²": "²",  # a digit to str.isdigit(), not to int()
}
HUGE_PAGE = "99999999999999999999"

# Requests that end the caller's own session or token: sent by the visitor only.
ENDS_THE_SESSION = {"auth.logout", "auth.sign_out_everywhere", "api.revoke_current_token"}

# Kinds the hook (certflow.core.bounds) or the converter refuse before anyone is known: the visitor
# sends them to every rule; a signed-in prober keeps one of them per channel (the NUL) and every
# kind that reaches the views (numbers, ids, pages).
BEFORE_ANYONE = {
    "path 2**31",
    "path 2**63",
    "path surrogate",
    "path invalid utf-8",
    "query surrogate",
    "query invalid utf-8",
    "form surrogate",
    "form invalid utf-8",
    "json deep",
    "json nul key",
    "json surrogate",
    "json raw surrogate bytes",
    "json not finite",
    "json lists",
}

# The page areas of one role: another signed-in role is refused there (403) before its input is
# read, so each signed-in prober skips the other roles' areas (the visitor is sent every page).
AREAS = {"/admin/": "admin_kepri", "/system/": "sysadmin", "/candidate/": "candidate", "/assessor/": "lead"}
AREAS["/certifier/"] = "certifier"


def _names() -> list[str]:
    """Every query or form name the code reads or a template sends."""
    names: set[str] = set()
    code = re.compile(r"""(?:args|form|files|values)(?:\.get|\.getlist)?\s*[\(\[]\s*["']([a-z][a-z0-9_]*)["']""")
    for path in (ROOT / "certflow").rglob("*.py"):
        names.update(code.findall(path.read_text()))
    field = re.compile(r"""name="([a-z][a-z0-9_]*)\"""")
    for path in (ROOT / "templates").rglob("*.html"):
        names.update(field.findall(path.read_text()))
    names.discard("csrf_token")
    return sorted(names)


NAMES = _names()


def _raw_object(fields, literals: tuple[str, ...]) -> bytes:
    """A JSON object giving each field one of ``literals`` in turn, written as is (``NaN``: no ``json.dumps``)."""
    return ("{" + ",".join(f'"{n}": {literals[i % len(literals)]}' for i, n in enumerate(fields)) + "}").encode()


def _json_bodies(fields: list[str]) -> dict[str, bytes]:
    """The hostile JSON bodies for an operation reading ``fields``, as raw bytes (``NaN``: no ``json.dumps``)."""
    return {
        "json deep": b'[{"a":' * 50_000 + b"1" + b"}]" * 50_000,
        "json nul": json.dumps(dict.fromkeys(fields, NUL)).encode(),
        "json nul key": b'{"a\\u0000b": "x", "answers": {"a\\u0000": "x"}}',
        "json surrogate": json.dumps(dict.fromkeys(fields, "\ud800")).encode(),
        "json raw surrogate bytes": b'{"reason": "\xed\xa0\x80"}',
        "json 2**31": json.dumps(dict.fromkeys(fields, 2**31)).encode(),
        "json 2**63": json.dumps(dict.fromkeys(fields, 2**63)).encode(),
        "json -1": json.dumps(dict.fromkeys(fields, -1)).encode(),
        "json 9*400": _raw_object(fields, ("9" * 400,)),
        "json not finite": _raw_object(fields, ("1e309", "NaN", "-Infinity")),
        "json lists": json.dumps(dict.fromkeys(fields, [NUL, 2**63, {"x": "\ud800"}])).encode(),
    }


def _query(value: str, *, encoded: bool = False) -> str:
    """A query string giving every known name ``value`` (``encoded``: already percent-encoded)."""
    v = value if encoded else quote(value, safe="")
    return "&".join(f"{name}={v}" for name in NAMES)


def _query_kinds() -> dict[str, str]:
    kinds = {
        "query nul": _query(NUL),
        "query surrogate": _query(SURROGATE, encoded=True),
        "query invalid utf-8": _query(INVALID_UTF8, encoded=True),
        "query huge page": f"page={HUGE_PAGE}&per_page={HUGE_PAGE}",
    }
    kinds.update({f"query {label}": _query(value) for label, value in NUMBERS.items()})
    return kinds


def _form(value: str, *, encoded: bool = False) -> str:
    return _query(value, encoded=encoded)


class Prober:
    """Sends the hostile requests as one identity and counts the server errors."""

    def __init__(self, app, who: str):
        self.app = app
        self.who = who
        self.client = FlaskClient(app, app.response_class, use_cookies=True)  # no contract check: any status < 500
        self.headers: dict[str, str] = {}
        self.signed_in = who != "visitor"
        self.sent = 0
        self.errors: list[str] = []

    def send(self, kind: str, method: str, url: str, **kw) -> None:
        if self.signed_in and kind in BEFORE_ANYONE:
            return
        self.sent += 1
        headers = {**self.headers, **kw.pop("headers", {})}
        try:
            with self.app.app_context():
                limiter.reset()  # the form limits would otherwise answer 429 before the input is read
                status = self.client.open(url, method=method, headers=headers, **kw).status_code
        except Exception as exc:  # noqa: BLE001  (a server error, raised because the app is testing)
            self.errors.append(f"{self.who} {kind}: {method} {url[:120]!r} → {type(exc).__name__}: {str(exc)[:160]}")
            return
        if status >= 500:
            self.errors.append(f"{self.who} {kind}: {method} {url[:120]!r} → {status}")

    def csrf(self) -> str:
        with self.app.app_context():
            return csrf_token(self.client.get("/login" if self.who == "visitor" else "/account").text)


def _path_values(world, app, schedule) -> dict[str, object]:
    """Real records for the rules' path arguments, so that the hostile part is reached."""
    doc = app.documents[0]
    return {
        "application_id": app.id,
        "app_id": app.id,
        "schedule_id": schedule.id,
        "scheme_id": world.scheme.id,
        "doc_id": doc.id,
        "document_id": doc.id,
        "team_id": world.team.id,
        "assessor_id": world.lead.id,
        "venue_id": schedule.venue_id,
        "user_id": world.other_candidate.id,  # never the prober's own account
        "dinas_id": world.batam.id,
        "number": "PSG-2026-000001",
        "event": "submit",
        "form": "apl01",
        "kind": "diploma",
        "name": "application",
        "code": world.scheme.code,
        "action": "edit",
        "decision": "approve",
        "token": "x",
        "list_id": "1",
        "filename": "app.css",
    }


def _url(rule, values: dict[str, object], override: dict[str, object] | None = None) -> str:
    args = {}
    for name in rule.arguments:
        args[name] = (override or {}).get(name, values.get(name, 1))
    path = rule.rule
    for name, value in args.items():
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
    return path


def _probe(app, world, prober: Prober, *, signed_in: bool) -> None:
    application = world.new_application()
    schedule = make_schedule(world)
    values = _path_values(world, application, schedule)
    token = prober.csrf()
    queries = _query_kinds()
    every_name = _json_bodies(NAMES)
    forms = {
        "form nul": _form(NUL),
        "form surrogate": _form(SURROGATE, encoded=True),
        "form invalid utf-8": _form(INVALID_UTF8, encoded=True),
        **{f"form {label}": _form(value) for label, value in NUMBERS.items()},
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or (signed_in and rule.endpoint in ENDS_THE_SESSION):
            continue
        area = next((role for prefix, role in AREAS.items() if rule.rule.startswith(prefix)), None)
        if signed_in and area not in (None, prober.who):
            continue
        is_api = rule.rule.startswith("/api/")
        ints = [n for n, c in rule._converters.items() if type(c).__name__ == "BoundedIntConverter"]
        texts = [n for n in rule.arguments if n not in ints]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = _url(rule, values)
            for label in ("2**31", "2**63"):
                if ints:
                    prober.send(f"path {label}", method, _url(rule, values, dict.fromkeys(ints, NUMBERS[label])))
            for label, value in (("nul", "a%00b"), ("surrogate", SURROGATE), ("invalid utf-8", INVALID_UTF8)):
                if texts:
                    prober.send(f"path {label}", method, _url(rule, values, dict.fromkeys(texts, value)))
            for kind, query in queries.items():
                if method == "GET" or kind in ("query nul", "query 2**63"):  # a body is what a POST reads
                    prober.send(kind, method, f"{url}?{query}")
            if method == "GET":
                continue
            if is_api:
                model = getattr(app.view_functions[rule.endpoint], "json_model", None)
                fields = [f.alias or n for n, f in model.model_fields.items()] if model else None
                bodies = _json_bodies(fields) if fields else every_name  # the fields the operation reads
                for kind, body in bodies.items():
                    prober.send(kind, method, url, data=body, content_type="application/json")
            else:
                for kind, form in forms.items():
                    prober.send(
                        kind,
                        method,
                        url,
                        data=f"csrf_token={token}&{form}",
                        content_type="application/x-www-form-urlencoded",
                    )
                prober.send(
                    "multipart nul",
                    method,
                    url,
                    data={"csrf_token": token, **dict.fromkeys(NAMES, NUL)},
                    content_type="multipart/form-data",
                )


@pytest.mark.parametrize("who", ["visitor", "sysadmin", "admin_kepri", "certifier", "lead", "candidate"])
def test_no_hostile_request_is_a_server_error(app, world, db, who):
    prober = Prober(app, who)
    if who != "visitor":
        user = world.lead.user if who == "lead" else getattr(world, who)
        with app.app_context():
            page = prober.client.get("/login")
            r = prober.client.post(
                "/login", data={"csrf_token": csrf_token(page.text), "email": user.email, "password": PASSWORD}
            )
            assert r.status_code == 302
            r = prober.client.post("/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD})
            assert r.status_code == 201, r.get_json()
        prober.headers = {"Authorization": f"Bearer {r.get_json()['token']}"}
    _probe(app, world, prober, signed_in=who != "visitor")
    print(f"{who}: {prober.sent} requests, {len(prober.errors)} server errors")
    assert not prober.errors, f"{len(prober.errors)} of {prober.sent} answers were server errors:\n" + "\n".join(
        prober.errors[:80]
    )
