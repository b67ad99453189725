"""The scoring sheet: the candidate's self-assessment beside each criterion, the assessor's scores,
and — for the lead — every member's scores side by side with disagreements marked.

The lead's scores are the team's consolidated result (DOMAIN.md): the engine's ``recommend``
guards read them, so the sheet shows the lead each unit's result from their own scores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from certflow.applications.operations import EVIDENCE_MAX, self_assessment
from certflow.assessment.scoring import scores_by_assessor
from certflow.assessor.common import all_criteria, criteria_tree
from certflow.models import Application
from certflow.models.assessment import METHODS

_WHERE = re.compile(r"^scores\[(\d+)\](?: \([^)]*\))?(?:\.(\w+))?$")


@dataclass
class Row:
    """One criterion of the sheet."""

    criterion: dict
    claim: dict | None
    value: dict
    saved: bool
    others: list[dict] = field(default_factory=list)
    disagree: bool = False
    errors: list[str] = field(default_factory=list)


def field_labels() -> dict[str, str]:
    """The words for the sheet's inputs, used in its error messages."""
    return {"result": _("Result"), "method": _("Method"), "evidence": _("Evidence notes")}


def read_sheet(form: MultiDict, tree: list[dict]) -> tuple[list[dict], dict[str, dict]]:
    """The scores to save from a posted sheet (criteria left blank are skipped), and the values posted.

    Inputs are named ``result-<criterion id>``, ``method-<id>`` and ``evidence-<id>``.
    """
    scores, posted = [], {}
    for crit in all_criteria(tree):
        result = form.get(f"result-{crit['id']}", "").strip()[:8]
        method = form.get(f"method-{crit['id']}", "").strip()[:32]
        evidence = form.get(f"evidence-{crit['id']}", "")[: EVIDENCE_MAX + 100]
        if any(f"{name}-{crit['id']}" in form for name in ("result", "method", "evidence")):
            posted[crit["code"]] = {"result": result, "method": method, "evidence": evidence}
        if result or method or evidence.strip():
            scores.append(
                {"criterion": crit["code"], "result": result or None, "method": method or None, "evidence": evidence}
            )
    return scores, posted


def problems_by_criterion(problems: dict[str, str], scores: list[dict]) -> dict[str, list[str]]:
    """The problems ``check_scores`` found, as sentences per criterion code."""
    labels = field_labels()
    result: dict[str, list[str]] = {}
    for where, message in problems.items():
        match = _WHERE.match(where)
        if not match or int(match.group(1)) >= len(scores):
            result.setdefault("", []).append(f"{where}: {message}")
            continue
        code = scores[int(match.group(1))]["criterion"]
        name = match.group(2)
        text = f"{labels[name]}: {message}" if name in labels else message
        result.setdefault(code, []).append(text)
    return result


def build_sheet(
    app: Application,
    assessor_id: int | None,
    *,
    side_by_side: bool,
    posted: dict[str, dict] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> dict:
    """Everything a scoring sheet shows (a constant number of queries).

    ``assessor_id``: whose scores fill the form and make the units' results (the lead's are the
    team's); ``side_by_side``: also every member's scores per criterion, disagreements marked.
    """
    tree = criteria_tree(app.scheme_id)
    claims = {a["criterion"]: a for a in self_assessment(app)["answers"]}
    groups = scores_by_assessor(app)
    by_member = {g["assessor"]["id"]: {s["criterion"]: s for s in g["scores"]} for g in groups}
    mine = by_member.get(assessor_id, {})
    errors = errors or {}
    units, disagreements, errored = [], [], []
    for unit in tree:
        unit_rows, unit_results = [], []
        for element in unit["elements"]:
            rows = []
            for crit in element["criteria"]:
                code = crit["code"]
                saved = mine.get(code)
                value = (posted or {}).get(code) or {
                    "result": saved["result"] if saved else "",
                    "method": (saved["method"] or "") if saved else "",
                    "evidence": saved["evidence"] if saved else "",
                }
                row = Row(crit, claims.get(code), value, saved is not None, errors=errors.get(code, []))
                if side_by_side:
                    row.others = [
                        {
                            "name": g["assessor"]["name"],
                            "lead": g["lead"],
                            "score": by_member[g["assessor"]["id"]].get(code),
                        }
                        for g in groups
                    ]
                    results = {o["score"]["result"] for o in row.others if o["score"]}
                    row.disagree = len(results) > 1
                    if row.disagree:
                        disagreements.append(crit)
                if row.errors:
                    errored.append(crit)
                unit_results.append(saved["result"] if saved else None)
                rows.append(row)
            unit_rows.append({"code": element["code"], "title": element["title"], "rows": rows})
        if None in unit_results:
            result = None
        else:
            result = "K" if all(r == "K" for r in unit_results) else "BK"
        units.append({"code": unit["code"], "title": unit["title"], "elements": unit_rows, "result": result})
    total = sum(len(e["criteria"]) for u in tree for e in u["elements"])
    return {
        "units": units,
        "side_by_side": side_by_side,
        "members": [{"name": g["assessor"]["name"], "lead": g["lead"], "scored": len(g["scores"])} for g in groups],
        "disagreements": disagreements,
        "scored": len(mine),
        "total": total,
        "methods": METHODS,
        "general_errors": errors.get("", []),
        "errored": errored,
    }
