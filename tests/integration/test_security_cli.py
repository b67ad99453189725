"""The command line refuses a common password, or one made of the person's e-mail or name."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from certflow.models import User


@pytest.mark.parametrize("password", ["password123", "12345678", "dewi@example.id", "dewisartika"])
def test_create_user_refuses_a_weak_password(app, db, password):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "--email", "dewi@example.id", "--name", "Dewi Sartika", "--password", password]
        + ["--role", "candidate"]
    )
    assert result.exit_code != 0
    assert "password" in result.output.lower()
    db.session.rollback()
    assert db.session.scalar(select(func.count(User.id))) == 0
