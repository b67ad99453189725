"""The words of a notification, in the recipient's language."""

from __future__ import annotations

from datetime import date, datetime
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_datetime, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certflow.extensions import db
from certflow.models import Application, Assessor, OutboxMessage, Schedule, ScheduleLog, TeamMember, TransitionLog, User
from certflow.people.passwords import password_link
from certflow.people.policy import get_visible_application
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
    if params.get("until"):
        text += " " + gettext("Suspended until %(day)s.", day=_day(params["until"]))
    if params.get("reason"):
        text += " " + gettext("Reason: %(reason)s", reason=params["reason"])
    return text


# The next step, by workflow event (``(workflow, event)``) or by the name of a reminder: what the
# candidate does, and what the others told do (None: the candidate's sentence for everyone).
NEXT_STEPS: dict[tuple[str, str] | str, tuple[object, object | None]] = {
    ("application", "submit"): (
        _l(
            "The dinas checks your application and documents; you will hear when it is verified "
            "or a revision is asked for."
        ),
        _l("Check the application and its documents, then verify it or ask for a revision."),
    ),
    ("application", "resubmit"): (
        _l(
            "The dinas checks your corrected application; you will hear when it is verified or a revision is asked for."
        ),
        _l("Check the corrected application and its documents, then verify it or ask for a revision."),
    ),
    ("application", "request_revision"): (
        _l("Correct what is asked for and send the application again before the revision deadline."),
        None,
    ),
    ("application", "expire_revision"): (
        _l("This application is closed. You may start a new application when you are ready."),
        _l("Nothing more to do: the application is closed."),
    ),
    ("application", "approve"): (_l("An assessor team will be assigned to you; you will be told when."), None),
    ("application", "reject"): (
        _l("Read the reason. You may apply again once you meet the requirements."),
        None,
    ),
    ("application", "assign_team"): (
        _l("Your lead assessor will send you the assessment agreement: read it and sign it."),
        _l("Declare any conflict of interest and prepare the assessment agreement with your team."),
    ),
    ("application", "release"): (
        _l("Another assessor team will be assigned to you; you will be told when."),
        _l("Nothing more to do for this application: your team no longer assesses it."),
    ),
    ("application", "start_assessment"): (
        _l("Take part in the assessment as agreed with your assessors."),
        _l("Record the evidence, score every criterion and submit the recommendation."),
    ),
    ("application", "recommend"): (
        _l("A certifier decides on the recommendation; you will be told of the decision."),
        _l("A certifier reviews the record and certifies, declines or returns it."),
    ),
    ("application", "return_assessment"): (
        None,
        _l("Complete what the certifier asks for and submit the recommendation again."),
    ),
    ("application", "certify"): (
        _l("Download your certificate from your application page."),
        _l("Nothing more to do: the certificate is issued."),
    ),
    ("application", "decline"): (
        _l("Read the reason. From your application page you may appeal or ask for a reassessment."),
        _l("Nothing to do unless the candidate appeals or asks for a reassessment."),
    ),
    ("application", "request_reassessment"): (
        _l("The reassessment is arranged for you; you will be told when."),
        _l("Arrange the reassessment of the units asked for."),
    ),
    ("application", "appeal"): (
        _l("A certifier decides on your appeal; you will be told of the decision."),
        _l("Decide on the appeal: uphold or dismiss it, with your reason."),
    ),
    ("application", "uphold_appeal"): (
        _l("Your appeal is upheld. Open your application to see where it stands now."),
        _l("Open the application to see where it stands now."),
    ),
    ("application", "dismiss_appeal"): (
        _l("The decision stands. The reason is on your application page."),
        _l("Nothing more to do: the decision stands."),
    ),
    ("application", "withdraw"): (
        _l("Nothing more to do: the application is closed."),
        None,
    ),
    ("certificate", "suspend"): (
        _l(
            "The certificate is not valid while it is suspended. Do what the reason asks; "
            "you will be told when it is reinstated or withdrawn."
        ),
        _l("Follow the suspension up with the holder before it ends."),
    ),
    ("certificate", "reinstate"): (_l("The certificate is valid again; nothing to do."), None),
    ("certificate", "withdraw"): (
        _l("The certificate is no longer valid. You may apply for a new certification."),
        _l("Nothing more to do: the certificate is no longer valid."),
    ),
    ("certificate", "expire"): (
        _l("Apply for recertification to hold a valid certificate again."),
        _l("The holder may apply for recertification."),
    ),
    ("certificate", "supersede"): (
        _l("Use your new certificate from now on; download it from your application page."),
        None,
    ),
    ("certificate", "correct_name"): (
        _l("Download the re-issued certificate with the corrected name from your application page."),
        _l("Nothing more to do: the old number is superseded by the new one."),
    ),
    "revision_deadline": (_l("Correct what is asked for and send the application again before that day."), None),
    "assessment_overdue": (None, _l("Complete the assessment and submit the recommendation now.")),
    "certificate_expiring": (_l("Apply for recertification before the certificate expires."), None),
    "licence_expiring": (_l("Renew the assessor licence before it expires."), None),
    "suspension_ending": (None, _l("Reinstate or withdraw the certificate before the suspension ends.")),
    "agreement_to_sign": (_l("Read the assessment agreement on your application page and sign it."), None),
    "schedule_placed": (_l("Come to the venue on the day and time given, with your identity card."), None),
    "schedule_team_placed": (None, _l("Prepare the assessment of the candidates placed on your schedule.")),
    "schedule_coming": (
        _l("Come to the venue on the day and time given, with your identity card."),
        _l("Be at the venue on the day and time given, ready to assess."),
    ),
    "schedule_report_overdue": (None, _l("Submit the lead assessor's report of the assessment event now.")),
    "team_changed": (_l("Nothing to do: the new assessor takes over your assessment."), None),
    "schedule_changed": (_l("Note the new day, time or place of the assessment."), None),
}
DEFAULT_NEXT_STEP = _l("Open the record to see where it stands and what to do next.")


