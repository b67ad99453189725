"""The printed forms of one application, filled from its records, in Indonesian, as PDFs.

FR.APL.01 (the application), FR.APL.02 (the self-assessment), FR.AK.01 (the agreement),
FR.AK.02 (the record per unit), FR.AK.03 (the candidate's feedback), FR.IA.01 (the observation
checklist, from the scheme's criteria and the scores). ``render_form`` raises ``FormNotReady``
(409 ``form_not_ready``) while the record a form is made of does not exist yet. Who may see each
form: ``certflow.people.policy.may_see_form``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import BytesIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certflow.assessment import agreements, written_tests
from certflow.assessment import records as recs
from certflow.assessment.agreements import FormNotReady
from certflow.core.labels import (
    DOCUMENT_KIND_LABELS,
    DOCUMENT_STATUS_LABELS,
    EDUCATION_FIELD_LABELS,
    JF_LEVEL_LABELS,
    PURPOSE_LABELS,
    ROUTE_LABELS,
    SEX_LABELS,
)

__all__ = ["FORMS", "FORM_TITLES", "FormNotReady", "render_form"]
from certflow.extensions import db
from certflow.models import Application, Assessor, Criterion, Element, Score, SelfAssessmentAnswer, Unit, User
from certflow.people.policy import shown_apl01
from certflow.printing.core import build_pdf, day, fields, grid, heading, in_indonesian, paragraph, signatures
from workflows.guards import N_

METHOD_LABELS = {
    "observation": _l("Observation"),
    "portfolio": _l("Portfolio"),
    "interview": _l("Interview"),
    "written": _l("Written test"),
}


def _label(labels: dict, key) -> str:
    return str(labels[key]) if key in labels else (key or "-")


def _document_label(doc) -> str:
    """A document's kind in words; a portfolio names the unit it is for."""
    kind = _label(DOCUMENT_KIND_LABELS, doc.kind)
    if doc.unit is None:
        return kind
    return _("%(kind)s for unit %(unit)s", kind=kind, unit=f"{doc.unit.code} {doc.unit.title}")


def _methods(methods) -> str:
    return ", ".join(_label(METHOD_LABELS, m) for m in methods or []) or "-"


def _yes_no(value) -> str:
    return _("Yes") if value else _("No")


def _scheme_line(app: Application) -> str:
    return f"{app.scheme.name} ({app.scheme.code})"


def _team_people(app: Application) -> tuple[User | None, list[User]]:
    """The lead's account and every member's (the lead first), in one query; none without a team."""
    if app.team is None:
        return None, []
    rows = db.session.execute(
        select(Assessor.id, User)
        .join(User, User.id == Assessor.user_id)
        .where(Assessor.id.in_([r.assessor_id for r in app.team.member_rows]))
        .order_by(Assessor.id)
    ).all()
    lead = next((u for a, u in rows if a == app.team.lead_id), None)
    return lead, [lead] + [u for a, u in rows if a != app.team.lead_id] if lead else [u for _a, u in rows]


def _purpose(app: Application) -> str:
    """The purpose the APL-01 states, else certification or recertification as the application shows."""
    purpose = (app.apl01 or {}).get("purpose")
    if purpose in PURPOSE_LABELS:
        return _label(PURPOSE_LABELS, purpose)
    return _("Recertification") if app.previous_certificate_id else _("Certification")


def _candidate_fields(app: Application, form: dict | None = None) -> list[tuple[str, object]]:
    form, person = (app.apl01 or {}) if form is None else form, app.candidate
    born = form.get("birth_date")
    birth = ", ".join(str(v) for v in (form.get("birth_place"), day(date.fromisoformat(born)) if born else None) if v)
    return [
        (_("Full name"), person.name),
        (_("NIK"), form.get("nik")),
        (_("Place and date of birth"), birth or None),
        (_("Sex"), _label(SEX_LABELS, form.get("sex"))),
        (_("E-mail"), person.email),
        (_("Phone"), form.get("phone")),
        (_("Address"), form.get("address")),
        (_("Dinas"), app.dinas.name),
    ]


# -- FR.APL.01 ------------------------------------------------------------------------------------


