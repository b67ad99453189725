"""Every e-mail of a whole journey says who, what, when and the next step, without escape sequences,
and links to a page its recipient may open (issue 17, item 6).

The journey: a candidate's application sent back for a revision and sent again, verified, assessed,
certified; the certificate suspended and reinstated. Every outbox e-mail it produced is rendered as
it is sent (both parts, decoded as a mail reader decodes them) and checked; then each link is opened
as its recipient, through the login page.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from email import message_from_bytes, policy
from urllib.parse import urlsplit

from sqlalchemy import select

from certflow import clock
from certflow.applications.workflow import fire_certificate_event
from certflow.models import Application, Certificate, OutboxMessage, User
from certflow.notifications.messages import render_email
from certflow.ops.logs import formatter
from certflow.schedules import operations as ops
from tests.web.test_pages_support import Browser, fresh

ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\x[0-9a-fA-F]{2}|\\N\{")
REASON = "Foto KTP buram — unggah ulang yang jelas"  # a dash, as people type it


def _journey(world, db) -> None:
    app = world.new_application()
    world.fire(app, "submit", app.candidate)
    deadline = (clock.today() + timedelta(days=5)).isoformat()
    world.fire(app, "request_revision", world.admin_batam, reason=REASON, data={"deadline": deadline})
    world.fire(app, "resubmit", app.candidate)
    world.mark_documents(app, "valid")
    world.fire(app, "approve", world.admin_batam)
    world.fire(app, "assign_team", world.admin_kepri, data={"team": world.team.id})
    world.declare(app)
    world.fire(app, "start_assessment", world.lead.user)
    world.score_all(app, world.lead)
    world.fire(app, "recommend", world.lead.user, data={"recommendation": "K"})
    world.fire(app, "certify", world.certifier)
    cert = db.session.scalar(select(Certificate).where(Certificate.application_id == app.id))
    until = (clock.today() + timedelta(days=30)).isoformat()
    fire_certificate_event(cert, "suspend", world.certifier, reason=REASON, data={"until": until})
    db.session.commit()
    fire_certificate_event(cert, "reinstate", world.certifier, reason="Keluhan tidak terbukti")
    db.session.commit()


def _parts(message) -> tuple[str, str]:
    """The plain text and the HTML of an e-mail as a mail reader shows them (decoded from the wire)."""
    read = message_from_bytes(bytes(message), policy=policy.default)
    return read.get_body(("plain",)).get_content(), read.get_body(("html",)).get_content()


def _check_every_e_mail(app, db, messages) -> dict[int, set[str]]:
    """Check each e-mail of ``messages``; the paths each recipient's links lead to, by user id."""
    base = app.config["BASE_URL"].rstrip("/")
    links: dict[int, set[str]] = {}
    for msg in messages:
        email = render_email(msg)
        text, html = _parts(email)
        where = f"{msg.key} ({msg.event})"
        for part in (email["Subject"], text, html):
            assert not ESCAPE.search(part), (where, ESCAPE.search(part).group(0), part)
        user = msg.recipient
        title = str(email["Subject"]).removeprefix("[certflow] ")
        body = " ".join(line for line in text.splitlines() if line.strip())
        assert title in text and len(body) > len(title) + 200, (where, text)
        indonesian = (user.locale or "id") == "id"
        # who, what, when, the next step — in the recipient's words
        labels = ("Oleh:", "Waktu:", "Langkah berikutnya:") if indonesian else ("By:", "When:", "Next step:")
        for label in labels:
            assert label in text, (where, label, text)
        assert " WIB" in text, (where, text)
        if msg.application_id:
            candidate = db.session.get(Application, msg.application_id).candidate
            assert f"#{msg.application_id}" in text and candidate.name in text
        # the link: absolute, in both parts, the same
        found = re.findall(re.escape(base) + r"/\S+", text)
        assert found, (where, text)
        assert f'href="{found[-1]}"' in html, (where, html)
        links.setdefault(user.id, set()).add(urlsplit(found[-1]).path)
    return links


