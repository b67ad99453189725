"""Building test data through the real models and services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from certflow import clock
from certflow.applications.workflow import fire_application_event
from certflow.assessment import agreements
from certflow.extensions import db
from certflow.models import (
    Application,
    Assessor,
    AssessorScheme,
    ConflictDeclaration,
    Criterion,
    Dinas,
    Document,
    Element,
    Province,
    Scheme,
    Score,
    SelfAssessmentAnswer,
    Team,
    TeamMember,
    Unit,
    User,
)
from certflow.people.users import create_user

PASSWORD = "rahasia-123"
_seq = itertools.count(1)


def make_province(code: str, name: str) -> tuple[Province, Dinas]:
    """A province and its province dinas."""
    province = Province(code=code, name=name)
    dinas = Dinas(name=Dinas.full_name("provinsi", name), area=name, kind="provinsi", province=province)
    db.session.add_all([province, dinas])
    return province, dinas


def make_dinas(province: Province, kind: str, area: str) -> Dinas:
    """A kab/kota dinas."""
    dinas = Dinas(name=Dinas.full_name(kind, area), area=area, kind=kind, province=province)
    db.session.add(dinas)
    return dinas


def make_scheme(code: str = "PSG", units: int = 2, elements: int = 2, criteria: int = 2, **kw) -> Scheme:
    """A scheme with ``units`` × ``elements`` × ``criteria`` criteria."""
    scheme = Scheme(
        code=code,
        name=kw.pop("name", f"Pekerja Sosial {code}"),
        level=kw.pop("level", "Generalis"),
        validity_years=kw.pop("validity_years", 5),
        min_team_size=kw.pop("min_team_size", 2),
        max_load=kw.pop("max_load", 3),
        min_practice_hours=kw.pop("min_practice_hours", 1344),
        accepted_education=kw.pop("accepted_education", ["peksos", "kesos"]),
        required_documents=kw.pop("required_documents", ["diploma", "work_letter"]),
        **kw,
    )
    db.session.add(scheme)
    db.session.flush()
    for u in range(1, units + 1):
        unit = Unit(scheme=scheme, code=f"{code}.U{u}", title=f"Unit {u}", position=u)
        db.session.add(unit)
        db.session.flush()
        for e in range(1, elements + 1):
            element = Element(unit=unit, code=f"{code}.U{u}.E{e}", title=f"Element {u}.{e}", position=e)
            db.session.add(element)
            db.session.flush()
            for c in range(1, criteria + 1):
                db.session.add(
                    Criterion(
                        element=element,
                        unit_id=unit.id,
                        scheme_id=scheme.id,
                        code=f"{code}.U{u}.E{e}.K{c}",
                        text=f"Criterion {u}.{e}.{c}",
                        position=c,
                    )
                )
    db.session.flush()
    return scheme


def make_user(roles, dinas: Dinas | None = None, name: str | None = None, **profile) -> User:
    """A user with a known password (``PASSWORD``)."""
    n = next(_seq)
    roles = [roles] if isinstance(roles, str) else list(roles)
    return create_user(f"user{n}@example.id", name or f"User {n}", PASSWORD, roles, dinas, **profile)


def make_assessor(
    dinas: Dinas, schemes, *, expires: date | None = None, max_load: int = 3, name=None, user: User | None = None
) -> Assessor:
    """A user registered as an assessor licensed for ``schemes``."""
    user = user or make_user("assessor", dinas, name=name)
    if not user.has_role("assessor"):
        user.set_roles(user.roles | {"assessor"})
    assessor = Assessor(
        user=user,
        dinas=dinas,
        licence_number=f"LIC-{user.id:05d}",
        licence_expires=expires or (clock.today() + timedelta(days=365)),
        max_load=max_load,
    )
    assessor.scheme_rows = [AssessorScheme(scheme_id=s.id) for s in schemes]
    db.session.add(assessor)
    db.session.flush()
    return assessor


def make_team(dinas: Dinas, scheme: Scheme, lead: Assessor, members, name: str = "Tim A") -> Team:
    """A team of ``lead`` and ``members`` (the lead is a member too)."""
    team = Team(dinas=dinas, scheme=scheme, name=name, lead_id=lead.id)
    ids = list(dict.fromkeys([lead.id] + [m.id for m in members]))
    team.member_rows = [TeamMember(assessor_id=i) for i in ids]
    db.session.add(team)
    db.session.flush()
    return team


def state_columns(state: str, team: Team | None = None) -> dict:
    """What an application put straight into ``state`` (not through the workflow) needs besides the state.

    The database refuses a state without them (``STATE_INVARIANTS``, migration 0004_invariants):
    a revision deadline, the state appealed from, the team (``team``), the team's recommendation.
    """
    columns: dict = {}
    if state == "revision_requested":
        columns["revision_deadline"] = clock.today() + timedelta(days=14)
    if state == "under_appeal":
        columns["appealed_from"] = "ineligible"
    if state in ("team_assigned", "in_assessment", "assessed"):
        if team is None:
            raise ValueError(f"an application in {state} needs a team")
        columns["team_id"] = team.id
    if state == "assessed":
        columns["recommendation"] = "K"
    return columns


@dataclass
class World:
    """A region, two schemes, one person of each role, an assessor pool and a team."""

    kepri: Province = None
    riau: Province = None
    dinas_kepri: Dinas = None
    batam: Dinas = None
    bintan: Dinas = None
    dinas_riau: Dinas = None
    pekanbaru: Dinas = None
    scheme: Scheme = None
    other_scheme: Scheme = None
    candidate: User = None
    other_candidate: User = None
    admin_batam: User = None
    admin_kepri: User = None
    admin_riau: User = None
    certifier: User = None
    certifier2: User = None
    sysadmin: User = None
    lead: Assessor = None
    member: Assessor = None
    same_dinas_assessor: Assessor = None
    team: Team = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def build(cls) -> World:
        """Create the world and commit it."""
        w = cls()
        w.kepri, w.dinas_kepri = make_province("21", "Kepulauan Riau")
        w.batam = make_dinas(w.kepri, "kota", "Batam")
        w.bintan = make_dinas(w.kepri, "kabupaten", "Bintan")
        w.riau, w.dinas_riau = make_province("14", "Riau")
        w.pekanbaru = make_dinas(w.riau, "kota", "Pekanbaru")
        db.session.flush()
        w.scheme = make_scheme("PSG", name="Pekerja Sosial Generalis")
        w.other_scheme = make_scheme(
            "PNY",
            units=1,
            name="Penyuluh Sosial Ahli Pertama",
            level="Ahli Pertama",
            accepted_education=["peksos", "kesos", "other"],
            min_practice_hours=0,
            required_documents=["diploma"],
        )
        profile = {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}
        w.candidate = make_user("candidate", w.batam, name="Siti Candidate", **profile)
        w.other_candidate = make_user("candidate", w.bintan, name="Budi Candidate", **profile)
        w.admin_batam = make_user("dinas_admin", w.batam, name="Admin Batam")
        w.admin_kepri = make_user("dinas_admin", w.dinas_kepri, name="Admin Kepri")
        w.admin_riau = make_user("dinas_admin", w.dinas_riau, name="Admin Riau")
        w.certifier = make_user("certifier", None, name="Certifier One")
        w.certifier2 = make_user("certifier", None, name="Certifier Two")
        w.sysadmin = make_user("admin", None, name="System Admin")
        w.lead = make_assessor(w.bintan, [w.scheme, w.other_scheme], name="Lead Assessor")
        w.member = make_assessor(w.dinas_kepri, [w.scheme, w.other_scheme], name="Member Assessor")
        w.same_dinas_assessor = make_assessor(w.batam, [w.scheme], name="Batam Assessor")
        w.team = make_team(w.dinas_kepri, w.scheme, w.lead, [w.member], name="Tim Kepri 1")
        db.session.commit()
        return w

    # -- driving an application through the real workflow ------------------------------
    def new_application(self, candidate: User | None = None, scheme: Scheme | None = None) -> Application:
        """A draft application with a complete form, self-assessment and documents."""
        candidate = candidate or self.candidate
        scheme = scheme or self.scheme
        app = Application(candidate=candidate, scheme=scheme, dinas=candidate.dinas, state="draft")
        app.apl01 = {
            "education_field": "peksos",
            "education_level": "D4",
            "practice_hours": 2000,
            "route": "education",
            "purpose": "certification",
        }
        db.session.add(app)
        db.session.flush()
        for crit in db.session.scalars(db.select(Criterion).where(Criterion.scheme_id == scheme.id)):
            db.session.add(SelfAssessmentAnswer(application_id=app.id, criterion_id=crit.id, claim="K", evidence="ok"))
        for n, kind in enumerate(scheme.required_documents):
            db.session.add(
                Document(
                    application_id=app.id,
                    kind=kind,
                    filename=f"{kind}.pdf",
                    stored_name=f"{app.id}-{n}-{kind}",
                    content_type="application/pdf",
                    size=100,
                )
            )
        db.session.commit()
        return app

    def fire(self, app: Application, event: str, user: User | None, **kw):
        """Fire an event through the service and commit (on the record as it is now in the database).

        ``start_assessment`` needs the signed agreement (FR.AK.01): when there is none yet, the
        team's lead writes and both sign one first (``agree``); call ``fire_application_event``
        directly to see the guard refuse.
        """
        db.session.refresh(app)
        if event == "start_assessment" and app.state == "team_assigned" and app.team is not None:
            agreement = agreements.agreement_of(app)
            if agreement is None or not agreement.signed:
                self.agree(app)
                db.session.refresh(app)
        fired = fire_application_event(app, event, user, **kw)
        db.session.commit()
        return fired

    def score_all(self, app: Application, assessor: Assessor, result: str = "K", bk_units=()) -> None:
        """Record ``assessor``'s result for every criterion (BK for criteria of ``bk_units``)."""
        rows = db.session.execute(
            db.select(Criterion.id, Unit.code)
            .join(Unit, Unit.id == Criterion.unit_id)
            .where(Criterion.scheme_id == app.scheme_id)
        ).all()
        for crit_id, unit_code in rows:
            db.session.add(
                Score(
                    application_id=app.id,
                    assessor_id=assessor.id,
                    criterion_id=crit_id,
                    result="BK" if unit_code in bk_units else result,
                    method="portfolio",
                    evidence="seen",
                )
            )
        db.session.commit()

    def agree(self, app: Application, sign: bool = True, on: date | None = None):
        """The assessment agreement (FR.AK.01) written by the team's lead, signed by both (``sign``); committed.

        On the record as it is now in the database: the agreement moves the application's version.
        """
        db.session.refresh(app)
        lead = db.session.get(Assessor, app.team.lead_id).user
        units = db.session.scalars(db.select(Unit.code).where(Unit.scheme_id == app.scheme_id).order_by(Unit.position))
        terms = {
            "date": (on or clock.today() + timedelta(days=7)).isoformat(),
            "time": "09:00",
            "venue": "Aula Dinas Sosial",
            "evidence": [{"unit": code, "methods": ["observation", "portfolio"]} for code in units],
        }
        agreement = agreements.write_agreement(app, lead, terms)
        if sign:
            agreements.sign_agreement(app, app.candidate)
            agreements.sign_agreement(app, lead)
        db.session.commit()
        return agreement

    def declare(self, app: Application, *assessors: Assessor, conflict: bool = False) -> None:
        """Conflict declarations by ``assessors`` (default: the team)."""
        for a in assessors or (self.lead, self.member):
            db.session.add(ConflictDeclaration(application_id=app.id, assessor_id=a.id, conflict=conflict))
        db.session.commit()

    def advance(self, app: Application, target: str, recommendation: str = "K") -> Application:
        """Drive ``app`` from draft along the main path until it reaches ``target``."""
        steps = [
            ("submitted", lambda: self.fire(app, "submit", app.candidate)),
            ("eligible", lambda: (self.mark_documents(app, "valid"), self.fire(app, "approve", self.admin_batam))),
            ("team_assigned", lambda: self.fire(app, "assign_team", self.admin_kepri, data={"team": self.team.id})),
            ("in_assessment", lambda: (self.declare(app), self.fire(app, "start_assessment", self.lead.user))),
            (
                "assessed",
                lambda: (
                    self.score_all(
                        app, self.lead, bk_units=() if recommendation == "K" else (f"{app.scheme.code}.U1",)
                    ),
                    self.fire(app, "recommend", self.lead.user, data={"recommendation": recommendation}),
                ),
            ),
            ("certified", lambda: self.fire(app, "certify", self.certifier)),
        ]
        for state, step in steps:
            if app.state == target:
                break
            step()
            assert app.state == state, (app.state, state)
        assert app.state == target
        return app

    def as_legacy(self, app: Application) -> Application:
        """``app`` as sent before ``submit`` asked for a route and a purpose (legacy data): its APL-01
        without them, so the scheme's older single rule set judges it."""
        app.apl01 = {k: v for k, v in (app.apl01 or {}).items() if k not in ("route", "purpose")}
        db.session.commit()
        return app

    def mark_documents(self, app: Application, status: str) -> None:
        """Mark every document of ``app`` valid or invalid."""
        for doc in app.documents:
            doc.status = status
        db.session.commit()


