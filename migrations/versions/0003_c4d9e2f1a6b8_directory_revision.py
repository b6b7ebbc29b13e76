"""directory revision, raised by triggers on every write

One row, `directory_revision`, whose `value` every insert, update or delete on
a directory table raises in the same transaction (app/revision.py explains
why). SQLite: a row trigger per table and event. PostgreSQL: one trigger
function and a statement trigger per table (TRUNCATE included).

Every trigger's name starts with `revision_`. Beware, as with the search
triggers: on SQLite, a batch migration that recreates one of these tables
drops its triggers; later migrations alter tables with
`app.migration_ops.batch_alter_table`, which keeps them.
tests/test_revision.py fails if a table is left without them.

Revision ID: c4d9e2f1a6b8
Revises: 2f0c1a7d9e3b
Create Date: 2026-11-25 12:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "c4d9e2f1a6b8"
down_revision: str | None = "2f0c1a7d9e3b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The directory's tables when this migration was written (app.revision.DIRECTORY_TABLES).
TABLES = (
    "source_document",
    "region",
    "organisation",
    "organisation_topic",
    "organisation_region",
    "organisation_relation",
    "contact",
)
EVENTS = ("insert", "update", "delete")

# SQLAlchemy's SQLite DATETIME format: microseconds with six digits (%f gives three).
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"


def _sqlite_triggers(table: str) -> list[str]:
    bump = f"UPDATE directory_revision SET value = value + 1, changed_at = {_SQLITE_NOW};"
    return [
        f"CREATE TRIGGER revision_{table}_{event} AFTER {event.upper()} ON {table} BEGIN {bump} END"
        for event in EVENTS
    ]


_POSTGRES_FUNCTION = """
CREATE FUNCTION revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_revision SET value = value + 1, changed_at = now();
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "directory_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_directory_revision_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_revision")),
    )
    revision_table = sa.table(
        "directory_revision",
        sa.column("id", sa.Integer()),
        sa.column("value", sa.BigInteger()),
        sa.column("changed_at", app.db.UTCDateTime(timezone=True)),
    )
    op.bulk_insert(revision_table, [{"id": 1, "value": 0, "changed_at": datetime.now(UTC)}])

    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for table in TABLES:
            for statement in _sqlite_triggers(table):
                op.execute(statement)
    elif dialect == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER revision_{table} "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION revision_bump()"
            )
    else:
        raise NotImplementedError(f"no revision triggers for {dialect}; use SQLite or PostgreSQL")


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for table in TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS revision_{table}_{event}")
    elif dialect == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS revision_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS revision_bump()")
    op.drop_table("directory_revision")
