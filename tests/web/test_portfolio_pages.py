"""The rpl route's portfolio per unit, through the pages and the API, for each role that may or may not see it.

The candidate's documents page lists one portfolio per competency unit (with an upload link that
chooses the unit), the upload form asks for the unit and refuses in words; the dinas admin's
verification page names each portfolio's unit; the API takes ``unit`` and answers it.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from certflow.extensions import db as _db
from certflow.models import Document
from tests.factories import make_scheme
from tests.web.test_api_applications_support import Api, error_code, pdf_bytes
from tests.web.test_pages_admin_support import admin_browser
from tests.web.test_pages_candidate_support import browser, upload
from tests.web.test_pages_support import csrf_token, fresh

RPL = {"education_field": "other", "education_level": "S1", "practice_hours": 1500, "route": "rpl"}


@pytest.fixture
def rpl(world, db):
    """A draft by the rpl route on a three-unit scheme (RPL.U1 … RPL.U3, titled "Unit 1" …)."""
    scheme = make_scheme("RPL", units=3, name="Pekerja Sosial RPL", required_documents=["diploma"])
    db.session.commit()
    app = world.new_application(scheme=scheme)
    app.apl01 = {**app.apl01, **RPL, "purpose": "rpl"}
    db.session.commit()
    return app


def _docs(application) -> str:
    return f"/candidate/applications/{application.id}/documents"


def _portfolios(db, application) -> list[tuple[str | None, str]]:
    fresh(db)
    rows = db.session.scalars(select(Document).where(Document.application_id == application.id).order_by(Document.id))
    return [(d.unit.code if d.unit else None, d.filename) for d in rows if d.kind == "portfolio"]


def test_the_documents_page_asks_a_portfolio_for_each_unit_with_a_link_that_chooses_it(app, world, rpl):
    page = browser(app, world.candidate).get(_docs(rpl)).text
    for n in (1, 2, 3):
        assert f'data-kind="portfolio@RPL.U{n}"' in page
        assert f"<h3>Portfolio for unit RPL.U{n}</h3>" in page
        assert f'<p class="muted doc-unit-title">Unit {n}</p>' in page
    assert page.count("Not uploaded yet.") == 3
    link = re.search(r'href="([^"]*kind=portfolio[^"]*unit=RPL.U2[^"]*)"', page)
    assert link is not None
    chosen = browser(app, world.candidate).get(link.group(1).replace("&amp;", "&")).text
    assert '<option value="portfolio" selected>' in chosen
    assert '<option value="RPL.U2" selected>RPL.U2 — Unit 2</option>' in chosen
    assert "Competency unit (a portfolio only)" in chosen


def test_the_page_speaks_indonesian(app, world, rpl):
    page = browser(app, world.candidate, lang="id").get(_docs(rpl)).text
    assert "<h3>Portofolio untuk unit RPL.U1</h3>" in page and "Unggah" in page
    assert "Unit kompetensi (hanya untuk portofolio)" in page and "— bukan untuk unit tertentu —" in page


def test_a_portfolio_uploaded_for_its_unit_fills_that_units_row(app, world, db, rpl, storage_backend):
    b = browser(app, world.candidate)
    response = upload(b, rpl.id, "portfolio", pdf_bytes("Unit 2"), "portofolio unit 2.pdf", unit="RPL.U2")
    assert response.status_code == 303, response.text
    assert _portfolios(db, rpl) == [("RPL.U2", "portofolio unit 2.pdf")]
    page = b.get(_docs(rpl)).text
    assert page.count("Not uploaded yet.") == 2
    row = page.split('data-kind="portfolio@RPL.U2"')[1].split("data-kind=")[0]
    assert "portofolio unit 2.pdf" in row and "Not uploaded yet." not in row
    # the application's next step names the units still without a portfolio, in words
    step = b.get(f"/candidate/applications/{rpl.id}").text
    assert "Upload: Portfolio for unit RPL.U1, Portfolio for unit RPL.U3." in step


@pytest.mark.parametrize(
    ("kind", "unit", "message"),
    [
        ("portfolio", "", "Choose the competency unit this portfolio is for."),
        ("portfolio", "PSG.U1", "must be a competency unit of the scheme RPL"),
        ("diploma", "RPL.U1", "Only a portfolio is uploaded for a competency unit: choose no unit for this document."),
    ],
)
def test_an_upload_without_its_unit_is_refused_in_words_and_nothing_is_kept(
    app, world, db, rpl, storage_backend, kind, unit, message
):
    b = browser(app, world.candidate)
    response = upload(b, rpl.id, kind, pdf_bytes(), "portofolio.pdf", unit=unit)
    assert response.status_code == 422
    assert message in response.text and "The document was not uploaded." in response.text
    assert 'id="unit-error"' in response.text and 'aria-invalid="true"' in response.text
    assert storage_backend.list() == []
    fresh(db)
    assert db.session.scalar(select(func.count(Document.id)).where(Document.application_id == rpl.id)) == 1


def test_nobody_else_uploads_to_or_sees_the_candidates_documents(app, world, db, rpl, storage_backend):
    other = browser(app, world.other_candidate)
    assert other.get(_docs(rpl)).status_code == 404
    token = csrf_token(other.get("/candidate/").text)  # a page of their own
    r = other.post(
        _docs(rpl),
        data={"csrf_token": token, "kind": "portfolio", "unit": "RPL.U1", "file": (io.BytesIO(pdf_bytes()), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 404
    assert _portfolios(db, rpl) == []
    for who in ("admin_batam", "certifier"):
        assert browser(app, getattr(world, who)).get(_docs(rpl)).status_code in (403, 404)


def _submitted_with_portfolios(app, world, db, rpl):
    b = browser(app, world.candidate)
    for n in (3, 1, 2):
        assert upload(b, rpl.id, "portfolio", pdf_bytes(f"U{n}"), f"unit {n}.pdf", unit=f"RPL.U{n}").status_code == 303
    fresh(db)
    record = _db.session.get(type(rpl), rpl.id)
    world.fire(record, "submit", world.candidate)
    return record


def test_the_verification_page_names_each_portfolios_unit_in_the_schemes_order(app, world, db, rpl, storage_backend):
    record = _submitted_with_portfolios(app, world, db, rpl)
    page = admin_browser(app, world.admin_batam).get(f"/admin/verification/{record.id}").text
    assert "Required: Portfolio for unit RPL.U1, Portfolio for unit RPL.U2, Portfolio for unit RPL.U3." in page
    order = [page.index(f"unit {n}.pdf") for n in (1, 2, 3)]
    assert order == sorted(order)  # uploaded 3, 1, 2: shown by the scheme's order of units
    assert '<span class="muted doc-unit-title">Unit 2</span>' in page
    assert "Review of Portfolio for unit RPL.U2" in page
    assert admin_browser(app, world.admin_riau).get(f"/admin/verification/{record.id}").status_code == 404


def test_marking_one_units_portfolio_invalid_names_that_unit(app, world, db, rpl, storage_backend):
    record = _submitted_with_portfolios(app, world, db, rpl)
    b = admin_browser(app, world.admin_batam)
    page = f"/admin/verification/{record.id}"
    doc = next(d for d in record.documents if d.unit is not None and d.unit.code == "RPL.U2")
    token = csrf_token(b.get(page).text)
    r = b.post(f"/admin/documents/{doc.id}/review", data={"csrf_token": token, "status": "invalid", "note": "Buram"})
    assert r.status_code in (302, 303), r.text
    shown = b.get(r.headers["Location"]).text
    assert "Portfolio for unit RPL.U2 marked invalid." in shown
    assert "Not yet valid: Portfolio for unit RPL.U1, Portfolio for unit RPL.U2, Portfolio for unit RPL.U3." in shown


# -- the API ---------------------------------------------------------------------------------------


def test_the_api_takes_and_answers_the_unit(client, world, db, rpl, storage_backend):
    api = Api(client).as_(world.candidate)
    r = api.post(
        f"/applications/{rpl.id}/documents",
        data={"kind": "portfolio", "unit": "RPL.U1", "file": (io.BytesIO(pdf_bytes()), "u1.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["unit"] == "RPL.U1" and r.get_json()["kind"] == "portfolio"
    detail = api.get(f"/applications/{rpl.id}").get_json()
    units = {d["kind"]: d["unit"] for d in detail["documents"]}
    assert units == {"diploma": None, "portfolio": "RPL.U1"}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "portfolio"}, "choose the competency unit this portfolio is for"),
        ({"kind": "portfolio", "unit": "NOPE"}, "must be a competency unit of the scheme RPL"),
        ({"kind": "work_letter", "unit": "RPL.U1"}, "only a portfolio is uploaded for a competency unit"),
    ],
)
def test_the_api_refuses_a_portfolio_without_its_unit(client, world, db, rpl, storage_backend, form, message):
    api = Api(client).as_(world.candidate)
    r = api.post(
        f"/applications/{rpl.id}/documents",
        data={**form, "file": (io.BytesIO(pdf_bytes()), "p.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and error_code(r) == "validation_error"
    assert message in r.get_json()["error"]["message"]
    assert storage_backend.list() == []


def test_the_printed_apl01_names_the_unit_of_each_portfolio(client, world, db, rpl, storage_backend):
    api = Api(client).as_(world.candidate)
    for n in (1, 2):
        r = api.post(
            f"/applications/{rpl.id}/documents",
            data={"kind": "portfolio", "unit": f"RPL.U{n}", "file": (io.BytesIO(pdf_bytes()), f"u{n}.pdf")},
            content_type="multipart/form-data",
        )
        assert r.status_code == 201
    response = api.get(f"/applications/{rpl.id}/forms/apl-01")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Portofolio untuk unit RPL.U1 Unit 1" in text and "Portofolio untuk unit RPL.U2 Unit 2" in text


def test_the_route_choice_and_the_route_editor_say_a_portfolio_is_asked_per_unit(app, world, rpl):
    page = browser(app, world.candidate).get(f"/candidate/applications/{rpl.id}/apl01").text
    assert "A portfolio for each competency unit of the scheme: 3 units." in page
    indonesian = browser(app, world.candidate, lang="id").get(f"/candidate/applications/{rpl.id}/apl01").text
    assert "Portofolio untuk setiap unit kompetensi skema: 3 unit." in indonesian
    editor = browser(app, world.sysadmin).get(f"/system/schemes/{rpl.scheme_id}").text
    assert "A portfolio is asked once for each competency unit of the scheme." in editor


def test_the_apis_refusal_names_the_units_in_words_not_ids(client, world, db, rpl):
    api = Api(client).as_(world.candidate)
    r = api.post(f"/applications/{rpl.id}/events", json={"event": "submit"})
    assert r.status_code == 422 and error_code(r) == "guard_failed"
    assert r.get_json()["error"]["rule"] == "documents_uploaded"
    assert r.get_json()["error"]["message"] == (
        "Required documents are missing: Portfolio for unit RPL.U1, Portfolio for unit RPL.U2, "
        "Portfolio for unit RPL.U3."
    )
