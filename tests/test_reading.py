"""Reads: a read remembered at the current revision is answered on the event loop, without a
worker thread; any other read runs on one, and sees every committed write."""

import threading
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.db import connection_of, make_engine
from app.memo import memoised
from app.reading import Reader
from app.revision import LoopRevision, loop_revision

COUNT = text("SELECT count(*) FROM organisation WHERE name = 'Bon Courage e.V.'")


@pytest.fixture
def engine(seeded_database: str) -> Iterator[Engine]:
    engine = make_engine(seeded_database)
    yield engine
    engine.dispose()


@pytest.fixture
def revision(seeded_database: str) -> LoopRevision:
    return loop_revision(seeded_database)


def rename(engine: Engine, name: str) -> None:
    """A write by another connection, as another process or an operator's SQL makes it."""
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE organisation SET name = :name WHERE slug = 'bon-courage'"), {"name": name}
        )


def counting(threads: list[int]) -> Callable[[Session], int]:
    """A read that notes the thread it runs on and remembers its count per revision."""

    def read(session: Session) -> int:
        threads.append(threading.get_ident())
        count: int = memoised(
            session, "count", lambda: connection_of(session).execute(COUNT).scalar_one()
        )
        return count

    return read


def run(revision: LoopRevision, scenario: Callable[[], Any]) -> Any:
    async def main() -> Any:
        try:
            return await scenario()
        finally:
            await revision.aclose()

    return anyio.run(main)


def test_a_remembered_read_takes_no_worker_thread(engine: Engine, revision: LoopRevision) -> None:
    threads: list[int] = []
    reader = Reader(engine, revision=revision)
    read = counting(threads)

    async def scenario() -> tuple[int, list[int]]:
        counts = [await reader.run(read), await reader.run(read)]
        rename(engine, "Bon Courage (umbenannt)")
        counts.append(await reader.run(read))
        return threading.get_ident(), counts

    loop, counts = run(revision, scenario)
    assert counts == [1, 1, 0]  # the write is seen by the next read
    (worker,) = set(threads) - {loop}
    # Tried on the loop, run on a worker; answered on the loop; after the write, as the first.
    assert threads == [loop, worker, loop, loop, worker]
    reader.close()


def test_without_the_memo_every_read_takes_a_worker_thread(
    engine: Engine, revision: LoopRevision
) -> None:
    threads: list[int] = []
    reader = Reader(engine, memo=False, revision=revision)
    read = counting(threads)

    async def scenario() -> int:
        for _ in range(3):
            assert await reader.run(read) == 1
        return threading.get_ident()

    loop = run(revision, scenario)
    assert len(threads) == 3 and loop not in threads
    reader.close()


def test_reads_go_on_without_the_memo_if_the_revision_is_unreadable(
    engine: Engine, revision: LoopRevision
) -> None:
    threads: list[int] = []
    reader = Reader(engine, revision=revision)
    read = counting(threads)
    cascade = " CASCADE" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE directory_revision{cascade}"))

    async def scenario() -> tuple[int, list[int | None]]:
        values = [await revision(), await reader.run(read), await reader.run(read)]
        return threading.get_ident(), values

    loop, values = run(revision, scenario)
    assert values == [None, 1, 1]
    assert len(threads) == 2 and loop not in threads  # each read asked the database
    reader.close()


def test_the_revision_rises_with_every_committed_write(
    engine: Engine, revision: LoopRevision
) -> None:
    async def scenario() -> list[int | None]:
        values = [await revision(), await revision()]
        rename(engine, "Bon Courage (umbenannt)")
        values.append(await revision())
        return values

    first, again, after = run(revision, scenario)
    assert first is not None and after is not None
    assert again == first < after


def test_a_lost_revision_connection_is_replaced(engine: Engine, revision: LoopRevision) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to close connections")

    async def scenario() -> list[int | None]:
        values = [await revision()]
        with engine.begin() as connection:  # the server ends the revision's connection
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        values += [await revision(), await revision()]
        return values

    before, lost, again = run(revision, scenario)
    assert lost is None  # the request goes on without the memo and the store
    assert again == before
