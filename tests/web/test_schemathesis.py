"""schemathesis against the API in-process (WSGI): generated requests, every operation, every role.

Each operation gets a small, bounded number of examples — valid input and invalid input, as
schemathesis generates them from the document — sent with the token of one role after another:
a candidate, an assessor (a team lead), a kab/kota and a province dinas admin, a certifier and a
system admin, over records in several states (a certified application, one in assessment, a
draft). The answers must never be a server error and never contradict the document: status,
content type and body as documented.

``CERTFLOW_SCHEMATHESIS_ALL=1`` also runs every other check schemathesis has (``--checks all``)
and prints the figures per check; only the four checks above must be clean.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS as REGISTRY
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

REQUIRED = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("CERTFLOW_SCHEMATHESIS_EXAMPLES", "5"))
ALL_CHECKS = os.environ.get("CERTFLOW_SCHEMATHESIS_ALL") == "1"
DETAIL = os.environ.get("CERTFLOW_SCHEMATHESIS_DETAIL") == "1"  # print each failure whole
# Asking for tokens is rate limited (429 after a few tries) and is tested on its own.
# Revoking the calling token would end the tokens the run uses (tests/web/test_security_sessions.py).
SKIPPED = {("POST", "/api/v1/auth/tokens"), ("DELETE", "/api/v1/auth/tokens/current")}


def _world_tokens(world, db) -> list[str]:
    from certflow.security import issue_token

    world.advance(world.new_application(), "certified")
    world.advance(world.new_application(), "in_assessment")
    world.new_application(scheme=world.other_scheme)
    users = [world.candidate, world.lead.user, world.admin_batam, world.admin_kepri, world.certifier, world.sysadmin]
    tokens = [issue_token(user)[0] for user in users]
    db.session.commit()
    return tokens


def _exercise(operation, mode, tokens, checks, requests: Counter, examples: dict, failures: Counter) -> None:
    """Send ``EXAMPLES`` generated requests to ``operation``, one role after another, and run ``checks``."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        headers = {"Authorization": f"Bearer {next(tokens)}"}
        response = case.call(headers=headers)
        requests[mode.value] += 1
        for check in checks:
            try:
                case.validate_response(response, checks=[check], headers=headers)
            except BaseException as exc:  # noqa: BLE001  (schemathesis raises failure groups)
                failures[check.__name__] += 1
                examples.setdefault((check.__name__, operation.method.upper(), operation.path), str(exc)[:1500])

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        assert mode == GenerationMode.NEGATIVE, operation.path


def test_api_answers_as_documented(app, world, db, capsys):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tokens = itertools.cycle(_world_tokens(world, db))
    load_all_checks()
    checks = REQUIRED + ([c for c in REGISTRY.get_all() if c not in REQUIRED] if ALL_CHECKS else [])
    requests, failures, examples = Counter(), Counter(), {}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        if (operation.method.upper(), operation.path) not in SKIPPED:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _exercise(operation, mode, tokens, checks, requests, examples, failures)

    with capsys.disabled():
        print(f"\nschemathesis: {len(operations)} operations, {sum(requests.values())} requests {dict(requests)}")
        print(f"failures by check: {dict(failures) or 'none'}")
        for (name, method, path), text in sorted(examples.items()):
            print(f"  {name}: {method} {path}: {text if DETAIL else text.splitlines()[0]}")
    required = {c.__name__ for c in REQUIRED}
    broken = {key: text for key, text in examples.items() if key[0] in required}
    assert not broken, "\n\n".join(f"{k}: {v}" for k, v in broken.items())
