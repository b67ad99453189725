"""API: the workflow definitions, exactly as the engine runs them."""

from flask import jsonify

from certflow.api import bp
from certflow.api.errors import ApiError
from workflows import DEFINITIONS


@bp.get("/workflows")
def list_workflows():
    """Every workflow definition."""
    return jsonify([d.as_dict() for d in DEFINITIONS.values()])


@bp.get("/workflows/<name>")
def get_workflow(name: str):
    """One workflow definition: states, events (from, to, roles, guards), version."""
    definition = DEFINITIONS.get(name)
    if definition is None:
        raise ApiError(404, "not_found", "Not found.")
    return jsonify(definition.as_dict())
