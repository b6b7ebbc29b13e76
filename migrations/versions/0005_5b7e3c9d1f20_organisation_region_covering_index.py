"""organisation_region: one index on (region_id, organisation_id)

The `region` filter and facet look up the organisations linked to a set of
regions. With `organisation_id` in the index next to `region_id`, that lookup
reads the index alone instead of one table row per link. It replaces the index
on `region_id` by itself, which it makes redundant.

Only indexes are created and dropped: no table is recreated, so the tables'
triggers stay.

Revision ID: 5b7e3c9d1f20
Revises: 087fc37dc4bc
Create Date: 2026-11-25 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b7e3c9d1f20"
down_revision: str | None = "087fc37dc4bc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_organisation_region_region_id_organisation_id",
        "organisation_region",
        ["region_id", "organisation_id"],
    )
    op.drop_index("ix_organisation_region_region_id", table_name="organisation_region")


def downgrade() -> None:
    op.create_index("ix_organisation_region_region_id", "organisation_region", ["region_id"])
    op.drop_index(
        "ix_organisation_region_region_id_organisation_id", table_name="organisation_region"
    )
