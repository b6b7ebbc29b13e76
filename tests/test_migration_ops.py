"""A batch migration through app.migration_ops keeps the hand-written triggers and the child rows.

A throw-away migration after the current head alters `organisation`, the parent of
most tables, and makes SQLite recreate it, on a seeded database; it runs through
the project's own migrations/env.py, as an operator's `alembic upgrade` would.
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError

from app.db import make_engine
from tests.databases import ROOT, alembic_config

PROBE_REVISION = "0badc0ffee01"
PROBE_MIGRATION = '''"""test only: {title}

Revision ID: {revision}
Revises: {down_revision}
"""

import sqlalchemy as sa
from alembic import op

from app.migration_ops import batch_alter_table

revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{body}
'''

ADD_COLUMN = """\
    # SQLite copies the table for most changes; "always" forces that for this one.
    # PostgreSQL alters in place, as it would for any change.
    recreate = "always" if op.get_context().dialect.name == "sqlite" else "auto"
    with batch_alter_table("organisation", recreate=recreate) as batch_op:
        batch_op.add_column(sa.Column("probe", sa.String(20), nullable=True))"""

REVISION = text("SELECT value FROM directory_revision")
CHILDREN = ("organisation_topic", "organisation_region", "organisation_relation", "contact")


def triggers(connection: Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = (
            "SELECT CAST(tgrelid AS regclass) || '.' || tgname FROM pg_trigger "
            "WHERE NOT tgisinternal"
        )
    return set(connection.execute(text(query)).scalars())


def snapshot(connection: Connection) -> dict[str, Any]:
    """What the migration must leave as it was: triggers, child rows and their foreign keys."""
    inspector = inspect(connection)
    return {
        "triggers": triggers(connection),
        "rows": {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("organisation", *CHILDREN)
        },
        "foreign keys": {
            (table, key["referred_table"], *key["constrained_columns"])
            for table in CHILDREN
            for key in inspector.get_foreign_keys(table)
        },
    }


def sqlite_root_page(connection: Connection) -> int | None:
    """Where SQLite stores `organisation`; a recreated table lives elsewhere."""
    if connection.dialect.name != "sqlite":
        return None
    return connection.execute(
        text("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'organisation'")
    ).scalar()


def upgrade_with_probe(url: str, directory: Path, title: str, body: str) -> None:
    """Upgrade `url` to a migration after the head whose `upgrade()` runs `body`."""
    config = alembic_config(url)
    head = ScriptDirectory.from_config(config).get_current_head()
    migration = PROBE_MIGRATION.format(
        title=title, revision=PROBE_REVISION, down_revision=head, body=body
    )
    (directory / f"{PROBE_REVISION}_probe.py").write_text(migration, encoding="utf-8")
    locations = (ROOT / "migrations" / "versions", directory)
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    command.upgrade(config, PROBE_REVISION)


def test_a_batch_alter_of_organisation_keeps_triggers_search_and_children(
    seeded_database: str, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    engine = make_engine(seeded_database)
    try:
        with engine.connect() as connection:
            before = snapshot(connection)
            root_page = sqlite_root_page(connection)
        if engine.dialect.name == "sqlite":
            expected = {
                f"organisation.{kind}_organisation_{event}"
                for kind in ("search", "revision")
                for event in ("insert", "update", "delete")
            }
        else:
            expected = {"organisation.revision_organisation"}
        assert expected <= before["triggers"]
        assert all(before["rows"].values()), f"the seed is expected to fill {before['rows']}"

        upgrade_with_probe(seeded_database, tmp_path, "add a column to organisation", ADD_COLUMN)

        with engine.begin() as connection:
            assert "probe" in {c["name"] for c in inspect(connection).get_columns("organisation")}
            if root_page is not None:
                assert sqlite_root_page(connection) != root_page, "SQLite kept the table"
            assert snapshot(connection) == before
            revision = connection.execute(REVISION).scalar_one()
            # A word of the folded search text (lowercase), written after the migration.
            connection.execute(
                text(
                    "UPDATE organisation SET search_text = search_text || ' wegweiserprobe' "
                    "WHERE slug = 'bon-courage'"
                )
            )
        with engine.connect() as connection:
            raised = connection.execute(REVISION).scalar_one()
        assert raised > revision
    finally:
        engine.dispose()

    client = client_for(seeded_database)
    for path in ("/search", "/organisations"):
        for q in ("bon", "wegweiserprobe"):
            response = client.get(path, params={"q": q, "limit": 200})
            assert response.status_code == 200, response.text
            assert "bon-courage" in [item["slug"] for item in response.json()["items"]], (path, q)


DANGLING_CONTACT = """\
    op.execute(
        "UPDATE contact SET organisation_id = 2000000000 WHERE id = (SELECT MIN(id) FROM contact)"
    )"""


def test_a_migration_that_leaves_a_row_without_its_parent_fails(
    seeded_database: str, tmp_path: Path
) -> None:
    """SQLite migrates with foreign keys off and checks them after; PostgreSQL refuses at once."""
    with pytest.raises((RuntimeError, IntegrityError), match="foreign key"):
        upgrade_with_probe(seeded_database, tmp_path, "break a foreign key", DANGLING_CONTACT)
