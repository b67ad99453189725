"""Every read-then-write of the event path, raced (issue 15, item 8): one winner, the others told.

Each thread has its own application context, session and connection (PostgreSQL, READ COMMITTED,
as in production). It reads what a request would read first, waits at a barrier, then decides and
writes inside one ``unit_of_work``. Exactly one wins; every other is told the record changed
(``stale_version``) or is refused with a clear code — never a crash, never a double write — and
the database is consistent afterwards. SQLite serialises writers: these run on PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from certflow import clock
from certflow.applications import documents as documents_service
from certflow.applications.certificate_actions import reissue_with_name
from certflow.applications.workflow import fire_application_event, fire_certificate_event
from certflow.assessment import agreements, proposal_accept, written_tests
from certflow.assessment.replacements import replace_member
from certflow.core.errors import AppError
from certflow.core.transaction import unit_of_work
from certflow.extensions import db as _db
from certflow.models import (
    Agreement,
    Application,
    Attendance,
    Certificate,
    Document,
    PlenaryDecision,
    Schedule,
    ScheduleLog,
    Team,
    TeamChange,
    TeamMember,
    TransitionLog,
    User,
    WrittenTest,
)
from certflow.schedules.operations import fire_schedule_event, record_attendance
from certflow.schedules.plenary import record_plenary
from tests.factories import make_assessor, make_schedule, make_team
from tests.instruments_support import make_bank
from tests.integration.test_concurrency import THREADS, racing_app  # noqa: F401 - the fixture
from tests.plenary_support import lines_for, reported_schedule
from workflows import WorkflowError

REFUSALS = {"stale_version", "invalid_transition", "not_editable", "conflict"}


def race(racing_app, calls) -> list[str]:  # noqa: F811 - the fixture, by name
    """Thread i runs ``calls[i]()`` (its reads; it returns the write), then the write after the barrier.

    Both run in one ``unit_of_work``, as in a request. The outcome: ``ok``, the refusal's code, or
    ``crash: …`` for anything else.
    """
    # The test's own objects are loaded now, so a thread reading an id never refreshes them through
    # the test's session (a session is not for two threads at once).
    for obj in list(_db.session.identity_map.values()):
        try:
            _db.session.refresh(obj)
        except Exception:  # noqa: BLE001 - deleted meanwhile: nobody reads it
            _db.session.expunge(obj)
    barrier = threading.Barrier(len(calls), timeout=60)
    outcomes: list[str] = [""] * len(calls)

    def run(i: int, prepare) -> None:
        with racing_app.app_context():
            try:
                with unit_of_work():
                    write = prepare()
                    barrier.wait()
                    write()
                outcomes[i] = "ok"
            except (AppError, WorkflowError) as exc:
                outcomes[i] = exc.code
            except Exception as exc:  # noqa: BLE001 - reported as the outcome, checked below
                outcomes[i] = f"crash: {exc!r}"
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return outcomes


def one_winner(outcomes, refusals=REFUSALS) -> None:
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) <= {"ok", *refusals}, outcomes


def _count(model, *where) -> int:
    _db.session.expire_all()
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def _get(model, pk):
    """The row as it is now in the database (in a thread: as its own session reads it)."""
    return _db.session.get(model, pk, populate_existing=True)


# -- the plenary decision ----------------------------------------------------------------------


def test_twenty_plenary_decisions_of_one_schedule_at_once(world, db, racing_app):  # noqa: F811
    w = world
    schedule, apps = reported_schedule(w, candidates=2)
    lines = lines_for(apps)
    members = [w.certifier.id, w.certifier2.id]

    def call(n):
        def prepare():
            s, u = _get(Schedule, schedule.id), _get(User, members[n % 2])
            _ = s.state, s.version

            return lambda: record_plenary(s, u, f"SK-{n}/2026", clock.today().isoformat(), members, lines)

        return prepare

    outcomes = race(racing_app, [call(n) for n in range(THREADS)])
    one_winner(outcomes)
    assert _count(PlenaryDecision, PlenaryDecision.schedule_id == schedule.id) == 1
    assert _count(Certificate) == 2
    assert _count(ScheduleLog, ScheduleLog.schedule_id == schedule.id, ScheduleLog.event == "decide") == 1
    assert _count(TransitionLog, TransitionLog.event == "certify") == 2
    assert _get(Schedule, schedule.id).state == "decided"


# -- schedule transitions and attendance -----------------------------------------------------------


def test_twenty_admins_open_the_same_schedule_at_once(world, db, racing_app):  # noqa: F811
    w = world
    schedule = make_schedule(w, state="planned")
    admins = [w.admin_batam.id, w.admin_kepri.id]

    def call(n):
        def prepare():
            s, u = _get(Schedule, schedule.id), _get(User, admins[n % 2])
            _ = s.state, s.version, s.team, s.venue
            return lambda: fire_schedule_event(s, "open", u)

        return prepare

    outcomes = race(racing_app, [call(n) for n in range(THREADS)])
    one_winner(outcomes)
    assert _get(Schedule, schedule.id).state == "open"
    assert _count(ScheduleLog, ScheduleLog.schedule_id == schedule.id, ScheduleLog.event == "open") == 1


def test_attendance_recorded_twenty_times_at_once_keeps_one_list(world, db, racing_app):  # noqa: F811
    w = world
    schedule, apps = reported_schedule(w, candidates=2)
    schedule.state, schedule.attendance_recorded_at = "held", None
    db.session.commit()
    variants = [[apps[0].id], [apps[1].id], [a.id for a in apps], []]

    def call(n):
        def prepare():
            s, u = _get(Schedule, schedule.id), _get(User, w.lead.user_id)
            _ = s.state, s.version, s.team
            return lambda: record_attendance(s, u, variants[n % 4])

        return prepare

    outcomes = race(racing_app, [call(n) for n in range(THREADS)])
    one_winner(outcomes)
    rows = _count(Attendance, Attendance.schedule_id == schedule.id)
    assert rows == len(apps)  # one row per placed candidate, never two lists mixed


# -- the certificate -----------------------------------------------------------------------------


@pytest.fixture()
def certificate(world):
    app = world.advance(world.new_application(), "certified")
    return _db.session.scalar(select(Certificate).where(Certificate.application_id == app.id))


def test_twenty_certifiers_suspend_the_same_certificate_at_once(world, db, racing_app, certificate):  # noqa: F811
    w = world
    until = (clock.today() + timedelta(days=30)).isoformat()

    def call(n):
        def prepare():
            c, u = _get(Certificate, certificate.id), _get(User, (w.certifier.id, w.certifier2.id)[n % 2])
            _ = c.status, c.version
            return lambda: fire_certificate_event(c, "suspend", u, reason=f"Reason {n}", data={"until": until})

        return prepare

    outcomes = race(racing_app, [call(n) for n in range(THREADS)])
    one_winner(outcomes)
    cert = _get(Certificate, certificate.id)
    assert cert.status == "suspended"
    assert _count(TransitionLog, TransitionLog.workflow == "certificate", TransitionLog.event == "suspend") == 1


def test_ten_name_corrections_of_one_certificate_at_once_issue_one(world, db, racing_app, certificate):  # noqa: F811
    w = world

    def call(n):
        def prepare():
            c, u = _get(Certificate, certificate.id), _get(User, w.certifier.id)
            _ = c.status, c.version, c.holder_name, c.application
            return lambda: reissue_with_name(c, u, f"Siti Koreksi {n}", "Salah ketik")

        return prepare

    outcomes = race(racing_app, [call(n) for n in range(10)])
    one_winner(outcomes)
    assert _count(Certificate, Certificate.application_id == certificate.application_id) == 2
    assert _get(Certificate, certificate.id).status == "superseded"


# -- the assessment agreement (FR.AK.01) ----------------------------------------------------------


def _terms(app, venue):
    units = [u.code for u in agreements.scheme_units(app)]
    return {
        "date": (clock.today() + timedelta(days=7)).isoformat(),
        "time": "09:00",
        "venue": venue,
        "evidence": [{"unit": code, "methods": ["observation"]} for code in units],
    }


@pytest.fixture()
def assigned(world):
    return world.advance(world.new_application(), "team_assigned")


def test_ten_leads_write_the_agreement_at_once_one_wins(world, db, racing_app, assigned):  # noqa: F811
    w = world
    w.agree(assigned, sign=False)

    def call(n):
        def prepare():
            a, u = _get(Application, assigned.id), _get(User, w.lead.user_id)
            _ = a.state, a.version, a.team, agreements.agreement_of(a)
            return lambda: agreements.write_agreement(a, u, _terms(a, f"Aula {n}"))

        return prepare

    outcomes = race(racing_app, [call(n) for n in range(10)])
    one_winner(outcomes)


def test_a_signature_never_lands_on_terms_changed_meanwhile(world, db, racing_app, assigned):  # noqa: F811
    """The candidate signs the terms they read while the lead changes them: never both at once."""
    w = world
    w.agree(assigned, sign=False)
    read = {}

    def sign():
        a, u = _get(Application, assigned.id), _get(User, w.candidate.id)
        read["venue"] = agreements.agreement_of(a).venue
        _ = a.state, a.version, a.team
        return lambda: agreements.sign_agreement(a, u)

    def change():
        a, u = _get(Application, assigned.id), _get(User, w.lead.user_id)
        _ = a.state, a.version, a.team, agreements.agreement_of(a)
        return lambda: agreements.write_agreement(a, u, _terms(a, "Aula Baru"))

    for _round in range(5):
        outcomes = race(racing_app, [sign, change])
        assert all(o in {"ok", "stale_version"} for o in outcomes), outcomes
        assert "ok" in outcomes, outcomes
        db.session.expire_all()
        agreement = db.session.scalar(select(Agreement).where(Agreement.application_id == assigned.id))
        if agreement.signed_by_candidate_at is not None:
            assert agreement.venue == read["venue"]  # what the candidate signed is what is written


# -- written tests ---------------------------------------------------------------------------------


def test_ten_draws_of_a_written_test_at_once_draw_one(world, db, racing_app, assigned):  # noqa: F811
    w = world
    make_bank(w.scheme)
    w.declare(assigned)
    w.fire(assigned, "start_assessment", w.lead.user)

    def call(_n):
        def prepare():
            a, u = _get(Application, assigned.id), _get(User, w.lead.user_id)
            _ = a.state, a.version, a.team
            written_tests.latest_test(a.id)
            return lambda: written_tests.draw_test(a, u)

        return prepare

    outcomes = race(racing_app, [call(n) for n in range(10)])
    one_winner(outcomes)
    assert _count(WrittenTest, WrittenTest.application_id == assigned.id) == 1


def test_answers_saved_while_the_test_is_submitted_are_refused_or_frozen(world, db, racing_app, assigned):  # noqa: F811
    w = world
    make_bank(w.scheme)
    w.declare(assigned)
    w.fire(assigned, "start_assessment", w.lead.user)
    test = written_tests.draw_test(assigned, w.lead.user)
    db.session.commit()
    question = test.answers[0].question_id

    def submit():
        t, a, u = written_tests.load_test(test.id), _get(Application, assigned.id), _get(User, w.candidate.id)
        return lambda: written_tests.submit(t, a, u)

    def save(n):
        def prepare():
            t, a, u = written_tests.load_test(test.id), _get(Application, assigned.id), _get(User, w.candidate.id)
            return lambda: written_tests.save_answers(t, a, u, [{"question": question, "choice": n % 2}])

        return prepare

    outcomes = race(racing_app, [submit] + [save(n) for n in range(5)])
    assert outcomes[0] in {"ok", "stale_version"}, outcomes
    assert all(o in {"ok", "stale_version", "not_editable"} for o in outcomes), outcomes
    db.session.expire_all()
    frozen = written_tests.load_test(test.id)
    if frozen.submitted_at is not None:  # the score is of the answers as they were frozen
        mc = [r for r in frozen.answers if r.question.kind == "multiple_choice"]
        assert frozen.mc_correct == sum(r.choice is not None and r.choice == r.question.answer_key for r in mc)


# -- document review ---------------------------------------------------------------------------


def test_twenty_reviews_of_one_document_at_once(world, db, racing_app):  # noqa: F811
    w = world
    app = w.advance(w.new_application(), "submitted")
    doc_id = app.documents[0].id
    admins = [w.admin_batam.id, w.admin_kepri.id]

    def call(n):
        def prepare():
            d, u = _get(Document, doc_id), _get(User, admins[n % 2])
            _ = d.status, d.application.version, d.application.dinas
            status = ("valid", "invalid")[n % 2]
            return lambda: documents_service.review_document(d, u, status, "Buram" if status == "invalid" else "")

        return prepare

    outcomes = race(racing_app, [call(n) for n in range(THREADS)])
    one_winner(outcomes)
    doc = _get(Document, doc_id)
    logs = _count(Application, Application.id == app.id, Application.version == app.version + 1)
    assert doc.status in ("valid", "invalid") and logs == 1  # one review written, the version moved once


# -- teams: replacements and accepted proposals -----------------------------------------------------


def test_ten_replacements_of_the_same_member_at_once_keep_the_team_whole(world, db, racing_app, assigned):  # noqa: F811
    w = world
    joiners = [make_assessor(w.dinas_kepri, [w.scheme], name=f"Pengganti {n}") for n in range(10)]
    db.session.commit()
    joiner_ids = [j.id for j in joiners]

    def call(n):
        def prepare():
            t, u = _get(Team, w.team.id), _get(User, w.admin_kepri.id)
            _ = t.member_ids, t.lead_id, t.scheme
            data = {"leaving": w.member.id, "joining": joiner_ids[n], "reason": "Sakit"}
            return lambda: replace_member(u, t, data)

        return prepare

    outcomes = race(racing_app, [call(n) for n in range(10)])
    one_winner(outcomes, REFUSALS | {"validation_error"})
    assert _count(TeamMember, TeamMember.team_id == w.team.id) == 2
    assert _count(TeamChange, TeamChange.team_id == w.team.id) == 1


def test_ten_admins_accept_the_same_proposal_at_once(world, db, racing_app):  # noqa: F811
    w = world
    app = w.advance(w.new_application(), "eligible")
    teams = [{"lead": w.lead.id, "members": [w.member.id], "applications": [app.id]}]
    before = _count(Team)

    def call(_n):
        def prepare():
            u = _get(User, w.admin_kepri.id)
            a = _get(Application, app.id)
            _ = a.state, a.version
            return lambda: proposal_accept.accept(u, {"teams": teams})

        return prepare

    outcomes = race(racing_app, [call(n) for n in range(10)])
    one_winner(outcomes, REFUSALS | {"guard_failed"})
    assert _count(Team) == before + 1
    assert _get(Application, app.id).state == "team_assigned"
    assert _count(TransitionLog, TransitionLog.application_id == app.id, TransitionLog.event == "assign_team") == 1


def test_two_teams_sharing_a_member_at_the_edge_of_capacity_take_one_assignment(world, db, racing_app):  # noqa: F811
    """The capacity guard read by two assignments at once (of teams sharing a member): one wins."""
    w = world
    shared = make_assessor(w.dinas_kepri, [w.scheme], name="Asesor Bersama", max_load=1)
    lead2 = make_assessor(w.dinas_kepri, [w.scheme], name="Ketua Dua")
    team1 = make_team(w.dinas_kepri, w.scheme, w.lead, [shared], name="Tim Satu")
    team2 = make_team(w.dinas_kepri, w.scheme, lead2, [shared], name="Tim Dua")
    db.session.commit()
    apps = [w.advance(w.new_application(), "eligible") for _ in range(2)]
    plans = [(apps[0].id, team1.id), (apps[1].id, team2.id)]

    def call(n):
        def prepare():
            app_id, team_id = plans[n % 2]
            a, u = _get(Application, app_id), _get(User, w.admin_kepri.id)
            _ = a.state, a.version
            return lambda: fire_application_event(a, "assign_team", u, data={"team": team_id})

        return prepare

    outcomes = race(racing_app, [call(n) for n in range(10)])
    one_winner(outcomes, REFUSALS | {"guard_failed"})
    assert _count(Application, Application.state == "team_assigned", Application.id.in_([a.id for a in apps])) == 1
