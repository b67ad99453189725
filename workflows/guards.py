"""The guards of the workflows: pure functions of a guard context.

A guard returns None when it holds, or a ``Failure`` naming the rule and a
message saying what is wrong. The context carries the event's input
(``reason``, ``data``), the clock (``now``, ``today``) and ``facts``: an
object the application layer fills from the database, read here only as
plain attributes, so each guard is testable with a hand-made context.

Messages are English message ids marked with ``N_`` so the application can
translate them (Bahasa Indonesia is the default language).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

APPEAL_WINDOW = timedelta(days=14)


def N_(message: str) -> Msg:
    """Mark a message for translation without translating it here."""
    return Msg(message)


class Msg(str):
    """A message id that the application layer translates before showing it."""


@dataclass(frozen=True)
class Failure:
    """Why a guard does not hold: the rule's name, a message, its parameters."""

    rule: str
    message: Msg
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class GuardContext:
    """Everything a guard may look at."""

    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    now: datetime | None = None
    facts: Any = None
    day: date | None = None

    @property
    def today(self) -> date:
        """The current local date (``day``, else the date of ``now``)."""
        return self.day if self.day is not None else self.now.date()


def parse_date(value: Any) -> date | None:
    """A date from 'YYYY-MM-DD' (or a date), else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def reason_given(ctx: GuardContext) -> Failure | None:
    """A reason of substance accompanies the event."""
    if not (ctx.reason or "").strip():
        return Failure("reason_given", N_("A reason is required."))
    return None


def deadline_set(ctx: GuardContext) -> Failure | None:
    """``data.deadline`` is a date after today."""
    deadline = parse_date((ctx.data or {}).get("deadline"))
    if deadline is None:
        return Failure("deadline_set", N_("A revision deadline (YYYY-MM-DD) is required."))
    if deadline <= ctx.today:
        return Failure("deadline_set", N_("The revision deadline must be after today."))
    return None


def end_date_set(ctx: GuardContext) -> Failure | None:
    """``data.until`` (the suspension's end) is a date after today."""
    until = parse_date((ctx.data or {}).get("until"))
    if until is None:
        return Failure("end_date_set", N_("A suspension end date (YYYY-MM-DD) is required."))
    if until <= ctx.today:
        return Failure("end_date_set", N_("The suspension end date must be after today."))
    return None


def deadline_passed(ctx: GuardContext) -> Failure | None:
    """The revision deadline is over."""
    deadline = ctx.facts.revision_deadline
    if deadline is None or deadline >= ctx.today:
        return Failure("deadline_passed", N_("The revision deadline has not passed yet."))
    return None


def expiry_passed(ctx: GuardContext) -> Failure | None:
    """The certificate's expiry date has come."""
    if ctx.facts.expires_on > ctx.today:
        return Failure("expiry_passed", N_("The certificate has not reached its expiry date."))
    return None


ROUTE_CLOSED = N_("The scheme is no longer open by the route you chose; choose another.")


def apl01_complete(ctx: GuardContext) -> Failure | None:
    """Every required field of the application form is filled, the route among them.

    ``facts.apl01_missing`` counts a route the scheme no longer opens as missing; when the form names
    one (``facts.route_name``) the candidate is told so, not that the field is empty.
    """
    missing = ctx.facts.apl01_missing
    if missing == ["route"] and getattr(ctx.facts, "route_name", None):
        return Failure("apl01_complete", ROUTE_CLOSED)
    if missing:
        return Failure(
            "apl01_complete",
            N_("The application form (APL-01) is incomplete: %(fields)s."),
            {"fields": ", ".join(missing)},
        )
    return None


def documents_uploaded(ctx: GuardContext) -> Failure | None:
    """A document of every required kind is uploaded."""
    missing = ctx.facts.missing_documents
    if missing:
        return Failure(
            "documents_uploaded",
            N_("Required documents are missing: %(kinds)s."),
            {"kinds": ", ".join(missing)},
        )
    return None


def self_assessment_complete(ctx: GuardContext) -> Failure | None:
    """Every criterion of the scheme has a self-assessment claim."""
    n = ctx.facts.unanswered_criteria
    if n:
        return Failure(
            "self_assessment_complete",
            N_("The self-assessment (APL-02) is incomplete: %(count)s criteria unanswered."),
            {"count": n},
        )
    return None


def documents_valid(ctx: GuardContext) -> Failure | None:
    """Every required document kind has a document marked valid."""
    kinds = ctx.facts.documents_not_valid
    if kinds:
        return Failure(
            "documents_valid",
            N_("Not every required document is marked valid: %(kinds)s."),
            {"kinds": ", ".join(kinds)},
        )
    return None


def invalid_documents_replaced(ctx: GuardContext) -> Failure | None:
    """Every document marked invalid has been replaced by a new upload of its kind."""
    kinds = ctx.facts.unreplaced_documents
    if kinds:
        return Failure(
            "invalid_documents_replaced",
            N_("Replace the documents marked invalid before resubmitting: %(kinds)s."),
            {"kinds": ", ".join(kinds)},
        )
    return None


def eligibility_failures(facts: Any) -> list[Failure]:
    """Every eligibility rule of the scheme the candidate does not meet.

    An application that chose a route (``facts.route_name``) is judged by that route's rules
    (``facts.route``, None when the scheme no longer opens that route): one failure per rule the
    candidate's profile does not meet (``facts.route_missing``). ``submit`` asks for a route
    (``apl01_complete``), so only an application sent before that (legacy data) or a draft has none;
    it is judged by the scheme's older single rule set: ``education_field``, ``practice_hours``,
    ``accepted_education`` and ``min_practice_hours``. Pages use it to show each rule as met or not.
    """
    if getattr(facts, "route_name", None):
        return _route_failures(facts)
    failures = []
    accepted = list(facts.accepted_education or [])
    if accepted and facts.education_field not in accepted:
        failures.append(
            Failure(
                "scheme_rules_met",
                N_("Education background %(field)s is not accepted by this scheme (accepted: %(accepted)s)."),
                {"field": facts.education_field or "-", "accepted": ", ".join(accepted)},
            )
        )
    if (facts.practice_hours or 0) < (facts.min_practice_hours or 0):
        failures.append(
            Failure(
                "scheme_rules_met",
                N_("Practice hours %(hours)s are below the scheme's minimum of %(minimum)s."),
                {"hours": facts.practice_hours or 0, "minimum": facts.min_practice_hours},
            )
        )
    return failures


def _route_failures(facts: Any) -> list[Failure]:
    route = facts.route
    if route is None or not route.enabled:
        return [Failure("scheme_rules_met", ROUTE_CLOSED)]
    failures = []
    for missing in facts.route_missing:
        params = {k: ", ".join(v) if isinstance(v, list) else v for k, v in missing.params.items()}
        failures.append(Failure("scheme_rules_met", missing.message, params))
    return failures


def scheme_rules_met(ctx: GuardContext) -> Failure | None:
    """The candidate meets the scheme's eligibility rules (education, practice hours)."""
    failures = eligibility_failures(ctx.facts)
    return failures[0] if failures else None


def team_chosen(ctx: GuardContext) -> Failure | None:
    """``data.team`` names a team the actor may assign."""
    if ctx.facts.team is None:
        return Failure("team_chosen", N_("Choose an assessor team (data.team) that you manage."))
    return None


def team_for_scheme(ctx: GuardContext) -> Failure | None:
    """The team is formed for the application's scheme."""
    team = ctx.facts.team
    if team.scheme_code != ctx.facts.scheme_code:
        return Failure(
            "team_for_scheme",
            N_("Team %(team)s is for scheme %(team_scheme)s, not %(scheme)s."),
            {"team": team.name, "team_scheme": team.scheme_code, "scheme": ctx.facts.scheme_code},
        )
    return None


def team_big_enough(ctx: GuardContext) -> Failure | None:
    """The team has at least the scheme's minimum number of assessors."""
    team = ctx.facts.team
    if len(team.members) < ctx.facts.min_team_size:
        return Failure(
            "team_big_enough",
            N_("Team %(team)s has %(size)s assessors; the scheme needs at least %(minimum)s."),
            {"team": team.name, "size": len(team.members), "minimum": ctx.facts.min_team_size},
        )
    return None


def licences_valid(ctx: GuardContext) -> Failure | None:
    """Every member is active, licensed until after today and licensed for the scheme."""
    for m in ctx.facts.team.members:
        if not m.active:
            return Failure("licences_valid", N_("Assessor %(assessor)s is not active."), {"assessor": m.name})
        if m.licence_expires is None or m.licence_expires < ctx.today:
            return Failure(
                "licences_valid",
                N_("The licence of assessor %(assessor)s has expired."),
                {"assessor": m.name},
            )
        if ctx.facts.scheme_code not in m.schemes:
            return Failure(
                "licences_valid",
                N_("The licence of assessor %(assessor)s does not cover scheme %(scheme)s."),
                {"assessor": m.name, "scheme": ctx.facts.scheme_code},
            )
    return None


def no_conflict(ctx: GuardContext) -> Failure | None:
    """No member has a conflict of interest with the candidate (DOMAIN.md rule 5)."""
    for m in ctx.facts.team.members:
        if m.conflicts:
            return Failure(
                "no_conflict",
                N_("Conflict of interest: assessor %(assessor)s — %(rule)s"),
                {"assessor": m.name, "rule": m.conflicts[0]},
            )
    return None


def within_capacity(ctx: GuardContext) -> Failure | None:
    """No member is already at their maximum load of open assessments."""
    for m in ctx.facts.team.members:
        if m.load >= m.max_load:
            return Failure(
                "within_capacity",
                N_("Assessor %(assessor)s is at full capacity (%(load)s of %(max_load)s)."),
                {"assessor": m.name, "load": m.load, "max_load": m.max_load},
            )
    return None


def conflicts_declared(ctx: GuardContext) -> Failure | None:
    """Every member declared that they have no conflict with this candidate."""
    if ctx.facts.conflicted_members:
        return Failure(
            "conflicts_declared",
            N_("Assessors declared a conflict of interest: %(names)s."),
            {"names": ", ".join(ctx.facts.conflicted_members)},
        )
    if ctx.facts.undeclared_members:
        return Failure(
            "conflicts_declared",
            N_("Not every assessor has declared no conflict of interest: %(names)s."),
            {"names": ", ".join(ctx.facts.undeclared_members)},
        )
    return None


def agreement_signed(ctx: GuardContext) -> Failure | None:
    """The assessment agreement (FR.AK.01) is written and signed by the candidate and by the lead.

    ``facts.agreement_unsigned``: None when there is no agreement, else the parties who have not
    signed it yet (``"candidate"``, ``"lead"``).
    """
    unsigned = ctx.facts.agreement_unsigned
    if unsigned is None:
        return Failure("agreement_signed", N_("The lead assessor has not written the assessment agreement yet."))
    unsigned = set(unsigned)
    if unsigned == {"candidate", "lead"}:
        return Failure("agreement_signed", N_("The candidate and the lead assessor have not signed the agreement."))
    if "candidate" in unsigned:
        return Failure("agreement_signed", N_("The candidate has not signed the assessment agreement yet."))
    if "lead" in unsigned:
        return Failure("agreement_signed", N_("The lead assessor has not signed the assessment agreement yet."))
    return None


def assessment_not_started(ctx: GuardContext) -> Failure | None:
    """Nothing of the assessment has been recorded since the team was assigned (no score)."""
    if ctx.facts.scored_since_assignment:
        return Failure(
            "assessment_not_started",
            N_("The assessment has already started: %(count)s criteria are scored."),
            {"count": ctx.facts.scored_since_assignment},
        )
    return None


def all_criteria_scored(ctx: GuardContext) -> Failure | None:
    """The lead has recorded the team's K/BK for every criterion."""
    n = ctx.facts.unscored_criteria
    if n:
        return Failure(
            "all_criteria_scored",
            N_("%(count)s criteria are not scored yet."),
            {"count": n},
        )
    return None


def recommendation_consistent(ctx: GuardContext) -> Failure | None:
    """``data.recommendation`` is K or BK, and K only if every unit is K."""
    rec = (ctx.data or {}).get("recommendation")
    if rec not in ("K", "BK"):
        return Failure("recommendation_consistent", N_("The recommendation (data.recommendation) must be K or BK."))
    bk = [u for u, r in ctx.facts.unit_results.items() if r != "K"]
    if rec == "K" and bk:
        return Failure(
            "recommendation_consistent",
            N_("K can be recommended only if every unit is K; not K: %(units)s."),
            {"units": ", ".join(bk)},
        )
    return None


RECOMMENDATION_NOTES_MAX = 4000


def recommendation_notes_fit(ctx: GuardContext) -> Failure | None:
    """``data.recommendation_notes``, if given, is a text of at most 4000 characters."""
    notes = (ctx.data or {}).get("recommendation_notes")
    if notes is None:
        return None
    if not isinstance(notes, str) or len(notes) > RECOMMENDATION_NOTES_MAX:
        return Failure(
            "recommendation_notes_fit",
            N_("The notes with the recommendation must be a text of at most %(max)s characters."),
            {"max": RECOMMENDATION_NOTES_MAX},
        )
    return None


def recommendation_is_k(ctx: GuardContext) -> Failure | None:
    """The team recommended K."""
    if ctx.facts.recommendation != "K":
        return Failure("recommendation_is_k", N_("The team did not recommend K; certification is not possible."))
    return None


def within_appeal_window(ctx: GuardContext) -> Failure | None:
    """The decision appealed was taken at most 14 days ago."""
    decided = ctx.facts.decided_at
    if ctx.facts.decision_appealed:
        return Failure("within_appeal_window", N_("This decision has already been appealed."))
    if decided is None or ctx.now - decided > APPEAL_WINDOW:
        return Failure(
            "within_appeal_window",
            N_("An appeal must be made within %(days)s days of the decision."),
            {"days": APPEAL_WINDOW.days},
        )
    return None


def bk_units_only(ctx: GuardContext) -> Failure | None:
    """The units asked for (``data.units``, default: all BK units) are BK units."""
    bk = list(ctx.facts.bk_units)
    asked = (ctx.data or {}).get("units") or bk
    if not bk:
        return Failure("bk_units_only", N_("There are no BK units to reassess."))
    if not isinstance(asked, list) or any(u not in bk for u in asked):
        return Failure(
            "bk_units_only",
            N_("A reassessment may cover only the BK units: %(units)s."),
            {"units": ", ".join(bk)},
        )
    return None


GUARDS = {
    fn.__name__: fn
    for fn in (
        reason_given,
        deadline_set,
        end_date_set,
        deadline_passed,
        expiry_passed,
        apl01_complete,
        documents_uploaded,
        self_assessment_complete,
        documents_valid,
        invalid_documents_replaced,
        scheme_rules_met,
        team_chosen,
        team_for_scheme,
        team_big_enough,
        licences_valid,
        no_conflict,
        within_capacity,
        conflicts_declared,
        agreement_signed,
        assessment_not_started,
        all_criteria_scored,
        recommendation_consistent,
        recommendation_notes_fit,
        recommendation_is_k,
        within_appeal_window,
        bk_units_only,
    )
}
