"""Reads: a read remembered at the current revision is answered on the event loop, without a
worker thread; any other read runs on one, and sees every committed write."""

import threading
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import orjson
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.db import connection_of, make_engine
from app.help import service as help_service
from app.help.service import Question
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
    reader = Reader(engine, revision)
    read = counting(threads)

    async def scenario() -> tuple[int, list[int]]:
        counts = [await reader.run(read), await reader.run(read)]
        rename(engine, "Bon Courage (umbenannt)")
        counts.append(await reader.run(read))
        return threading.get_ident(), counts

    loop, counts = run(revision, scenario)
    assert counts == [1, 1, 0]  # the write is seen by the next read
    (worker,) = set(threads) - {loop}
    # Nothing kept yet: a worker; then answered on the loop; after the write, a worker again.
    assert threads == [worker, loop, worker]
    reader.close()


def test_without_the_memo_every_read_takes_a_worker_thread(
    engine: Engine, revision: LoopRevision
) -> None:
    threads: list[int] = []
    reader = Reader(engine, revision, memo=False)
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
    reader = Reader(engine, revision)
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


def test_a_read_that_waited_for_a_thread_while_a_write_was_committed_sees_it_whole(
    engine: Engine, revision: LoopRevision
) -> None:
    """The revision a read is kept under is read on its worker thread, not before it waited
    for one: else what it read after a write would be kept beside what other reads kept
    before it, and a help answer would mix two states of the regions."""
    with engine.connect() as connection:
        kreis = connection.execute(
            text("SELECT id, code FROM region WHERE code = '14626'")  # Landkreis Görlitz
        ).one()
    reader = Reader(engine, revision, threads=1)
    release = threading.Event()

    def hold_the_thread(session: Session) -> None:
        connection_of(session).execute(text("SELECT 1"))
        release.wait(10)

    def write() -> None:  # a new place in the Kreis, and an organisation serving it
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO region (version, created_at, updated_at, slug, name, name_key, "
                    "kind, parent_id) VALUES (1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                    "'neuort', 'Neuort', 'neuort', 'municipality', :kreis)"
                ),
                {"kreis": kreis.id},
            )
            connection.execute(
                text(
                    "INSERT INTO organisation_region (organisation_id, region_id, role) "
                    "SELECT (SELECT id FROM organisation WHERE slug = 'bon-courage'), id, "
                    "'area' FROM region WHERE slug = 'neuort'"
                )
            )

    async def scenario() -> Any:
        question = Question("14")
        await reader.run(help_service.answer_json, question, 5, "http://test", "de")
        answer: list[Any] = []
        async with anyio.create_task_group() as group:
            group.start_soon(reader.run, hold_the_thread)
            await anyio.sleep(0.1)

            async def ask() -> None:
                asked = Question(kreis.code)
                answer.append(
                    await reader.run(help_service.answer_json, asked, 100, "http://test", "de")
                )

            group.start_soon(ask)
            await anyio.sleep(0.1)  # it has read the revision and waits for the thread
            write()
            release.set()
        return orjson.loads(orjson.dumps(answer[0]))

    found = run(revision, scenario)
    reader.close()
    served = [o for group in found["groups"] for o in group["organisations"]]
    assert "bon-courage" in [o["slug"] for o in served]
