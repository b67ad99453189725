"""The ``rpl`` route: a portfolio for each competency unit, uploaded, reviewed and replaced unit by unit.

On a real database, through the document service and the workflow (the guards read the requirement
keys: ``portfolio@<unit code>``); refusals are read as people read them (labelled, translated).
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import event, select
from werkzeug.datastructures import FileStorage

from certflow import clock
from certflow.applications import documents as docs
from certflow.applications.document_review import replacements
from certflow.applications.facts import ApplicationFacts
from certflow.core.errors import InvalidInput
from certflow.extensions import db
from certflow.models import Application, Document
from certflow.web.refusals import refusal_message
from tests.factories import make_scheme
from tests.integration.test_rules_workflow import refused
from tests.web.test_api_applications_support import pdf_bytes
from workflows import GuardFailed

RPL = {"education_field": "other", "education_level": "S1", "practice_hours": 1500, "route": "rpl"}
UNITS = ["RPL.U1", "RPL.U2", "RPL.U3"]


def _file(name: str = "portofolio.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(pdf_bytes(name)), filename=name)


@pytest.fixture
def rpl(world, db):
    """A three-unit scheme and a candidate's draft by the rpl route (unrelated degree, 1,500 hours)."""
    scheme = make_scheme("RPL", units=3, name="Pekerja Sosial RPL", required_documents=["diploma"])
    db.session.commit()
    app = world.new_application(scheme=scheme)
    app.apl01 = {**app.apl01, **RPL}
    db.session.commit()
    return app


def _said(app, exc) -> str:
    with app.test_request_context(), force_locale("en"):
        return refusal_message(exc)


def _upload(app, record, user, unit, kind="portfolio"):
    """Upload through the service as a request would, and commit."""
    with app.test_request_context():
        doc = docs.upload_document(record, user, kind, _file(f"{unit or kind}.pdf"), unit)
    db.session.commit()
    return doc


def test_the_rpl_route_asks_a_portfolio_for_each_unit_in_the_schemes_order(rpl):
    assert ApplicationFacts(rpl, {}, None).required_documents == [f"portfolio@{c}" for c in UNITS]


def test_a_portfolio_per_unit_from_draft_to_eligible(world, db, app, rpl):
    # -- submit is refused naming each unit without its portfolio ----------------------------------
    err = refused(db, GuardFailed, rpl, "submit", world.candidate, rule="documents_uploaded")
    assert err.params["kinds"] == ", ".join(f"portfolio@{c}" for c in UNITS)
    assert _said(app, err) == (
        "Required documents are missing: Portfolio for unit RPL.U1, Portfolio for unit RPL.U2, "
        "Portfolio for unit RPL.U3."
    )
    with app.test_request_context(), force_locale("id"):
        assert "Portofolio untuk unit RPL.U2" in refusal_message(err)

    # -- one unit at a time: the refusal names what is still missing ------------------------------
    first = _upload(app, rpl, world.candidate, "RPL.U1")
    assert first.kind == "portfolio" and first.unit.code == "RPL.U1" and first.key == "portfolio@RPL.U1"
    _upload(app, rpl, world.candidate, "RPL.U3")
    err = refused(db, GuardFailed, db.session.get(Application, rpl.id), "submit", world.candidate)
    assert err.rule == "documents_uploaded" and err.params["kinds"] == "portfolio@RPL.U2"
    _upload(app, rpl, world.candidate, "RPL.U2")
    record = db.session.get(Application, rpl.id)
    world.fire(record, "submit", world.candidate)
    assert record.state == "submitted"

    # -- the dinas admin finds one portfolio wanting: approve is refused naming its unit ----------
    by_unit = {d.unit.code: d for d in record.documents if d.unit is not None}
    with app.test_request_context():
        for code, doc in by_unit.items():
            docs.review_document(doc, world.admin_batam, "invalid" if code == "RPL.U2" else "valid", "Tidak terbaca")
    db.session.commit()
    err = refused(db, GuardFailed, record, "approve", world.admin_batam, rule="documents_valid")
    assert err.params["kinds"] == "portfolio@RPL.U2"
    deadline = (clock.today() + timedelta(days=7)).isoformat()
    world.fire(record, "request_revision", world.admin_batam, reason="Portofolio unit 2", data={"deadline": deadline})

    # -- resubmit waits for that unit's replacement: another unit's upload does not count ---------
    err = refused(db, GuardFailed, record, "resubmit", world.candidate, rule="invalid_documents_replaced")
    assert err.params["kinds"] == "portfolio@RPL.U2"
    _upload(app, record, world.candidate, "RPL.U1")
    err = refused(db, GuardFailed, db.session.get(Application, rpl.id), "resubmit", world.candidate)
    assert err.rule == "invalid_documents_replaced"
    new = _upload(app, record, world.candidate, "RPL.U2")
    record = db.session.get(Application, rpl.id)
    world.fire(record, "resubmit", world.candidate)
    rel = replacements(record.documents)
    assert rel[new.id].replaces.id == by_unit["RPL.U2"].id
    assert rel[by_unit["RPL.U2"].id].replaced_by.id == new.id

    # -- every unit's latest portfolio valid: eligible by rpl ---------------------------------------
    with app.test_request_context():
        for doc in record.documents:
            if doc.status == "pending":
                docs.review_document(doc, world.admin_batam, "valid", None)
    db.session.commit()
    world.fire(record, "approve", world.admin_batam)
    assert record.state == "eligible"


