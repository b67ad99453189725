"""Anonymising a person's records once the retention period has passed (DOMAIN.md rule 8).

The certification body sets the period, ``RETENTION_YEARS`` (5 by default). A person is due when

* they hold no role but ``candidate`` (staff accounts are kept while they hold a role: a system
  admin takes the roles away first),
* nothing of theirs is open: every application is closed (``CLOSED_STATES``), no certificate is
  active or suspended,
* and their last activity is older than the period: the account's creation, every change of their
  applications, every transition they made, every API token they took, and the expiry of their
  certificates (a certificate's facts are kept for the period after it ends).

Anonymising keeps what the records are (applications, their states and logged transitions, scores,
certificates' public facts: number, scheme, units, dates, status) and removes who the person is:
the name becomes "Dihapus", the e-mail an address of nobody, the password, profile, APL-01 contact
fields (workplace, position, NIP, phone, address), APL-02 evidence texts, appeal reasons, the FR.AK.03
feedback comments and FR.AK.02 feedback texts are emptied (results, states and dates stay), API tokens,
notifications and e-mails to them deleted, the uploaded documents deleted with their files, and the
certificates' holder name replaced. Each person is logged (by id only). The job selects only people
not anonymised yet, so running it twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, delete, exists, not_, or_, select, update

from certflow import clock
from certflow.applications.operations import APL01_PERSONAL_FIELDS, CLOSED_STATES
from certflow.extensions import db
from certflow.models import (
    ApiToken,
    Appeal,
    Application,
    Certificate,
    Document,
    Feedback,
    Notification,
    OutboxMessage,
    SelfAssessmentAnswer,
    TransitionLog,
    UnitRecord,
    User,
    UserRole,
)

log = logging.getLogger(__name__)

ANONYMOUS_NAME = "Dihapus"
ANONYMOUS_DOMAIN = "anonim.invalid"
OPEN_CERTIFICATE_STATUSES = ("active", "suspended")


def anonymous_email(user_id: int) -> str:
    """The e-mail an anonymised account gets: unique, and of nobody (``.invalid`` is never a real domain)."""
    return f"dihapus-{user_id}@{ANONYMOUS_DOMAIN}"


def years_before(moment: datetime, years: int) -> datetime:
    """``moment`` moved back ``years`` years (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def retention_cutoff() -> datetime:
    """The moment before which a person's last activity must lie for them to be anonymised."""
    return years_before(clock.now(), int(current_app.config["RETENTION_YEARS"]))


def due_condition(cutoff: datetime):
    """The SQL condition on ``User`` of a person due for anonymising (see the module's text)."""
    cutoff_day: date = cutoff.astimezone(clock.LOCAL_TZ).date()
    mine = Application.candidate_id == User.id
    return and_(
        User.email.not_like(f"%@{ANONYMOUS_DOMAIN}"),
        User.created_at < cutoff,
        not_(exists().where(UserRole.user_id == User.id, UserRole.role != "candidate")),
        not_(
            exists().where(
                mine,
                or_(
                    Application.state.not_in(CLOSED_STATES),
                    Application.updated_at >= cutoff,
                    Application.state_changed_at >= cutoff,
                ),
            )
        ),
        not_(exists().where(TransitionLog.actor_id == User.id, TransitionLog.at >= cutoff)),
        not_(exists().where(ApiToken.user_id == User.id, ApiToken.created_at >= cutoff)),
        not_(
            exists().where(
                Certificate.holder_id == User.id,
                or_(Certificate.status.in_(OPEN_CERTIFICATE_STATUSES), Certificate.expires_on >= cutoff_day),
            )
        ),
    )


def anonymise(user_ids: list[int]) -> list[str]:
    """Anonymise the people ``user_ids`` (flush only); the stored names of their files, to delete after commit."""
    if not user_ids:
        return []
    users = db.session.scalars(select(User).where(User.id.in_(user_ids))).all()
    for user in users:
        user.name = ANONYMOUS_NAME
        user.email = anonymous_email(user.id)
        user.password_hash = None
        user.active = False
        user.locale = None
        user.education_field = user.education_level = None
        user.practice_hours = user.training = user.position = None
        user.whatsapp_number = user.whatsapp_consent_at = None  # a phone number is personal data too
        user.session_epoch = (user.session_epoch or 0) + 1  # any session still open ends
    applications = db.session.scalars(select(Application).where(Application.candidate_id.in_(user_ids))).all()
    for app in applications:
        if any(app.apl01.get(key) for key in APL01_PERSONAL_FIELDS):
            app.apl01 = {k: v for k, v in app.apl01.items() if k not in APL01_PERSONAL_FIELDS}
    db.session.flush()
    app_ids = select(Application.id).where(Application.candidate_id.in_(user_ids)).scalar_subquery()
    stored = list(db.session.scalars(select(Document.stored_name).where(Document.application_id.in_(app_ids))))
    db.session.execute(delete(Document).where(Document.application_id.in_(app_ids)))
    db.session.execute(
        update(SelfAssessmentAnswer).where(SelfAssessmentAnswer.application_id.in_(app_ids)).values(evidence="")
    )
    # free texts written by them or about them (the results, states and dates stay)
    db.session.execute(update(Appeal).where(Appeal.application_id.in_(app_ids)).values(reason=ANONYMOUS_NAME))
    db.session.execute(update(Feedback).where(Feedback.application_id.in_(app_ids)).values(comments=""))
    db.session.execute(update(UnitRecord).where(UnitRecord.application_id.in_(app_ids)).values(feedback=""))
    db.session.execute(
        update(Certificate)
        .where(Certificate.holder_id.in_(user_ids))
        .values(holder_name=ANONYMOUS_NAME)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(ApiToken).where(ApiToken.user_id.in_(user_ids)))
    db.session.execute(delete(Notification).where(Notification.user_id.in_(user_ids)))
    db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.recipient_id.in_(user_ids), OutboxMessage.status != "sending")
    )
    return stored


def anonymise_due() -> dict:
    """Anonymise everyone due, ``SCHEDULED_BATCH`` people per commit; the count (and files deleted)."""
    from certflow.applications.documents import remove_stored_file

    size = current_app.config["SCHEDULED_BATCH"]
    cutoff = retention_cutoff()
    years = current_app.config["RETENTION_YEARS"]
    people = files = 0
    while True:
        ids = list(db.session.scalars(select(User.id).where(due_condition(cutoff)).order_by(User.id).limit(size)))
        stored = anonymise(ids)
        db.session.commit()
        for name in stored:  # only once the commit holds: a failed one leaves every file in place
            remove_stored_file(name)
        for user_id in ids:
            log.info("anonymised person %s: last active before %s (%s years)", user_id, cutoff.date(), years)
        people += len(ids)
        files += len(stored)
        if len(ids) < size:
            return {"anonymised": people, "files": files}
