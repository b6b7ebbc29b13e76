"""Operations for migrations: a batch alter that keeps SQLite's hand-written triggers.

On SQLite, Alembic's batch mode alters a table by recreating it: it creates
`_alembic_tmp_<table>`, copies the rows into it, drops the table and renames
the copy. Dropping the table silently drops its triggers (the search triggers
of migration 2f0c1a7d9e3b, the revision triggers of c4d9e2f1a6b8), and the
rename fails ("error in trigger …: no such table") while a trigger of another
table names the dropped one. Migrations therefore use `batch_alter_table` from
here instead of `op.batch_alter_table`. (migrations/env.py turns SQLite's
foreign keys off meanwhile, so dropping a parent table neither fails nor
cascades.)
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import op
from alembic.operations import BatchOperations
from sqlalchemy import text


@contextmanager
def batch_alter_table(table_name: str, **kwargs: Any) -> Iterator[BatchOperations]:
    """`op.batch_alter_table(table_name, **kwargs)`; on SQLite, the triggers on the table
    and those naming it are dropped before and created again, as they were, after."""
    if op.get_context().dialect.name != "sqlite":
        with op.batch_alter_table(table_name, **kwargs) as batch_op:
            yield batch_op
        return
    triggers = _sqlite_triggers_on_or_naming(table_name)
    for name in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table(table_name, **kwargs) as batch_op:
        yield batch_op
    for sql in triggers.values():
        op.execute(sql)


def _sqlite_triggers_on_or_naming(table_name: str) -> dict[str, str]:
    """Each trigger's name and `CREATE TRIGGER` statement, for the triggers on `table_name`
    and those whose statement names it (a word match, which may take a few too many)."""
    word = re.compile(rf"\b{re.escape(table_name)}\b", re.IGNORECASE)
    rows = op.get_bind().execute(
        text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    )
    return {
        name: sql
        for name, table, sql in rows
        if table.lower() == table_name.lower() or word.search(sql)
    }
