"""API: the workflow definitions, exactly as the engine runs them."""

from certflow.api import bp
from certflow.api.errors import ApiError
from certflow.api.schemas.reference import WorkflowOut
from certflow.api.spec import answer, operation
from workflows import DEFINITIONS
from workflows.guards import N_


@bp.get("/workflows")
@operation(resp=list[WorkflowOut], tag="Workflows")
def list_workflows():
    """Every workflow definition."""
    return answer([WorkflowOut.model_validate(d.as_dict()) for d in DEFINITIONS.values()])


@bp.get("/workflows/<name>")
@operation(resp=WorkflowOut, errors=(404,), tag="Workflows")
def get_workflow(name: str):
    """One workflow definition: states, events (from, to, roles, guards), version."""
    definition = DEFINITIONS.get(name)
    if definition is None:
        raise ApiError(404, "not_found", N_("Not found."))
    return answer(WorkflowOut.model_validate(definition.as_dict()))