def next_step(workflow: str, event: str, for_candidate: bool) -> str:
    """What the recipient of a notification does next, in the current language."""
    candidate, others = NEXT_STEPS.get((workflow, event)) or NEXT_STEPS.get(event) or (None, None)
    chosen = candidate if for_candidate else (others or candidate)
    return str(chosen or DEFAULT_NEXT_STEP)


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def record_link(user: User | None, application_id: int | None) -> str:
    """The absolute address of the recipient's own page for the record a notification is about.

    The candidate's application page for its candidate, the certifier's record for a certifier,
    the application page for the others who may see it; the notifications page when there is no
    record, or the recipient may no longer see it (a team released from it).
    """
    if application_id is None or user is None:
        return _absolute("/notifications/")
    app = get_visible_application(user, application_id)
    if app is None:
        return _absolute("/notifications/")
    if app.candidate_id == user.id:
        return _absolute(f"/candidate/applications/{application_id}")
    if user.has_role("certifier"):
        return _absolute(f"/certifier/applications/{application_id}")
    return _absolute(f"/applications/{application_id}")


def schedule_link(user: User, schedule_id: int | None) -> str:
    """The absolute address of the recipient's own page for an assessment schedule.

    The team's schedule page for its members, the dinas's for a dinas admin (the admins told
    are those whose dinas covers the schedule's), the candidate's home (their schedules) for a
    candidate; the notifications page for anyone else.
    """
    schedule = db.session.get(Schedule, schedule_id) if schedule_id else None
    if schedule is None:
        return _absolute("/notifications/")
    on_team = db.session.scalar(
        select(TeamMember.team_id)
        .join(Assessor, Assessor.id == TeamMember.assessor_id)
        .where(TeamMember.team_id == schedule.team_id, Assessor.user_id == user.id)
        .limit(1)
    )
    if on_team is not None:
        return _absolute(f"/assessor/schedules/{schedule.id}")
    if user.has_role("dinas_admin"):
        return _absolute(f"/admin/schedules/{schedule.id}")
    if user.has_role("candidate"):
        return _absolute("/candidate/")
    return _absolute("/notifications/")


