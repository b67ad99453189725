"""Who may see what, and how an actor relates to a record: now ``certflow.people.policy``.

Kept so that older imports go on working; new code imports ``certflow.people.policy``.
"""

from certflow.people.policy import (  # noqa: F401
    CANDIDATE_ROLES_ON_DEMAND,
    application_actor,
    assessor_of,
    certificate_actor,
    dinas_scope,
    get_visible_application,
    in_dinas_scope,
    visible_applications,
)
