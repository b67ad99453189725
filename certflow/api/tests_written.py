"""API: written tests — drawn by the lead, answered and submitted by the candidate, essays scored by the team.

A test is reached through its application: an application the caller may not see is a 404;
who sees it only as a dinas admin or certifier is refused (403). Never a key in any answer.
"""

from __future__ import annotations

from flask import url_for

from certflow.api import bp
from certflow.api.auth import current_api_user
from certflow.api.errors import ApiError
from certflow.api.schemas import tests_written as s
from certflow.api.spec import answer, body, operation
from certflow.assessment import written_tests as service
from certflow.core.transaction import unit_of_work
from certflow.models import Application, WrittenTest
from certflow.people.policy import get_visible_application, written_test_role
from workflows.guards import N_

TAG = "Written tests"
NOT_FOUND = N_("Not found.")


def _application(app_id: int) -> Application:
    app = get_visible_application(current_api_user(), app_id)
    if app is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return app


def _load(test_id: int) -> tuple[WrittenTest, Application, str]:
    test = service.load_test(test_id)
    app = get_visible_application(current_api_user(), test.application_id) if test is not None else None
    if app is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    role = written_test_role(current_api_user(), app)
    if role is None:
        raise ApiError(403, "forbidden", N_("Only the candidate and the assessor team see a written test."))
    return test, app, role


def _out(test: WrittenTest, role: str, status: int = 200):
    return answer(s.TestOut(**service.view(test, role)), status)


@bp.post("/applications/<int:app_id>/tests")
@operation(resp=s.TestOut, ok=201, errors=(403, 404, 409, 422), tag=TAG)
def draw_test(app_id: int):
    """The lead draws a written test from the scheme's bank, while in_assessment (never the keys)."""
    app = _application(app_id)
    with unit_of_work():
        test = service.draw_test(app, current_api_user())
        test_id = test.id
    test = service.load_test(test_id)
    response, status = _out(test, "team", 201)
    response.headers["Location"] = url_for("api.get_test", test_id=test_id)
    return response, status


@bp.get("/tests/<int:test_id>")
@operation(resp=s.TestOut, errors=(403, 404), tag=TAG)
def get_test(test_id: int):
    """The test and the saved answers, for the candidate and the team; never the keys."""
    test, _app, role = _load(test_id)
    return _out(test, role)


@bp.put("/tests/<int:test_id>/answers")
@operation(json=s.AnswersIn, resp=s.TestOut, errors=(403, 404, 409), tag=TAG)
def put_answers(test_id: int):
    """The candidate saves answers (the autosave) until submitting or the deadline."""
    test, app, role = _load(test_id)
    answers = body().model_dump(mode="json", exclude_unset=True)["answers"]
    with unit_of_work():
        service.save_answers(test, app, current_api_user(), answers)
    return _out(service.load_test(test_id), role)


@bp.post("/tests/<int:test_id>/submit")
@operation(resp=s.TestOut, errors=(403, 404, 409), tag=TAG)
def submit_test(test_id: int):
    """The candidate submits: answers frozen, multiple choice scored by the key."""
    test, app, role = _load(test_id)
    with unit_of_work():
        service.submit(test, app, current_api_user())
    return _out(service.load_test(test_id), role)


@bp.put("/tests/<int:test_id>/essay-scores")
@operation(json=s.EssayScoresIn, resp=s.TestOut, errors=(403, 404, 409), tag=TAG)
def put_essay_scores(test_id: int):
    """An assessor of the team scores essays K or BK, once the test is submitted."""
    test, app, role = _load(test_id)
    scores = body().model_dump(mode="json")["scores"]
    with unit_of_work():
        service.score_essays(test, app, current_api_user(), scores)
    return _out(service.load_test(test_id), role)
