"""API: a certifier's bulk lifecycle events and the name correction by re-issue (API.md "Certificates")."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from certflow.api import bp
from certflow.api.auth import current_api_user, require_role
from certflow.api.certificates import TAG, by_number, certificate_out
from certflow.api.schemas import certificates as s
from certflow.api.spec import answer, body, operation
from certflow.applications.certificate_actions import bulk_certificate_event, reissue_with_name
from certflow.applications.transition_log import check_version
from certflow.core.transaction import unit_of_work
from certflow.models import Certificate


@bp.post("/certificates/events")
@operation(json=s.BulkCertificateEvent, resp=s.BulkCertificateResult, errors=(403,), tag=TAG)
def bulk_certificate_events():
    """Suspend, reinstate or withdraw many certificates (certifier): each in its own transaction,
    each holder told; ``refused`` lists the numbers that were not done and why."""
    require_role("certifier")
    data = body()
    result = bulk_certificate_event(current_api_user(), data.event, data.numbers, data.reason, data.data)
    refused = [s.RefusedNumber(number=n, code=e.code, message=e.text()) for n, e in result.refused]
    return answer(s.BulkCertificateResult(done=result.done, refused=refused))


@bp.post("/certificates/<number>/reissue")
@operation(json=s.Reissue, resp=s.ReissueResult, ok=201, errors=(403, 404, 409), tag=TAG)
def reissue_certificate(number: str):
    """Correct the holder's name (certifier): a new certificate under a new number; the old one superseded by it."""
    require_role("certifier")
    data = body()
    cert = by_number(number, joinedload(Certificate.application))
    with unit_of_work():
        check_version(cert, data.version)
        new = reissue_with_name(cert, current_api_user(), data.holder_name, data.reason)
    return answer(s.ReissueResult(certificate=certificate_out(new), replaces=cert.number), 201)
