"""The certifier's bulk suspend / withdraw (a multi-select on the certificate list) and the name correction."""

from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certflow.applications.certificate_actions import BULK_EVENTS, BULK_MAX, bulk_certificate_event, reissue_with_name
from certflow.applications.transition_log import check_version
from certflow.certifier.certificates import _certificate_or_404, _certificate_page, certificates_page
from certflow.certifier.routes import bp
from certflow.core.transaction import unit_of_work
from certflow.web.refusals import REFUSALS, refusal, refusal_message

MAX_TEXT = 2000


def _bulk_errors(event: str, numbers: list[str], reason: str, until: str) -> dict[str, str]:
    errors = {}
    if event not in BULK_EVENTS:
        errors["event"] = _("Choose what to do with the selected certificates.")
    if not numbers:
        errors["numbers"] = _("Select at least one certificate.")
    elif len(numbers) > BULK_MAX:
        errors["numbers"] = _("Select at most %(count)s certificates at once.", count=BULK_MAX)
    if not reason:
        errors["reason"] = _("Give the reason; each holder will read it.")
    if event == "suspend":
        try:
            date.fromisoformat(until)
        except ValueError:
            errors["until"] = _("Give the day the suspension ends.")
    return errors


@bp.post("/certificates/bulk")
def certificates_bulk():
    """Suspend, reinstate or withdraw the selected certificates, each on its own; say which were not done and why."""
    event = request.form.get("event", "")[:16]
    numbers = list(dict.fromkeys(n[:64] for n in request.form.getlist("numbers") if n))
    reason = request.form.get("reason", "").strip()[:MAX_TEXT]
    until = request.form.get("until", "").strip()[:10]
    values = {"event": event, "numbers": numbers, "reason": reason, "until": until}
    errors = _bulk_errors(event, numbers, reason, until)
    if errors:
        return certificates_page(request.args, 422, bulk_errors=errors, bulk_values=values)
    data = {"until": until} if event == "suspend" else {}
    result = bulk_certificate_event(current_user, event, numbers, reason, data)
    refused = [(number, refusal_message(error)) for number, error in result.refused]
    keep = values if refused else {}
    return certificates_page(
        request.args, bulk_done=result.done, bulk_refused=refused, bulk_event=event, bulk_values=keep
    )


@bp.post("/certificates/<number>/reissue")
def certificate_reissue(number: str):
    """Correct the holder's name: a new certificate under a new number, the old one superseded by it."""
    cert = _certificate_or_404(number)
    holder_name = request.form.get("holder_name", "")[:400]
    reason = request.form.get("reason", "").strip()[:MAX_TEXT]
    try:
        with unit_of_work():
            check_version(cert, request.form.get("version", ""))
            new = reissue_with_name(cert, current_user, holder_name, reason)
    except REFUSALS as exc:
        message, code = refusal(exc)
        g.page_path = url_for(".certificate", number=number)
        values = {"holder_name": holder_name, "reason": reason}
        return _certificate_page(
            _certificate_or_404(number), error=message, failed="correct_name", values=values, status=code
        )
    flash(
        _("The certificate was re-issued as %(number)s; %(old)s is superseded.", number=new.number, old=cert.number),
        "success",
    )
    return redirect(url_for(".certificate", number=new.number), 303)
