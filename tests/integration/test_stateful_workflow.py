"""Random journeys of real applications through ``fire_application_event``, on the real database.

Random events by random people of the ``world`` (or the system), with random reasons, data and
versions, while the clock moves and documents, declarations and scores change underneath.
After every step, for every application: its state is one the definition has; it has exactly
one transition-log row per successful transition, chained along routes of the definition;
its version is 1 + the number of successful transitions; it has a certificate only when
certified and an open appeal only when under appeal. A refused event raises a
``WorkflowError`` or, for a stale version, the one ``StaleVersion`` (anything else fails the test) and,
rolled back, leaves nothing behind.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import event as note
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, func, select

from certflow import clock
from certflow.applications.workflow import StaleVersion, fire_application_event
from certflow.models import Appeal, Application, Certificate, ConflictDeclaration, Score, TransitionLog
from workflows import APPLICATION, WorkflowError

EVENTS = [ev.name for ev in APPLICATION.events]
MAIN_PATH_EVENTS = {"submit", "approve", "assign_team", "start_assessment", "recommend", "certify", "decline"}
SETTINGS = settings(
    max_examples=20,
    stateful_step_count=35,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_random_journeys_keep_state_log_and_version_consistent(world, db, monkeypatch):
    w = world
    for assessor in (w.lead, w.member, w.same_dinas_assessor):
        assessor.max_load = 10_000  # applications of earlier examples stay open: keep capacity out of the way
    w.scheme.max_load = 10_000
    db.session.commit()
    start = clock.now()
    offset = [timedelta()]
    monkeypatch.setattr(clock, "now", lambda: start + offset[0])

    people = {
        "candidate": w.candidate,
        "other_candidate": w.other_candidate,
        "admin_batam": w.admin_batam,
        "admin_kepri": w.admin_kepri,
        "admin_riau": w.admin_riau,
        "certifier": w.certifier,
        "certifier2": w.certifier2,
        "sysadmin": w.sysadmin,
        "lead": w.lead.user,
        "member": w.member.user,
        "batam_assessor": w.same_dinas_assessor.user,
        "system": None,
    }
    rightful = {
        "owner": ["candidate"],
        "dinas_admin": ["admin_kepri", "admin_kepri", "admin_batam"],  # only the province admin manages the team
        "team_lead": ["lead"],
        "independent": ["certifier", "certifier2"],
        "appeal_handler": ["certifier2", "certifier"],
        None: ["system"],
    }
    team_ids = [w.team.id]
    unit_codes = ["PSG.U1", "PSG.U2"]

    class Journeys(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.successes: dict[int, int] = {}
            self.current: int | None = None

        def app(self) -> Application:
            return db.session.get(Application, self.current)

        @initialize()
        def fresh_application(self):
            offset[0] = timedelta()
            self.new_application()

        @precondition(lambda self: len(self.successes) < 3)
        @rule()
        def new_application(self):
            app = w.new_application()
            self.successes[app.id] = 0
            self.current = app.id

        @rule(data=st.data())
        def switch_application(self, data):
            self.current = data.draw(st.sampled_from(sorted(self.successes)))

        @rule(days=st.sampled_from([1, 3, 8, 15]))
        def time_passes(self, days):
            offset[0] += timedelta(days=days)

        @rule(
            what=st.sampled_from(["documents", "declarations", "scores"]),
            status=st.sampled_from(["valid", "invalid", "pending"]),
            who=st.sampled_from(["lead", "member", "both"]),
            conflict=st.booleans(),
            bk=st.sampled_from([(), ("PSG.U1",), ("PSG.U2",), ("PSG.U1", "PSG.U2")]),
            partial=st.booleans(),
        )
        def change_underneath(self, what, status, who, conflict, bk, partial):
            """Documents reviewed, conflicts declared, scores recorded: whatever the state."""
            if what == "documents":
                w.mark_documents(self.app(), status)
            elif what == "declarations":
                self._declare({"lead": [w.lead], "member": [w.member], "both": [w.lead, w.member]}[who], conflict)
            else:
                self._score(bk, partial)

        def _declare(self, assessors, conflict: bool) -> None:
            ids = [a.id for a in assessors]
            db.session.execute(
                delete(ConflictDeclaration).where(
                    ConflictDeclaration.application_id == self.current, ConflictDeclaration.assessor_id.in_(ids)
                )
            )
            db.session.commit()
            w.declare(self.app(), *assessors, conflict=conflict)

        def _score(self, bk, partial: bool = False) -> None:
            db.session.execute(
                delete(Score).where(Score.application_id == self.current, Score.assessor_id == w.lead.id)
            )
            db.session.commit()
            w.score_all(self.app(), w.lead, bk_units=bk)
            if partial:
                first = db.session.scalar(
                    select(Score.id).where(Score.application_id == self.current).order_by(Score.id).limit(1)
                )
                db.session.execute(delete(Score).where(Score.id == first))
                db.session.commit()

        def _prepare(self, app: Application, bk) -> None:
            """What a well-behaved user does before the next step from ``app``'s state."""
            if app.state == "submitted":
                w.mark_documents(app, "valid")
            elif app.state == "team_assigned":
                self._declare([w.lead, w.member], False)
            elif app.state == "in_assessment":
                self._score(bk)

        # firing is most of the steps: the same rule under four names
        @rule(data=st.data())
        def fire(self, data):
            self._fire(data)

        @rule(data=st.data())
        def fire_again(self, data):
            self._fire(data)

        @rule(data=st.data())
        def fire_once_more(self, data):
            self._fire(data)

        @rule(data=st.data())
        def fire_yet_again(self, data):
            self._fire(data)

        def _fire(self, data):
            app = self.app()
            # mostly: the well-behaved preparation, an event possible from the state (rather one
            # leading on than an end), its rightful actor, a reason, the data it needs; else anything
            step = data.draw(st.integers(0, 5), label="kind of step")
            possible = [ev.name for ev in APPLICATION.events if app.state in ev.sources]
            onward = [n for n in possible if n != "withdraw"]
            ahead = [n for n in onward if n in MAIN_PATH_EVENTS]
            choices = (ahead or onward or possible) if step < 2 else (onward or possible) if step < 3 else possible
            choices = choices if step < 5 else EVENTS
            event = data.draw(st.sampled_from(choices or EVENTS), label="event")
            if step < 4:
                self._prepare(app, data.draw(st.sampled_from([(), (), ("PSG.U1",)]), label="BK units"))
                app = self.app()
            ev = APPLICATION.event(event)
            if step < 4 or data.draw(st.booleans(), label="rightful"):
                names = [n for p in ev.who for n in rightful[p.relation]]
            else:
                names = sorted(people)
            user = people[data.draw(st.sampled_from(names), label="who")]
            today = clock.today()
            if step < 4:
                reason, version = "Because.", data.draw(st.sampled_from([None, app.version]), label="version")
                data_ = {
                    "request_revision": {"deadline": (today + timedelta(days=7)).isoformat()},
                    "assign_team": {"team": team_ids[0]},
                    "recommend": {"recommendation": data.draw(st.sampled_from(["K", "BK"]), label="recommend")},
                }.get(event, {})
            else:
                reason = data.draw(st.sampled_from(["Because.", None, "  "]), label="reason")
                version = data.draw(st.sampled_from([None, app.version, app.version - 1, "x"]), label="version")
                data_ = data.draw(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "deadline": st.sampled_from(
                                [(today + timedelta(days=7)).isoformat(), today.isoformat(), "soon", 7]
                            ),
                            "team": st.sampled_from(team_ids + [str(team_ids[0]), "x", 10**12, None]),
                            "recommendation": st.sampled_from(["K", "BK", "k", None]),
                            "units": st.sampled_from([None, [], unit_codes[:1], unit_codes[1:], unit_codes, "PSG.U1"]),
                            "override_reason": st.sampled_from(["Nobody else.", "", 5]),
                        },
                    ),
                    label="data",
                )
            state_before, version_before = app.state, app.version
            try:
                fired = fire_application_event(app, event, user, reason=reason, data=data_, version=version)
            except (WorkflowError, StaleVersion):
                db.session.rollback()
                app = self.app()
                assert (app.state, app.version) == (state_before, version_before)
                return
            db.session.commit()
            assert fired.source == state_before
            note(f"reached {fired.dest}")
            reached[fired.dest] = reached.get(fired.dest, 0) + 1
            self.successes[app.id] += 1
            if app.state in APPLICATION.final and len(self.successes) < 6:
                self.new_application()

        @invariant()
        def every_application_is_consistent(self):
            db.session.expire_all()
            for app_id, successes in self.successes.items():
                app = db.session.get(Application, app_id)
                assert app.state in APPLICATION.states
                logs = db.session.scalars(
                    select(TransitionLog)
                    .where(TransitionLog.application_id == app_id, TransitionLog.workflow == "application")
                    .order_by(TransitionLog.id)
                ).all()
                assert len(logs) == successes, "a transition without its log row (or a log row without one)"
                assert app.version == 1 + successes
                state = APPLICATION.initial
                for log in logs:
                    assert log.from_state == state
                    assert any(
                        r.source == log.from_state and r.dest == log.to_state
                        for r in APPLICATION.event(log.event).routes
                    )
                    state = log.to_state
                assert state == app.state
                certificates = db.session.scalar(
                    select(func.count()).select_from(Certificate).where(Certificate.application_id == app_id)
                )
                assert certificates == (1 if app.state == "certified" else 0)
                open_appeals = db.session.scalar(
                    select(func.count())
                    .select_from(Appeal)
                    .where(Appeal.application_id == app_id, Appeal.state == "open")
                )
                assert open_appeals == (1 if app.state == "under_appeal" else 0)

    reached: dict[str, int] = {}
    run_state_machine_as_test(Journeys, settings=SETTINGS)
    assert reached, "no transition ever succeeded: the journeys test nothing"
