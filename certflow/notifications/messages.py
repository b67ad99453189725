"""The words of a notification, in the recipient's language."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from certflow.models import OutboxMessage
from certflow.services.passwords import password_link

EVENT_TITLES = {
    "submit": _l("Application submitted"),
    "request_revision": _l("Revision requested"),
    "resubmit": _l("Application resubmitted"),
    "expire_revision": _l("Revision deadline passed; application withdrawn"),
    "approve": _l("Application verified as eligible"),
    "reject": _l("Application found ineligible"),
    "assign_team": _l("Assessor team assigned"),
    "start_assessment": _l("Assessment started"),
    "recommend": _l("Assessment completed; recommendation submitted"),
    "return_assessment": _l("Assessment returned to the team"),
    "certify": _l("Certified competent; certificate issued"),
    "decline": _l("Decided not yet competent"),
    "request_reassessment": _l("Reassessment requested"),
    "appeal": _l("Appeal submitted"),
    "uphold_appeal": _l("Appeal upheld"),
    "dismiss_appeal": _l("Appeal dismissed"),
    "withdraw": _l("Withdrawn"),
    "suspend": _l("Certificate suspended"),
    "reinstate": _l("Certificate reinstated"),
    "expire": _l("Certificate expired"),
    "supersede": _l("Certificate superseded by a new certificate"),
    "account_invite": _l("Your certflow account is ready: set your password"),
    "password_reset": _l("Set a new certflow password"),
}


def event_title(event: str) -> str:
    """A short, translated title for an event."""
    title = EVENT_TITLES.get(event)
    return str(title) if title is not None else event


def notification_text(event: str, application_id: int | None, params: dict) -> str:
    """The one-line message of a notification, in the current language."""
    text = gettext("%(title)s — application #%(id)s.", title=event_title(event), id=application_id)
    if params.get("reason"):
        text += " " + gettext("Reason: %(reason)s", reason=params["reason"])
    return text


def render_email(msg: OutboxMessage) -> EmailMessage:
    """Render an outbox message as an e-mail (plain text and HTML) in the recipient's language."""
    user = msg.recipient
    base = current_app.config["BASE_URL"].rstrip("/")
    link = f"{base}/applications/{msg.application_id}" if msg.application_id else base
    template = "email/transition"
    with force_locale(user.locale or "id"):
        subject = f"[certflow] {event_title(msg.event)}"
        context = {"user": user, "title": event_title(msg.event), "link": link}
        if msg.workflow == "account":
            template = "email/account"
            context["link"] = password_link(user)
            context["invite"] = msg.event == "account_invite"
        else:
            context["text"] = notification_text(msg.event, msg.application_id, msg.payload or {})
        text = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", **context)
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = user.email
    email["Message-ID"] = make_msgid(idstring=msg.key.replace(":", "-"), domain="certflow.local")
    email["X-Certflow-Key"] = msg.key
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    return email
