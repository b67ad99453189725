"""The one next thing a candidate should do with an application, from the facts the guards read.

Each state has its sentence; in ``draft`` the sentence names the first thing the ``submit``
guards would refuse (the form, the self-assessment, the documents), with what is missing,
so the page never says "submit" while the engine would refuse it. Deadlines and windows
come from the record and the guards (``within_appeal_window``, ``bk_units_only``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from certflow.applications.facts import ApplicationFacts
from certflow.certificates.operations import live_status
from certflow.models import Application, TransitionLog
from certflow.web.context import day as format_day
from certflow.web.context import when as format_moment
from certflow.web.labels import apl01_fields_label, document_kind_label, state_label
from workflows.guards import APPEAL_WINDOW, GuardContext, bk_units_only, within_appeal_window


@dataclass(frozen=True)
class NextStep:
    """What to do next: ``kind`` names it (for styles and tests), ``page`` is the candidate page to go to.

    ``tone``: ``todo`` (the candidate acts), ``wait`` (someone else acts), ``done``, ``closed``.
    """

    kind: str
    text: str
    page: str | None = None
    tone: str = "todo"


def _last_reason(logs: list[TransitionLog], state: str) -> str:
    """The reason given by the last transition into ``state``."""
    for log in reversed(logs):
        if log.to_state == state:
            return log.reason or ""
    return ""


def _draft_step(facts: ApplicationFacts) -> NextStep:
    if facts.apl01_missing:
        fields = apl01_fields_label(facts.apl01_missing)
        return NextStep("apl01", _("Fill in the application form (APL-01): %(fields)s.", fields=fields), "apl01")
    if facts.unanswered_criteria:
        n = facts.unanswered_criteria
        text = ngettext(
            "Complete the self-assessment (APL-02): %(num)d criterion left.",
            "Complete the self-assessment (APL-02): %(num)d criteria left.",
            n,
        )
        return NextStep("self_assessment", text, "self_assessment")
    if facts.missing_documents:
        kinds = ", ".join(document_kind_label(k) for k in facts.missing_documents)
        return NextStep("documents", _("Upload: %(kinds)s.", kinds=kinds), "documents")
    return NextStep("submit", _("Everything is ready: submit your application."), "application")


def _appeal_open(facts: ApplicationFacts, now: datetime) -> bool:
    return within_appeal_window(GuardContext(now=now, facts=facts)) is None


def _decision_step(app: Application, facts: ApplicationFacts, logs, now: datetime) -> NextStep:
    reason = _last_reason(logs, app.state)
    if app.state == "ineligible":
        text = _("Your application was found ineligible: %(reason)s", reason=reason)
    else:
        text = _("You were judged not yet competent: %(reason)s", reason=reason)
    parts = [text]
    kind, tone = "closed", "closed"
    if app.state == "not_yet_competent" and bk_units_only(GuardContext(data={}, facts=facts)) is None:
        parts.append(_("Request a reassessment of the units judged BK: %(units)s.", units=", ".join(facts.bk_units)))
        kind, tone = "reassess", "todo"
    if _appeal_open(facts, now):
        until = format_moment(facts.decided_at + APPEAL_WINDOW)
        parts.append(_("If you disagree, you may appeal until %(until)s.", until=until))
        kind, tone = ("appeal" if kind == "closed" else kind), "todo"
    elif app.state == "ineligible":
        parts.append(_("You can start a new application."))
    return NextStep(kind, " ".join(parts), "application", tone)


def next_step(app: Application, facts: ApplicationFacts, logs: list[TransitionLog], now: datetime) -> NextStep:
    """The one next thing to do with ``app`` (``logs``: its application transitions, oldest first)."""
    state = app.state
    if state == "draft":
        return _draft_step(facts)
    if state == "revision_requested":
        text = _(
            "Revise before %(deadline)s: %(reason)s",
            deadline=format_day(app.revision_deadline),
            reason=app.revision_reason or "",
        )
        return NextStep("revise", text, "application")
    if state == "submitted":
        return NextStep(
            "wait", _("Waiting for verification by %(dinas)s.", dinas=app.dinas.name), "application", "wait"
        )
    if state == "eligible":
        text = _("Waiting for %(dinas)s to assign an assessor team.", dinas=app.dinas.name)
        return NextStep("wait", text, "application", "wait")
    if state == "team_assigned":
        text = _("Your assessor team (%(team)s) is preparing your assessment; they will contact you.", team=_team(app))
        return NextStep("wait", text, "application", "wait")
    if state == "in_assessment":
        text = _("You are being assessed by %(team)s: follow their instructions.", team=_team(app))
        return NextStep("wait", text, "application", "wait")
    if state == "assessed":
        return NextStep("wait", _("Waiting for the certification decision."), "application", "wait")
    if state == "under_appeal":
        return NextStep("wait", _("Your appeal is with the certification committee."), "application", "wait")
    if state in ("ineligible", "not_yet_competent"):
        return _decision_step(app, facts, logs, now)
    if state == "certified":
        cert = app.certificate
        status = live_status(cert) if cert is not None else None
        if status == "active":
            return NextStep(
                "certificate",
                _("Congratulations, you are certified! Download your certificate (%(number)s).", number=cert.number),
                "certificate",
                "done",
            )
        if cert is not None:
            text = _("Your certificate %(number)s is %(status)s.", number=cert.number, status=state_label(status))
            return NextStep("certificate", text, "certificate", "closed")
    if state == "withdrawn":
        if logs and logs[-1].to_state == state and logs[-1].actor_id is None:
            text = _("The revision deadline passed, so the application was closed. You can start a new application.")
        else:
            text = _("This application was withdrawn. You can start a new application.")
        return NextStep("closed", text, None, "closed")
    return NextStep("closed", state_label(state), None, "closed")


def _team(app: Application) -> str:
    return app.team.name if app.team is not None else "—"
