"""One set of rules for who is told: a transition and a reminder name the same people for the same record."""

from __future__ import annotations

from sqlalchemy import select

from certflow.models import Notification, TransitionLog
from certflow.notifications import recipients, reminders
from tests.integration.test_rules_workflow import bring


def _told(db, app, event) -> set[int]:
    log_id = db.session.scalar(
        select(TransitionLog.id).where(TransitionLog.application_id == app.id, TransitionLog.event == event)
    )
    return set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.application_id == app.id,
                Notification.event == event,
                Notification.created_at == select(TransitionLog.at).where(TransitionLog.id == log_id).scalar_subquery(),
            )
        )
    )


def test_reminders_use_the_recipients_module():
    assert reminders.dinas_admins_of is recipients.dinas_admins_of
    assert reminders.team_members_of is recipients.team_members_of
    assert reminders.certifier_ids is recipients.certifier_ids


def test_a_transition_and_a_reminder_name_the_same_people(world, db):
    w = world
    w.certifier2.active = False  # an inactive certifier is told by neither path
    db.session.commit()
    app = bring(w, w.new_application(), "assessed")
    team_id = app.team_id
    w.fire(app, "certify", w.certifier)

    # what the reminder jobs would compute for this application (batched: ids in, a mapping out)
    admins = reminders.dinas_admins_of([app.dinas_id])[app.dinas_id]
    team = reminders.team_members_of([team_id])[team_id]
    certifiers = reminders.certifier_ids()
    assert set(admins) == {w.admin_batam.id, w.admin_kepri.id}
    assert set(team) == {w.lead.user.id, w.member.user.id}
    assert certifiers == [w.certifier.id]

    # what the transitions told: certify names candidate, dinas_admins and team; recommend the certifiers
    assert _told(db, app, "certify") == {app.candidate_id, *admins, *team}
    assert _told(db, app, "recommend") == {app.candidate_id, *admins, *certifiers}
    assert recipients.recipients(
        ("candidate", "dinas_admins", "team", "certifiers"),
        candidate_id=app.candidate_id,
        dinas_id=app.dinas_id,
        team_ids=[team_id],
    ) == list(dict.fromkeys([app.candidate_id, *admins, *team, *certifiers]))


def test_a_kabupaten_without_an_admin_of_its_own_is_the_provinces_on_both_paths(world, db):
    w = world
    app = w.new_application(w.other_candidate)  # Bintan: no admin of its own
    w.fire(app, "submit", w.other_candidate)
    assert reminders.dinas_admins_of([w.bintan.id])[w.bintan.id] == [w.admin_kepri.id]
    assert _told(db, app, "submit") == {w.other_candidate.id, w.admin_kepri.id}
    # batched: several dinas at once, each with its own admins
    both = reminders.dinas_admins_of([w.bintan.id, w.batam.id, w.pekanbaru.id])
    assert both[w.bintan.id] == [w.admin_kepri.id]
    assert set(both[w.batam.id]) == {w.admin_batam.id, w.admin_kepri.id}
    assert both[w.pekanbaru.id] == [w.admin_riau.id]
