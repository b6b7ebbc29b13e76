"""full-text search index

SQLite: a contentless FTS5 table `search_fts` over the folded search fields of
organisations, regions and contacts, filled from the existing rows and kept in
sync by triggers. PostgreSQL: a generated `search_vector` column (`to_tsvector`
of the same fields) on each table, with a GIN index. app/search/index.py
explains the design and queries both.

Every object's name starts with `search_`, which migrations/env.py keeps out of
autogenerate. Beware: on SQLite, a batch migration that recreates
`organisation`, `region` or `contact` drops their triggers; later migrations
alter tables with `app.migration_ops.batch_alter_table`, which keeps them.

Revision ID: 2f0c1a7d9e3b
Revises: 807ad2122d41
Create Date: 2026-11-25 11:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2f0c1a7d9e3b"
down_revision: str | None = "807ad2122d41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# --- SQLite --------------------------------------------------------------------------------

# rowid = id * 4 + kind, so one table (and one bm25 scale) holds all three kinds.
# table: (kind, `name` column expression, `body` column expression, columns they read)
# An organisation's short name (`RAA Sachsen`) counts as a name for ranking; it
# is matched folded as part of the search text either way.
SQLITE_SOURCES: dict[str, tuple[int, str, str, str]] = {
    "organisation": (
        1,
        "{row}.name_key || ' ' || coalesce({row}.short_name, '')",
        "{row}.search_text",
        "name_key, short_name, search_text",
    ),
    "region": (2, "{row}.name_key", "''", "name_key"),
    "contact": (3, "''", "{row}.value_key", "value_key"),
}


def _sqlite_upgrade() -> None:
    # Contentless: the source tables hold the text; the index holds only what
    # matching and bm25 need. No stemmer: FTS5 has none for German (see
    # app/search/index.py); the text is folded already, remove_diacritics only
    # guards text written without folding. Prefix indexes speed up short prefixes.
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "name, body, content='', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    for table, (kind, name, body, columns) in SQLITE_SOURCES.items():
        new = (f"NEW.id * 4 + {kind}", name.format(row="NEW"), body.format(row="NEW"))
        old = (f"OLD.id * 4 + {kind}", name.format(row="OLD"), body.format(row="OLD"))
        insert = "INSERT INTO search_fts (rowid, name, body) VALUES ({}, {}, {});".format(*new)
        # A contentless table forgets a row only when told exactly what it indexed.
        delete = (
            "INSERT INTO search_fts (search_fts, rowid, name, body) "
            "VALUES ('delete', {}, {}, {});".format(*old)
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN {insert} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN {delete} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF id, {columns} ON {table} "
            f"BEGIN {delete} {insert} END"
        )
        op.execute(
            f"INSERT INTO search_fts (rowid, name, body) "
            f"SELECT id * 4 + {kind}, {name.format(row=table)}, {body.format(row=table)} "
            f"FROM {table}"
        )


def _sqlite_downgrade() -> None:
    for table in SQLITE_SOURCES:
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{event}")
    op.execute("DROP TABLE IF EXISTS search_fts")


# --- PostgreSQL ----------------------------------------------------------------------------


def _vector(config: str, column: str, weight: str) -> str:
    words = f"regexp_replace({column}, '[^[:alnum:]]+', ' ', 'g')"
    return f"setweight(to_tsvector('{config}'::regconfig, {words}), '{weight}')"


# `simple` lexemes are the folded words (whole-word and prefix matches); `german`
# adds Snowball stems of the same folded words (inflected forms). The vector is a
# stored generated column, not only an index expression: ranking reads it for
# every match, and recomputing it per row made a common word take seconds on
# 100 000 organisations.
POSTGRES_VECTORS: dict[str, str] = {
    "organisation": " || ".join(
        (
            _vector("simple", "name_key || ' ' || coalesce(short_name, '')", "A"),
            _vector("simple", "search_text", "B"),
            _vector("german", "search_text", "B"),
        )
    ),
    "region": " || ".join((_vector("simple", "name_key", "A"), _vector("german", "name_key", "A"))),
    "contact": " || ".join(
        (_vector("simple", "value_key", "B"), _vector("german", "value_key", "B"))
    ),
}


def _postgres_upgrade() -> None:
    for table, expression in POSTGRES_VECTORS.items():
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        op.execute(f"CREATE INDEX search_{table}_vector ON {table} USING gin (search_vector)")


def _postgres_downgrade() -> None:
    for table in POSTGRES_VECTORS:
        op.execute(f"DROP INDEX IF EXISTS search_{table}_vector")
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgres_upgrade()
    else:
        raise NotImplementedError(f"no full-text search for {dialect}; use SQLite or PostgreSQL")


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        _sqlite_downgrade()
    elif dialect == "postgresql":
        _postgres_downgrade()
    else:
        raise NotImplementedError(f"no full-text search for {dialect}; use SQLite or PostgreSQL")
