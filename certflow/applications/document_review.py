"""The dinas admin's review of an application's documents: which were opened, replacements, "mark all valid".

A document counts as opened by an admin once they downloaded it (``DocumentOpening``). "Mark all valid"
marks every document still waiting for review valid, and only when this admin opened each of them:
nobody approves a file they did not look at. A document uploaded after one of its kind was marked
invalid is that one's replacement (*pengganti*).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from certflow.applications import documents as docs
from certflow.core.errors import InvalidInput
from certflow.extensions import db
from certflow.models import Application, Document, DocumentOpening, User


def record_opening(doc: Document, user: User) -> None:
    """Note that ``user`` opened ``doc`` (once; the first opening is kept)."""
    if db.session.get(DocumentOpening, (doc.id, user.id)) is None:
        db.session.add(DocumentOpening(document_id=doc.id, user_id=user.id))
        db.session.flush()


def opened_by(app: Application, user: User) -> set[int]:
    """The ids of the application's documents that ``user`` opened."""
    ids = [d.id for d in app.documents]
    if not ids:
        return set()
    rows = db.session.scalars(
        select(DocumentOpening.document_id).where(
            DocumentOpening.document_id.in_(ids), DocumentOpening.user_id == user.id
        )
    )
    return set(rows)


def to_review(app: Application) -> list[Document]:
    """The documents waiting for a review (not yet marked valid or invalid)."""
    return [d for d in app.documents if d.status == "pending"]


def may_mark_all_valid(app: Application, user: User, opened: set[int] | None = None) -> bool:
    """Whether "mark all valid" is offered: documents wait for review, and ``user`` opened each one."""
    pending = to_review(app)
    if app.state != "submitted" or not pending:
        return False
    opened = opened_by(app, user) if opened is None else opened
    return all(d.id in opened for d in pending)


def mark_all_valid(app: Application, user: User) -> list[Document]:
    """Mark every document waiting for review valid; refused unless ``user`` opened each of them."""
    pending = to_review(app)
    if not pending:
        raise InvalidInput(_("No document is waiting for a review."))
    opened = opened_by(app, user)
    unopened = [d for d in pending if d.id not in opened]
    if unopened:
        raise InvalidInput(
            _(
                "Open every document before marking them all valid. Not opened yet: %(names)s.",
                names=", ".join(d.filename for d in unopened),
            )
        )
    for d in pending:
        docs.review_document(d, user, "valid", d.note or "")
    return pending


@dataclass(frozen=True)
class Replacement:
    """How a document relates to the others of its requirement (its kind, and its unit for a portfolio):
    the invalid one it replaces, or its replacement."""

    replaces: Document | None = None
    replaced_by: Document | None = None


def replacements(documents: list[Document]) -> dict[int, Replacement]:
    """For each document: the invalid document of its requirement it replaces, and what replaced it (if invalid)."""
    by_kind: dict[str, list[Document]] = {}
    for d in sorted(documents, key=lambda d: d.id):
        by_kind.setdefault(d.key, []).append(d)
    out: dict[int, Replacement] = {}
    for same in by_kind.values():
        for i, d in enumerate(same):
            earlier = same[i - 1] if i and same[i - 1].status == "invalid" else None
            later = same[i + 1] if d.status == "invalid" and i + 1 < len(same) else None
            out[d.id] = Replacement(replaces=earlier, replaced_by=later)
    return out
