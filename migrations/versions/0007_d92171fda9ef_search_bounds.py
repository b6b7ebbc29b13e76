"""search bounds: what a record can score at most, so a broad search ranks only a few

A word in half the directory matched every record, and each one was scored
before the best could be served. The best are nearly always records whose name
holds a query word; app/search/index.py ranks those first and then proves,
from the numbers kept here, that no other record can score as high. Only the
few records the proof cannot rule out are scored as well. Scores stay those of
migration 2f0c1a7d9e3b; nothing about the ranking changes.

What a record can score without a name hit depends on how often one word (or
words sharing their first four letters, for prefixes) occurs in it, against
its length; both are kept per index entry:

- SQLite: `search_bound` holds, per row of `search_fts` (`entry` is its rowid),
  `length`, the tokens bm25 counts (both columns), and `peak`, the most tokens
  of the `body` column that share their first four characters. The search
  triggers fill it: the row's text goes through `search_scratch`, an FTS5
  table with the same tokenizer that holds one row at a time, whose terms
  (`search_scratch_terms`) give the counts. Deleted records have no row, as
  they have none in `search_fts`.
- PostgreSQL: `search_peak_ratio(search_vector)`, the most positions of the
  vector sharing their first four characters divided by what ts_rank_cd divides
  by (the logarithm of the vector's length), as a B-tree expression index on
  `organisation` and `contact`; and on `organisation`, `search_names`, a stored,
  generated column with the name part of `search_vector` alone (the only part
  with weight A), with a GIN index, to find the name hits without reading every
  match. Regions are only names: every match is a name hit.

Only tables, columns, indexes, functions and triggers are added or replaced: no
table is recreated.

Revision ID: d92171fda9ef
Revises: d81f3a6c2b47
Create Date: 2026-12-08 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d92171fda9ef"
down_revision: str | None = "d81f3a6c2b47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# --- SQLite --------------------------------------------------------------------------------

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

# How many leading characters the tokens of a `peak` share (app.search.index.PEAK_PREFIX).
PEAK_PREFIX = 4


def _sqlite_bound(entry: str, name: str, body: str, live: str) -> str:
    """Statements entering the bound of one index entry, when `live` holds."""
    return (
        f"INSERT INTO search_scratch (rowid, name, body) SELECT 1, {name}, {body}{live}; "
        f"INSERT INTO search_bound (entry, length, peak) SELECT {entry}, "
        "(SELECT coalesce(sum(cnt), 0) FROM search_scratch_terms), "
        "(SELECT coalesce(max(n), 0) FROM (SELECT sum(cnt) AS n FROM search_scratch_terms "
        f"WHERE col = 'body' GROUP BY substr(term, 1, {PEAK_PREFIX}))){live}; "
        "INSERT INTO search_scratch (search_scratch) VALUES ('delete-all');"
    )


def _sqlite_search_triggers(bounds: bool) -> None:
    """The search triggers of migration d81f3a6c2b47, keeping `search_bound` too if `bounds`."""
    for table, (kind, name, body, columns) in SEARCH_SOURCES.items():
        new_name, new_body = name.format(row="NEW"), body.format(row="NEW")
        old_name, old_body = name.format(row="OLD"), body.format(row="OLD")
        new_entry, old_entry = f"NEW.id * 4 + {kind}", f"OLD.id * 4 + {kind}"
        new = f"{new_entry}, {new_name}, {new_body}"
        old = f"{old_entry}, {old_name}, {old_body}"
        insert = (
            f"INSERT INTO search_fts (rowid, name, body) SELECT {new} WHERE NEW.deleted_at IS NULL;"
        )
        # A contentless table forgets a row only when told exactly what it indexed.
        delete = (
            f"INSERT INTO search_fts (search_fts, rowid, name, body) "
            f"SELECT 'delete', {old} WHERE OLD.deleted_at IS NULL;"
        )
        if bounds:
            insert += " " + _sqlite_bound(
                new_entry, new_name, new_body, " WHERE NEW.deleted_at IS NULL"
            )
            delete += f" DELETE FROM search_bound WHERE entry = {old_entry};"
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{event}")
        op.execute(
            f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN {insert} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN {delete} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF id, {columns}, deleted_at "
            f"ON {table} BEGIN {delete} {insert} END"
        )


def _sqlite_upgrade() -> None:
    # The same tokenizer as search_fts, so its terms are the index's; no prefix indexes.
    op.execute(
        "CREATE VIRTUAL TABLE search_scratch USING fts5("
        "name, body, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute("CREATE VIRTUAL TABLE search_scratch_terms USING fts5vocab(search_scratch, col)")
    op.execute(
        "CREATE TABLE search_bound (entry INTEGER PRIMARY KEY, "
        "length INTEGER NOT NULL, peak INTEGER NOT NULL)"
    )
    # The existing entries, one at a time through the scratch table, as the triggers will.
    op.execute("CREATE TEMP TABLE search_backfill (entry INTEGER PRIMARY KEY, name, body)")
    op.execute(
        "CREATE TEMP TRIGGER search_backfill_insert AFTER INSERT ON search_backfill BEGIN "
        + _sqlite_bound("NEW.entry", "NEW.name", "NEW.body", "")
        + " END"
    )
    for table, (kind, name, body, _) in SEARCH_SOURCES.items():
        op.execute(
            f"INSERT INTO search_backfill (entry, name, body) "
            f"SELECT id * 4 + {kind}, {name.format(row=table)}, {body.format(row=table)} "
            f"FROM {table} WHERE deleted_at IS NULL"
        )
    op.execute("DROP TABLE search_backfill")
    op.execute("CREATE INDEX search_bound_peak ON search_bound (peak, length)")
    _sqlite_search_triggers(bounds=True)


def _sqlite_downgrade() -> None:
    _sqlite_search_triggers(bounds=False)
    op.execute("DROP TABLE IF EXISTS search_bound")
    op.execute("DROP TABLE IF EXISTS search_scratch_terms")
    op.execute("DROP TABLE IF EXISTS search_scratch")


# --- PostgreSQL ----------------------------------------------------------------------------


def _vector(config: str, column: str, weight: str) -> str:
    words = f"regexp_replace({column}, '[^[:alnum:]]+', ' ', 'g')"
    return f"setweight(to_tsvector('{config}'::regconfig, {words}), '{weight}')"


# The name part of an organisation's `search_vector` (migration 2f0c1a7d9e3b).
ORGANISATION_NAMES = _vector("simple", "name_key || ' ' || coalesce(short_name, '')", "A")
BOUNDED_TABLES = ("organisation", "contact")

# The most positions sharing their first characters over the logarithm of the length, as
# ts_rank_cd counts it: every lexeme counts its positions, or 1 if it has none. PL/pgSQL
# keeps the query's plan for the session; an SQL function would plan it for every row an
# index entry is made for.
_POSTGRES_FUNCTION = f"""
CREATE FUNCTION search_peak_ratio(vector tsvector) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    peak bigint;
    total bigint;
