"""schemathesis on the venue and schedule operations, over a world that has venues and schedules.

The suite-wide run (test_schemathesis) sees no schedule, so it meets only 404s there; here the
records exist (a venue, a planned and an open schedule with a candidate placed), so generated
requests reach the operations themselves. Never a server error, never an answer the document
does not describe.
"""

from __future__ import annotations

import itertools
from collections import Counter

import schemathesis
from schemathesis.checks import load_all_checks
from schemathesis.generation import GenerationMode

from tests.factories import make_schedule, make_venue
from tests.web.test_schemathesis import REQUIRED, _exercise


def _tokens(world, db) -> list[str]:
    from certflow.schedules import operations as ops
    from certflow.security import issue_token

    make_venue(world.batam, verified=True)
    make_schedule(world)
    open_one = make_schedule(world, state="open")
    app = world.new_application()
    world.advance(app, "eligible")
    ops.place_candidates(open_one, world.admin_kepri, [app.id])
    users = [world.candidate, world.lead.user, world.admin_batam, world.admin_kepri, world.certifier, world.sysadmin]
    tokens = [issue_token(user)[0] for user in users]
    db.session.commit()
    return tokens


def test_schedule_operations_answer_as_documented(app, world, db):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tokens = itertools.cycle(_tokens(world, db))
    load_all_checks()
    requests, failures, examples = Counter(), Counter(), {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(("/api/v1/venues", "/api/v1/schedules")):
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _exercise(operation, mode, tokens, REQUIRED, requests, examples, failures)
    assert requests, "no schedule operation was exercised"
    assert not examples, "\n\n".join(f"{k}: {v}" for k, v in examples.items())
