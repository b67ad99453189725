"""Demo data: the region, schemes with their standards, one account per role, and
applications in several states — every state reached through the real workflow."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import func, select, update

from certflow import clock, storage
from certflow.applications.workflow import fire_application_event
from certflow.assessment import agreements, demo_instruments
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
    Scheme,
    Score,
    SelfAssessmentAnswer,
    Team,
    TeamMember,
    Unit,
    User,
)
from certflow.people.regions import load_regions
from certflow.people.users import create_user
from certflow.positions.seed import seed_positions
from certflow.seed_schemes import SCHEMES
from certflow.staff.demo import seed_demo_staff
from workflows.eligibility import default_routes

DEMO_PASSWORD = "demo12345"

# (e-mail, name, roles, dinas)
DEMO_ACCOUNTS: list[tuple[str, str, list[str], str | None]] = [
    ("kandidat@certflow.local", "Siti Rahmawati", ["candidate"], "Dinas Sosial Kota Batam"),
    ("admin.kepri@certflow.local", "Hendra Saputra", ["dinas_admin"], "Dinas Sosial Provinsi Kepulauan Riau"),
    ("admin.batam@certflow.local", "Rina Marlina", ["dinas_admin"], "Dinas Sosial Kota Batam"),
    ("asesor.ketua@certflow.local", "Dr. Ahmad Fauzi", ["assessor"], "Dinas Sosial Provinsi Kepulauan Riau"),
    ("asesor@certflow.local", "Dewi Lestari", ["assessor"], "Dinas Sosial Kabupaten Bintan"),
    ("sertifikator@certflow.local", "Prof. Bambang Wijaya", ["certifier"], None),
    ("admin@certflow.local", "Administrator Sistem", ["admin"], None),
]

_MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _add_scheme(code, name, level, education, hours, documents, units) -> Scheme:
    scheme = Scheme(
        code=code,
        name=name,
        level=level,
        description=f"Sertifikasi kompetensi {name}.",
        validity_years=5,
        min_team_size=2,
        max_load=5,
        min_practice_hours=hours,
        accepted_education=education,
        required_documents=documents,
        routes=[r.as_data() for r in default_routes(education, hours, documents)],
    )
    db.session.add(scheme)
    db.session.flush()
    for u, (unit_title, elements) in enumerate(units, start=1):
        unit = Unit(scheme=scheme, code=f"{code}.{u:02d}", title=unit_title, position=u)
        db.session.add(unit)
        db.session.flush()
        for e, (element_title, criteria) in enumerate(elements, start=1):
            element = Element(unit=unit, code=f"{unit.code}.{e}", title=element_title, position=e)
            db.session.add(element)
            db.session.flush()
            for c, text in enumerate(criteria, start=1):
                db.session.add(
                    Criterion(
                        element=element,
                        unit_id=unit.id,
                        scheme_id=scheme.id,
                        code=f"{element.code}.{c}",
                        text=text,
                        position=c,
                    )
                )
    db.session.flush()
    return scheme


def _dinas(name: str) -> Dinas:
    return db.session.scalar(select(Dinas).where(Dinas.name == name))


def _store_document(app: Application, kind: str) -> Document:
    stored = secrets.token_hex(16) + ".pdf"
    storage.current().put(stored, _MINIMAL_PDF)
    doc = Document(
        application_id=app.id,
        kind=kind,
        filename=f"{kind}.pdf",
        stored_name=stored,
        content_type="application/pdf",
        size=len(_MINIMAL_PDF),
    )
    db.session.add(doc)
    return doc


def _demo_identity(candidate: User) -> dict:
    """A made-up but well-formed NIK, date and place of birth and sex for a demo candidate (not a real person)."""
    n = candidate.id or 1
    born = date(1975 + n % 20, 1 + n % 12, 1 + n % 28)
    sex = "female" if n % 2 else "male"
    day = born.day + (40 if sex == "female" else 0)
    province = (candidate.dinas.province.code if candidate.dinas else "21")[:2]
    nik = f"{province}7101{day:02d}{born.month:02d}{born.year % 100:02d}{n % 10_000 or 1:04d}"
    return {"nik": nik, "birth_date": born.isoformat(), "birth_place": "Tanjung Pinang", "sex": sex}


def _prepared_application(candidate: User, scheme: Scheme) -> Application:
    app = Application(candidate=candidate, scheme=scheme, dinas=candidate.dinas, state="draft")
    app.apl01 = {
        **_demo_identity(candidate),
        "education_field": candidate.education_field,
        "education_level": candidate.education_level,
        "practice_hours": candidate.practice_hours,
        "workplace": candidate.dinas.name,
        "route": "education",
        "purpose": "certification",
    }
    db.session.add(app)
    db.session.flush()
    for crit in db.session.scalars(select(Criterion).where(Criterion.scheme_id == scheme.id)):
        db.session.add(
            SelfAssessmentAnswer(
                application_id=app.id, criterion_id=crit.id, claim="K", evidence="Pengalaman praktik di dinas."
            )
        )
    for kind in scheme.required_documents:
        _store_document(app, kind)
    db.session.flush()
    return app


STATE_PATH = ["draft", "submitted", "eligible", "team_assigned", "in_assessment", "assessed", "certified"]


def _advance(app: Application, target: str, people: dict, recommendation: str = "K") -> None:
    """Drive ``app`` along the main path to ``target`` through the workflow service."""
    admin, team, lead = people["admin"], people["team"], people["lead"]
    steps = {
        "submitted": lambda: fire_application_event(app, "submit", app.candidate),
        "eligible": lambda: (_mark_valid(app, admin), fire_application_event(app, "approve", admin)),
        "team_assigned": lambda: fire_application_event(app, "assign_team", admin, data={"team": team.id}),
        "in_assessment": lambda: (
            _declare(app, team),
            _agree(app, lead),
            fire_application_event(app, "start_assessment", lead.user),
        ),
        "assessed": lambda: (
            _score(app, lead, recommendation),
            fire_application_event(app, "recommend", lead.user, data={"recommendation": recommendation}),
        ),
        "certified": lambda: fire_application_event(app, "certify", people["certifier"]),
    }
    for state in STATE_PATH[1 : STATE_PATH.index(target) + 1]:
        steps[state]()


def _mark_valid(app: Application, admin: User) -> None:
    for doc in app.documents:
        doc.status, doc.reviewed_by_id, doc.reviewed_at = "valid", admin.id, clock.now()
    db.session.flush()


def _declare(app: Application, team: Team) -> None:
    for row in team.member_rows:
        db.session.add(ConflictDeclaration(application_id=app.id, assessor_id=row.assessor_id, conflict=False))
    db.session.flush()


def _agree(app: Application, lead: Assessor) -> None:
    """The assessment agreement (FR.AK.01): written by the lead for every unit, signed by both."""
    terms = {
        "date": (clock.today() + timedelta(days=7)).isoformat(),
        "time": "09:00",
        "venue": f"TUK {app.dinas.name}",
        "evidence": [{"unit": u.code, "methods": ["observation", "interview", "portfolio"]} for u in app.scheme.units],
    }
    agreements.write_agreement(app, lead.user, terms)
    agreements.sign_agreement(app, app.candidate)
    agreements.sign_agreement(app, lead.user)


def _score(app: Application, lead: Assessor, recommendation: str) -> None:
    first_unit = True
    for unit in app.scheme.units:
        result = "BK" if recommendation == "BK" and first_unit else "K"
        first_unit = False
        for element in unit.elements:
            for crit in element.criteria:
                db.session.add(
                    Score(
                        application_id=app.id,
                        assessor_id=lead.id,
                        criterion_id=crit.id,
                        result=result,
                        method="portfolio",
                        evidence="Portofolio dan wawancara.",
                    )
                )
    db.session.flush()


def seed_demo(if_empty: bool = False) -> str:
    """Load the demo data; with ``if_empty``, only into a database without users."""
    if if_empty and db.session.scalar(select(func.count(User.id))):
        return "The database already has data: nothing seeded."
    load_regions()
    seed_positions()
    schemes = {}
    for spec in SCHEMES:
        existing = db.session.scalar(select(Scheme).where(Scheme.code == spec[0]))
        schemes[spec[0]] = existing or _add_scheme(*spec)
        demo_instruments.add_demo_instruments(schemes[spec[0]])
    profile = {"education_field": "peksos", "education_level": "S1", "practice_hours": 2000}
    users = {}
    for email, name, roles, dinas in DEMO_ACCOUNTS:
        users[email] = db.session.scalar(select(User).where(User.email == email)) or create_user(
            email, name, DEMO_PASSWORD, roles, dinas, **(profile if "candidate" in roles else {})
        )
    today = clock.today()
    assessors = []
    for email in ("asesor.ketua@certflow.local", "asesor@certflow.local"):
        user = users[email]
        assessor = Assessor(
            user=user,
            dinas=user.dinas,
            licence_number=f"BNSP-{user.id:05d}",
            licence_expires=today + timedelta(days=700),
            max_load=8,
        )
        assessor.scheme_rows = [AssessorScheme(scheme_id=s.id) for s in schemes.values()]
        db.session.add(assessor)
        assessors.append(assessor)
    db.session.flush()
    lead = assessors[0]
    team = Team(dinas=lead.dinas, scheme=schemes["PS-GEN"], name="Tim Asesor Kepri 1", lead_id=lead.id)
    team.member_rows = [TeamMember(assessor_id=a.id) for a in assessors]
    db.session.add(team)
    db.session.flush()

    people = {
        "admin": users["admin.kepri@certflow.local"],
        "team": team,
        "lead": lead,
        "certifier": users["sertifikator@certflow.local"],
    }
    # The demo candidate has one draft; other candidates of the province stand at every step.
    _prepared_application(users["kandidat@certflow.local"], schemes["PS-GEN"])
    others = [
        ("Yusuf Hidayat", "Dinas Sosial Kota Batam", "submitted"),
        ("Maria Simanjuntak", "Dinas Sosial Kota Tanjungpinang", "eligible"),
        ("Agus Salim", "Dinas Sosial Kabupaten Karimun", "team_assigned"),
        ("Nurul Aini", "Dinas Sosial Kota Batam", "in_assessment"),
        ("Fajar Nugroho", "Dinas Sosial Kabupaten Lingga", "assessed"),
        ("Lestari Wulandari", "Dinas Sosial Kabupaten Natuna", "certified"),
        ("Rudi Hartono", "Dinas Sosial Kabupaten Kepulauan Anambas", "revision_requested"),
    ]
    for n, (name, dinas_name, target) in enumerate(others, start=1):
        candidate = create_user(
            f"kandidat{n}@certflow.local", name, DEMO_PASSWORD, ["candidate"], dinas_name, **profile
        )
        app = _prepared_application(candidate, schemes["PS-GEN"])
        if target == "revision_requested":
            fire_application_event(app, "submit", candidate)
            fire_application_event(
                app,
                "request_revision",
                people["admin"],
                reason="Surat rekomendasi Kepala Dinas belum ditandatangani.",
                data={"deadline": (today + timedelta(days=14)).isoformat()},
            )
        else:
            _advance(app, target, people)
        if target == "in_assessment":
            demo_instruments.draw_demo_test(app, lead.user)
    db.session.flush()
    _seed_schedules(people, schemes["PS-GEN"], profile)
    seed_demo_staff()
    count = db.session.scalar(select(func.count(Application.id)))
    return (
        f"Demo data loaded: {len(schemes)} schemes, {len(DEMO_ACCOUNTS) + len(others)} accounts, {count} applications."
    )


# -- assessment events: venues (verified and not) and schedules in several states ----------------------


def _seed_schedules(people: dict, scheme: Scheme, profile: dict) -> None:
    """Three venues of Kepulauan Riau (two verified) and five schedules of the demo team.

    The coming ones are planned and opened through the workflow, their candidates placed as
    ``assign_team`` with the schedule's team; the past ones (a cancelled one, one reported
    with the lead's report, waiting for the plenary) are written as they stand.
    """
    from datetime import datetime, time

    from certflow.models import Attendance, Schedule, Venue, VenueVerification
    from certflow.schedules.operations import create_schedule, fire_schedule_event

    admin, team = people["admin"], people["team"]
    today = clock.today()
    venues = {}
    for key, name, kind, dinas_name, address, capacity, ok in (
        (
            "batam",
            "TUK Dinas Sosial Kota Batam",
            "mandiri",
            "Dinas Sosial Kota Batam",
            "Jl. Engku Putri No. 1, Batam Centre, Kota Batam",
            30,
            True,
        ),
        (
            "aula",
            "Aula Dinas Sosial Provinsi Kepulauan Riau",
            "sewaktu",
            "Dinas Sosial Provinsi Kepulauan Riau",
            "Jl. Basuki Rahmat No. 2, Tanjungpinang",
            40,
            True,
        ),
        (
            "lks",
            "LKS Panti Sosial Tanjungpinang",
            "tempat_kerja",
            "Dinas Sosial Kota Tanjungpinang",
            "Jl. Ganet No. 7, Tanjungpinang",
            12,
            None,
        ),
    ):
        venue = Venue(name=name, kind=kind, dinas=_dinas(dinas_name), address=address, capacity=capacity)
        db.session.add(venue)
        db.session.flush()
        if ok is not None:
            checklist = {k: True for k in ("room", "furniture", "equipment", "toilets", "accessibility", "safety")}
            db.session.add(
                VenueVerification(
                    venue_id=venue.id,
                    verified_by_id=admin.id,
                    facilities_ok=ok,
                    checklist=checklist,
                    note="Sarana dan prasarana lengkap.",
                )
            )
        venues[key] = venue

    def at(days: int, hour: int = 9) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=clock.LOCAL_TZ)

    def plan(venue: str, days: int, closes: int, quota=(2, 20)) -> Schedule:
        return create_schedule(
            admin,
            {
                "scheme": scheme.code,
                "venue": venues[venue].id,
                "starts_at": at(days),
                "quota_min": quota[0],
                "quota_max": quota[1],
                "registration_closes": today + timedelta(days=closes),
                "team": team.id,
            },
        )

    plan("aula", 45, 38)  # planned
    opened = plan("batam", 14, 10)
    fire_schedule_event(opened, "open", admin)
    for n, name in enumerate(("Siti Rahmawati", "Hendra Gunawan"), start=1):
        candidate = create_user(
            f"asesi.jadwal{n}@certflow.local", name, DEMO_PASSWORD, ["candidate"], "Dinas Sosial Kota Batam", **profile
        )
        app = _prepared_application(candidate, scheme)
        _advance(app, "eligible", people)
        with db.session.no_autoflush:  # placed: the schedule's id in the assignment's own UPDATE
            app.schedule_id = opened.id
            fire_application_event(app, "assign_team", admin, data={"team": team.id})
    db.session.flush()
    past = {"dinas_id": venues["lks"].dinas_id, "scheme_id": scheme.id, "team_id": team.id, "created_by_id": admin.id}
    db.session.add(
        Schedule(
            **past,
            venue_id=venues["lks"].id,
            starts_at=at(-7),
            quota_min=2,
            quota_max=10,
            registration_closes=today - timedelta(days=10),
            state="cancelled",
            reminders_sent=[],
            cancel_reason="TUK belum lolos verifikasi sarana; jadwal dipindahkan.",
        )
    )
    reported = Schedule(
        **{**past, "dinas_id": venues["aula"].dinas_id},
        venue_id=venues["aula"].id,
        starts_at=at(-5),
        quota_min=1,
        quota_max=20,
        registration_closes=today - timedelta(days=9),
        state="reported",
        reminders_sent=[],
        attendance_recorded_at=clock.now() - timedelta(days=5),
        report_notes="Uji kompetensi berjalan tertib; semua asesi hadir dan seluruh bukti terkumpul.",
    )
    db.session.add(reported)
    db.session.flush()
    assessed = db.session.scalars(select(Application).where(Application.state == "assessed")).all()
    db.session.execute(
        update(Application)
        .where(Application.id.in_([a.id for a in assessed]))
        .values(schedule_id=reported.id)
        .execution_options(synchronize_session=False)
    )
    for app in assessed:
        db.session.add(
            Attendance(
                schedule_id=reported.id, application_id=app.id, present=True, recorded_by_id=people["lead"].user_id
            )
        )
    db.session.flush()
