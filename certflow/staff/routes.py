"""The register's pages (``/admin/staff``): the list, the form, the import, the figures with their lists.

A dinas admin keeps the register of its dinas (a province's admin, of every dinas of the province);
the figures are also open to system admins, for the whole region. A dinas or province outside the
reader's scope is a 404. Every page runs a fixed number of queries whatever the number of staff.
"""

from __future__ import annotations

import csv
import io
import math
from functools import wraps

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from certflow import clock
from certflow.core.errors import AppError, translate
from certflow.core.labels import EDUCATION_FIELD_LABELS, JF_LEVEL_LABELS
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Dinas, Province
from certflow.people import imports as import_files
from certflow.reports.figures import OutOfScope, resolve_scope
from certflow.staff import figures as register
from certflow.staff import operations
from certflow.staff.models import StaffMember
from certflow.web.util import page_number
from workflows.eligibility import EDUCATION_FIELDS, EDUCATION_LEVELS, ROUTES

bp = Blueprint("staff", __name__, url_prefix="/admin/staff")

PER_PAGE = 25
FIGURE_ROLES = {"dinas_admin", "admin"}

FIELD_LABELS = {
    "name": _l("Name"),
    "dinas": _l("Dinas"),
    "education_field": _l("Field of education"),
    "education_level": _l("Level of education"),
    "position": _l("Current position"),
    "functional_level": _l("Functional position level"),
    "practice_hours": _l("Practice hours"),
    "training": _l("Training (diklat) done"),
}
ROUTE_LABELS = {
    "education": _l("By education"),
    "experience": _l("By experience"),
    "rpl": _l("By recognition of prior learning (RPL)"),
}
LIST_LABELS = {
    "all": _l("All staff"),
    "peksos_kesos": _l("With a peksos/kesos background"),
    "other": _l("Without a peksos/kesos background"),
    "could_apply": _l("Could apply now"),
    "needs_practice": _l("Would need more practice hours or the training"),
    "needs_education": _l("Would need further education"),
    **{f"route_{r}": ROUTE_LABELS[r] for r in ROUTES},
}
LEVEL_LABELS = {**JF_LEVEL_LABELS, "not_known": _l("Not known")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def keeper_required(view):
    """For dinas admins attached to a dinas (anyone else: 403)."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.has_role("dinas_admin") or current_user.dinas_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _id_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    if value == "":
        return None
    if not (value.isascii() and value.isdigit() and len(value) < 10):
        abort(404)
    return int(value)


def _scope_dinas() -> list[tuple[int, str]]:
    """The dinas whose register the reader keeps: (id, name)."""
    ids = operations.scope_ids(current_user)
    return db.session.execute(select(Dinas.id, Dinas.name).where(Dinas.id.in_(ids)).order_by(Dinas.name)).all()


def _choices() -> dict:
    return {
        "education_fields": [(f, EDUCATION_FIELD_LABELS[f]) for f in EDUCATION_FIELDS],
        "education_levels": [(v, v) for v in EDUCATION_LEVELS],
        "functional_levels": list(JF_LEVEL_LABELS.items()),
    }


@bp.get("")
@keeper_required
def register_list():
    """The register of the reader's dinas, a page at a time, narrowed by dinas, field or name."""
    dinas_list = _scope_dinas()
    ids = [d for d, _name in dinas_list]
    stmt = select(StaffMember).where(StaffMember.dinas_id.in_(ids))
    dinas_id = _id_arg("dinas")
    if dinas_id is not None:
        if dinas_id not in ids:
            abort(404)
        stmt = stmt.where(StaffMember.dinas_id == dinas_id)
    field = request.args.get("field", "")
    if field:
        if field not in EDUCATION_FIELDS:
            abort(404)
        stmt = stmt.where(StaffMember.education_field == field)
    q = request.args.get("q", "").strip()[:80]
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(StaffMember.name.ilike(f"%{escaped}%", escape="\\"))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(page_number(), pages)
    members = db.session.scalars(
        stmt.order_by(StaffMember.name, StaffMember.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "staff/list.html",
        members=members,
        total=total,
        page=page,
        pages=pages,
        dinas_list=dinas_list,
        chosen={"dinas": dinas_id, "field": field, "q": q},
        field_labels=EDUCATION_FIELD_LABELS,
        functional_labels=JF_LEVEL_LABELS,
    )


def _form(member: StaffMember | None, values: dict, problems=(), status: int = 200):
    errors = {column: translate(message, params) for column, message, params in problems}
    return (
        render_template(
            "staff/form.html",
            member=member,
            values=values,
            errors=errors,
            labels=FIELD_LABELS,
            dinas_list=_scope_dinas(),
            **_choices(),
        ),
        status,
    )


def _member_values(member: StaffMember) -> dict:
    return {
        "name": member.name,
        "dinas": str(member.dinas_id),
        "education_field": member.education_field,
        "education_level": member.education_level,
        "position": member.position,
        "functional_level": member.functional_level or "",
        "practice_hours": "" if member.practice_hours is None else str(member.practice_hours),
        "training": "ya" if member.training else "",
    }


def _posted() -> dict:
    values = {k: request.form.get(k, "") for k in FIELD_LABELS if k != "training"}
    values["training"] = "ya" if request.form.get("training") else ""
    return values


def _save(member_id: int | None):
    values = _posted()
    try:
        with unit_of_work():
            member = operations.save_member(current_user, member_id, values)
            name = member.name
    except operations.EntryRejected as exc:
        member = db.session.get(StaffMember, member_id) if member_id is not None else None
        return _form(member, values, exc.problems, 422)
    flash(_("%(name)s is saved on the register.", name=name), "success")
    return redirect(url_for("staff.register_list"), 303)


@bp.route("/new", methods=["GET", "POST"])
@keeper_required
def member_new():
    """Add one employee to the register."""
    if request.method == "POST":
        return _save(None)
    dinas_list = _scope_dinas()
    return _form(None, {"dinas": str(dinas_list[0][0]) if len(dinas_list) == 1 else str(current_user.dinas_id)})


def _in_scope(member_id: int) -> StaffMember:
    member = db.session.get(StaffMember, member_id)
    if member is None or member.dinas_id not in operations.scope_ids(current_user):
        abort(404)
    return member


@bp.route("/<int:member_id>", methods=["GET", "POST"])
@keeper_required
def member_edit(member_id: int):
    """Change one entry of the register."""
    member = _in_scope(member_id)
    if request.method == "POST":
        return _save(member_id)
    return _form(member, _member_values(member))


@bp.post("/<int:member_id>/delete")
@keeper_required
def member_delete(member_id: int):
    """Take one entry off the register."""
    name = _in_scope(member_id).name
    with unit_of_work():
        operations.delete_member(current_user, member_id)
    flash(_("%(name)s is taken off the register.", name=name), "success")
    return redirect(url_for("staff.register_list"), 303)


def _import_page(error: str | None = None, rows=None, status: int = 200):
    return (
        render_template(
            "staff/import.html",
            error=error,
            rows=rows or [],
            columns=operations.COLUMNS,
            optional=operations.OPTIONAL,
            indonesian=import_files.header_names(operations.COLUMNS, "id"),
            max_mib=import_files.MAX_BYTES // 2**20,
            max_rows=import_files.MAX_ROWS,
        ),
        status,
    )


@bp.route("/import", methods=["GET", "POST"])
@keeper_required
def staff_import():
    """Import a CSV or .xlsx file of staff: every bad row is listed, and then nothing is imported."""
    if request.method == "GET":
        return _import_page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(_("Choose the CSV or Excel file to import."), status=422)
    data = upload.stream.read(import_files.MAX_BYTES + 1)
    try:
        with unit_of_work():
            changed, unchanged = operations.import_staff(current_user, data)
    except operations.ImportRejected as exc:
        return _import_page(translate(exc.message, exc.params), exc.described(), exc.status)
    except AppError as exc:
        return _import_page(exc.text(), status=exc.status)
    flash(
        _(
            "Staff imported from %(file)s: %(imported)s new or changed, %(unchanged)s unchanged.",
            file=upload.filename,
            imported=changed,
            unchanged=unchanged,
        ),
        "success",
    )
    return redirect(url_for("staff.register_list"), 303)


def _template_example(language: str) -> list:
    dinas = current_user.dinas
    return [
        "Nama Lengkap",
        dinas.name,
        "other",
        "S1",
        "Staf Bidang Rehabilitasi Sosial" if language == "id" else "Social rehabilitation officer",
        "Ahli Pertama",
        "1500",
        "ya" if language == "id" else "yes",
    ]


@bp.get("/import/template")
@keeper_required
def staff_import_template():
    """The header and an example row, in English or Indonesian, as CSV or .xlsx."""
    fmt, language = request.args.get("format", "csv"), request.args.get("language", str(get_locale()))
    if fmt not in import_files.FORMATS or language not in import_files.LANGUAGES:
        abort(404)
    header = import_files.header_names(operations.COLUMNS, language)
    body = _table(header, [_template_example(language)], fmt, ";" if language == "id" else ",")
    return Response(
        body,
        mimetype=import_files.FORMATS[fmt],
        headers={"Content-Disposition": f"attachment; filename=staff-template-{language}.{fmt}"},
    )


def _cell(value):
    """A cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _table(header: list[str], rows: list[list], fmt: str, delimiter: str = ",") -> bytes:
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(v) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return ("\ufeff" + text.getvalue()).encode()


def _scope():
    if not current_user.roles & FIGURE_ROLES:
        abort(403)
    if not current_user.has_role("admin") and current_user.dinas_id is None:
        abort(403)
    try:
        return resolve_scope(current_user, _id_arg("dinas"), _id_arg("province"))
    except OutOfScope:
        abort(404)


def _scope_title(scope) -> str:
    if scope.dinas is not None:
        return scope.dinas.name
    if scope.province is not None:
        return _("Province %(name)s", name=scope.province.name)
    if scope.everything:
        return _("The whole region")
    if current_user.dinas.is_province:
        return _("Province %(name)s", name=current_user.dinas.province.name)
    return current_user.dinas.name


def _list_download(persons, name: str, fmt: str, scope):
    header = [
        "province",
        "dinas",
        "name",
        "education_field",
        "education_level",
        "position",
        "functional_level",
        "practice_hours",
        "training",
        "standing",
        *(f"open_{r}" for r in ROUTES),
    ]
    rows = [
        [
            p.province,
            p.dinas,
            p.name,
            p.education_field,
            p.education_level,
            p.position,
            p.functional_level or "",
            "" if p.practice_hours is None else p.practice_hours,
            "yes" if p.training else "no",
            p.standing,
            *(" ".join(p.open.get(r, [])) for r in ROUTES),
        ]
        for p in register.listed(persons, name)
    ]
    parts = ["certflow-staff", name]
    if scope.province is not None:
        parts.append(f"province-{scope.province.id}")
    if scope.dinas is not None:
        parts.append(f"dinas-{scope.dinas.id}")
    filename = "-".join([*parts, clock.today().isoformat()]) + "." + fmt
    return Response(
        _table(header, rows, fmt),
        mimetype="text/csv" if fmt == "csv" else XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _units(scope, counts: dict) -> list[dict]:
    """The rows of the per-unit chart: per province for the whole region, else per dinas (none for one dinas)."""
    if scope.dinas is not None:
        return []
    if scope.everything and scope.province is None:
        return counts["by_province"]
    return counts["by_dinas"]


@bp.get("/figures")
@login_required
def figures():
    """The education gap of the reader's scope: counts, charts, and each list as a download."""
    scope = _scope()
    fmt, name = request.args.get("format"), request.args.get("list")
    if (fmt or name) and (fmt not in ("csv", "xlsx") or name not in register.LISTS):
        abort(404)
    persons = register.people(scope.dinas_ids)
    if fmt:
        return _list_download(persons, name, fmt, scope)
    counts = register.figures(persons)
    provinces = []
    if scope.everything:
        provinces = db.session.execute(select(Province.id, Province.name).order_by(Province.name)).all()
    return render_template(
        "staff/figures.html",
        counts=counts,
        scope=scope,
        scope_title=_scope_title(scope),
        provinces=provinces,
        chosen={
            "dinas": scope.dinas.id if scope.dinas else None,
            "province": scope.province.id if scope.province else None,
        },
        list_labels=LIST_LABELS,
        route_labels=ROUTE_LABELS,
        level_labels=LEVEL_LABELS,
        routes=ROUTES,
        charts={
            "background": [
                (str(LIST_LABELS["peksos_kesos"]), [counts["peksos_kesos"]]),
                (str(LIST_LABELS["other"]), [counts["other"]]),
            ],
            "standing": [(str(LIST_LABELS[s]), [counts[s]]) for s in register.STANDINGS],
            "by_route": [(str(ROUTE_LABELS[r]), [counts["by_route"][r]]) for r in ROUTES],
            "by_unit": [(row["name"], [row["peksos_kesos"], row["other"]]) for row in _units(scope, counts)],
        },
    )
