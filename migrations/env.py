"""Alembic environment: the models' metadata, the URL from settings, batch mode for SQLite."""

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table on the metadata
from app.config import get_settings
from app.db import make_engine
from app.locks import MIGRATION_LOCK, wait_for_lock

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata

# Objects written by hand in migrations (full-text tables, triggers) that
# autogenerate must neither create nor drop.
HAND_WRITTEN_PREFIXES = ("organisation_fts", "search_")


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


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        # Replicas starting together upgrade one after the other (see app.locks).
        wait_for_lock(connection, MIGRATION_LOCK)
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