def apl01(app: Application, form: dict | None = None) -> BytesIO:
    """FR.APL.01, the application for certification: the person, the certification, the documents.

    ``form``: the APL-01 as the reader may see it (``policy.shown_apl01``); the whole of it if not given.
    """
    form = (app.apl01 or {}) if form is None else form
    units = agreements.scheme_units(app)
    blocks = [
        heading(_("Part 1: Personal data")),
        fields(
            _candidate_fields(app, form)
            + [
                (_("Education level"), form.get("education_level")),
                (_("Education field"), _label(EDUCATION_FIELD_LABELS, form.get("education_field"))),
                (_("Practice hours"), form.get("practice_hours")),
            ]
        ),
        heading(_("Part 2: Work data")),
        fields(
            [
                (_("Workplace"), form.get("workplace")),
                (_("Position"), form.get("position")),
                (_("Functional-position level"), _label(JF_LEVEL_LABELS, form.get("jf_level"))),
                (_("Employee number"), form.get("employee_id")),
            ]
        ),
        heading(_("Part 3: Certification data")),
        fields(
            [
                (_("Scheme"), _scheme_line(app)),
                (_("Level"), app.scheme.level),
                (_("Purpose"), _purpose(app)),
                (_("Route of application"), _label(ROUTE_LABELS, form.get("route")) if form.get("route") else None),
                (_("Application number"), f"#{app.id}"),
            ]
        ),
        grid(
            [_("No."), _("Unit code"), _("Unit title")],
            [(n, u.code, u.title) for n, u in enumerate(units, 1)],
            (0.08, 0.3, 0.62),
        ),
        heading(_("Part 4: Supporting evidence")),
        grid(
            [_("No."), _("Document"), _("File"), _("Status")],
            [
                (n, _document_label(d), d.filename, _label(DOCUMENT_STATUS_LABELS, d.status))
                for n, d in enumerate(app.documents, 1)
            ],
            (0.08, 0.37, 0.35, 0.2),
        ),
        signatures([(_("Candidate"), app.candidate.name, app.created_at), (_("Dinas admin"), None, None)]),
    ]
    return build_pdf(_("Application for certification"), "FR.APL.01", blocks, subtitle=_scheme_line(app))


# -- FR.APL.02 ------------------------------------------------------------------------------------


def _criteria(app: Application):
    """(unit, element, criterion) of every criterion of the scheme, in the standard's order (one query)."""
    return db.session.execute(
        select(Unit, Element, Criterion)
        .join(Element, Element.unit_id == Unit.id)
        .join(Criterion, Criterion.element_id == Element.id)
        .where(Unit.scheme_id == app.scheme_id)
        .order_by(Unit.position, Unit.id, Element.position, Element.id, Criterion.position, Criterion.id)
    ).all()


def apl02(app: Application) -> BytesIO:
    """FR.APL.02, the self-assessment: per unit and element, each criterion's claim (K/BK) and evidence."""
    answers = {
        a.criterion_id: a
        for a in db.session.scalars(select(SelfAssessmentAnswer).where(SelfAssessmentAnswer.application_id == app.id))
    }
    if not answers:
        raise FormNotReady(N_("The candidate has not answered the self-assessment yet."))
    blocks = [fields(_candidate_fields(app)[:1] + [(_("Scheme"), _scheme_line(app))])]
    rows, current = [], None
    for unit, element, criterion in _criteria(app):
        if unit.id != current:
            if rows:
                blocks.append(_apl02_grid(rows))
            blocks.append(heading(_("Unit %(code)s: %(title)s", code=unit.code, title=unit.title)))
            rows, current = [], unit.id
        answer = answers.get(criterion.id)
        rows.append(
            (
                element.code,
                f"{criterion.code} {criterion.text}",
                answer.claim if answer else "-",
                answer.evidence if answer else "",
            )
        )
    if rows:
        blocks.append(_apl02_grid(rows))
    blocks.append(signatures([(_("Candidate"), app.candidate.name, app.created_at), (_("Assessor"), None, None)]))
    return build_pdf(_("Self-assessment"), "FR.APL.02", blocks, subtitle=_scheme_line(app))


def _apl02_grid(rows):
    return grid([_("Element"), _("Criterion"), _("K/BK"), _("Evidence")], rows, (0.16, 0.46, 0.1, 0.28))


# -- FR.AK.01 -------------------------------------------------------------------------------------


def ak01(app: Application) -> BytesIO:
    """FR.AK.01, the assessment agreement and confidentiality: the terms and both signatures."""
    agreement = agreements.agreement_of(app, current=False)
    if agreement is None:
        raise FormNotReady(N_("The lead assessor has not written the assessment agreement yet."))
    lead = db.session.get(Assessor, agreement.lead_id).user
    titles = {u.code: u.title for u in agreements.scheme_units(app)}
    blocks = [
        fields(
            [
                (_("Scheme"), _scheme_line(app)),
                (_("Candidate"), app.candidate.name),
                (_("Lead assessor"), lead.name),
                (_("Date"), day(agreement.assessed_on)),
                (_("Time"), agreement.assessed_at.strftime("%H.%M")),
                (_("Venue (TUK)"), agreement.venue),
            ]
        ),
        heading(_("Evidence to be gathered")),
        grid(
            [_("Unit code"), _("Unit title"), _("Methods")],
            [(e["unit"], titles.get(e["unit"], ""), _methods(e["methods"])) for e in agreement.evidence],
            (0.24, 0.46, 0.3),
        ),
        paragraph(
            _(
                "The candidate: I have been given an explanation of the assessment process and agree to take "
                "part in it, and I understand that the evidence I give will be used to decide my competence."
            )
        ),
        paragraph(
            _(
                "The assessor: I declare that I will keep confidential the evidence and the results of this "
                "assessment, and use them only for it."
            )
        ),
        signatures(
            [
                (_("Candidate"), app.candidate.name, agreement.signed_by_candidate_at),
                (_("Lead assessor"), lead.name, agreement.signed_by_lead_at),
            ]
        ),
    ]
    return build_pdf(_("Assessment agreement and confidentiality"), "FR.AK.01", blocks, subtitle=_scheme_line(app))


