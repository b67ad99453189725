"""The applications and what their histories left behind: log rows, certificates, documents, notifications.

Written in passes, each streamed to its own COPY: the applications first (the other tables
reference them), then the rows derived from each application's path, regenerated from the
application's own seed so that a million log rows never sit in memory at once.
"""

from __future__ import annotations

import random
from datetime import timedelta

from bench import history
from bench.generate import ADMIN_ACTOR, CANDIDATE_ACTOR, DOCUMENT_KINDS, LEAD_ACTOR, REASONS, _number, add_years, dumps

APPLICATION_COLUMNS = (
    "id",
    "candidate_id",
    "scheme_id",
    "dinas_id",
    "state",
    "version",
    "apl01",
    "team_id",
    "recommendation",
    "revision_reason",
    "revision_deadline",
    "decided_at",
    "decided_by_id",
    "appealed_from",
    "created_at",
    "updated_at",
    "state_changed_at",
)
LOG_COLUMNS = (
    "id",
    "workflow",
    "workflow_version",
    "subject_id",
    "application_id",
    "actor_id",
    "event",
    "from_state",
    "to_state",
    "reason",
    "data",
    "at",
)
CERTIFICATE_COLUMNS = (
    "id",
    "number",
    "application_id",
    "holder_id",
    "holder_name",
    "scheme_id",
    "scheme_code",
    "scheme_name",
    "level",
    "units",
    "issuer",
    "signatory",
    "issued_on",
    "expires_on",
    "status",
    "version",
    "created_at",
)
DOCUMENT_COLUMNS = (
    "id",
    "application_id",
    "kind",
    "filename",
    "stored_name",
    "content_type",
    "size",
    "status",
    "uploaded_at",
    "reviewed_by_id",
    "reviewed_at",
)
NOTIFICATION_COLUMNS = ("id", "user_id", "event", "workflow", "application_id", "params", "created_at", "read_at")
APPEAL_COLUMNS = ("id", "application_id", "state", "version", "appealed_from", "reason", "decision_by_id", "created_at")
DECIDED = {"reject": "admin", "certify": "certifier", "decline": "certifier"}


