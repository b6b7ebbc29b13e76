"""Alembic environment: the models' metadata, the URL from settings, batch mode for SQLite.

On SQLite the migrations run with foreign keys off: a batch alter of a parent
table (app.migration_ops) drops and renames it, which they would refuse or
answer with ON DELETE CASCADE. `PRAGMA foreign_key_check` afterwards fails the
run if a row is left pointing nowhere.
"""

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table on the metadata
from app.config import get_settings
from app.db import make_engine
from app.locks import MIGRATION_LOCK, wait_for_lock

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata

# Objects written by hand in migrations (full-text tables, triggers, SQLite-only indexes) that
# autogenerate must neither create nor drop.
HAND_WRITTEN_PREFIXES = ("organisation_fts", "search_", "live_")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (name or "").startswith(HAND_WRITTEN_PREFIXES)


def database_url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        if connection.in_transaction():
            # The pragma would be ignored in the caller's transaction, and foreign keys
            # must stay off until the migrations are committed.
            raise RuntimeError("on SQLite, migrate on a connection outside a transaction")
        _set_sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            # Replicas starting together upgrade one after the other (see app.locks).
            wait_for_lock(connection, MIGRATION_LOCK)
            context.run_migrations()
            if sqlite:  # before the commit: a migration that breaks a reference is undone
                _check_sqlite_foreign_keys(connection)
    finally:
        if sqlite:
            _set_sqlite_foreign_keys(connection, on=True)


def _set_sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    # SQLite ignores this pragma inside a transaction. The statements begin only
    # SQLAlchemy's (the driver begins SQLite's before a write), ended here so that
    # Alembic begins its own.
    connection.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    applied = connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == int(on)
    connection.commit()
    if not applied:
        raise RuntimeError(f"SQLite did not turn foreign keys {'on' if on else 'off'}")


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if violations:
        shown = ", ".join(
            f"{table} rowid {rowid} -> {parent}" for table, rowid, parent, _ in violations[:10]
        )
        raise RuntimeError(
            f"the migrations left {len(violations)} rows whose foreign key finds no row: {shown}"
        )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
