"""Many writers on two server processes, one database: no update is lost, the feed tells each once.

Two uvicorn processes (one worker each, the response store on, as `make run`
serves) share a private copy of the seeded database. Eight writer threads, half
on each server, each make 25 successful edits: read an organisation, append a
token of their own to its `tasks` and send that as a merge patch with the
read's ETag in `If-Match`; a 412 (someone else wrote first) means read again and
retry. The organisations come from a small shared pool, in a shuffled order, so
writers keep running into each other.

Afterwards every token is in its organisation's tasks (no lost update), each
organisation's version rose by exactly its number of writes, and the change
feed, read from where it stood before, holds exactly one `updated` item per
write, with the versions of each organisation rising by one in feed order
(feed order is commit order, app.writes). No request answered 5xx, and neither
server logged a traceback or `database is locked`.

The `tasks` list holds at most 100 items, so the pool is 8 organisations with
their tasks emptied first: 200 writes put 25 tokens in each. The summary line
is printed (`pytest -s` shows it).
"""

import itertools
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from bench.server import HOST, ROOT, free_port
from tests.auth import bearer, create_key
from tests.conftest import Databases

WRITERS = 8
WRITES_PER_WRITER = 25
POOL = 8  # organisations; WRITERS * WRITES_PER_WRITER / POOL must fit in `tasks` (100 items)
MAX_TASKS = 100
DEADLINE_SECONDS = 240  # a hung run fails instead of blocking the suite
MERGE_PATCH = "application/merge-patch+json"


@dataclass
class ServerProcess:
    base: str
    log: Path