# -- the written test's results (on FR.AK.02 and FR.IA.01) ----------------------------------------


def written_results(app: Application) -> tuple[object, list[tuple]] | None:
    """The submitted written test of ``app`` per unit: (submitted at, [(unit code, unit title, multiple
    choice "correct of total" or "-", essays "K of scored" or "-")]); None if no test was submitted."""
    test = written_tests.tests_of([app.id]).get(app.id)
    if test is None or test.submitted_at is None or not test.answers:
        return None
    units = {
        u.id: u for u in db.session.scalars(select(Unit).where(Unit.scheme_id == app.scheme_id).order_by(Unit.position))
    }
    per_unit: dict[int, dict] = {}
    for row in test.answers:
        counts = per_unit.setdefault(row.question.unit_id, {"mc": 0, "mc_ok": 0, "essay": 0, "essay_k": 0, "open": 0})
        if row.question.kind == "multiple_choice":
            counts["mc"] += 1
            counts["mc_ok"] += 1 if row.correct else 0
        elif row.question.kind == "essay":
            counts["essay"] += 1
            counts["essay_k"] += 1 if row.essay_result == "K" else 0
            counts["open"] += 1 if row.essay_result is None else 0
    rows = []
    for unit_id, unit in units.items():
        c = per_unit.get(unit_id)
        if c is None:
            continue
        mc = _("%(correct)s of %(total)s correct", correct=c["mc_ok"], total=c["mc"]) if c["mc"] else "-"
        if not c["essay"]:
            essays = "-"
        elif c["open"]:
            essays = _(
                "%(k)s of %(total)s competent, %(open)s not yet scored",
                k=c["essay_k"],
                total=c["essay"],
                open=c["open"],
            )
        else:
            essays = _("%(k)s of %(total)s competent", k=c["essay_k"], total=c["essay"])
        rows.append((unit.code, unit.title, mc, essays))
    return test.submitted_at, rows


def _written_blocks(app: Application) -> list:
    """The written test's section of a record form, or nothing when no test was submitted."""
    results = written_results(app)
    if results is None:
        return []
    submitted_at, rows = results
    return [
        heading(_("Written test (submitted %(date)s)", date=day(submitted_at))),
        grid(
            [_("Unit code"), _("Unit title"), _("Multiple choice"), _("Essays")],
            rows,
            (0.17, 0.37, 0.22, 0.24),
        ),
    ]


# -- FR.AK.02 -------------------------------------------------------------------------------------


def ak02(app: Application) -> BytesIO:
    """FR.AK.02, the assessment record: per unit, the methods, K/BK and the feedback; the recommendation."""
    if not recs.has_unit_records(app):
        raise FormNotReady(N_("The lead assessor has not written the assessment record yet."))
    lead, _members = _team_people(app)
    records = recs.unit_records(app)
    recommendation = {"K": _("Competent (K)"), "BK": _("Not yet competent (BK)")}.get(app.recommendation or "", "-")
    blocks = [
        fields(
            [
                (_("Scheme"), _scheme_line(app)),
                (_("Candidate"), app.candidate.name),
                (_("Lead assessor"), lead.name if lead else "-"),
            ]
        ),
        grid(
            [_("Unit code"), _("Unit title"), _("Methods"), _("K/BK"), _("Feedback")],
            [(r["unit"], r["title"], _methods(r["methods"]), r["result"] or "-", r["feedback"]) for r in records],
            (0.17, 0.27, 0.18, 0.08, 0.3),
        ),
        *_written_blocks(app),
        fields([(_("Recommendation"), recommendation)]),
        signatures(
            [
                (_("Candidate"), app.candidate.name, None),
                (
                    _("Lead assessor"),
                    lead.name if lead else None,
                    max((r["updated_at"] for r in records if r["updated_at"]), default=None),
                ),
            ]
        ),
    ]
    return build_pdf(_("Assessment record"), "FR.AK.02", blocks, subtitle=_scheme_line(app))


# -- FR.AK.03 -------------------------------------------------------------------------------------


