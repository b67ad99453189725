"""The words of a notification, in the recipient's language."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale, format_date, gettext
from flask_babel import lazy_gettext as _l

from certflow.models import OutboxMessage
from certflow.people.passwords import password_link
from workflows import DEFINITIONS

# The titles of workflow events are kept with their definitions (``EventDef.title``); these are
# the titles of the notifications that are no workflow event: reminders and account e-mails.
OTHER_TITLES = {
    "revision_deadline": _l("Reminder: revision deadline approaching"),
    "assessment_overdue": _l("Reminder: assessment overdue"),
    "certificate_expiring": _l("Reminder: certificate expiring"),
    "licence_expiring": _l("Reminder: assessor licence expiring"),
    "suspension_ending": _l("Reminder: certificate suspension ending"),
    "agreement_to_sign": _l("The assessment agreement is ready: read and sign it"),
    "schedule_placed": _l("You are placed on an assessment schedule"),
    "schedule_team_placed": _l("Candidates are placed on your team's schedule"),
    "schedule_coming": _l("Reminder: assessment event coming up"),
    "schedule_report_overdue": _l("Reminder: the lead assessor's report is overdue"),
    "account_invite": _l("Your certflow account is ready: set your password"),
    "password_reset": _l("Set a new certflow password"),
    "account_confirm": _l("Confirm your e-mail address and choose your certflow password"),
    "register_taken": _l("Someone tried to register with your e-mail address"),
    "team_changed": _l("Assessor team changed"),
    "schedule_changed": _l("The assessment schedule has changed"),
}


def _event_title_ids() -> dict[str, str]:
    """The title's message id of every workflow event, by name (the first definition's, for a shared name)."""
    ids: dict[str, str] = {}
    for definition in DEFINITIONS.values():
        for ev in definition.events:
            ids.setdefault(ev.name, ev.heading)
    return ids


EVENT_TITLE_IDS = _event_title_ids()


def event_title(event: str) -> str:
    """A short, translated title for an event (a workflow event's from its definition)."""
    message_id = EVENT_TITLE_IDS.get(event)
    if message_id:
        return gettext(message_id)
    title = OTHER_TITLES.get(event)
    return str(title) if title is not None else event


def _day(value) -> str:
    """A 'YYYY-MM-DD' date in the current language."""
    try:
        return format_date(date.fromisoformat(str(value)), "long")
    except ValueError:
        return str(value)


def _reminder_text(event: str, application_id: int | None, params: dict) -> str | None:
    """The sentence of a scheduled reminder, or None if ``event`` is not one."""
    when = _day(params.get("date", ""))
    if event == "team_changed":
        return gettext(
            "%(joining)s replaces %(leaving)s on team %(team)s",
            joining=params.get("joining"),
            leaving=params.get("leaving"),
            team=params.get("team"),
        )
    if event == "revision_deadline":
        return gettext(
            "The revision of application #%(id)s is due on %(date)s; after that day the application is withdrawn.",
            id=application_id,
            date=when,
        )
    if event == "assessment_overdue":
        return gettext(
            "The assessment of application #%(id)s is overdue: it was due on %(date)s.", id=application_id, date=when
        )
    if event == "certificate_expiring":
        return gettext(
            "Certificate %(number)s expires on %(date)s, in %(days)s days. Apply for recertification in time.",
            number=params.get("number"),
            date=when,
            days=params.get("days"),
        )
    if event == "licence_expiring":
        return gettext(
            "The assessor licence %(licence)s of %(name)s expires on %(date)s, in %(days)s days.",
            licence=params.get("licence"),
            name=params.get("name"),
            date=when,
            days=params.get("days"),
        )
    if event == "suspension_ending":
        return gettext(
            "The suspension of certificate %(number)s ends on %(date)s; unless it is reinstated by then, "
            "it is withdrawn.",
            number=params.get("number"),
            date=when,
        )
    return None


def _schedule_text(event: str, params: dict) -> str:
    """The message of a schedule's notification: what happened, when and where (certflow.schedules)."""
    text = gettext("%(title)s.", title=event_title(event))
    text += " " + gettext(
        "Assessment of %(scheme)s on %(date)s at %(time)s WIB, %(venue)s (%(address)s).",
        scheme=params.get("scheme", ""),
        date=_day(params.get("date", "")),
        time=params.get("time", ""),
        venue=params.get("venue", ""),
        address=params.get("address", ""),
    )
    if params.get("count"):
        text += " " + gettext("Candidates placed: %(count)s.", count=params["count"])
    if params.get("days"):
        text += " " + gettext("In %(days)s days.", days=params["days"])
    if params.get("reason"):
        text += " " + gettext("Reason: %(reason)s", reason=params["reason"])
    return text


def notification_text(event: str, application_id: int | None, params: dict) -> str:
    """The one-line message of a notification, in the current language."""
    reminder = _reminder_text(event, application_id, params)
    if reminder is not None:
        return reminder
    if params.get("schedule"):
        return _schedule_text(event, params)
    if application_id is None:
        text = gettext("%(title)s.", title=event_title(event))
    else:
        text = gettext("%(title)s — application #%(id)s.", title=event_title(event), id=application_id)
    if params.get("number"):
        text += " " + gettext("Certificate %(number)s.", number=params["number"])
    if params.get("reason"):
        text += " " + gettext("Reason: %(reason)s", reason=params["reason"])
    return text


def record_link(application_id: int | None) -> str:
    """The absolute address of the record a notification is about (the notifications page if none)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/applications/{application_id}" if application_id else f"{base}/notifications/"


def message_id(key: str) -> str:
    """The e-mail's Message-ID, fixed by the idempotency key: a re-sent message carries the same one."""
    safe = "".join(c if c.isalnum() or c in "-_." else "." for c in key)
    return f"<{safe}@certflow.local>"


def render_email(msg: OutboxMessage) -> EmailMessage:
    """Render an outbox message as an e-mail (plain text and HTML) in the recipient's language."""
    user = msg.recipient
    link = record_link(msg.application_id)
    template = "email/transition"
    with force_locale(user.locale or "id"):
        subject = f"[certflow] {event_title(msg.event)}"
        context = {"user": user, "title": event_title(msg.event), "link": link}
        if msg.workflow == "account":
            template = "email/account"
            context["link"] = password_link(user)
            context["invite"] = msg.event == "account_invite"
            context["event"] = msg.event
        else:
            context["text"] = notification_text(msg.event, msg.application_id, msg.payload or {})
        text = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", **context)
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = user.email
    email["Message-ID"] = message_id(msg.key)
    email["X-Certflow-Key"] = msg.key
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    return email