# -- assessment events (certflow.schedules) ------------------------------------------------------


def make_venue(dinas: Dinas, name: str = "TUK Batam", capacity: int = 40, kind: str = "mandiri", verified=None):
    """A venue of ``dinas``; ``verified``: True/False records a verification with that result."""
    from certflow.models import Venue, VenueVerification

    venue = Venue(dinas=dinas, name=name, kind=kind, address="Jl. Engku Putri 1, Batam", capacity=capacity)
    db.session.add(venue)
    db.session.flush()
    if verified is not None:
        admin = db.session.scalar(db.select(User).where(User.dinas_id == dinas.id)) or make_user("dinas_admin", dinas)
        db.session.add(VenueVerification(venue_id=venue.id, verified_by_id=admin.id, facilities_ok=verified))
        db.session.flush()
    return venue


def make_schedule(world, *, state: str = "planned", days_ahead: int = 10, quota=(1, 40), closes_in: int = 5, **kw):
    """A schedule of ``world``'s scheme and team at a venue of Batam, put straight into ``state``."""
    from datetime import datetime, time

    from certflow.models import Schedule

    venue = kw.pop("venue", None) or make_venue(world.batam, verified=True)
    day = clock.today() + timedelta(days=days_ahead)
    schedule = Schedule(
        dinas_id=venue.dinas_id,
        scheme_id=kw.pop("scheme", world.scheme).id,
        venue_id=venue.id,
        team_id=kw.pop("team", world.team).id,
        starts_at=datetime.combine(day, time(9, 0), tzinfo=clock.LOCAL_TZ),
        quota_min=quota[0],
        quota_max=quota[1],
        registration_closes=clock.today() + timedelta(days=closes_in),
        state=state,
        reminders_sent=[],
        **kw,
    )
    db.session.add(schedule)
    db.session.commit()
    return schedule
