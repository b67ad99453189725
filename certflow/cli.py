"""Command-line tools: ``flask --app certflow load-regions | seed-demo | create-user``."""

from __future__ import annotations

import click
from flask import Flask

from certflow.extensions import db


def register_cli(app: Flask) -> None:
    """Add certflow's commands to ``flask``."""

    @app.cli.command("load-regions")
    @click.option("--csv", "path", default=None, help="CSV with province_code,province,kind,name")
    def load_regions_command(path):
        """Load provinces and kab/kota, each with its Dinas Sosial."""
        from certflow.people.regions import DEFAULT_CSV, load_regions

        provinces, dinas = load_regions(path or DEFAULT_CSV)
        db.session.commit()
        click.echo(f"{provinces} provinces and {dinas} dinas added.")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--password", required=True)
    @click.option("--role", "roles", multiple=True, required=True, help="repeat for several roles")
    @click.option("--dinas", default=None, help='a dinas id or exact name, e.g. "Dinas Sosial Kota Batam"')
    def create_user_command(email, name, password, roles, dinas):
        """Create a user with one or more roles."""
        from certflow.people.passwords import password_problem
        from certflow.people.users import UserError, create_user

        if len(password) >= 8 and (problem := password_problem(password, email, name)):
            raise click.ClickException(str(problem))
        try:
            user = create_user(email, name, password, roles, dinas)
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(f"user {user.id} <{user.email}> created with roles {', '.join(sorted(user.roles))}")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="do nothing if any user exists")
    def seed_demo_command(if_empty):
        """Load the region, demo schemes, one account per role and applications in several states."""
        from certflow.seed import seed_demo

        result = seed_demo(if_empty=if_empty)
        db.session.commit()
        click.echo(result)

    @app.cli.command("demo-accounts")
    def demo_accounts_command():
        """Print the demo accounts that seed-demo creates."""
        from certflow.seed import DEMO_ACCOUNTS, DEMO_PASSWORD

        for email, _name, roles, dinas in DEMO_ACCOUNTS:
            click.echo(f"  {', '.join(roles):<24} {email:<34} {dinas or ''}")
        click.echo(f"  password for every account: {DEMO_PASSWORD}")

    @app.cli.command("backup")
    @click.argument("folder", type=click.Path(file_okay=False))
    def backup_command(folder):
        """Back up the database and the stored files into FOLDER (new or empty), with a manifest."""
        from certflow.backups.service import BackupError, backup

        try:
            manifest = backup(_backup_target(app), folder)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(
            f"backup of the {manifest['database']['kind']} database (revision "
            f"{manifest['database']['alembic_revision']}) and {len(manifest['files'])} files written to {folder}"
        )

    @app.cli.command("restore")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False))
    @click.option("--force", is_flag=True, help="replace a database or file storage that already holds data")
    def restore_command(folder, force):
        """Restore a backup made by ``flask backup``: checksums first, then the database and the files."""
        from certflow.backups.service import BackupError, restore

        db.session.remove()
        db.engine.dispose()  # no connection of ours stays open on the database being replaced
        try:
            manifest = restore(_backup_target(app), folder, force=force)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(
            f"restored the database (revision {manifest['database']['alembic_revision']}) and "
            f"{len(manifest['files'])} files from {folder}; run `flask db upgrade` if this certflow is newer"
        )


def _backup_target(app: Flask):
    from certflow.backups.service import Target

    return Target(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_DIR"])
