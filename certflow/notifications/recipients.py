"""Who is told: the one place that turns a notification's groups into users.

A transition names its groups (``candidate``, ``dinas_admins``, ``team``, ``certifiers``:
the definitions' ``notify``); a reminder job names the same people for a batch of records.
Both ask here, in the batched form — ids in, a mapping out, one query each — so a dinas
admin, a team member or a certifier is the same person whichever path tells them:

- the dinas admins of a dinas: the active dinas admins of that dinas and of its
  province's dinas (a province admin sees its kab/kota);
- the members of a team: the users of its assessors;
- the certifiers: every active certifier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import aliased

from certflow.extensions import db
from certflow.models import Assessor, Dinas, TeamMember, User, UserRole
from certflow.people.policy import dinas_covers

GROUPS = ("candidate", "dinas_admins", "team", "certifiers", "candidates")
# ``candidates``: the candidates placed on a schedule (the schedule workflow's events)


def dinas_admins_of(dinas_ids: Iterable[int]) -> dict[int, list[int]]:
    """For each dinas id, its active dinas admins and those of its province's dinas (one query)."""
    ids = set(dinas_ids)
    if not ids:
        return {}
    target, admin_dinas = aliased(Dinas), aliased(Dinas)
    rows = db.session.execute(
        select(target.id, User.id)
        .join(
            admin_dinas,
            dinas_covers(admin_dinas, target),
        )
        .join(User, User.dinas_id == admin_dinas.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(target.id.in_(ids), UserRole.role == "dinas_admin", User.active.is_(True))
        .order_by(User.id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for dinas_id, user_id in rows:
        found[dinas_id].append(user_id)
    return found


def team_members_of(team_ids: Iterable[int]) -> dict[int, list[int]]:
    """For each team id, the user ids of its members (one query)."""
    ids = set(team_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(TeamMember.team_id, Assessor.user_id)
        .join(Assessor, Assessor.id == TeamMember.assessor_id)
        .where(TeamMember.team_id.in_(ids))
        .order_by(Assessor.user_id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in rows:
        found[team_id].append(user_id)
    return found


def certifier_ids() -> list[int]:
    """Every active certifier (one query)."""
    return list(
        db.session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "certifier", User.active.is_(True))
            .order_by(User.id)
        )
    )


def recipients(
    groups: Iterable[str],
    *,
    candidate_id: int | None = None,
    dinas_id: int,
    team_ids: Iterable[int] = (),
    candidate_ids: Iterable[int] = (),
) -> list[int]:
    """The user ids of the named groups for one record, each once, in the groups' order.

    ``candidate_ids``: the candidates of a schedule (the group ``candidates``).
    """
    ids: list[int] = []
    for group in groups:
        if group == "candidate":
            ids.append(candidate_id)
        elif group == "candidates":
            ids.extend(candidate_ids)
        elif group == "dinas_admins":
            ids.extend(dinas_admins_of([dinas_id]).get(dinas_id, []))
        elif group == "team":
            teams = list(team_ids)
            members = team_members_of(teams)
            for team_id in teams:
                ids.extend(members.get(team_id, []))
        elif group == "certifiers":
            ids.extend(certifier_ids())
        else:
            raise ValueError(f"unknown notification group {group!r}")
    return list(dict.fromkeys(ids))


def team_change_recipients(
    candidates: dict[int, int], leaving_user_id: int, joining_user_id: int
) -> list[tuple[int, int | None]]:
    """Who hears of a member replaced on a team: (user id, application id or None) — the candidate of each
    moved open assessment (``candidates``: application id → candidate id), the leaving and the joining assessor."""
    told = [(user_id, app_id) for app_id, user_id in candidates.items()]
    told += [(leaving_user_id, None), (joining_user_id, None)]
    return list(dict.fromkeys(told))
