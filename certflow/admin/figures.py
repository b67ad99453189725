"""The region's figures page (``admin.figures``): charts drawn on the server, each figure as CSV.

The numbers are those of ``GET /api/v1/reports/summary`` (``certflow.reports.figures``), for
the same scope: a dinas admin's dinas (a province admin's province), the whole region for
system admins and certifiers, narrowed with ``?province=`` / ``?dinas=``. ``?format=csv&figure=``
downloads one figure. The request runs a fixed number of queries whatever the data.
"""

from __future__ import annotations

import csv
import io

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from certflow import clock
from certflow.admin.routes import bp
from certflow.extensions import db
from certflow.models import Dinas, Province, Scheme
from certflow.people.policy import sees_whole_province
from certflow.reports import figures as reports
from certflow.web.labels import state_label
from workflows import APPLICATION

FIGURE_ROLES = {"dinas_admin", "admin", "certifier"}

# figure name → its title (the CSV's name and the page's anchors use the name)
FIGURES = {
    "by_state": _l("Applications at each step"),
    "certified_by_scheme": _l("Certified per scheme"),
    "education": _l("Staff with and without a peksos/kesos background"),
    "assessor_capacity": _l("Assessor capacity against demand"),
    "expiring_90_days": _l("Certificates expiring within 90 days"),
}
EDUCATION_LABELS = {
    "peksos_kesos": _l("Social work or social welfare (peksos/kesos)"),
    "other": _l("Other or unknown background"),
}


def _id_arg(name: str) -> int | None:
    """An id from the query string; a value that is not an id names nothing (404)."""
    value = request.args.get(name, "")
    if value == "":
        return None
    if not (value.isascii() and value.isdigit() and len(value) < 10):
        abort(404)
    return int(value)


def _filter_choices(scope: reports.FigureScope) -> tuple[list, list]:
    """(provinces, dinas grouped by province) the user may narrow to: two queries at most."""
    if scope.everything:
        provinces = db.session.execute(select(Province.id, Province.name).order_by(Province.name)).all()
        stmt = select(Dinas.id, Dinas.name, Province.name).join(Province, Province.id == Dinas.province_id)
    else:
        provinces = []
        narrowed = scope.dinas is not None or scope.province is not None
        base = (reports.resolve_scope(current_user).dinas_ids if narrowed else scope.dinas_ids) or []
        if len(base) < 2:  # one dinas (or none): nothing to choose
            return [], []
        stmt = (
            select(Dinas.id, Dinas.name, Province.name)
            .join(Province, Province.id == Dinas.province_id)
            .where(Dinas.id.in_(base))
        )
    groups: dict[str, list] = {}
    for dinas_id, name, province in db.session.execute(
        stmt.order_by(Province.name, Dinas.kind != "provinsi", Dinas.name)
    ):
        groups.setdefault(province, []).append((dinas_id, name))
    return provinces, list(groups.items())


def figure_rows(name: str, figures: dict, schemes: dict[str, str]) -> tuple[list[str], list[list]]:
    """The header and rows of one figure, as in its CSV (ids first, then translated labels)."""
    if name == "by_state":
        medians = figures["median_days_in_state"]
        return ["state", "label", "applications", "median_days"], [
            [s, state_label(s), figures["by_state"][s], "" if medians[s] is None else medians[s]]
            for s in APPLICATION.states
        ]
    if name == "certified_by_scheme":
        return ["scheme", "name", "certified"], [
            [code, schemes.get(code, ""), n] for code, n in figures["certified_by_scheme"].items()
        ]
    if name == "education":
        return ["background", "label", "people"], [
            [key, str(EDUCATION_LABELS[key]), figures["education"][key]] for key in ("peksos_kesos", "other")
        ]
    if name == "assessor_capacity":
        return ["scheme", "name", "assessors", "capacity", "open_demand", "shortfall"], [
            [
                row["scheme"],
                schemes.get(row["scheme"], ""),
                row["assessors"],
                row["capacity"],
                row["open_demand"],
                max(0, row["open_demand"] - row["capacity"]),
            ]
            for row in figures["assessor_capacity"]
        ]
    return ["scheme", "name", "expiring_90_days"], [
        [code, schemes.get(code, ""), n] for code, n in figures["expiring_by_scheme"].items()
    ]


def chart_rows(figures: dict, schemes: dict[str, str]) -> dict[str, list]:
    """The rows of each chart: (label, [value of each series])."""

    def name(code: str) -> str:
        return schemes.get(code) or code

    return {
        "by_state": [(state_label(s), [figures["by_state"][s]]) for s in APPLICATION.states],
        "certified_by_scheme": [(name(c), [n]) for c, n in figures["certified_by_scheme"].items()],
        "education": [(str(EDUCATION_LABELS[k]), [figures["education"][k]]) for k in ("peksos_kesos", "other")],
        "assessor_capacity": [
            (name(r["scheme"]), [r["capacity"], r["open_demand"]]) for r in figures["assessor_capacity"]
        ],
        "expiring_90_days": [(name(c), [n]) for c, n in figures["expiring_by_scheme"].items()],
    }


def _scope_title(scope: reports.FigureScope) -> str:
    if scope.dinas is not None:
        return scope.dinas.name
    if scope.province is not None:
        return _("Province %(name)s", name=scope.province.name)
    if scope.everything:
        return _("The whole region")
    if current_user.dinas is None:
        return _("No dinas")
    if sees_whole_province(current_user):
        return _("Province %(name)s", name=current_user.dinas.province.name)
    return current_user.dinas.name


def _cell(value):
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(name: str, figures: dict, schemes: dict[str, str], scope: reports.FigureScope):
    header, rows = figure_rows(name, figures, schemes)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    parts = ["certflow", name]
    if scope.province is not None:
        parts.append(f"province-{scope.province.id}")
    if scope.dinas is not None:
        parts.append(f"dinas-{scope.dinas.id}")
    filename = "-".join([*parts, clock.today().isoformat()]) + ".csv"
    return (
        out.getvalue(),
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/figures")
@login_required
def figures():
    """The figures of the user's scope as charts and tables, or one of them as CSV."""
    if not current_user.roles & FIGURE_ROLES:
        abort(403)
    wanted_csv = request.args.get("format") == "csv"
    figure = request.args.get("figure")
    if wanted_csv and figure not in FIGURES:
        abort(404)
    try:
        scope = reports.resolve_scope(current_user, _id_arg("dinas"), _id_arg("province"))
    except reports.OutOfScope:
        abort(404)
    figures = reports.figures(scope.dinas_ids)
    schemes = dict(db.session.execute(select(Scheme.code, Scheme.name)).all())
    if wanted_csv:
        return _csv(figure, figures, schemes, scope)
    provinces, dinas_groups = _filter_choices(scope)
    return render_template(
        "admin/figures.html",
        figures=figures,
        charts=chart_rows(figures, schemes),
        schemes=schemes,
        scope=scope,
        scope_title=_scope_title(scope),
        titles=FIGURES,
        education_labels=EDUCATION_LABELS,
        states=APPLICATION.states,
        provinces=provinces,
        dinas_groups=dinas_groups,
        chosen={
            "dinas": scope.dinas.id if scope.dinas else None,
            "province": scope.province.id if scope.province else None,
        },
    )
