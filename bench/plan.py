"""What the load generator asks for: the people, pages (by endpoint name) and transitions of a run.

The people and filters come from the generated data: the dinas admin of a large province (one
whose lists have rows at both sizes), the dinas and scheme of its longest verification queue,
the candidate with two applications, the busiest team lead, a certificate. Pages are named by endpoint; one whose
endpoint does not exist in this build is skipped with a note, so the same benchmark covers
pages as they land.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from bench.generate import PASSWORD, pg_conninfo, token_for


@dataclass(frozen=True)
class Page:
    """A page or list to measure: its endpoint, its query, who asks for it (a person logged in or a token)."""

    name: str
    endpoint: str
    params: tuple[str, ...] = ()
    person: str | None = None
    token: str | None = None


PAGES = (
    Page("dinas admin's home (web.index)", "web.index", person="admin"),  # a candidate's "/" is their own home
    Page("candidate home (candidate.home)", "candidate.home", person="candidate"),
    Page("assessor queue (assessor.queue)", "assessor.queue", person="assessor"),
    Page("dinas admin's filtered list (admin.verification)", "admin.verification", ("dinas", "scheme"), "admin"),
    Page("region figures (admin.figures)", "admin.figures", person="admin"),
    Page("region figures API (/api/v1/reports/summary)", "api.report_summary", token="admin"),
    Page("public verification (/verify/<number>)", "public.verify", ("number",)),
    Page(
        "application list API, filtered", "api.list_applications", ("state", "scheme_code", "per_page"), token="admin"
    ),
)
# Lists are compared page for page: a page of 10 is full at both sizes.
LIST_FILTER = {"state": "certified", "per_page": 10}
TRANSITION_EVENT = {"event": "reject", "reason": "Benchmark: the education background is not accepted."}


def choose_region(small_url: str, large_url: str) -> int:
    """The province measured: the one with most submitted applications at the small size, then the largest.

    Its dinas admin's lists then have rows at both sizes (an empty list at 1k against a full one
    at 100k would compare the rendering of rows, not the growth of the data).
    """
    counts: dict[int, list[int]] = {}
    for i, (url, state) in enumerate(((small_url, "submitted"), (large_url, None))):
        with psycopg.connect(pg_conninfo(url)) as conn:
            for province, n in conn.execute(
                "SELECT d.province_id, count(*) FROM applications a JOIN dinas d ON d.id = a.dinas_id "
                "WHERE %(state)s::text IS NULL OR a.state = %(state)s GROUP BY 1",
                {"state": state},
            ):
                counts.setdefault(province, [0, 0])[i] = n
    return max(counts, key=lambda p: (counts[p][0], counts[p][1], -p))


def fixtures(url: str, province_id: int) -> dict:
    """The people and records of a generated database that the pages and transitions use."""
    with psycopg.connect(pg_conninfo(url)) as conn:
        province_dinas = conn.execute(
            "SELECT id FROM dinas WHERE province_id = %s AND kind = 'provinsi'", (province_id,)
        ).fetchone()[0]
        admin_id, admin_email = conn.execute(
            "SELECT id, email FROM users WHERE email = %s", (f"admin.d{province_dinas}@bench.local",)
        ).fetchone()
        busiest = conn.execute(
            "SELECT a.dinas_id FROM applications a JOIN dinas d ON d.id = a.dinas_id "
            "WHERE d.province_id = %s AND d.kind <> 'provinsi' GROUP BY a.dinas_id ORDER BY count(*) DESC, a.dinas_id "
            "LIMIT 1",
            (province_id,),
        ).fetchone()
        busiest_dinas = busiest[0] if busiest else province_dinas
        scheme_id, scheme_code = conn.execute("SELECT id, code FROM schemes ORDER BY id LIMIT 1").fetchone()
        candidate = conn.execute("SELECT email FROM users WHERE email = 'candidate1@bench.local'").fetchone()[0]
        assessor = conn.execute(
            "SELECT u.email FROM teams t JOIN assessors s ON s.id = t.lead_id JOIN users u ON u.id = s.user_id "
            "LEFT JOIN applications a ON a.team_id = t.id AND a.state IN ('team_assigned', 'in_assessment') "
            "GROUP BY t.id, u.email ORDER BY count(a.id) DESC, t.id LIMIT 1"
        ).fetchone()[0]
        number = conn.execute(
            "SELECT number FROM certificates ORDER BY status <> 'active', id "
            "OFFSET (SELECT count(*) / 2 FROM certificates WHERE status = 'active') LIMIT 1"
        ).fetchone()[0]
    return {
        "province": province_id,
        "admin": {"email": admin_email, "token": token_for(admin_id)},
        "candidate": candidate,
        "assessor": assessor,
        "dinas": busiest_dinas,
        "scheme": scheme_id,
        "scheme_code": scheme_code,
        "number": number,
        **LIST_FILTER,
    }


def choose_queue_filter(small_url: str, large_url: str, province: int) -> tuple[int, int] | None:
    """(dinas, scheme) of the province whose verification queue is longest in the small database (then the large).

    Comparing a queue of a few applications at 1k with one of dozens at 100k measures the page's
    growth; comparing an empty queue with a full one would measure nothing but the rendering.
    """
    counts: dict[tuple[int, int], list[int]] = {}
    for i, url in enumerate((small_url, large_url)):
        with psycopg.connect(pg_conninfo(url)) as conn:
            for dinas, scheme, n in conn.execute(
                "SELECT a.dinas_id, a.scheme_id, count(*) FROM applications a JOIN dinas d ON d.id = a.dinas_id "
                "WHERE a.state = 'submitted' AND d.province_id = %s GROUP BY 1, 2",
                (province,),
            ):
                counts.setdefault((dinas, scheme), [0, 0])[i] = n
    if not counts:
        return None
    return max(counts, key=lambda k: (counts[k][0], counts[k][1], -k[0], -k[1]))


def page_targets(app, page: Page, fx: dict) -> dict | None:
    """``{"path", "person", "token"}`` of ``page`` on the application ``app`` (None: no such endpoint)."""
    from flask import url_for

    if page.endpoint not in app.view_functions:
        return None
    values = {("scheme" if p == "scheme_code" else p): fx[p] for p in page.params}
    with app.test_request_context():
        path = url_for(page.endpoint, **values)
    return {"path": path, "person": page.person, "token": fx["admin"]["token"] if page.token else None}


def logins(fx: dict) -> dict[str, tuple[str, str]]:
    """Who logs in through the login page: person → (e-mail, password)."""
    return {
        "candidate": (fx["candidate"], PASSWORD),
        "admin": (fx["admin"]["email"], PASSWORD),
        "assessor": (fx["assessor"], PASSWORD),
    }


def transition_requests(url: str, count: int) -> tuple[list[dict], list[dict], list[int]]:
    """(real requests, limit requests, application ids): ``count`` each, on distinct submitted applications.

    Each real request is sent by the dinas admin of the application's province (its token).
    """
    with psycopg.connect(pg_conninfo(url)) as conn:
        rows = conn.execute(
            "SELECT a.id, u.id FROM applications a JOIN dinas d ON d.id = a.dinas_id "
            "JOIN dinas p ON p.province_id = d.province_id AND p.kind = 'provinsi' "
            "JOIN users u ON u.email = 'admin.d' || p.id || '@bench.local' "
            "WHERE a.state = 'submitted' ORDER BY a.id LIMIT %s",
            (2 * count,),
        ).fetchall()
    real, limit = rows[0::2], rows[1::2]
    n = min(len(real), len(limit))
    real_requests = [
        {"path": f"/api/v1/applications/{a}/events", "token": token_for(u), "body": TRANSITION_EVENT}
        for a, u in real[:n]
    ]
    limit_requests = [{"path": f"/bench/limit/{a}", "body": TRANSITION_EVENT} for a, _ in limit[:n]]
    return real_requests, limit_requests, [a for a, _ in real[:n] + limit[:n]]


def snapshot(url: str, app_ids: list[int]) -> dict:
    """What the transitions change, to put back afterwards (so a database can be measured again)."""
    with psycopg.connect(pg_conninfo(url)) as conn:
        marks = {t: conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0] for t in _WRITTEN}
        rows = conn.execute(
            "SELECT id, state, version, updated_at, state_changed_at, decided_at, decided_by_id "
            "FROM applications WHERE id = ANY(%s)",
            (app_ids,),
        ).fetchall()
    return {"marks": marks, "rows": rows}


_WRITTEN = ("notifications", "outbox", "transition_logs")


def restore(url: str, snap: dict) -> None:
    """Undo the transitions of a run: the applications' columns and the rows written since ``snapshot``."""
    with psycopg.connect(pg_conninfo(url)) as conn:
        for table in _WRITTEN:
            conn.execute(f"DELETE FROM {table} WHERE id > %s", (snap["marks"][table],))
        with conn.cursor() as cur:
            cur.executemany(
                "UPDATE applications SET state = %s, version = %s, updated_at = %s, state_changed_at = %s, "
                "decided_at = %s, decided_by_id = %s WHERE id = %s",
                [(*row[1:], row[0]) for row in snap["rows"]],
            )
