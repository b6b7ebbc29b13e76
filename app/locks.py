"""One process at a time for the start-up steps every replica runs.

Each container of the image migrates and seeds an empty database before it
serves. Several replicas starting together against one PostgreSQL database
would otherwise race: two `alembic upgrade` runs creating the same tables, two
`--if-empty` loads of the same seed. A PostgreSQL advisory lock, held for the
step's transaction, makes the later process wait and then find the work done.
On SQLite the lock is a no-op: one database file serves one machine, where
`make run` (or the single container) migrates and seeds before the server
starts its workers.
"""

from sqlalchemy import Connection, text

# Any 64-bit numbers unique to this application; they name the locks in pg_locks.
MIGRATION_LOCK = 0x5745_4757_4549_0001  # "WEGWEI" + 1
SEED_LOCK = 0x5745_4757_4549_0002


def wait_for_lock(connection: Connection, key: int) -> None:
    """Take the lock `key` until the connection's current transaction ends (PostgreSQL only)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
