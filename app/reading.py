"""How the API reads: at most one worker-thread hop per request, read models straight to JSON bytes.

(Writes take one hop for their work, and one before it for the API key's check.)

A read handler is `async def` and hands all of its work to `Reader.run` at once.
That first reads the directory revision on the event loop (app.revision's
`LoopRevision`) and tries the read there with what reads remember at that
revision (app.memo), on a session that has no database: a request seen before
since the last write is answered so, without a thread. At the first statement
the read would run, that session gives up (`NeedsDatabase`), and the read runs
again on one worker thread with a session of its own, so a request pays one hop
however many queries it makes. (FastAPI runs every plain-`def` handler and
dependency on a thread of its own, and a generator dependency's exit on
another.) The threads are few (`read_threads`): the work holds the GIL most of
the time, and more threads would only take turns at it.

Read models are the dataclasses of each resource's `schemas`: built from rows
without validation and serialised by orjson straight to bytes. FastAPI reads the
same classes as `response_model`, so they are the OpenAPI contract too; the tests
check real responses against them.
"""

import dataclasses
import logging
from collections.abc import Callable
from functools import cache, partial
from typing import Annotated, Any, Concatenate, ParamSpec, TypeVar

import anyio.to_thread
import orjson
from anyio import CapacityLimiter
from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.db import DIALECT, READ_CONNECTION, read_engine
from app.memo import RecordMemo, RevisionMemo, attach, current_revision
from app.revision import LoopRevision

logger = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

# Datetimes in UTC end in `Z`, as pydantic writes them.
_JSON_OPTIONS = orjson.OPT_UTC_Z


def json_bytes(value: Any) -> bytes:
    """`value` (read models, dicts, lists, dates, enums) as compact UTF-8 JSON."""
    return orjson.dumps(value, default=_pydantic, option=_JSON_OPTIONS)


def _pydantic(value: Any) -> Any:
    # The few answers that are not read models (API keys, problems) are pydantic models.
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_fragment(value: Any) -> orjson.Fragment:
    """`value` written as JSON once, to be placed as it is into the responses that hold it."""
    return orjson.Fragment(json_bytes(value))


def jsonable(value: Any) -> Any:
    """`value` as the plain JSON types its response holds (dicts, lists, strings, numbers)."""
    return orjson.loads(json_bytes(value))


class JsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


class NeedsDatabase(Exception):
    """A read tried on the event loop came to a statement: it runs on a worker thread."""


class _MemoOnlySession(Session):
    """A session without a database, for a read tried on the event loop: everything a
    statement needs starts at `get_bind` (the session's connection too)."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        raise NeedsDatabase


class Reader:
    """Runs a read from what reads remember, else with its own session on a worker thread."""

    def __init__(
        self,
        engine: Engine,
        revision: LoopRevision,
        threads: int | None = None,
        memo: bool = True,
    ) -> None:
        self.engine = engine
        self.remembers = memo
        self.revision = revision
        self.threads = threads or (8 if engine.dialect.name == "postgresql" else 2)
        self.read_engine = read_engine(engine, self.threads)
        self.memo = RevisionMemo()
        self.records = RecordMemo()
        self._limiter: CapacityLimiter | None = None

    async def run(
        self, read: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        if self.remembers:
            revision = await self.revision()
            # Nothing is kept yet for a revision newer than the memos' (the first reads after
            # a write): those go straight to a worker thread.
            if revision is not None and revision in (self.memo.revision, self.records.revision):
                try:
                    return self._remembered(revision, read, *args, **kwargs)
                except NeedsDatabase:
                    pass
        if self._limiter is None:  # made on first use: it belongs to the running event loop
            self._limiter = CapacityLimiter(self.threads)
        work = partial(self._in_session, read, *args, **kwargs)
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    def _remembered(self, revision: int, read: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with _MemoOnlySession() as session:
            session.info[DIALECT] = self.engine.dialect.name
            attach(session, revision, self.memo, self.records)
            return read(session, *args, **kwargs)

    async def run_apart(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work` with a session of its own on a worker thread apart from the readers':
        for writes, which may wait for the database's write lock while readers must not
        wait for them, and for API keys, which are no directory data (no revision memo)."""
        return await anyio.to_thread.run_sync(partial(self._apart, work, *args, **kwargs))

    def _apart(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with Session(self.engine) as session:
            return work(session, *args, **kwargs)

    def close(self) -> None:
        if self.read_engine is not self.engine:
            self.read_engine.dispose()

    def _connect(self) -> Connection:
        connection = self.read_engine.connect()
        if self.engine.dialect.name == "postgresql":
            # Outside a transaction each statement sees what was committed before it, as
            # in the default READ COMMITTED, without a BEGIN and a ROLLBACK on the network.
            # (SQLite reads outside one anyway, and switching costs it more than it saves.)
            connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection

    def _in_session(self, read: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return self._read(read, *args, **kwargs)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            # The server closed the connection (a restart, an idle timeout), and most likely
            # the pool's others with it: they are all dropped, and this read takes a new one.
            logger.info("read connection closed by the server; reading again on a new one")
            self.read_engine.dispose()
            return self._read(read, *args, **kwargs)

    def _read(self, read: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`read` with a session on a connection of its own, which is cheaper to open and
        close than one that takes a connection when first asked. The revision is read again
        here, not taken from the event loop's: a write may have been committed while the
        read waited for a thread, and what this computes is kept under the revision it
        read first, beside what other reads kept there."""
        with self._connect() as connection:
            revision = current_revision(connection) if self.remembers else None
            with Session(bind=connection) as session:
                session.info[READ_CONNECTION] = connection
                session.info[DIALECT] = self.engine.dialect.name
                if revision is not None:
                    attach(session, revision, self.memo, self.records)
                return read(session, *args, **kwargs)


async def get_reader(request: Request) -> Reader:
    reader: Reader = request.app.state.reader
    return reader


ReaderDep = Annotated[Reader, Depends(get_reader)]


@cache
def _field_names(model: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(model))


def extended(model: Callable[..., T], base: Any, **more: Any) -> T:
    """A read model `model` made of `base` (a read model it extends) and the fields `more`."""
    kind: Any = type(base)
    fields = {name: getattr(base, name) for name in _field_names(kind)}
    return model(**fields, **more)
