"""organisation concepts (what an organisation offers, for whom and how) and search terms

`organisation_concept` tags an organisation with concepts of the published
schemes (app/vocabularies): one row per organisation, scheme and concept, with
how it is known (`basis`: stated or inferred), the evidence quoted and a note.
The index on (scheme, concept, organisation_id) answers `offer=`,
`target_group=`, `access=` and `/help` from the index alone.

The table is a directory table: the revision triggers of migration
d81f3a6c2b47 are added to it (guarded by `writing`, as on every other table).

On SQLite, `search_terms` is an FTS5 vocabulary table over `search_fts` (one row
per word, with how many entries hold it). It stores nothing of its own: it reads
the index, so it is always exactly as current as the index. A search that finds
nothing as typed asks it which corrections of a mistyped word are words of the
directory (app/search/forgiving.py). PostgreSQL needs no table: its GIN indexes
answer the same question.

Revision ID: 6a1e5c3b9d27
Revises: d92171fda9ef
Create Date: 2026-12-02 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6a1e5c3b9d27"
down_revision: str | None = "d92171fda9ef"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "organisation_concept"
EVENTS = ("insert", "update", "delete")
# SQLAlchemy's SQLite DATETIME format: microseconds with six digits (%f gives three).
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("concept", sa.String(length=60), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.String(length=1000), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_concept_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "scheme", "concept", name=op.f("pk_organisation_concept")
        ),
    )
    op.create_index(
        "ix_organisation_concept_scheme_concept_organisation_id",
        TABLE,
        ["scheme", "concept", "organisation_id"],
    )
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_terms USING fts5vocab(search_fts, row)")
        bump = (
            f"UPDATE directory_revision SET value = value + 1, changed_at = {_SQLITE_NOW} "
            "WHERE NOT writing;"
        )
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER revision_{TABLE}_{event} AFTER {event.upper()} ON {TABLE} "
                f"BEGIN {bump} END"
            )
    elif dialect == "postgresql":
        op.execute(
            f"CREATE TRIGGER revision_{TABLE} AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION revision_bump()"
        )
        op.execute(
            f"CREATE TRIGGER revision_{TABLE}_truncate AFTER TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION revision_bump()"
        )
    else:
        raise NotImplementedError(f"no triggers for {dialect}; use SQLite or PostgreSQL")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_terms")
    # Dropping the table drops its triggers on both engines.
    op.drop_index("ix_organisation_concept_scheme_concept_organisation_id", table_name=TABLE)
    op.drop_table(TABLE)
