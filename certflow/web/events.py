"""The pages' event forms: what each event asks for, and reading what was posted.

An event's inputs are part of its definition (``EventDef.inputs``, ``workflows.inputs``):
the form shows them and ``form_payload`` reads each by its kind, so a new event gets its
form, and its values are read, with no change here. ``confirm`` events (irreversible,
asking nothing) are confirmed by a second click.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from certflow.applications.facts import ApplicationFacts
from certflow.applications.workflow import fire_application_event
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, Team, Unit, User
from certflow.people.policy import dinas_scope
from certflow.web.labels import event_label, state_label
from certflow.web.refusals import REFUSALS, refusal
from workflows import APPLICATION, DEFINITIONS
from workflows.definitions import Definition, EventDef
from workflows.inputs import Input

MAX_TEXT = 4000
MAX_SHORT = 32


def event_inputs(definition: Definition, event: str) -> tuple[Input, ...]:
    """The form inputs ``event`` asks for, in order (none for an unknown event)."""
    ev = definition.event(event)
    return ev.inputs if ev is not None else ()


def _team_id(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def form_payload(inputs: tuple[Input, ...], form: MultiDict) -> tuple[str | None, dict]:
    """The event's ``reason`` and ``data`` from a posted form, reading only its inputs, each by its kind.

    An optional input left empty is left out of the data; the guards judge the rest.
    """
    reason = None
    data: dict = {}
    for i in inputs:
        if i.kind == "units":
            value = [u[:64] for u in form.getlist(i.name) if u]
        elif i.kind == "team":
            value = _team_id(form.get(i.name, ""))
        elif i.kind == "text":
            raw = form.get(i.name, "")
            value = raw[:MAX_TEXT] if not i.in_data else raw.strip()[:MAX_TEXT]
        else:  # date, choice
            value = form.get(i.name, "").strip()[:MAX_SHORT]
        if not i.in_data:
            reason = value
        elif i.required or value:
            data[i.name] = value
    return reason, data


def event_def(event: str, workflow: str = "application") -> EventDef | None:
    """The definition of ``event`` in ``workflow`` (for templates: its inputs, its confirmation)."""
    return DEFINITIONS[workflow].event(event)


@dataclass
class Action:
    """One button of the application page, with the inputs its form shows."""

    event: str
    label: str
    fields: tuple[Input, ...]
    confirm: bool = False
    teams: list[dict] = field(default_factory=list)
    units: list[tuple[str, str]] = field(default_factory=list)

    @property
    def inputs(self) -> tuple[str, ...]:
        """The names of the inputs (what the templates test for)."""
        return tuple(i.name for i in self.fields)

    def input(self, name: str) -> Input | None:
        """The input called ``name``, or None."""
        return next((i for i in self.fields if i.name == name), None)


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
        ev = definition.event(event)
        action = Action(event, event_label(event), ev.inputs, confirm=ev.confirm and not ev.inputs)
        kinds = {i.kind for i in ev.inputs}
        if "team" in kinds:
            action.teams = team_choices(app, user)
        if "units" in kinds:
            action.units = bk_unit_choices(app, user)
        result.append(action)
    return result


def fire_from_form(app: Application, event: str, user: User, page_endpoint: str, rerender, done_url: str | None = None):
    """Fire ``event`` on ``app`` from a page's form in one unit of work; flash and go to ``done_url``
    (default: the page).

    On a refusal the page is drawn again by ``rerender(error=, failed=, values=, status=)`` with the
    engine's message (``certflow.web.refusals``) and what was typed, so pages built on the same
    buttons behave alike.
    """
    reason, data = form_payload(event_inputs(APPLICATION, event), request.form)
    page = url_for(page_endpoint, application_id=app.id)
    try:
        with unit_of_work():
            fire_application_event(app, event, user, reason=reason, data=data, version=request.form.get("version", ""))
    except REFUSALS as exc:
        message, status = refusal(exc)
        g.page_path = page
        values = {k: request.form.getlist(k) if k == "units" else request.form.get(k, "") for k in request.form}
        return rerender(error=message, failed=event, values=values, status=status)
    flash_done(event, app.state)
    return redirect(done_url or page, 303)


def flash_done(event: str, state: str, certificate: bool = False) -> None:
    """Say that ``event`` was done and the state the application (or certificate) is in now."""
    if certificate:
        text = _(
            "%(event)s: done. The certificate is now “%(state)s”.", event=event_label(event), state=state_label(state)
        )
    else:
        text = _(
            "%(event)s: done. The application is now “%(state)s”.", event=event_label(event), state=state_label(state)
        )
    flash(text, "success")
