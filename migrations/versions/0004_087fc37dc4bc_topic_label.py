"""topic label: each organisation's topic as the data spells it

`organisation_topic.topic` stays the folded key that the `topic` filter and
facet match (`haertefaelle`); the new `label` holds the spelling of
seed/wegweiser.yaml (`härtefälle`) for display. Existing rows get their key as
label; the seed loader writes the spelling when it runs again.

On SQLite, making the column NOT NULL (and dropping it again) recreates the
table in batch mode, which drops the table's triggers: they are read before
and created again after.

Revision ID: 087fc37dc4bc
Revises: c4d9e2f1a6b8
Create Date: 2026-11-25 11:30:00.000000
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "087fc37dc4bc"
down_revision: str | None = "c4d9e2f1a6b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LABEL = sqlmodel.sql.sqltypes.AutoString(length=80)


@contextmanager
def _keeping_sqlite_triggers(table: str) -> Iterator[None]:
    """Create the triggers of `table` again after a batch operation has recreated it."""
    bind = op.get_bind()
    triggers: list[str] = []
    if bind.dialect.name == "sqlite":
        triggers = list(
            bind.execute(
                sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                {"t": table},
            ).scalars()
        )
    yield
    for trigger in triggers:
        op.execute(trigger)


def upgrade() -> None:
    with op.batch_alter_table("organisation_topic", schema=None) as batch_op:
        batch_op.add_column(sa.Column("label", LABEL, nullable=True))
    op.execute("UPDATE organisation_topic SET label = topic")
    with (
        _keeping_sqlite_triggers("organisation_topic"),
        op.batch_alter_table("organisation_topic", schema=None) as batch_op,
    ):
        batch_op.alter_column("label", existing_type=LABEL, nullable=False)


def downgrade() -> None:
    with (
        _keeping_sqlite_triggers("organisation_topic"),
        op.batch_alter_table("organisation_topic", schema=None) as batch_op,
    ):
        batch_op.drop_column("label")
