"""editing: soft deletion, freshness, the change log, API keys, one revision per transaction

- `organisation`, `region`, `contact` and `organisation_relation` get `deleted_at`,
  `valid_as_of` and `last_verified_at` (app.db.Editable). Seeded records are valid
  as of their source document's date.
- `change`: one row per version of every record, the feed's positions. The records
  already in the database are entered as created, so a mirror can start from zero.
- `api_key`: who may write; secrets are stored as salted hashes only.
- `directory_revision.writing`: the write path (app.writes) raises the revision once
  when its transaction begins and sets this flag, and the triggers skip their own
  rise while it is set. The triggers become row triggers on PostgreSQL too, so a
  statement that changes no row raises nothing; writes from outside the write path
  (an operator's SQL) still raise it. `change` gets the triggers as well.
- SQLite's search triggers leave deleted records out of the full-text index.
  (PostgreSQL's generated `search_vector` stays; its queries skip deleted rows.)

Only columns, tables and triggers are added or replaced: no table is recreated.

Revision ID: d81f3a6c2b47
Revises: 5b7e3c9d1f20
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "d81f3a6c2b47"
down_revision: str | None = "5b7e3c9d1f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EDITABLE = ("organisation", "region", "contact", "organisation_relation")
# The directory's tables after this migration (app.revision.DIRECTORY_TABLES).
TABLES = (
    "source_document",
    "region",
    "organisation",
    "organisation_topic",
    "organisation_region",
    "organisation_relation",
    "contact",
    "change",
)
OLD_TABLES = TABLES[:-1]
EVENTS = ("insert", "update", "delete")
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"

# What each record was entered under in the feed: (resource, table, key expression).
BACKFILL = (
    ("region", "region", "slug"),
    ("organisation", "organisation", "slug"),
    ("contact", "contact", "CAST(id AS VARCHAR(20))"),
    ("relation", "organisation_relation", "CAST(id AS VARCHAR(20))"),
)

# The search index's sources, as migration 2f0c1a7d9e3b defines them.
SEARCH_SOURCES: dict[str, tuple[int, str, str, str]] = {
    "organisation": (
        1,
        "{row}.name_key || ' ' || coalesce({row}.short_name, '')",
        "{row}.search_text",
        "name_key, short_name, search_text",
    ),
    "region": (2, "{row}.name_key", "''", "name_key"),
    "contact": (3, "''", "{row}.value_key", "value_key"),
}


def _editable_columns(table: str) -> None:
    op.add_column(table, sa.Column("deleted_at", app.db.UTCDateTime(timezone=True)))
    op.add_column(table, sa.Column("valid_as_of", sa.Date()))
    op.add_column(table, sa.Column("last_verified_at", app.db.UTCDateTime(timezone=True)))
    op.create_index(op.f(f"ix_{table}_last_verified_at"), table, ["last_verified_at"])
    if op.get_context().dialect.name == "sqlite":
        # Lists count their live records. SQLite counts a bare table without reading it,
        # but rows matching a condition only by reading each, unless an index holds the
        # column. PostgreSQL reads the rows to count them anyway, and its planner would
        # take this index, matching nearly every row, over a search's GIN index.
        op.create_index(f"live_{table}", table, ["deleted_at"])


def _sqlite_revision_triggers(tables: Sequence[str], guarded: bool) -> None:
    guard = " WHERE NOT writing" if guarded else ""
    bump = f"UPDATE directory_revision SET value = value + 1, changed_at = {_SQLITE_NOW}{guard};"
    for table in tables:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS revision_{table}_{event}")
            op.execute(
                f"CREATE TRIGGER revision_{table}_{event} AFTER {event.upper()} ON {table} "
                f"BEGIN {bump} END"
            )


_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_revision SET value = value + 1, changed_at = now() WHERE NOT writing;
    RETURN NULL;
END
$$
"""

_POSTGRES_OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_revision SET value = value + 1, changed_at = now();
    RETURN NULL;
