"""API: the OpenAPI 3.0.3 description of the whole JSON API (../shared/API.md), as Python data.

Every route under /api/v1 must appear here (tests/web/test_openapi.py checks both ways).
"""

from __future__ import annotations

from flask import jsonify

from certflow.api import bp
from workflows import APPLICATION, CERTIFICATE

JSON = "application/json"
_ERRORS = {
    400: ("BadRequest", "The body is not a JSON object (bad_request)."),
    401: ("Unauthorized", "No valid bearer token (unauthorized), or wrong credentials (invalid_credentials)."),
    403: ("Forbidden", "The caller may see the record but not do this (forbidden)."),
    404: ("NotFound", "No such record, or one the caller may not see (not_found)."),
    409: ("Conflict", "invalid_transition (not possible from the current state) or stale_version."),
    413: ("TooLarge", "The upload is too large (too_large)."),
    422: ("Unprocessable", "validation_error (the message names the field) or guard_failed (with rule)."),
    429: ("RateLimited", "Too many requests (rate_limited)."),
}


def ref(name: str) -> dict:
    """A reference to a schema of ``components``."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required=(), **props) -> dict:
    """An object schema."""
    schema = {"type": "object", "properties": props}
    if required:
        schema["required"] = list(required)
    return schema


def arr(items: dict) -> dict:
    """An array schema."""
    return {"type": "array", "items": items}


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
DATE, DATETIME = {"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}
NULLABLE_S = {"type": "string", "nullable": True}
REF_ID = obj(["id", "name"], id=INT, name=STR)
ERROR_BODY = obj(
    ["code", "message"], code=STR, message=STR, rule={"type": "string", "description": "guard_failed only"}
)


def page_of(item: str) -> dict:
    """A page of ``item`` records."""
    return obj(["items", "total", "page", "per_page"], items=arr(ref(item)), total=INT, page=INT, per_page=INT)


def param(name: str, where: str = "query", schema=STR, description: str = "") -> dict:
    """A parameter."""
    p = {"name": name, "in": where, "required": where == "path", "schema": schema}
    if description:
        p["description"] = description
    return p


PAGING = [param("page", schema=INT), param("per_page", schema=INT, description="At most 100.")]


def op(
    summary: str,
    tag: str,
    *,
    ok: int = 200,
    response=None,
    body=None,
    multipart=None,
    errors=(),
    params=(),
    public: bool = False,
    content: str = JSON,
) -> dict:
    """One operation: its summary, request body, success and error responses."""
    success: dict = {"description": "OK" if ok == 200 else "Created"}
    if response is not None:
        success["content"] = {content: {"schema": response}}
    operation: dict = {"summary": summary, "tags": [tag], "responses": {str(ok): success}}
    if params:
        operation["parameters"] = list(params)
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": body}}}
        errors = (400, 422, *errors)
    if multipart is not None:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": multipart}}}
        errors = (413, 422, *errors)
    if public:
        operation["security"] = []
    else:
        errors = (401, *errors)
    for code in sorted(set(errors)):
        operation["responses"][str(code)] = {"$ref": f"#/components/responses/{_ERRORS[code][0]}"}
    return operation


ID = param("id", "path", INT)
NUMBER = param("number", "path", STR, "The certificate number, e.g. PSG-2026-7K3M9Q2X.")
FILE_UPLOAD = obj(["file"], file={"type": "string", "format": "binary"})
CSV = {"type": "string", "format": "binary"}

SCHEMAS = {
    "Error": obj(["error"], error=ERROR_BODY),
    "ImportErrors": obj(["error", "rows"], error=ERROR_BODY, rows=arr(obj(["line", "reason"], line=INT, reason=STR))),
    "Token": obj(["token", "expires_at"], token=STR, expires_at=DATETIME),
    "Me": obj(
        ["id", "email", "name", "roles"], id=INT, email=STR, name=STR, roles=arr(STR), locale=NULLABLE_S, dinas=REF_ID
    ),
    "Scheme": obj(
        ["code", "name", "validity_years", "required_documents", "units"],
        code=STR,
        name=STR,
        validity_years=INT,
        required_documents=arr(STR),
        units=arr(
            obj(
                ["code", "title", "elements"],
                code=STR,
                title=STR,
                elements=arr(
                    obj(["code", "title", "criteria"], code=STR, title=STR, criteria=arr(obj(code=STR, text=STR)))
                ),
            )
        ),
    ),
    "Dinas": obj(
        ["id", "name", "kind", "province"], id=INT, name=STR, kind=STR, province={"description": "the province"}
    ),
    "Application": obj(
        ["id", "state", "version", "scheme", "candidate", "dinas", "allowed_events", "certificate"],
        id=INT,
        state={"type": "string", "enum": list(APPLICATION.states)},
        version=INT,
        scheme=STR,
        candidate=REF_ID,
        dinas=REF_ID,
        allowed_events=arr(STR),
        certificate={"allOf": [ref("Certificate")], "nullable": True},
    ),
    "ApplicationPage": page_of("Application"),
    "Event": obj(
        ["event"], event=STR, reason=STR, data={"type": "object", "description": "e.g. {team}, {deadline}"}, version=INT
    ),
    "Apl01": obj(
        ["education_field", "education_level", "practice_hours"],
        education_field={"type": "string", "enum": ["peksos", "kesos", "other"]},
        education_level=STR,
        practice_hours=INT,
    ),
    "SelfAssessment": obj(
        ["answers"],
        answers=arr(
            obj(["criterion", "claim"], criterion=STR, claim={"type": "string", "enum": ["K", "BK"]}, evidence=STR)
        ),
    ),
    "Scores": obj(
        ["scores"],
        scores=arr(
            obj(["criterion", "result"], criterion=STR, result={"type": "string", "enum": ["K", "BK"]}, evidence=STR)
        ),
    ),
    "Document": obj(["id", "kind", "filename", "status"], id=INT, kind=STR, filename=STR, status=STR, note=NULLABLE_S),
    "DocumentReview": obj(["status"], status={"type": "string", "enum": ["valid", "invalid"]}, note=STR),
    "HistoryEntry": obj(
        ["event", "from", "to", "actor", "at", "reason"],
        event=STR,
        **{"from": STR},
        to=STR,
        actor={"allOf": [REF_ID], "nullable": True},
        at=DATETIME,
        reason=NULLABLE_S,
    ),
    "ConflictDeclaration": obj(["conflict"], conflict=BOOL, note=STR),
    "Assessor": obj(
        ["id", "name", "dinas", "schemes", "licence_expires", "active_load", "max_load"],
        id=INT,
        name=STR,
        dinas={},
        schemes=arr(STR),
        licence_expires=DATE,
        active_load=INT,
        max_load=INT,
    ),
    "AssessorNew": obj(
        ["user", "licence_number", "licence_expires", "schemes"],
        user=INT,
        licence_number=STR,
        licence_expires=DATE,
        schemes=arr(STR),
        max_load=INT,
    ),
    "AssessorChange": obj(licence_number=STR, licence_expires=DATE, schemes=arr(STR), max_load=INT, active=BOOL),
    "Team": obj(
        ["id", "dinas", "scheme", "name", "lead", "members"],
        id=INT,
        dinas={},
        scheme=STR,
        name=STR,
        lead={},
        members=arr({}),
    ),
    "TeamNew": obj(
        ["dinas", "scheme", "name", "lead", "members"], dinas=INT, scheme=STR, name=STR, lead=INT, members=arr(INT)
    ),
    "TeamChange": obj(name=STR, lead=INT, members=arr(INT), active=BOOL),
    "ImportResult": obj(["imported", "unchanged"], imported=INT, unchanged=INT),
    "Report": obj(
        [
            "by_state",
            "certified_by_scheme",
            "education",
            "assessor_capacity",
            "expiring_90_days",
            "median_days_in_state",
        ],
        by_state={"type": "object", "additionalProperties": INT},
        certified_by_scheme={"type": "object", "additionalProperties": INT},
        education=obj(["peksos_kesos", "other"], peksos_kesos=INT, other=INT),
        assessor_capacity=arr(
            obj(
                ["scheme", "assessors", "capacity", "open_demand"],
                scheme=STR,
                assessors=INT,
                capacity=INT,
                open_demand=INT,
            )
        ),
        expiring_90_days=INT,
        median_days_in_state={"type": "object", "additionalProperties": {"type": "number", "nullable": True}},
    ),
    "PublicCertificate": obj(
        ["number", "status", "holder", "scheme", "issued_on", "expires_on"],
        number=STR,
        status={"type": "string", "enum": list(CERTIFICATE.states), "description": "live: past expiry is expired"},
        holder={"type": "string", "description": "the holder's name only"},
        scheme=STR,
        scheme_name=STR,
        level=STR,
        issued_on=DATE,
        expires_on=DATE,
    ),
    "Certificate": {
        "allOf": [
            ref("PublicCertificate"),
            obj(
                id=INT,
                application=INT,
                version=INT,
                status_reason=NULLABLE_S,
                suspended_until={**DATE, "nullable": True},
                units=arr(obj(code=STR, title=STR)),
                issuer=STR,
                signatory=STR,
            ),
        ]
    },
    "CertificatePage": page_of("Certificate"),
    "CertificateEvent": obj(
        ["event", "reason"],
        event={"type": "string", "enum": ["suspend", "reinstate", "withdraw"]},
        reason=STR,
        data=obj(until=DATE),
        version=INT,
    ),
    "Notification": obj(
        ["id", "event", "application", "message", "created_at", "read"],
        id=INT,
        event=STR,
        application={"type": "integer", "nullable": True},
        message=STR,
        created_at=DATETIME,
        read=BOOL,
    ),
    "NotificationPage": {"allOf": [page_of("Notification"), obj(["unread"], unread=INT)]},
    "Workflow": obj(
        ["name", "version", "initial", "states", "events"],
        name=STR,
        version=INT,
        initial=STR,
        states=arr(STR),
        final=arr(STR),
        events=arr(obj(name=STR, roles=arr(STR), guards=arr(STR), to=arr(STR), **{"from": arr(STR)})),
    ),
}

APPS, PEOPLE, CERTS = "Applications", "Assessors and teams", "Certificates"
PATHS = {
    "/auth/tokens": {
        "post": op(
            "Exchange e-mail and password for a bearer token",
            "Authentication",
            ok=201,
            body=obj(["email", "password"], email=STR, password=STR),
            response=ref("Token"),
            errors=(429,),
            public=True,
        )
    },
    "/me": {"get": op("The caller", "Authentication", response=ref("Me"))},
    "/schemes": {"get": op("Schemes and their competency standards", "Reference data", response=arr(ref("Scheme")))},
    "/dinas": {"get": op("The dinas the caller may see", "Reference data", response=arr(ref("Dinas")))},
    "/applications": {
        "get": op(
            "Applications the caller may see",
            APPS,
            response=ref("ApplicationPage"),
            params=[param("state"), param("scheme"), param("dinas", schema=INT), *PAGING],
            errors=(422,),
        ),
        "post": op(
            "Start an application (candidate)",
            APPS,
            ok=201,
            body=obj(["scheme"], scheme=STR),
            response=ref("Application"),
            errors=(403,),
        ),
    },
    "/applications/{id}": {"get": op("One application", APPS, params=[ID], response=ref("Application"), errors=(404,))},
    "/applications/{id}/apl01": {
        "put": op(
            "Fill the APL-01 form (owner)",
            APPS,
            params=[ID],
            body=ref("Apl01"),
            response=ref("Application"),
            errors=(403, 404, 409),
        )
    },
    "/applications/{id}/self-assessment": {
        "get": op(
            "The saved APL-02 answers and how many criteria remain unanswered",
            APPS,
            params=[ID],
            response=ref("SelfAssessment"),
            errors=(403, 404),
        ),
        "put": op(
            "The APL-02 self-assessment (owner)",
            APPS,
            params=[ID],
            body=ref("SelfAssessment"),
            response=ref("Application"),
            errors=(403, 404, 409),
        ),
    },
    "/applications/{id}/documents": {
        "post": op(
            "Upload a document (owner)",
            APPS,
            ok=201,
            params=[ID],
            multipart=obj(["kind", "file"], kind=STR, file={"type": "string", "format": "binary"}),
            response=ref("Document"),
            errors=(403, 404, 409),
        )
    },
    "/documents/{id}": {
        "patch": op(
            "Mark a document valid or invalid (dinas admin)",
            APPS,
            params=[ID],
            body=ref("DocumentReview"),
            response=ref("Document"),
            errors=(403, 404, 409),
        ),
        "delete": op("Remove a document (owner, while editable)", APPS, params=[ID], errors=(403, 404, 409)),
    },
    "/documents/{id}/file": {
        "get": op(
            "Download a document's file",
            APPS,
            params=[ID],
            response={"type": "string", "format": "binary"},
            content="application/octet-stream",
            errors=(404,),
        )
    },
    "/applications/{id}/events": {
        "post": op(
            "Fire a workflow event",
            APPS,
            params=[ID],
            body=ref("Event"),
            response=ref("Application"),
            errors=(403, 404, 409),
        )
    },
    "/applications/{id}/history": {
        "get": op(
            "The transition history, oldest first", APPS, params=[ID], response=arr(ref("HistoryEntry")), errors=(404,)
        )
    },
    "/applications/{id}/scores": {
        "get": op(
            "The assessment scores (team, certifiers)", APPS, params=[ID], response=ref("Scores"), errors=(403, 404)
        ),
        "put": op(
            "Record scores (an assessor of the team, in in_assessment)",
            APPS,
            params=[ID],
            body=ref("Scores"),
            response=ref("Scores"),
            errors=(403, 404, 409),
        ),
    },
    "/applications/{id}/conflict-declaration": {
        "post": op(
            "Declare (no) conflict of interest (each team member)",
            APPS,
            params=[ID],
            body=ref("ConflictDeclaration"),
            response=ref("ConflictDeclaration"),
            errors=(403, 404, 409),
        )
    },
    "/assessors": {
        "get": op(
            "The assessor pool (dinas admin)",
            PEOPLE,
            params=[param("scheme"), param("dinas", schema=INT)],
            response=arr(ref("Assessor")),
            errors=(403, 422),
        ),
        "post": op(
            "Register a user as an assessor",
            PEOPLE,
            ok=201,
            body=ref("AssessorNew"),
            response=ref("Assessor"),
            errors=(403, 404),
        ),
    },
    "/assessors/{id}": {
        "get": op("One assessor", PEOPLE, params=[ID], response=ref("Assessor"), errors=(403, 404)),
        "patch": op(
            "Change an assessor",
            PEOPLE,
            params=[ID],
            body=ref("AssessorChange"),
            response=ref("Assessor"),
            errors=(403, 404),
        ),
    },
    "/teams": {
        "get": op(
            "Assessor teams", PEOPLE, params=[param("dinas", schema=INT)], response=arr(ref("Team")), errors=(403, 422)
        ),
        "post": op("Form a team", PEOPLE, ok=201, body=ref("TeamNew"), response=ref("Team"), errors=(403, 404)),
    },
    "/teams/{id}": {
        "get": op("One team", PEOPLE, params=[ID], response=ref("Team"), errors=(403, 404)),
        "patch": op(
            "Change a team", PEOPLE, params=[ID], body=ref("TeamChange"), response=ref("Team"), errors=(403, 404)
        ),
    },
    "/imports/assessors": {
        "post": op(
            "Import assessors from a CSV", "Imports", multipart=FILE_UPLOAD, response=ref("ImportResult"), errors=(403,)
        )
    },
    "/imports/candidates": {
        "post": op(
            "Import candidates from a CSV",
            "Imports",
            multipart=FILE_UPLOAD,
            response=ref("ImportResult"),
            errors=(403,),
        )
    },
    "/imports/assessors/template": {
        "get": op("The assessor CSV template", "Imports", response=CSV, content="text/csv", errors=(403,))
    },
    "/imports/candidates/template": {
        "get": op("The candidate CSV template", "Imports", response=CSV, content="text/csv", errors=(403,))
    },
    "/reports/summary": {
        "get": op(
            "Figures of the caller's scope",
            "Reports",
            params=[param("dinas", schema=INT), param("province", schema=INT)],
            response=ref("Report"),
            errors=(403, 404, 422),
        )
    },
    "/certificates": {
        "get": op(
            "Certificates (certifiers, admins; dinas admins: their scope)",
            CERTS,
            params=[param("status"), param("scheme"), *PAGING],
            response=ref("CertificatePage"),
            errors=(403, 422),
        )
    },
    "/certificates/{number}": {
        "get": op(
            "Verify a certificate (public)",
            CERTS,
            params=[NUMBER],
            response=ref("PublicCertificate"),
            errors=(404,),
            public=True,
        )
    },
    "/certificates/{number}/pdf": {
        "get": op(
            "The certificate as a PDF (holder, certifiers, the holder's dinas admins)",
            CERTS,
            params=[NUMBER],
            response={"type": "string", "format": "binary"},
            content="application/pdf",
            errors=(404,),
        )
    },
    "/certificates/{number}/events": {
        "post": op(
            "Suspend, reinstate or withdraw a certificate (certifier)",
            CERTS,
            params=[NUMBER],
            body=ref("CertificateEvent"),
            response=ref("Certificate"),
            errors=(403, 404, 409),
        )
    },
    "/notifications": {
        "get": op(
            "The caller's notifications, newest first",
            "Notifications",
            params=[param("unread", schema=BOOL, description="true: unread only; false: read only"), *PAGING],
            response=ref("NotificationPage"),
            errors=(422,),
        )
    },
    "/notifications/{id}/read": {
        "post": op(
            "Mark a notification read",
            "Notifications",
            params=[ID],
            response=obj(["id", "read"], id=INT, read=BOOL),
            errors=(404,),
        )
    },
    "/notifications/read-all": {
        "post": op(
            "Mark every notification read", "Notifications", response=obj(["marked", "unread"], marked=INT, unread=INT)
        )
    },
    "/workflows": {"get": op("Every workflow definition", "Workflows", response=arr(ref("Workflow")))},
    "/workflows/{name}": {
        "get": op(
            "One workflow definition",
            "Workflows",
            params=[param("name", "path")],
            response=ref("Workflow"),
            errors=(404,),
        )
    },
    "/openapi.json": {"get": op("This document", "Workflows", response={"type": "object"}, public=True)},
}

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "certflow API",
        "version": "1",
        "description": "Certification workflow for pekerja sosial and penyuluh sosial. Every error has the body "
        '{"error": {"code", "message"}}.',
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": SCHEMAS,
        "responses": {
            name: {"description": text, "content": {JSON: {"schema": ref("Error")}}} for name, text in _ERRORS.values()
        },
    },
}
DOCUMENT["components"]["responses"]["Unprocessable"]["content"][JSON]["schema"] = {
    "oneOf": [ref("Error"), ref("ImportErrors")]
}


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.0.3 description of this API (public)."""
    return jsonify(DOCUMENT)
