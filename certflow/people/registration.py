"""A candidate's self-registration, answered the same whether or not the e-mail is taken.

The new account has no password yet: an e-mail to the address carries the set-password link, so
the person confirms that the address is theirs by choosing their password. When the address is
already registered, nothing is created and its owner is told by e-mail instead (with the link to
set a password, in case they forgot it). Either way the answer, and the work done, are alike.
"""

from __future__ import annotations

from certflow.models import Dinas
from certflow.people.passwords import queue_account_email
from certflow.people.users import UserError, create_user
from certflow.security import find_user_by_email


def register_candidate(email: str, name: str, dinas: Dinas, **profile) -> None:
    """Create a candidate without a password and e-mail the link to set it; or tell a taken address's owner."""
    owner = find_user_by_email(email)
    if owner is None:
        try:
            owner = create_user(email, name, None, ["candidate"], dinas, **profile)
        except UserError as exc:
            if not str(exc).startswith("e-mail already registered"):
                raise
            owner = find_user_by_email(email)  # registered by another request a moment ago
        else:
            queue_account_email(owner, "account_confirm")
            return
    if owner is not None and owner.active:
        queue_account_email(owner, "account_confirm" if owner.password_hash is None else "register_taken")
