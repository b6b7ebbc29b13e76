"""inferences: what a record reads from context rather than the source stating it

`inferences` on organisations, relations and contacts lists, as JSON, each fact
that is read from the slide layout, a name, the context or knowledge beside the
source, with the field (and for lists the item) and the reason. Together with
`corrections` (an error of the source fixed, with its original) everything else
a seeded record holds is stated by the source.

Columns are added with a default: no table is recreated, the triggers stay.

Revision ID: 8b3f0d6e2a14
Revises: 6a1e5c3b9d27
Create Date: 2026-12-02 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b3f0d6e2a14"
down_revision: str | None = "6a1e5c3b9d27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("organisation", "organisation_relation", "contact")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table, sa.Column("inferences", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    for table in TABLES:
        if op.get_context().dialect.name == "sqlite":
            # SQLite drops a column in place (3.35+), keeping the table and its triggers.
            op.execute(f"ALTER TABLE {table} DROP COLUMN inferences")
        else:
            op.drop_column(table, "inferences")