BEGIN
    SELECT max(n), sum(n) INTO peak, total FROM (
        SELECT sum(greatest(coalesce(cardinality(positions), 0), 1)) AS n
        FROM unnest(vector)
        GROUP BY left(lexeme, {PEAK_PREFIX})
    ) AS groups;
    IF coalesce(total, 0) = 0 THEN
        RETURN 0;
    END IF;
    RETURN peak::float8 / ln(total::float8 + 1);
END
$$
"""


def _postgres_upgrade() -> None:
    op.execute(
        "ALTER TABLE organisation ADD COLUMN search_names tsvector "
        f"GENERATED ALWAYS AS ({ORGANISATION_NAMES}) STORED"
    )
    op.execute("CREATE INDEX search_organisation_names ON organisation USING gin (search_names)")
    op.execute(_POSTGRES_FUNCTION)
    for table in BOUNDED_TABLES:
        # Computed from the stored vector when a row is written; queries name the same
        # expression (app.search.index), so no column needs to hold it.
        op.execute(
            f"CREATE INDEX search_{table}_bound ON {table} ((search_peak_ratio(search_vector)))"
        )


def _postgres_downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS search_organisation_names")
    op.execute("ALTER TABLE organisation DROP COLUMN IF EXISTS search_names")
    for table in BOUNDED_TABLES:
        op.execute(f"DROP INDEX IF EXISTS search_{table}_bound")
    op.execute("DROP FUNCTION IF EXISTS search_peak_ratio(tsvector)")


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