END
$$
"""


def _sqlite_search_triggers(skip_deleted: bool) -> None:
    for table, (kind, name, body, columns) in SEARCH_SOURCES.items():
        new = f"NEW.id * 4 + {kind}, {name.format(row='NEW')}, {body.format(row='NEW')}"
        old = f"OLD.id * 4 + {kind}, {name.format(row='OLD')}, {body.format(row='OLD')}"
        new_live = " WHERE NEW.deleted_at IS NULL" if skip_deleted else ""
        old_live = " WHERE OLD.deleted_at IS NULL" if skip_deleted else ""
        insert = f"INSERT INTO search_fts (rowid, name, body) SELECT {new}{new_live};"
        # A contentless table forgets a row only when told exactly what it indexed.
        delete = (
            f"INSERT INTO search_fts (search_fts, rowid, name, body) "
            f"SELECT 'delete', {old}{old_live};"
        )
        watched = f"id, {columns}, deleted_at" if skip_deleted else f"id, {columns}"
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{event}")
        op.execute(
            f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN {insert} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN {delete} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF {watched} ON {table} "
            f"BEGIN {delete} {insert} END"
        )


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    for table in EDITABLE:
        _editable_columns(table)
    op.execute(
        "UPDATE organisation SET valid_as_of = (SELECT published_on FROM source_document "
        "WHERE source_document.id = organisation.source_id)"
    )
    for table in ("contact", "organisation_relation"):
        op.execute(
            f"UPDATE {table} SET valid_as_of = (SELECT published_on FROM source_document "
            f"WHERE source_document.id = {table}.source_id)"
        )
    op.execute("UPDATE region SET valid_as_of = (SELECT MIN(published_on) FROM source_document)")
    op.add_column(
        "directory_revision",
        sa.Column("writing", sa.Boolean(), nullable=False, server_default=sa.false()),
    )

    op.create_table(
        "change",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("resource", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("source_note", sa.String(length=1000), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
    )
    op.create_index("ix_change_resource_record_id_id", "change", ["resource", "record_id", "id"])
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("lookup", sa.String(length=32), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=128), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("lookup", name=op.f("uq_api_key_lookup")),
        sa.UniqueConstraint("name", name=op.f("uq_api_key_name")),
    )

    for resource, table, key in BACKFILL:
        op.execute(
            "INSERT INTO change (revision, resource, record_id, key, action, version, "
            "changed_at, actor, changes) "
            f"SELECT (SELECT value FROM directory_revision), '{resource}', id, {key}, "
            f"'created', version, created_at, 'migration', '{{}}' FROM {table} ORDER BY {table}.id"
        )

    if dialect == "sqlite":
        _sqlite_revision_triggers(TABLES, guarded=True)
        _sqlite_search_triggers(skip_deleted=True)
    elif dialect == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS revision_{table} ON {table}")
            op.execute(
                f"CREATE TRIGGER revision_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION revision_bump()"
            )
            op.execute(
                f"CREATE TRIGGER revision_{table}_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION revision_bump()"
            )
    else:
        raise NotImplementedError(f"no triggers for {dialect}; use SQLite or PostgreSQL")


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS revision_change_{event}")
        _sqlite_search_triggers(skip_deleted=False)
        # Deleted records come back into the index with the old triggers' view of them.
        op.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
        for table, (kind, name, body, _) in SEARCH_SOURCES.items():
            op.execute(
                f"INSERT INTO search_fts (rowid, name, body) SELECT id * 4 + {kind}, "
                f"{name.format(row=table)}, {body.format(row=table)} FROM {table}"
            )
    elif dialect == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS revision_{table}_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS revision_{table} ON {table}")
        op.execute(_POSTGRES_OLD_FUNCTION)
        for table in OLD_TABLES:
            op.execute(
                f"CREATE TRIGGER revision_{table} "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION revision_bump()"
            )
    op.drop_table("api_key")
    op.drop_index("ix_change_resource_record_id_id", table_name="change")
    op.drop_table("change")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch copy: recreating a table
    # would drop its triggers.
    if dialect == "sqlite":
        _sqlite_revision_triggers(OLD_TABLES, guarded=False)
    op.execute("ALTER TABLE directory_revision DROP COLUMN writing")
    for table in EDITABLE:
        op.drop_index(op.f(f"ix_{table}_last_verified_at"), table_name=table)
        op.execute(f"DROP INDEX IF EXISTS live_{table}")
        for column in ("last_verified_at", "valid_as_of", "deleted_at"):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
