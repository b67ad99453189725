"""The command-line tools: load-regions, create-user, seed-demo, demo-accounts."""

from sqlalchemy import func, select

from certflow.applications.identity import identity_errors
from certflow.models import Agreement, Application, Certificate, Dinas, Province, Scheme, TransitionLog, User
from certflow.security import authenticate


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_load_regions_creates_8_provinces_and_140_dinas_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["load-regions"])
    assert result.exit_code == 0, result.output
    assert "8 provinces and 140 dinas added" in result.output
    assert _count(db, Province) == 8 and _count(db, Dinas) == 140
    names = set(db.session.scalars(select(Dinas.name)))
    assert {"Dinas Sosial Kota Batam", "Dinas Sosial Kabupaten Bintan", "Dinas Sosial Provinsi Aceh"} <= names
    again = runner.invoke(args=["load-regions"])
    assert "0 provinces and 0 dinas added" in again.output
    assert _count(db, Dinas) == 140


def test_create_user_with_roles_and_dinas_by_name_or_id(app, db):
    runner = app.test_cli_runner()
    runner.invoke(args=["load-regions"])
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Asesor@Example.id",
            "--name",
            "Dewi",
            "--password",
            "rahasia-123",
            "--role",
            "assessor",
            "--role",
            "dinas_admin",
            "--dinas",
            "Dinas Sosial Kota Batam",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "asesor@example.id"))
    assert user.roles == {"assessor", "dinas_admin"}
    assert user.dinas.name == "Dinas Sosial Kota Batam"
    assert user.password_hash.startswith("$argon2id$")
    assert authenticate("asesor@example.id", "rahasia-123") is not None

    bintan = db.session.scalar(select(Dinas).where(Dinas.name == "Dinas Sosial Kabupaten Bintan"))
    by_id = runner.invoke(
        args=[
            "create-user",
            "--email",
            "c@example.id",
            "--name",
            "C",
            "--password",
            "rahasia-123",
            "--role",
            "candidate",
            "--dinas",
            str(bintan.id),
        ]
    )
    assert by_id.exit_code == 0, by_id.output
    assert db.session.scalar(select(User).where(User.email == "c@example.id")).dinas_id == bintan.id


def test_create_user_refuses_bad_input_and_writes_nothing(app, db):
    runner = app.test_cli_runner()
    runner.invoke(args=["load-regions"])
    base = ["create-user", "--name", "X", "--password", "rahasia-123"]
    cases = [
        (["--email", "a@example.id", "--role", "wizard"], "roles must be"),
        (["--email", "not-an-email", "--role", "candidate"], "invalid e-mail"),
        (["--email", "b@example.id", "--role", "candidate", "--dinas", "Dinas Sosial Kota Atlantis"], "unknown dinas"),
    ]
    for extra, message in cases:
        result = runner.invoke(args=base + extra)
        assert result.exit_code != 0
        assert message in result.output
    ok = runner.invoke(args=base + ["--email", "d@example.id", "--role", "candidate"])
    assert ok.exit_code == 0
    dup = runner.invoke(args=base + ["--email", "D@example.id", "--role", "candidate"])
    assert dup.exit_code != 0 and "already registered" in dup.output
    short = runner.invoke(
        args=["create-user", "--email", "e@example.id", "--name", "E", "--password", "short", "--role", "candidate"]
    )
    assert short.exit_code != 0 and "at least 8" in short.output
    assert _count(db, User) == 1


def test_seed_demo_fills_every_role_and_several_states_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert _count(db, Scheme) >= 3
    roles = set()
    for user in db.session.scalars(select(User)):
        roles |= user.roles
    assert roles == {"candidate", "assessor", "dinas_admin", "certifier", "admin"}
    states = set(db.session.scalars(select(Application.state)))
    assert {"draft", "submitted", "eligible", "in_assessment", "assessed", "certified"} <= states
    assert _count(db, Certificate) == 1
    # the demo APL-01s carry a well-formed identity (a NIK agreeing with the date of birth and the sex)
    for form in db.session.scalars(select(Application.apl01)):
        assert form.get("nik") and identity_errors(form) == {}, form
    # every state was reached through the workflow: one log row per transition (and the agreement,
    # written and signed twice, moved the version three times more where there is one)
    for application in db.session.scalars(select(Application)):
        logs = db.session.scalar(
            select(func.count())
            .select_from(TransitionLog)
            .where(TransitionLog.application_id == application.id, TransitionLog.workflow == "application")
        )
        agreement = 3 * db.session.scalar(
            select(func.count()).select_from(Agreement).where(Agreement.application_id == application.id)
        )
        assert logs == application.version - 1 - agreement
    assert authenticate("kandidat@certflow.local", "demo12345") is not None

    before = _count(db, Application)
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "nothing seeded" in again.output
    assert _count(db, Application) == before

    listing = runner.invoke(args=["demo-accounts"])
    assert "sertifikator@certflow.local" in listing.output and "demo12345" in listing.output
