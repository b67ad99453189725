"""National-scale data on PostgreSQL, written with COPY (psycopg 3 ``cursor.copy``), never row by row.

``generate(url, applications)`` fills a migrated, empty database with 38 provinces and their
552 dinas (514 kab/kota), the schemes of the demo (through the ORM: a handful of rows), one
dinas admin per dinas, certifiers, 3,000 assessors and 1,000 teams per 100,000 applications,
the applications spread over every state, ten transition-log rows per application, documents,
notifications, appeals and certificates for the certified. Everything is drawn from a seeded
random generator, so a scale always gives the same data.

Every user's password is ``PASSWORD``; every admin, certifier and the benchmark's candidate
and assessor hold the API token ``token_for(user_id)``.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from datetime import date, timedelta

import psycopg
from argon2 import PasswordHasher

from bench import history
from bench.regions import country, dinas_name

PASSWORD = "bench-password"
FULL_SCALE = {"applications": 100_000, "assessors": 3_000, "teams": 1_000}
CERTIFIERS = 5
DOCUMENT_KINDS = ("diploma", "work_letter", "recommendation", "practice_log")
FIRST = ["Siti", "Ahmad", "Dewi", "Budi", "Rina", "Agus", "Nurul", "Hendra", "Maria", "Yusuf", "Lestari", "Fajar"]
LAST = ["Rahmawati", "Saputra", "Lestari", "Hidayat", "Simanjuntak", "Nugroho", "Wulandari", "Hartono", "Siregar"]
CANDIDATE_ACTOR = {"submit", "resubmit", "withdraw", "appeal"}
ADMIN_ACTOR = {"request_revision", "approve", "reject", "assign_team"}
LEAD_ACTOR = {"start_assessment", "recommend"}
REASONS = {
    "request_revision": "Surat rekomendasi belum ditandatangani.",
    "reject": "Latar belakang pendidikan tidak sesuai.",
    "decline": "Unit kompetensi belum terpenuhi.",
    "appeal": "Mohon ditinjau kembali.",
}
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def token_for(user_id: int) -> str:
    """The benchmark's API token of a user (only its SHA-256 is stored)."""
    return f"bench-token-{user_id}"


def pg_conninfo(url: str) -> str:
    """A libpq URL from a SQLAlchemy one (``postgresql+psycopg://`` → ``postgresql://``)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def sizes(applications: int) -> dict[str, int]:
    """How many applications, assessors, teams and log rows a run of ``applications`` has."""
    factor = applications / FULL_SCALE["applications"]
    return {
        "applications": applications,
        "assessors": max(6, round(FULL_SCALE["assessors"] * factor)),
        "teams": max(3, round(FULL_SCALE["teams"] * factor)),
        "transition_logs": applications * history.LOGS_PER_APPLICATION,
    }


def _number(scheme_code: str, year: int, cert_id: int) -> str:
    """A unique certificate number shaped like the real ones (8 Crockford base32 characters)."""
    n = (cert_id * 2654435761) % 32**8  # an odd multiplier: a bijection modulo 2**40
    chars = "".join(_ALPHABET[(n >> (5 * i)) & 31] for i in range(8))
    return f"{scheme_code}-{year}-{chars}"


class _Writer:
    """COPY helper: one ``cursor.copy`` per table, rows counted."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn
        self.counts: dict[str, int] = {}

    def copy(self, table: str, columns: tuple[str, ...], rows) -> None:
        n = 0
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        self.counts[table] = self.counts.get(table, 0) + n


def _schemes(url: str) -> list[tuple[int, str, str, str, list]]:
    """The demo's schemes with their standards, created through the ORM: (id, code, name, level, units)."""
    from flask import Flask

    from certflow.extensions import db
    from certflow.models import Scheme
    from certflow.seed import SCHEMES, _add_scheme

    app = Flask("bench-generate")
    app.config.update(SQLALCHEMY_DATABASE_URI=url)
    db.init_app(app)
    with app.app_context():
        for spec in SCHEMES:
            _add_scheme(*spec)
        db.session.commit()
        rows = [
            (s.id, s.code, s.name, s.level, [{"code": u.code, "title": u.title} for u in s.units])
            for s in db.session.query(Scheme).order_by(Scheme.id)
        ]
        db.session.remove()
        db.engines[None].dispose()
    return rows


