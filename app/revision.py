"""The directory's revision: one number that changes with every committed write.

The write path (app.writes) raises `directory_revision.value` once, as the first
statement of every write transaction; triggers on every directory table
(migrations `c4d9e2f1a6b8`, `d81f3a6c2b47`) raise it for writes from outside the
write path (an operator's SQL) and stand aside while the write path's `writing`
flag is set. Either way the rise is part of the writing transaction, so a reader
that sees the new value also sees the data written with it, whichever process
wrote it. The response cache (app.response_cache) keys what it stores by this
number; the change log records it with every change.

On PostgreSQL the row is also a lock: concurrent writing transactions take
turns at it. The directory is written rarely, and a `SEQUENCE` would not do:
its `nextval` is visible before the writer commits, so a reader could cache
old data under the new number.
"""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, make_engine, utc_now

# Every table whose rows appear in a response; a new one must be added to the
# triggers by its own migration (tests/test_revision.py checks every table).
DIRECTORY_TABLES = (
    "source_document",
    "region",
    "organisation",
    "organisation_topic",
    "organisation_concept",
    "organisation_region",
    "organisation_relation",
    "contact",
    "change",
)


class DirectoryRevision(SQLModel, table=True):
    __tablename__ = "directory_revision"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_type=BigInteger, nullable=False)
    changed_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)
    # True only inside a transaction of the write path, which raised `value` itself
    # when it began: the triggers then leave it alone (one rise per transaction).
    writing: bool = Field(default=False, nullable=False)


REVISION_QUERY = "SELECT value FROM directory_revision WHERE id = 1"
_READ = text(REVISION_QUERY)


class RevisionReader:
    """Reads the current revision, one short query per call, on a connection of its own.

    The response store asks before every GET, from a worker thread (app.http_cache).
    Its own connection never waits for the application's pool, which under load is
    held by requests waiting for their turn.
    """

    def __init__(self, database_url: str) -> None:
        self.engine = make_engine(database_url, single_connection=True)

    def __call__(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(_READ).scalar_one())

    def close(self) -> None:
        self.engine.dispose()