@pytest.mark.parametrize(
    ("kind", "unit", "expected"),
    [
        ("portfolio", None, "choose the competency unit this portfolio is for"),
        ("portfolio", "  ", "choose the competency unit this portfolio is for"),
        ("portfolio", "PSG.U1", "must be a competency unit of the scheme RPL"),  # another scheme's unit
        ("portfolio", "RPL.U9", "must be a competency unit of the scheme RPL"),
        ("portfolio", "x" * 5000, "must be a competency unit of the scheme RPL"),
        ("diploma", "RPL.U1", "only a portfolio is uploaded for a competency unit"),
    ],
)
def test_a_portfolio_names_one_unit_of_the_scheme_and_nothing_is_stored_otherwise(
    world, db, app, rpl, storage_backend, kind, unit, expected
):
    before = set(storage_backend.list())
    with app.test_request_context(), force_locale("en"), pytest.raises(InvalidInput) as err:
        docs.upload_document(rpl, world.candidate, kind, _file(), unit)
    db.session.rollback()
    assert err.value.details == {"unit": expected}
    assert set(storage_backend.list()) == before
    assert (
        db.session.scalar(select(Document).where(Document.application_id == rpl.id, Document.unit_id.isnot(None)))
        is None
    )


def test_batched_facts_equal_single_in_one_query_whatever_the_number(world, db, app, rpl):
    """The facts of a list of rpl applications read every document's unit in one query, not one per document."""
    _upload(app, rpl, world.candidate, "RPL.U1")
    other = world.new_application(scheme=rpl.scheme, candidate=world.other_candidate)
    other.apl01 = {**other.apl01, **RPL}
    db.session.commit()
    _upload(app, other, world.other_candidate, "RPL.U2")
    db.session.expire_all()
    apps = list(db.session.scalars(select(Application).where(Application.scheme_id == rpl.scheme_id)))
    statements = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        many = ApplicationFacts.many(apps, None)
        missing = {a.id: many[a.id].missing_documents for a in apps}
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    document_queries = [s for s in statements if "FROM documents" in s]
    assert len(document_queries) == 1
    assert missing[rpl.id] == ["portfolio@RPL.U2", "portfolio@RPL.U3"]
    assert missing[other.id] == ["portfolio@RPL.U1", "portfolio@RPL.U3"]
    for a in apps:
        assert ApplicationFacts(a, {}, None).missing_documents == missing[a.id]


def test_a_scheme_of_many_units_has_room_for_each_portfolio_and_one_replacement(world, db, app):
    scheme = make_scheme("BIG", units=20, elements=1, criteria=1, required_documents=["diploma"])
    db.session.commit()
    record = world.new_application(scheme=scheme)
    record.apl01 = {**record.apl01, **RPL}
    db.session.commit()
    assert docs.max_documents(record) == 40 > docs.MAX_DOCUMENTS
    record.apl01 = {**record.apl01, "route": "education"}
    assert docs.max_documents(record) == docs.MAX_DOCUMENTS
