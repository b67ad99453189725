"""The application page's action buttons: what each event asks for, and reading what was posted.

An event's inputs follow from its guards (``workflows.definitions``): an event guarded by
``reason_given`` asks for a reason, ``deadline_set`` for a deadline, ``team_chosen`` for a
team, and so on. So a new event, or a new guard on an old one, gets the right form with
no change here beyond naming the input of a new guard.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from certflow.extensions import db
from certflow.models import Application, Team, Unit, User
from certflow.services.access import dinas_scope
from certflow.services.facts import ApplicationFacts
from certflow.web.labels import event_label
from workflows.definitions import Definition

INPUTS_BY_GUARD = {
    "reason_given": ("reason",),
    "deadline_set": ("deadline",),
    "end_date_set": ("until",),
    "team_chosen": ("team", "override_reason"),
    "recommendation_consistent": ("recommendation",),
    "bk_units_only": ("units",),
}

# Events that cannot be undone and ask nothing: a second click confirms them.
CONFIRM_EVENTS = frozenset({"withdraw", "certify"})

MAX_TEXT = 4000


def event_inputs(definition: Definition, event: str) -> tuple[str, ...]:
    """The form inputs ``event`` needs, in order (none for an unknown event)."""
    ev = definition.event(event)
    if ev is None:
        return ()
    return tuple(dict.fromkeys(name for guard in ev.guards for name in INPUTS_BY_GUARD.get(guard, ())))


def form_payload(inputs: tuple[str, ...], form: MultiDict) -> tuple[str | None, dict]:
    """The event's ``reason`` and ``data`` from a posted form, reading only the inputs it needs."""
    reason = form.get("reason", "")[:MAX_TEXT] if "reason" in inputs else None
    data: dict = {}
    for name in ("deadline", "until", "recommendation"):
        if name in inputs:
            data[name] = form.get(name, "").strip()[:32]
    if "team" in inputs:
        team = form.get("team", "").strip()
        data["team"] = int(team) if team.isascii() and team.isdigit() and len(team) < 10 else None
        override = form.get("override_reason", "").strip()[:MAX_TEXT]
        if override:
            data["override_reason"] = override
    if "units" in inputs:
        units = [u[:64] for u in form.getlist("units") if u]
        if units:
            data["units"] = units
    return reason, data


@dataclass
class Action:
    """One button of the application page, with the inputs its form shows."""

    event: str
    label: str
    inputs: tuple[str, ...]
    confirm: bool = False
    teams: list[dict] = field(default_factory=list)
    units: list[tuple[str, str]] = field(default_factory=list)


def team_choices(app: Application, user: User) -> list[dict]:
    """The active teams of the application's scheme whose dinas is in the admin's scope."""
    scope = dinas_scope(user)
    if scope is None:
        return []
    teams = db.session.scalars(
        select(Team)
        .where(Team.scheme_id == app.scheme_id, Team.active.is_(True), Team.dinas_id.in_(scope))
        .order_by(Team.name, Team.id)
    ).all()
    return [{"id": t.id, "name": t.name, "dinas": t.dinas.name, "size": len(t.member_rows)} for t in teams]


def bk_unit_choices(app: Application, user: User) -> list[tuple[str, str]]:
    """(code, title) of the units the last assessment did not judge K."""
    codes = ApplicationFacts(app, {}, user).bk_units
    if not codes:
        return []
    titles = dict(
        db.session.execute(
            select(Unit.code, Unit.title).where(Unit.scheme_id == app.scheme_id, Unit.code.in_(codes))
        ).all()
    )
    return [(code, titles.get(code, "")) for code in codes]


def actions(definition: Definition, app: Application, user: User, events: list[str]) -> list[Action]:
    """The buttons for ``events`` (the ones this user may fire now), with their inputs' choices."""
    result = []
    for event in events:
        inputs = event_inputs(definition, event)
        action = Action(event, event_label(event), inputs, confirm=event in CONFIRM_EVENTS and not inputs)
        if "team" in inputs:
            action.teams = team_choices(app, user)
        if "units" in inputs:
            action.units = bk_unit_choices(app, user)
        result.append(action)
    return result


def fire_from_form(app: Application, event: str, user: User, page_endpoint: str, rerender, done_url: str | None = None):
    """Fire ``event`` on ``app`` from a page's form; commit, flash and go to ``done_url`` (default: the page).

    On a refusal the page is drawn again by ``rerender(error=, failed=, values=, status=)`` with the
    engine's message and what was typed, so pages built on the same buttons behave alike.
    """
    from flask import flash, g, redirect, request, url_for
    from flask_babel import gettext as _
    from sqlalchemy.orm.exc import StaleDataError

    from certflow.core.errors import STATUS_OF
    from certflow.services.workflow import StaleVersion, fire_application_event
    from certflow.web.labels import state_label
    from certflow.web.routes import page_message
    from workflows import APPLICATION, WorkflowError

    reason, data = form_payload(event_inputs(APPLICATION, event), request.form)
    page = url_for(page_endpoint, application_id=app.id)
    try:
        try:
            fire_application_event(app, event, user, reason=reason, data=data, version=request.form.get("version", ""))
            db.session.commit()
        except StaleDataError:
            raise StaleVersion() from None
    except WorkflowError as exc:
        db.session.rollback()
        g.page_path = page
        values = {k: request.form.getlist(k) if k == "units" else request.form.get(k, "") for k in request.form}
        return rerender(error=page_message(exc), failed=event, values=values, status=STATUS_OF.get(exc.code, 409))
    flash(
        _(
            "%(event)s: done. The application is now “%(state)s”.",
            event=event_label(event),
            state=state_label(app.state),
        ),
        "success",
    )
    return redirect(done_url or page, 303)
