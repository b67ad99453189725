"""Everything certflow holds about one person, as a zip of JSON plus their uploaded files (DOMAIN.md rule 8).

``person.json`` holds the profile (roles, dinas; never the password hash), the API tokens' dates,
the assessor profile if any; ``applications.json`` each application with its APL-01 form, APL-02
answers, documents, appeals, agreement (FR.AK.01), unit records (FR.AK.02), feedback (FR.AK.03),
scores, written tests and answers, attendance and every logged transition of it;
``notifications.json`` the in-app notifications and the e-mails sent to them; ``certificates.json``
their certificates. ``files/`` holds each uploaded document under ``<document id>-<name>``.

Rows are read table by table (a constant number of queries whatever the person holds), and only rows
that belong to the person: their own account, their applications and what hangs off them, what was
sent to them. Other people appear only as ids (who reviewed, who decided).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from certflow import clock
from certflow.extensions import db
from certflow.models import (
    Agreement,
    ApiToken,
    Appeal,
    Application,
    Assessor,
    AssessorScheme,
    Attendance,
    Certificate,
    Document,
    Feedback,
    Notification,
    OutboxMessage,
    Score,
    SelfAssessmentAnswer,
    TransitionLog,
    UnitRecord,
    User,
    WrittenAnswer,
    WrittenTest,
)

SECRET_COLUMNS = {"password_hash", "token_hash", "session_epoch"}
# What hangs off an application, each listed under the application as this key.
APPLICATION_PARTS = {
    "self_assessment": SelfAssessmentAnswer,  # APL-02
    "documents": Document,
    "appeals": Appeal,
    "agreements": Agreement,  # FR.AK.01
    "unit_records": UnitRecord,  # FR.AK.02
    "feedback": Feedback,  # FR.AK.03
    "scores": Score,
    "written_tests": WrittenTest,
    "attendance": Attendance,
    "transitions": TransitionLog,
}


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


def _rows(model, *where, order=None) -> list[dict]:
    """The rows of ``model`` matching ``where`` as plain dicts of their columns (no secrets)."""
    table = model.__table__
    columns = [c for c in table.columns if c.name not in SECRET_COLUMNS]
    stmt = select(*columns).where(*where).order_by(*(order if order is not None else table.primary_key.columns))
    return [{k: _value(v) for k, v in row._mapping.items()} for row in db.session.execute(stmt)]


def personal_data(user: User) -> dict[str, object]:
    """Everything certflow holds about ``user``, as JSON-ready data, one entry per file of the export."""
    person = _rows(User, User.id == user.id)[0]
    person["roles"] = sorted(user.roles)
    person["dinas"] = user.dinas.name if user.dinas else None
    assessor = _rows(Assessor, Assessor.user_id == user.id)
    assessor_ids = [a["id"] for a in assessor]
    for row in assessor:
        row["schemes"] = [
            s["scheme_id"] for s in _rows(AssessorScheme, AssessorScheme.assessor_id == row["id"])
        ]  # at most one assessor profile per person
    applications = _rows(Application, Application.candidate_id == user.id)
    app_ids = [a["id"] for a in applications]
    parts = {key: _rows(model, model.application_id.in_(app_ids)) for key, model in APPLICATION_PARTS.items()}
    test_ids = [t["id"] for t in parts["written_tests"]]
    answers = _rows(WrittenAnswer, WrittenAnswer.test_id.in_(test_ids))
    for test in parts["written_tests"]:
        test["answers"] = [a for a in answers if a["test_id"] == test["id"]]
    for app in applications:
        for key in APPLICATION_PARTS:
            app[key] = [row for row in parts[key] if row["application_id"] == app["id"]]
    return {
        "person.json": {
            "exported_at": clock.now().isoformat(),
            "profile": person,
            "api_tokens": _rows(ApiToken, ApiToken.user_id == user.id),
            "assessor": assessor[0] if assessor_ids else None,
        },
        "applications.json": applications,
        "certificates.json": _rows(Certificate, Certificate.holder_id == user.id),
        "notifications.json": {
            "in_app": _rows(Notification, Notification.user_id == user.id),
            "emails": _rows(OutboxMessage, OutboxMessage.recipient_id == user.id),
        },
    }


def _their_documents(user: User) -> list[Document]:
    return db.session.scalars(
        select(Document).join(Application).where(Application.candidate_id == user.id).order_by(Document.id)
    ).all()


def export_zip(user: User) -> io.BytesIO:
    """The person's export as a zip file (in memory): the JSON files and ``files/`` with their uploads."""
    from certflow import storage

    store = storage.current()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in personal_data(user).items():
            archive.writestr(name, json.dumps(data, indent=2, ensure_ascii=False, default=str))
        for doc in _their_documents(user):
            try:
                data = store.read(doc.stored_name)
            except FileNotFoundError:
                continue
            archive.writestr(f"files/{doc.id}-{doc.filename}", data)
    out.seek(0)
    return out


def export_name(user: User) -> str:
    """The download's file name: ``certflow-data-<id>-<date>.zip``."""
    return f"certflow-data-{user.id}-{clock.today().isoformat()}.zip"