def generate(url: str, applications: int, seed: int = 2018) -> dict:
    """Fill the migrated, empty database at ``url`` for ``applications`` applications; return counts and timings."""
    started = time.perf_counter()
    rng = random.Random(seed)
    size = sizes(applications)
    schemes = _schemes(url)
    with psycopg.connect(pg_conninfo(url)) as conn:
        writer = _Writer(conn)
        _Generation(writer, rng, size, schemes).run()
        for table in writer.counts:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                if table not in ("user_roles", "assessor_schemes", "team_members")
                else "SELECT 1"
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return {"sizes": size, "rows": writer.counts, "seconds": round(time.perf_counter() - started, 1)}


class _Generation:
    """One generation run: ids are assigned here, in order, and written table by table."""

    def __init__(self, writer: _Writer, rng: random.Random, size: dict, schemes: list):
        self.w, self.rng, self.size, self.schemes = writer, rng, size, schemes
        self.now = _utcnow()
        self.today = self.now.date()
        self.password_hash = PasswordHasher(time_cost=1, memory_cost=1024).hash(PASSWORD)

    def run(self) -> None:
        self.regions()
        self.people()
        self.assessors_and_teams()
        self.applications()
        self.tokens()

    # -- the country ------------------------------------------------------------------------------
    def regions(self) -> None:
        provinces, dinas = country()
        self.w.copy(
            "provinces",
            ("id", "code", "name", "region"),
            ((i + 1, code, name, "Indonesia") for i, (code, name) in enumerate(provinces)),
        )
        self.dinas = [(i + 1, p + 1, kind) for i, (p, kind, _) in enumerate(dinas)]  # (id, province id, kind)
        self.w.copy(
            "dinas",
            ("id", "name", "area", "kind", "province_id"),
            ((i + 1, dinas_name(kind, area), area, kind, p + 1) for i, (p, kind, area) in enumerate(dinas)),
        )
        # Provinces and dinas differ in size, as they do: a few large, many small.
        province_weight = [self.rng.lognormvariate(0, 0.8) for _ in provinces]
        self.dinas_weight = [province_weight[p - 1] * self.rng.lognormvariate(0, 0.5) for _, p, _ in self.dinas]
        self.province_dinas = {p: d for d, p, kind in self.dinas if kind == "provinsi"}

    # -- people -------------------------------------------------------------------------------------
    def _user(self, rows: list, roles: list, email: str, dinas_id: int | None, role: str, education=None) -> int:
        user_id = len(rows) + 1
        name = f"{FIRST[user_id % len(FIRST)]} {LAST[(user_id // len(FIRST)) % len(LAST)]} {user_id}"
        field, level, hours = education or (None, None, None)
        rows.append((user_id, email, name, self.password_hash, dinas_id, None, True, field, level, hours, self.now))
        roles.append((user_id, role))
        return user_id

    def people(self) -> None:
        rows: list = []
        roles: list = []
        self.admin_id = self._user(rows, roles, "admin@bench.local", None, "admin")
        self.certifiers = [
            self._user(rows, roles, f"certifier{n}@bench.local", None, "certifier") for n in range(1, CERTIFIERS + 1)
        ]
        self.dinas_admin = {
            d: self._user(rows, roles, f"admin.d{d}@bench.local", d, "dinas_admin") for d, _, _ in self.dinas
        }
        dinas_ids = [d for d, _, _ in self.dinas]
        self.assessor_dinas = self.rng.choices(dinas_ids, weights=self.dinas_weight, k=self.size["assessors"])
        self.assessor_users = [
            self._user(rows, roles, f"assessor{n}@bench.local", d, "assessor", self._education())
            for n, d in enumerate(self.assessor_dinas, start=1)
        ]
        n_apps = self.size["applications"]
        self.app_dinas = self.rng.choices(dinas_ids, weights=self.dinas_weight, k=n_apps)
        # One candidate per application, but the first candidate has two (the benchmark's candidate).
        if n_apps > 1:
            self.app_dinas[1] = self.app_dinas[0]
        self.candidates = [
            self._user(rows, roles, f"candidate{n}@bench.local", d, "candidate", self._education())
            for n, d in enumerate(self.app_dinas[1:] if n_apps > 1 else self.app_dinas, start=1)
        ]
        if n_apps > 1:
            self.candidates.insert(1, self.candidates[0])
        self.user_rows = rows
        self.w.copy(
            "users",
            (
                "id",
                "email",
                "name",
                "password_hash",
                "dinas_id",
                "locale",
                "active",
                "education_field",
                "education_level",
                "practice_hours",
                "created_at",
            ),
            rows,
        )
        self.w.copy("user_roles", ("user_id", "role"), roles)

    def _education(self) -> tuple[str, str, int]:
        field = self.rng.choices(("peksos", "kesos", "other"), weights=(3, 2, 5))[0]
        return field, self.rng.choice(("D3", "S1", "S2")), self.rng.randrange(200, 4000)

    def user_name(self, user_id: int) -> str:
        """The generated name of a user."""
        return self.user_rows[user_id - 1][2]

    # -- assessors and teams ----------------------------------------------------------------------
    def assessors_and_teams(self) -> None:
        scheme_ids = [s[0] for s in self.schemes]
        province_of = {d: p for d, p, _ in self.dinas}
        assessors, coverage = [], []
        by_province_scheme: dict[tuple[int, int], list[int]] = {}
        for a_id, (user_id, d) in enumerate(zip(self.assessor_users, self.assessor_dinas, strict=True), start=1):
            expires = self.today + timedelta(days=self.rng.randrange(-120, 1500))
            assessors.append((a_id, user_id, d, f"BNSP-{a_id:06d}", expires, 5, True, self.now))
            for s in self.rng.sample(scheme_ids, self.rng.choice((1, 1, 2))):
                coverage.append((a_id, s))
                by_province_scheme.setdefault((province_of[d], s), []).append(a_id)
        self.w.copy(
            "assessors",
            ("id", "user_id", "dinas_id", "licence_number", "licence_expires", "max_load", "active", "created_at"),
            assessors,
        )
        self.w.copy("assessor_schemes", ("assessor_id", "scheme_id"), coverage)
        all_by_scheme: dict[int, list[int]] = {}
        for a_id, s in coverage:
            all_by_scheme.setdefault(s, []).append(a_id)
        teams, members = [], []
        self.teams_by_scheme: dict[int, list[tuple[int, int]]] = {}  # scheme → [(team id, lead's user id)]
        dinas_ids = [d for d, _, _ in self.dinas]
        for t_id in range(1, self.size["teams"] + 1):
            d = self.rng.choices(dinas_ids, weights=self.dinas_weight)[0]
            s = scheme_ids[(t_id - 1) % len(scheme_ids)]
            pool = by_province_scheme.get((province_of[d], s)) or all_by_scheme.get(s) or [1, 2]
            chosen = self.rng.sample(pool, min(len(pool), self.rng.choice((2, 3))))
            if len(chosen) < 2:
                chosen = list(dict.fromkeys([*chosen, *self.rng.sample(range(1, len(assessors) + 1), 2)]))[:2]
            teams.append((t_id, d, s, f"Tim Asesor {t_id}", chosen[0], True, self.now))
            members.extend((t_id, a) for a in sorted(set(chosen)))
            self.teams_by_scheme.setdefault(s, []).append((t_id, self.assessor_users[chosen[0] - 1]))
        self.w.copy("teams", ("id", "dinas_id", "scheme_id", "name", "lead_id", "active", "created_at"), teams)
        self.w.copy("team_members", ("team_id", "assessor_id"), members)

    # -- applications and what follows from them ---------------------------------------------------
    def applications(self) -> None:
        from bench.records import ApplicationRecords

        ApplicationRecords(self).write()

    def tokens(self) -> None:
        holders = [self.admin_id, *self.certifiers, *self.dinas_admin.values(), self.candidates[0]]
        if self.assessor_users:
            holders.append(self.assessor_users[0])
        expires = self.now + timedelta(days=30)
        self.w.copy(
            "api_tokens",
            ("id", "user_id", "token_hash", "created_at", "expires_at"),
            (
                (i, u, hashlib.sha256(token_for(u).encode()).hexdigest(), self.now, expires)
                for i, u in enumerate(dict.fromkeys(holders), start=1)
            ),
        )


def _utcnow():
    from certflow import clock

    return clock.now()


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years (29 February becomes 28 February)."""
    from certflow.certificates.operations import add_years as _add

    return _add(day, years)


def dumps(value) -> str:
    """JSON text for a jsonb column."""
    return json.dumps(value, ensure_ascii=False)