class ApplicationRecords:
    """The applications of one generation run (``gen``: the ``_Generation`` with people and teams)."""

    def __init__(self, gen):
        self.gen = gen
        self.rng = gen.rng
        n = gen.size["applications"]
        self.states = history.states(self.rng, n)
        self.paths = history.paths(self.rng, self.states, gen.size["transition_logs"])
        self.seeds = [self.rng.getrandbits(32) for _ in range(n)]
        self.scheme_index = self.rng.choices(range(len(gen.schemes)), weights=(5, 2, 2, 3)[: len(gen.schemes)], k=n)
        self.info: list[tuple] = []  # per application: (id, candidate, admin, lead user, certifier, team)

    def write(self) -> None:
        w = self.gen.w
        w.copy("applications", APPLICATION_COLUMNS, self._applications())
        w.copy("transition_logs", LOG_COLUMNS, self._logs())
        w.copy("certificates", CERTIFICATE_COLUMNS, self._certificates())
        w.copy("documents", DOCUMENT_COLUMNS, self._documents())
        w.copy("notifications", NOTIFICATION_COLUMNS, self._notifications())
        w.copy("appeals", APPEAL_COLUMNS, self._appeals())

    def _timeline(self, i: int):
        return history.timeline(random.Random(self.seeds[i]), self.gen.now, len(self.paths[i]))

    def _applications(self):
        gen = self.gen
        for i, state in enumerate(self.states):
            app_id, path = i + 1, self.paths[i]
            scheme_id = gen.schemes[self.scheme_index[i]][0]
            dinas_id, candidate = gen.app_dinas[i], gen.candidates[i]
            team_id = lead = None
            if state in history.TEAM_STATES or "assign_team" in path:
                team_id, lead = self.rng.choice(
                    gen.teams_by_scheme.get(scheme_id) or next(iter(gen.teams_by_scheme.values()))
                )
            certifier = self.rng.choice(gen.certifiers)
            admin = gen.dinas_admin[dinas_id]
            self.info.append((app_id, candidate, admin, lead, certifier, team_id))
            created, times = self._timeline(i)
            last = times[-1] if times else created
            decided_at = decided_by = None
            for event, at in zip(path, times, strict=True):
                if event in DECIDED:
                    decided_at, decided_by = at, admin if DECIDED[event] == "admin" else certifier
            _, field, level, hours = gen.user_rows[candidate - 1][6:10]
            yield (
                app_id,
                candidate,
                scheme_id,
                dinas_id,
                state,
                len(path) + 1,
                dumps({"education_field": field, "education_level": level, "practice_hours": hours}),
                team_id,
                {"assessed": "K", "certified": "K", "not_yet_competent": "BK"}.get(state),
                REASONS["request_revision"] if state == "revision_requested" else None,
                gen.today + timedelta(days=14) if state == "revision_requested" else None,
                decided_at,
                decided_by,
                "ineligible" if state == "under_appeal" else None,
                created,
                last,
                last,
            )

    def _actor(self, event: str, info: tuple) -> int:
        _, candidate, admin, lead, certifier, _ = info
        if event in CANDIDATE_ACTOR:
            return candidate
        if event in ADMIN_ACTOR:
            return admin
        if event in LEAD_ACTOR:
            return lead
        return certifier

    def _logs(self):
        log_id = 0
        for i, path in enumerate(self.paths):
            if not path:
                continue
            info = self.info[i]
            _, times = self._timeline(i)
            state = "draft"
            for event, at in zip(path, times, strict=True):
                log_id += 1
                dest = history.destination(state, event)
                data = None
                if event == "assign_team":
                    data = dumps({"team": info[5]})
                elif event == "recommend":
                    data = dumps({"recommendation": "K"})
                yield (
                    log_id,
                    "application",
                    1,
                    info[0],
                    info[0],
                    self._actor(event, info),
                    event,
                    state,
                    dest,
                    REASONS.get(event),
                    data,
                    at,
                )
                state = dest

    def _certificates(self):
        gen = self.gen
        cert_id = 0
        for i, state in enumerate(self.states):
            if state != "certified":
                continue
            cert_id += 1
            _, times = self._timeline(i)
            issued = times[-1].date()
            expires = add_years(issued, 5)
            status = "expired" if expires <= gen.today else ("suspended" if cert_id % 97 == 0 else "active")
            scheme_id, code, name, level, units = gen.schemes[self.scheme_index[i]]
            holder = gen.candidates[i]
            yield (
                cert_id,
                _number(code, issued.year, cert_id),
                i + 1,
                holder,
                gen.user_name(holder),
                scheme_id,
                code,
                name,
                level,
                dumps(units),
                "LSP Pekerja Sosial",
                "Ketua LSP Pekerja Sosial",
                issued,
                expires,
                status,
                1,
                times[-1],
            )

    def _documents(self):
        doc_id = 0
        for i, state in enumerate(self.states):
            if state == "draft":
                continue
            info = self.info[i]
            created, times = self._timeline(i)
            reviewed = state not in ("submitted", "revision_requested", "withdrawn")
            for k, kind in enumerate(DOCUMENT_KINDS):
                doc_id += 1
                status = "valid" if reviewed or (i + k) % 3 == 0 else "pending"
                at = times[1] if reviewed and len(times) > 1 else None
                yield (
                    doc_id,
                    i + 1,
                    kind,
                    f"{kind}.pdf",
                    f"bench-{doc_id:08d}.pdf",
                    "application/pdf",
                    20480,
                    status,
                    created,
                    info[2] if at else None,
                    at,
                )

    def _notifications(self):
        n = 0
        for i, path in enumerate(self.paths):
            if not path:
                continue
            _, times = self._timeline(i)
            n += 1
            yield (
                n,
                self.info[i][1],
                path[-1],
                "application",
                i + 1,
                dumps({"to": self.states[i]}),
                times[-1],
                times[-1] if n % 3 else None,
            )

    def _appeals(self):
        n = 0
        for i, state in enumerate(self.states):
            if state != "under_appeal":
                continue
            n += 1
            _, times = self._timeline(i)
            yield (n, i + 1, "open", 1, "ineligible", REASONS["appeal"], self.info[i][2], times[-1])