def link_for(user: User, msg: OutboxMessage) -> str:
    """The recipient's own page for what an outbox message is about."""
    schedule_id = (msg.payload or {}).get("schedule")
    if msg.application_id is None and schedule_id:
        return schedule_link(user, schedule_id)
    return record_link(user, msg.application_id)


def _logged_change(msg: OutboxMessage) -> TransitionLog | ScheduleLog | None:
    """The logged change a message reports (key ``transition:<log id>:<user>`` or ``schedule:<log id>:<user>``)."""
    parts = msg.key.split(":")
    if len(parts) < 3 or not parts[1].isdigit():
        return None
    model = {"transition": TransitionLog, "schedule": ScheduleLog}.get(parts[0])
    return db.session.get(model, int(parts[1])) if model is not None else None


def _when(value: datetime) -> str:
    """A moment in the current language, in Jakarta time."""
    return gettext("%(moment)s WIB", moment=format_datetime(value, "d MMMM y, HH.mm"))


def _about(application: Application | None) -> str | None:
    if application is None:
        return None
    scheme = application.scheme
    if not scheme.level or scheme.level.lower() in scheme.name.lower():  # the name says the level already
        return gettext(
            "Application #%(id)s of %(candidate)s for %(scheme)s",
            id=application.id,
            candidate=application.candidate.name,
            scheme=scheme.name,
        )
    return gettext(
        "Application #%(id)s of %(candidate)s for %(scheme)s (%(level)s)",
        id=application.id,
        candidate=application.candidate.name,
        scheme=application.scheme.name,
        level=application.scheme.level,
    )


def message_context(msg: OutboxMessage) -> dict:
    """Who, what, when and the next step of a notification, and the link, in the current language."""
    user = msg.recipient
    application = db.session.get(Application, msg.application_id) if msg.application_id else None
    log = _logged_change(msg)
    if log is not None:
        who = log.actor.name if log.actor is not None else gettext("certflow, automatically")
        at = log.at
    else:
        who = gettext("certflow, automatically")
        at = msg.created_at
    for_candidate = application is not None and application.candidate_id == user.id
    if application is None:
        for_candidate = not (user.roles - {"candidate"})
    return {
        "user": user,
        "title": event_title(msg.event),
        "text": notification_text(msg.event, msg.application_id, msg.payload or {}),
        "about": _about(application),
        "who": who,
        "when": _when(at),
        "next_step": next_step(msg.workflow, msg.event, for_candidate),
        "link": link_for(user, msg),
    }


def render_whatsapp(msg: OutboxMessage) -> str:
    """The short WhatsApp text of an outbox message: its title and the link, in the recipient's language."""
    user = msg.recipient
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return f"[certflow] {event_title(msg.event)}\n{link_for(user, msg)}"


def message_id(key: str) -> str:
    """The e-mail's Message-ID, fixed by the idempotency key: a re-sent message carries the same one."""
    safe = "".join(c if c.isalnum() or c in "-_." else "." for c in key)
    return f"<{safe}@certflow.local>"


def render_email(msg: OutboxMessage) -> EmailMessage:
    """Render an outbox message as an e-mail (plain text and HTML) in the recipient's language."""
    user = msg.recipient
    template = "email/transition"
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = f"[certflow] {event_title(msg.event)}"
        if msg.workflow == "account":
            template = "email/account"
            context = {"user": user, "title": event_title(msg.event), "link": password_link(user)}
            context["invite"] = msg.event == "account_invite"
            context["event"] = msg.event
        else:
            context = message_context(msg)
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
