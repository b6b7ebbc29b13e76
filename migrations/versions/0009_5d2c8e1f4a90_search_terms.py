"""search terms: the words the SQLite index holds, for correcting a typo

`search_terms` is an FTS5 vocabulary table over `search_fts` (one row per word,
with how many entries hold it). It stores nothing of its own: it reads the
index, so it is always exactly as current as the index. app/search/forgiving.py
asks it which corrections of a mistyped word are words of the directory.
PostgreSQL needs no table: its GIN indexes answer the same question.

Revision ID: 5d2c8e1f4a90
Revises: 6a1e5c3b9d27
Create Date: 2026-12-02 00:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d2c8e1f4a90"
down_revision: str | None = "6a1e5c3b9d27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_terms USING fts5vocab(search_fts, row)")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_terms")
