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

    @app.cli.group("storage")
    def storage_group():
        """The file storage (STORAGE_URL): where it is, and moving its files elsewhere."""

    @storage_group.command("where")
    def storage_where_command():
        """Print where the files are stored and whether the storage answers."""
        from certflow.storage import for_app

        store = for_app(app)
        problem = for_app(app, probe=True).problem()
        click.echo(f"{store.describe()}: {problem or 'reachable'}")
        if problem:
            raise SystemExit(1)

    def _copy(to_url, to_options, move):
        import json

        from certflow.storage import Storage, StorageError, copy_between, for_app

        source = for_app(app)
        try:
            target = Storage(to_url, json.loads(to_options) if to_options else {})
        except (ValueError, ImportError) as exc:
            raise click.ClickException(f"cannot use {to_url}: {exc}") from exc
        if problem := target.problem():
            raise click.ClickException(f"{target.describe()} is not usable: {problem}")
        try:
            result = copy_between(source, target, move=move)
        except StorageError as exc:
            raise click.ClickException(str(exc)) from exc
        verb = "moved" if move else "copied"
        click.echo(
            f"{len(result['copied'])} {verb}, {len(result['same'])} already there (same checksum), "
            f"{len(result['differ'])} differ (left as they are) — from {source.describe()} to {target.describe()}"
        )
        for name in result["differ"]:
            click.echo(f"  differs: {name}", err=True)
        if result["differ"]:
            raise SystemExit(1)
        if move:
            click.echo("set STORAGE_URL to the new storage before the next start")

    @storage_group.command("copy")
    @click.option("--to", "to_url", required=True, help="the storage to copy into, e.g. s3://bucket/prefix")
    @click.option("--to-options", default=None, help='its options as JSON, e.g. \'{"endpoint_url": "..."}\'')
    def storage_copy_command(to_url, to_options):
        """Copy every stored file into another storage, each checked by size and SHA-256; safe to run again."""
        _copy(to_url, to_options, move=False)

    @storage_group.command("move")
    @click.option("--to", "to_url", required=True, help="the storage to move into, e.g. s3://bucket/prefix")
    @click.option("--to-options", default=None, help="its options as JSON")
    def storage_move_command(to_url, to_options):
        """Move every stored file into another storage: each is checked there before it is deleted here."""
        _copy(to_url, to_options, move=True)


def _backup_target(app: Flask):
    from certflow.backups.service import Target
    from certflow.storage import storage_options, storage_url

    return Target(app.config["SQLALCHEMY_DATABASE_URI"], storage_url(app), storage_options(app))