def ak03(app: Application) -> BytesIO:
    """FR.AK.03, the candidate's feedback: the ten questions, each answered yes or no, and comments."""
    row = recs.feedback_of(app)
    if row is None:
        raise FormNotReady(N_("The candidate has not given feedback yet."))
    lead, _members = _team_people(app)
    answers = {a["item"]: a for a in row.answers}
    blocks = [
        fields(
            [
                (_("Scheme"), _scheme_line(app)),
                (_("Candidate"), app.candidate.name),
                (_("Lead assessor"), lead.name if lead else "-"),
            ]
        ),
        grid(
            [_("No."), _("Question"), _("Answer"), _("Comment")],
            [
                (n, str(q), _yes_no(answers.get(n, {}).get("answer")), answers.get(n, {}).get("comment", ""))
                for n, q in enumerate(recs.FEEDBACK_QUESTIONS, 1)
            ],
            (0.07, 0.55, 0.1, 0.28),
        ),
        fields([(_("Other comments"), row.comments)]),
        signatures([(_("Candidate"), app.candidate.name, row.submitted_at)]),
    ]
    return build_pdf(_("Feedback on the assessment"), "FR.AK.03", blocks, subtitle=_scheme_line(app))


# -- FR.IA.01 -------------------------------------------------------------------------------------


def ia01(app: Application) -> BytesIO:
    """FR.IA.01, the observation checklist: every criterion of the scheme with the lead's K/BK and evidence."""
    if app.team is None:
        raise FormNotReady(N_("No assessor team is assigned yet."))
    scores = {
        s.criterion_id: s
        for s in db.session.scalars(
            select(Score).where(Score.application_id == app.id, Score.assessor_id == app.team.lead_id)
        )
    }
    if not scores:
        raise FormNotReady(N_("The lead assessor has not scored any criterion yet."))
    lead, members = _team_people(app)
    blocks = [
        fields(
            [
                (_("Scheme"), _scheme_line(app)),
                (_("Candidate"), app.candidate.name),
                (_("Assessors"), ", ".join(u.name for u in members)),
            ]
        )
    ]
    rows, current = [], None
    for unit, element, criterion in _criteria(app):
        if unit.id != current:
            if rows:
                blocks.append(_ia01_grid(rows))
            blocks.append(heading(_("Unit %(code)s: %(title)s", code=unit.code, title=unit.title)))
            rows, current = [], unit.id
        score = scores.get(criterion.id)
        rows.append(
            (
                f"{element.code} {element.title}",
                f"{criterion.code} {criterion.text}",
                score.result if score else "-",
                _label(METHOD_LABELS, score.method) if score and score.method else "-",
                score.evidence if score else "",
            )
        )
    if rows:
        blocks.append(_ia01_grid(rows))
    blocks.extend(_written_blocks(app))
    latest = max((s.updated_at for s in scores.values() if s.updated_at), default=None)
    blocks.append(
        signatures(
            [(_("Candidate"), app.candidate.name, None), (_("Lead assessor"), lead.name if lead else None, latest)]
        )
    )
    return build_pdf(_("Observation checklist"), "FR.IA.01", blocks, subtitle=_scheme_line(app))


def _ia01_grid(rows):
    return grid(
        [_("Element"), _("Criterion"), _("K/BK"), _("Method"), _("Evidence")], rows, (0.2, 0.36, 0.08, 0.12, 0.24)
    )


FORMS: dict[str, tuple[str, Callable[[Application], BytesIO]]] = {
    "apl-01": ("FR.APL.01", apl01),
    "apl-02": ("FR.APL.02", apl02),
    "ak-01": ("FR.AK.01", ak01),
    "ak-02": ("FR.AK.02", ak02),
    "ak-03": ("FR.AK.03", ak03),
    "ia-01": ("FR.IA.01", ia01),
}


# The forms as a person sees them listed (in the reader's language).
FORM_TITLES = {
    "apl-01": _l("Application form (APL-01)"),
    "apl-02": _l("Self-assessment (APL-02)"),
    "ak-01": _l("Assessment agreement (FR.AK.01)"),
    "ak-02": _l("Assessment record per unit (FR.AK.02)"),
    "ak-03": _l("Feedback on the assessment (FR.AK.03)"),
    "ia-01": _l("Observation checklist (FR.IA.01)"),
}


def render_form(app: Application, form: str, reader: User | None = None) -> tuple[BytesIO, str]:
    """The form as a PDF, in Indonesian, and its file name; ``FormNotReady`` while its record is missing.

    ``reader``: who asks; FR.APL.01 then shows the personal data as they may see it (rule 8).
    """
    code, build = FORMS[form]
    with in_indonesian():
        pdf = apl01(app, shown_apl01(reader, app)) if form == "apl-01" and reader is not None else build(app)
    return pdf, f"{code}-{app.id}.pdf"
