"""What an event asks of the person firing it: its inputs, as data.

Each event of a definition lists its inputs (``EventDef.inputs``). Pages draw a form
from them and read the posted values by their kind; the guards then judge the values
(``checked_by`` names the guard that does). ``reason`` travels as the event's reason,
every other input in its ``data``.

Labels are English message ids marked with ``N_``: the application translates them.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.guards import N_, Msg

KINDS = ("text", "date", "team", "choice", "units")


@dataclass(frozen=True)
class Input:
    """One input of an event's form.

    ``name`` is the form field and the key in the event's data (``reason`` is the event's
    reason); ``kind`` says how it is drawn and read: ``text``, ``date`` (YYYY-MM-DD),
    ``team`` (a team id), ``choice`` (one of ``choices``) or ``units`` (unit codes, many).
    """

    name: str
    kind: str
    label: Msg
    required: bool = True
    choices: tuple[str, ...] = ()
    checked_by: str | None = None

    @property
    def in_data(self) -> bool:
        """Whether the value travels in the event's ``data`` (else it is the reason)."""
        return self.name != "reason"


REASON = Input("reason", "text", N_("Reason"), checked_by="reason_given")
DEADLINE = Input("deadline", "date", N_("Deadline for the revision"), checked_by="deadline_set")
UNTIL = Input("until", "date", N_("Until"), checked_by="end_date_set")
TEAM = Input("team", "team", N_("Assessor team"), checked_by="team_chosen")
OVERRIDE_REASON = Input(
    "override_reason",
    "text",
    N_("Reason to allow an assessor of the candidate’s own dinas (optional)"),
    required=False,
    checked_by="no_conflict",
)
RECOMMENDATION = Input(
    "recommendation", "choice", N_("Recommendation"), choices=("K", "BK"), checked_by="recommendation_consistent"
)
RECOMMENDATION_NOTES = Input(
    "recommendation_notes",
    "text",
    N_("Notes with the recommendation (optional)"),
    required=False,
    checked_by="recommendation_notes_fit",
)
NOTES = Input("notes", "text", N_("The lead assessor's report (FR.AK.05)"), checked_by="notes_given")
UNITS = Input("units", "units", N_("Units to reassess"), required=False, checked_by="bk_units_only")

INPUTS: dict[str, Input] = {
    i.name: i
    for i in (REASON, DEADLINE, UNTIL, TEAM, OVERRIDE_REASON, RECOMMENDATION, RECOMMENDATION_NOTES, UNITS, NOTES)
}
"""Every input an event may ask for, by name."""
