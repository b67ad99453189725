"""Written tests: drawn from the scheme's bank, answered by the candidate, scored (never a key)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from certflow.api.schemas.common import Instant
from certflow.core.schemas import Id, Int, RequestModel, ResponseModel

EssayText = Annotated[str, StringConstraints(max_length=20000)]


class AnswerIn(RequestModel):
    """An answer: ``choice`` (from 0) for multiple choice, ``text`` for an essay; ``null`` clears it."""

    question: Id
    choice: Int(0, 5) | None = None
    text: EssayText | None = None


class AnswersIn(RequestModel):
    """Some or all answers of the test (the autosave sends what changed)."""

    answers: list[AnswerIn] = Field(max_length=500)


class EssayScoreIn(RequestModel):
    """An essay's result."""

    question: Id
    result: Literal["K", "BK"]


class EssayScoresIn(RequestModel):
    """Results of some or all essays of a submitted test."""

    scores: list[EssayScoreIn] = Field(max_length=500)


class TestQuestion(ResponseModel):
    """A drawn question: its choices for multiple choice — never its key."""

    id: int
    kind: Literal["multiple_choice", "essay"]
    text: str
    choices: list[str] | None = None


class TestAnswer(ResponseModel):
    """The saved answer to a question; ``correct`` and ``result`` for the team once submitted."""

    question: int
    choice: int | None = None
    text: str | None = None
    correct: bool | None = None
    result: Literal["K", "BK"] | None = None


class TestResult(ResponseModel):
    """The result, for the team once submitted: multiple choice right of total, essays scored and K."""

    correct: int
    total: int
    essays: int
    essays_k: int
    essays_scored: int


class TestOut(ResponseModel):
    """A written test and its saved answers (never the keys)."""

    id: int
    application: int
    deadline: Instant
    submitted_at: Instant | None = None
    open: bool
    questions: list[TestQuestion]
    answers: list[TestAnswer]
    result: TestResult | None = None
