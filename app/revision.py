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

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Protocol

import anyio
import psycopg
from sqlalchemy import BigInteger, CheckConstraint, make_url
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utc_now

logger = logging.getLogger(__name__)

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


# A revision read that takes longer than this is given up: the request goes on without
# the store and the memo, and its read on a worker thread reports what is wrong.
READ_TIMEOUT = 5.0
# The server gives up sooner on a lock (a migration altering the table holds one): the
# read fails, and the connection stays usable for the next.
_WAIT_AT_MOST = "-c lock_timeout=1000 -c statement_timeout=2000"


class LoopRevision(Protocol):
    """The current revision for a request, asked on the event loop before anything is read
    (the response store, app.http_cache; the read memo, app.reading); None if it cannot be
    read, and the request then goes on without either. Asked on the loop because a worker
    thread's hop costs more than the read: under load the hop and the wait for the GIL
    that comes with it were the largest part of a remembered read."""

    async def __call__(self) -> int | None: ...

    async def aclose(self) -> None: ...


def loop_revision(database_url: str) -> LoopRevision:
    if make_url(database_url).get_backend_name() == "postgresql":
        return PostgresRevision(database_url)
    return SQLiteRevision(database_url)


class SQLiteRevision:
    """SQLite: read where it is asked, on the event loop, as one row of a local file (about
    10 µs), on a connection of its own that never waits: in WAL mode a read does not wait
    for a writer, and the rare one that would have to (while another process recovers the
    log, or a database not yet in WAL mode is written) is answered None at once. Opening
    that connection sets nothing that could wait either (the application's own connections
    put the file in WAL mode)."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        args, options = url.get_dialect()().create_connect_args(url)
        self._connect = partial(
            sqlite3.connect,
            *args,
            **{**options, "timeout": 0, "check_same_thread": False, "isolation_level": None},
        )
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # each test client runs its own loop on its own thread

    async def __call__(self) -> int | None:
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = self._connect()
                # All rows, so that the statement ends and holds no snapshot of the log.
                rows = self._connection.execute(REVISION_QUERY).fetchall()
                return int(rows[0][0]) if rows else None
            except sqlite3.Error as error:  # the application reports the database's failure
                logger.warning("directory revision unreadable: %s", error)
                if not isinstance(error, sqlite3.OperationalError):
                    self._close()  # a busy or missing table leaves the connection as good
                return None

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def aclose(self) -> None:
        with self._lock:
            self._close()


class PostgresRevision:
    """PostgreSQL: read with psycopg's asynchronous connection, so the event loop never
    waits for the network; the requests that ask while a read runs share the next one
    (`SharedReads`). A connection that fails is closed and the next read opens a new one."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.shared = SharedReads(self._read)

    async def __call__(self) -> int | None:
        return await self.shared()

    async def _read(self) -> int:
        connection = await self._connected()
        try:
            with anyio.fail_after(READ_TIMEOUT):
                cursor = await connection.execute(REVISION_QUERY)
                row = await cursor.fetchone()
        except psycopg.Error:
            if connection.broken or connection.closed:
                self._drop()
            raise  # an error the server answered with leaves the connection usable
        except BaseException:  # cancelled or timed out mid-statement: its state is unknown
            self._drop()
            raise
        if row is None:
            raise LookupError("directory_revision has no row")
        return int(row[0])

    async def _connected(self) -> psycopg.AsyncConnection[Any]:
        loop = asyncio.get_running_loop()
        if self._connection is not None and (self._loop is not loop or self._connection.closed):
            self._drop()  # a connection belongs to the loop it was opened on
        if self._connection is None:
            with anyio.fail_after(READ_TIMEOUT):
                self._connection = await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True, options=_WAIT_AT_MOST
                )
            self._loop = loop
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.pgconn.finish()  # at once, on any loop or none
            self._connection = None

    async def aclose(self) -> None:
        self._drop()


@dataclass
class _Read:
    done: anyio.Event = field(default_factory=anyio.Event)
    value: int | None = None


class SharedReads:
    """Reads of the directory revision shared by the requests waiting for one.

    Under load one read then serves many requests rather than one each. A request may
    share only a read that starts after it arrived, or it could miss a write committed
    in between: so a request joins the next read to start. While one read runs, the
    requests that arrive gather for the one after it, which the first of them runs once
    the current one is done. One read at a time, as one connection allows.
    """

    def __init__(self, read: Callable[[], Awaitable[int]]) -> None:
        self.read = read
        self._turn = anyio.Lock()
        self._next: _Read | None = None

    async def __call__(self) -> int | None:
        if self._next is not None:
            shared = self._next
            await shared.done.wait()
            return shared.value
        shared = self._next = _Read()
        try:
            async with self._turn:
                self._next = None  # who comes now waits for the next read
                shared.value = await self.read()
        except Exception:  # the application will report the database's failure itself
            logger.warning("directory revision unreadable", exc_info=True)
        finally:
            if self._next is shared:  # cancelled before its turn
                self._next = None
            shared.done.set()  # also when cancelled: the others go on without a revision
        return shared.value