def _open_every_link(app, db, links: dict[int, set[str]]) -> None:
    """Each recipient opens each of their links at their own browser: 200 (a page they may see)."""
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(links))))}
    fresh(db)
    for user_id, paths in links.items():
        browser = Browser(app).login(people[user_id])
        for path in sorted(paths):
            assert browser.get(path).status_code == 200, (people[user_id].email, path)


def test_every_e_mail_of_a_journey_says_something_and_links_to_a_page_its_recipient_may_open(app, world, db):
    _journey(world, db)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(messages) >= 25
    links = _check_every_e_mail(app, db, messages)
    # the candidate's e-mails are in Indonesian and carry the revision's reason word for word
    candidate_texts = [
        _parts(render_email(m))[0] for m in messages if m.recipient_id == world.candidate.id and m.payload.get("reason")
    ]
    assert any(REASON in t for t in candidate_texts)
    assert any("Langkah berikutnya: Perbaiki" in _parts(render_email(m))[0] for m in messages)
    # who did it: the dinas admin who asked for the revision, by name
    revision = next(m for m in messages if m.event == "request_revision")
    assert world.admin_batam.name in _parts(render_email(revision))[0]
    assert world.candidate.id in links and world.certifier.id in links and world.lead.user.id in links
    assert any(p.startswith("/candidate/applications/") for p in links[world.candidate.id])
    assert any(p.startswith("/certifier/applications/") for p in links[world.certifier.id])
    _open_every_link(app, db, links)


def test_every_e_mail_of_an_assessment_schedule_says_something_and_links_to_its_page(app, world, db):
    from tests.factories import make_schedule
    from tests.integration.test_schedules import eligible, fire, sign

    schedule = make_schedule(world, quota=(1, 10))
    fire(schedule, "open", world.admin_kepri)
    apps = eligible(world, 2)
    assert len(ops.place_candidates(schedule, world.admin_kepri, [a.id for a in apps]).placed) == 2
    db.session.commit()
    sign(apps, world.lead)
    fire(schedule, "confirm", world.admin_kepri)
    fire(schedule, "cancel", world.admin_kepri, reason=REASON)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert {"open", "schedule_placed", "schedule_team_placed", "confirm", "cancel"} <= {m.event for m in messages}
    links = _check_every_e_mail(app, db, messages)
    assert f"/assessor/schedules/{schedule.id}" in links[world.lead.user.id]
    assert "/candidate/" in links[apps[0].candidate_id]
    cancel = next(m for m in messages if m.event == "cancel" and m.recipient_id == apps[0].candidate_id)
    text = _parts(render_email(cancel))[0]
    assert f"Oleh: {world.admin_kepri.name}" in text and REASON in text
    _open_every_link(app, db, links)


def test_a_person_who_reads_english_gets_english_with_the_same_parts(app, world, db):
    world.admin_batam.locale = "en"
    db.session.commit()
    application = world.new_application()
    world.fire(application, "submit", application.candidate)
    msg = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == world.admin_batam.id))
    text, html = _parts(render_email(msg))
    assert text.startswith("Hello Admin Batam,")
    assert f"By: {world.candidate.name}" in text
    assert "Next step: Check the application and its documents" in text
    assert f"{app.config['BASE_URL']}/applications/{application.id}" in text
    assert "<strong>Application submitted</strong>" in html and "Next step" in html


def test_an_e_mail_printed_into_the_json_logs_keeps_its_words(app, world, db):
    """The console backend prints the e-mail; in a Celery worker that output becomes JSON log lines.
    Those lines kept every dash as a literal ``\\u2014`` — the escapes the journey's e-mails showed."""
    application = world.new_application()
    world.fire(application, "submit", application.candidate)
    msg = db.session.scalars(select(OutboxMessage)).first()
    text, _html = _parts(render_email(msg))
    record = logging.LogRecord("celery.redirected", logging.WARNING, "", 0, text, None, None)
    record.request_id = None
    line = formatter("json").format(record)
    assert "—" in line and not ESCAPE.search(line), line
