"""A person holding one record of every kind certflow keeps about a candidate (the export and anonymiser tests)."""

from __future__ import annotations

from datetime import timedelta

from certflow import clock, storage
from certflow.extensions import db
from certflow.models import Appeal, Attendance, Feedback, Unit, UnitRecord, User, WrittenTest
from certflow.security import issue_token
from tests.factories import make_schedule, make_user

PROFILE = {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}


def second_person(world) -> User:
    """Another candidate of Batam (the world's admins can drive their application too)."""
    person = make_user("candidate", world.batam, name="Rudi Lain", **PROFILE)
    db.session.commit()
    return person


def one_schedule(world):
    """A held assessment event, for the attendance rows."""
    return make_schedule(world, state="held", days_ahead=-1)


def full_records(world, candidate: User, tag: str, schedule=None):
    """A certified application of ``candidate`` with every record kind, an older closed one with an appeal,
    their uploaded files written to UPLOAD_DIR; ``tag`` is written into every free text. The certified one."""
    app = world.new_application(candidate)
    app.apl01 = {**app.apl01, "phone": f"0812-{tag}", "address": f"Jalan {tag}", "employee_id": f"NIP-{tag}"}
    app.apl01 |= {"nik": "2171015508850001", "birth_date": "1985-08-15", "birth_place": f"Kota {tag}"}
    db.session.execute(
        db.text("UPDATE self_assessment_answers SET evidence = :e WHERE application_id = :a"),
        {"e": f"evidence {tag}", "a": app.id},
    )
    db.session.commit()
    world.advance(app, "certified")
    unit = db.session.scalar(db.select(Unit).where(Unit.scheme_id == app.scheme_id).order_by(Unit.id))
    schedule = schedule or one_schedule(world)
    db.session.add_all(
        [
            UnitRecord(
                application_id=app.id, unit_id=unit.id, result="K", feedback=f"unit {tag}", recorded_by_id=world.lead.id
            ),
            Feedback(application_id=app.id, answers=[], comments=f"feedback {tag}"),
            WrittenTest(application_id=app.id, drawn_by_id=world.lead.id, deadline=clock.now() + timedelta(hours=1)),
            Attendance(schedule_id=schedule.id, application_id=app.id, present=True, recorded_by_id=world.lead.user.id),
        ]
    )
    older = world.new_application(candidate, world.other_scheme)
    older.state = "ineligible"
    db.session.add(
        Appeal(application_id=older.id, appealed_from="ineligible", reason=f"appeal {tag}", state="dismissed")
    )
    db.session.commit()
    issue_token(candidate)
    db.session.commit()
    store = storage.current()
    for doc in [*app.documents, *older.documents]:
        store.put(doc.stored_name, f"%PDF-1.4 file of {tag} {doc.id}".encode(), replace=True)
    return app