@contextmanager
def serving(database_url: str, log: Path) -> Iterator[ServerProcess]:
    """`uvicorn app.main:app` with one worker on a free port, its output in `log`, for the block."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WEGWEISER_DATABASE_URL": database_url}
    env.pop("WEGWEISER_RESPONSE_CACHE_BYTES", None)  # the response store on, at its default size
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", HOST]
    command += ["--port", str(port)]
    server = ServerProcess(f"http://{HOST}:{port}", log)
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
        try:
            _wait_until_ready(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(server: ServerProcess, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = server.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{tail}")
        try:
            httpx.get(server.base + "/", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not answer on {server.base} within 60 s")


@dataclass
class Success:
    slug: str
    token: str
    version: int  # the version the PATCH answered with


@dataclass
class WriterResult:
    successes: list[Success] = field(default_factory=list)
    retries: int = 0  # 412s
    server_errors: int = 0  # 5xx, GET or PATCH
    failures: list[str] = field(default_factory=list)  # 5xx, unexpected statuses, errors


def write_many(
    index: int,
    base: str,
    targets: list[str],
    headers: dict[str, str],
    start: threading.Barrier,
    deadline: float,
) -> WriterResult:
    """Writer `index`: one successful append to each of `targets`, retrying each after a 412."""
    result = WriterResult()
    with httpx.Client(base_url=base, timeout=60) as client:
        start.wait()
        for n, slug in enumerate(targets):
            token = f"w{index}-{n}"
            while time.monotonic() < deadline:
                try:
                    read = client.get(f"/organisations/{slug}")
                    if read.status_code != 200:
                        result.server_errors += read.status_code >= 500
                        result.failures.append(f"GET {slug}: {read.status_code} {read.text[:300]}")
                        break
                    tasks = read.json()["tasks"]
                    written = client.patch(
                        f"/organisations/{slug}",
                        json={"tasks": [*tasks, token]},
                        headers={
                            **headers,
                            "If-Match": read.headers["ETag"],
                            "Content-Type": MERGE_PATCH,
                        },
                    )
                except httpx.HTTPError as error:
                    result.failures.append(f"{slug} {token}: {error!r}")
                    break
                if written.status_code == 200:
                    result.successes.append(Success(slug, token, written.json()["version"]))
                    break
                if written.status_code == 412:
                    result.retries += 1
                    continue
                result.server_errors += written.status_code >= 500
                result.failures.append(f"PATCH {slug}: {written.status_code} {written.text[:300]}")
                break
            else:
                result.failures.append(f"{slug} {token}: not written within the deadline")
                return result
    return result


def feed_after(client: httpx.Client, cursor: str | None) -> tuple[list[dict[str, Any]], str]:
    """Every feed item after `cursor` (from the first without one), and the cursor after them."""
    items: list[dict[str, Any]] = []
    params = {"limit": "200", **({"since": cursor} if cursor else {})}
    while True:
        page = client.get("/changes", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        if not body["items"]:
            return items, params.get("since", "")
        items += body["items"]
        params = dict(httpx.URL(body["links"]["next"]).params)


def pool_of(client: httpx.Client, headers: dict[str, str]) -> dict[str, int]:
    """The first `POOL` organisations (not networks) with their tasks emptied: slug -> version."""
    listing = client.get("/organisations", params={"limit": "200"})
    assert listing.status_code == 200, listing.text
    slugs = [item["slug"] for item in listing.json()["items"] if "/organisations/" in item["url"]][
        :POOL
    ]
    assert len(slugs) == POOL
    versions = {}
    for slug in slugs:
        read = client.get(f"/organisations/{slug}")
        assert read.status_code == 200, read.text
        version = read.json()["version"]
        if read.json()["tasks"]:
            emptied = client.patch(
                f"/organisations/{slug}",
                json={"tasks": []},
                headers={**headers, "If-Match": read.headers["ETag"], "Content-Type": MERGE_PATCH},
            )
            assert emptied.status_code == 200, emptied.text
            version = emptied.json()["version"]
        versions[slug] = version
    return versions


def test_concurrent_writers_on_two_servers_lose_nothing(
    databases: Databases, seeded_database: str, tmp_path: Path
) -> None:
    headers = bearer(create_key(seeded_database, "concurrency-test"))
    with ExitStack() as stack:
        servers = [
            stack.enter_context(serving(seeded_database, tmp_path / f"server-{i}.log"))
            for i in range(2)
        ]
        with httpx.Client(base_url=servers[0].base, timeout=60) as client:
            start_versions = pool_of(client, headers)
            _, start_cursor = feed_after(client, None)

        # Each organisation gets exactly as many writes as its tasks can hold, in random order.
        per_organisation = WRITERS * WRITES_PER_WRITER // POOL
        assert per_organisation <= MAX_TASKS
        targets = [slug for slug in start_versions for _ in range(per_organisation)]
        random.Random(20151604).shuffle(targets)

        started = time.monotonic()
        barrier = threading.Barrier(WRITERS)
        results: list[WriterResult] = [WriterResult() for _ in range(WRITERS)]

        def run(index: int) -> None:
            try:
                results[index] = write_many(
                    index,
                    servers[index % 2].base,
                    targets[index * WRITES_PER_WRITER : (index + 1) * WRITES_PER_WRITER],
                    headers,
                    barrier,
                    started + DEADLINE_SECONDS,
                )
            except BaseException as error:  # reported below, with the rest
                results[index].failures.append(f"writer {index} crashed: {error!r}")
                barrier.abort()

        # A mirror polls the feed while the writers commit, each poll from where the last
        # ended, on either server: what it gathers must be the feed, nothing skipped or twice.
        polled: list[dict[str, Any]] = []
        writing = threading.Event()
        writing.set()

        def mirror() -> None:
            cursor = start_cursor
            clients = [httpx.Client(base_url=server.base, timeout=60) for server in servers]
            try:
                for turn in itertools.count():
                    last_round = not writing.is_set()
                    items, cursor = feed_after(clients[turn % 2], cursor)
                    polled.extend(items)
                    if last_round:
                        return
            finally:
                for client in clients:
                    client.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
        poller = threading.Thread(target=mirror)
        poller.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        writing.clear()
        poller.join()

        with httpx.Client(base_url=servers[1].base, timeout=60) as client:
            reads = {slug: client.get(f"/organisations/{slug}") for slug in start_versions}
            assert all(read.status_code == 200 for read in reads.values())
            final = {slug: read.json() for slug, read in reads.items()}
            feed, _ = feed_after(client, start_cursor)
    # The servers have stopped: their logs are complete.
    logs = {server.log.name: server.log.read_text(errors="replace") for server in servers}

    successes = [success for result in results for success in result.successes]
    failures = [failure for result in results for failure in result.failures]
    retries = sum(result.retries for result in results)
    written = Counter(success.slug for success in successes)

    lost = [s for s in successes if s.token not in final[s.slug]["tasks"]]
    in_pool = [
        item["resource"] == "organisation" and item["key"] in start_versions for item in feed
    ]
    pool_items = [item for item, inside in zip(feed, in_pool, strict=True) if inside]
    others = [item for item, inside in zip(feed, in_pool, strict=True) if not inside]
    versions_in_feed = Counter((item["key"], item["version"]) for item in pool_items)
    expected = {
        (slug, start_versions[slug] + k)
        for slug in start_versions
        for k in range(1, written[slug] + 1)
    }
    duplicates = sum(count - 1 for count in versions_in_feed.values() if count > 1)
    missing = len(expected - set(versions_in_feed))
    server_errors = sum(result.server_errors for result in results)
    print(
        f"\n[concurrent writes, {databases.name}] writers={WRITERS} "
        f"successful_writes={len(successes)} retries_412={retries} lost_updates={len(lost)} "
        f"feed_duplicates={duplicates} feed_missing={missing} responses_5xx={server_errors} "
        f"other_failures={len(failures) - server_errors} seconds={seconds:.1f}"
    )

    assert failures == [], failures[:20]
    assert retries > 0  # the writers did run into each other
    assert len(successes) == WRITERS * WRITES_PER_WRITER
    assert lost == []
    for slug, detail in final.items():
        tokens = sorted(s.token for s in successes if s.slug == slug)
        assert sorted(detail["tasks"]) == tokens, slug  # nothing lost, nothing twice, nothing else
        assert detail["version"] == start_versions[slug] + written[slug], slug
    # Each successful PATCH answered with its own new version: no two writes built on one read.
    answered = Counter((s.slug, s.version) for s in successes)
    assert set(answered) == expected and max(answered.values()) == 1

    positions = [item["position"] for item in feed]
    assert all(a < b for a, b in pairwise(positions)), "positions"
    assert [item["position"] for item in polled] == positions, "the mirror's polls"
    assert others == [], others[:5]  # appending a task changes no other record
    assert all(item["action"] == "updated" for item in pool_items)
    assert duplicates == 0 and missing == 0
    for slug, start in start_versions.items():
        versions = [item["version"] for item in pool_items if item["key"] == slug]
        assert versions == list(range(start + 1, start + written[slug] + 1)), slug

    if databases.name == "sqlite":
        with closing(sqlite3.connect(make_url(seeded_database).database or "")) as database:
            assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    for name, text in logs.items():
        assert "database is locked" not in text, name
        assert "Traceback" not in text, name
        assert "revision unreadable" not in text, name  # the store would have been bypassed
