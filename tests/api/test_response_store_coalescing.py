"""Concurrent misses of one key at one revision run the application once; the others wait."""

from collections.abc import Callable, Coroutine
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI, Request, Response

from app.http_cache import HttpCache, entity_tag
from app.response_cache import ResponseStore

JSON_BODY = '{"name": "' + "x" * 2000 + '"}'  # large enough to be gzipped
N = 16


class Slow:
    """An app whose `/thing` counts its runs and takes a while, behind HttpCache with a store.

    `/thing` answers by `Accept` (JSON, or CSV for `text/csv`) with `Vary: Accept`; `status`,
    `cache_control` and `fail_first` make its responses ones the store may not keep.
    """

    def __init__(
        self,
        status: int = 200,
        cache_control: str | None = None,
        fail_first: bool = False,
        revision: Callable[[], int] = lambda: 1,
        duration: float = 0.05,
    ) -> None:
        self.calls = 0
        self.log: list[tuple[str, int]] = []
        self.data = "old"
        self.store = ResponseStore(max_bytes=1_000_000)
        app = FastAPI()

        @app.get("/thing")
        async def thing(request: Request) -> Response:
            self.calls += 1
            call = self.calls
            data = self.data
            self.log.append(("start", call))
            await anyio.sleep(duration)
            self.log.append(("end", call))
            if fail_first and call == 1:
                raise RuntimeError("the first run fails")
            headers = {"Vary": "Accept", "X-Call": str(call), "X-Data": data}
            if cache_control:
                headers["Cache-Control"] = cache_control
            if "csv" in request.headers.get("accept", ""):
                return Response("a;b\n", status, headers, media_type="text/csv")
            return Response(JSON_BODY, status, headers, media_type="application/json")

        async def current_revision() -> int:
            return revision()

        app.add_middleware(HttpCache, max_age=60, store=self.store, revision=current_revision)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://a.example")

    async def entered(self) -> None:
        """Until the application runs for the first time."""
        while not self.log:
            await anyio.sleep(0.001)


def gather(
    *requests: Callable[[], Coroutine[Any, Any, httpx.Response]],
) -> list[httpx.Response]:
    """Send all requests at once; their responses in the same order."""

    async def scenario() -> list[httpx.Response]:
        responses: list[httpx.Response | None] = [None] * len(requests)

        async def send(index: int) -> None:
            responses[index] = await requests[index]()

        with anyio.fail_after(5):  # a waiter left hanging fails rather than blocks the suite
            async with anyio.create_task_group() as group:
                for index in range(len(requests)):
                    group.start_soon(send, index)
        return [r for r in responses if r is not None]

    return anyio.run(scenario)


def get(app: Slow, method: str = "GET", **headers: str) -> Callable[[], Any]:
    return lambda: app.client.request(method, "/thing", headers=headers)


def test_concurrent_identical_requests_run_the_application_once() -> None:
    app = Slow()
    responses = gather(*[get(app, **{"Accept-Encoding": "identity"}) for _ in range(N)])
    assert app.calls == 1
    assert {r.status_code for r in responses} == {200}
    assert {r.content for r in responses} == {JSON_BODY.encode()}
    assert len({r.headers["etag"] for r in responses}) == 1
    assert len(app.store) == 1


def test_waiters_get_their_own_coding_condition_and_head() -> None:
    app = Slow()
    tag = entity_tag(JSON_BODY.encode(), gzipped=False).decode()
    gzip_tag = tag[:-1] + '-gzip"'
    plain, zipped, head, not_modified, zipped_not_modified = gather(
        get(app, **{"Accept-Encoding": "identity"}),
        get(app, **{"Accept-Encoding": "gzip"}),
        get(app, "HEAD", **{"Accept-Encoding": "gzip"}),
        get(app, **{"Accept-Encoding": "identity", "If-None-Match": tag}),
        get(app, **{"Accept-Encoding": "gzip", "If-None-Match": f'W/{gzip_tag}, "other"'}),
    )
    assert app.calls == 1
    assert plain.status_code == 200 and plain.text == JSON_BODY
    assert plain.headers["etag"] == tag and "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip" and zipped.text == JSON_BODY
    assert zipped.headers["etag"] == gzip_tag
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == gzip_tag
    assert head.headers["content-length"] == zipped.headers["content-length"]
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == tag
    assert zipped_not_modified.status_code == 304
    assert zipped_not_modified.headers["etag"] == gzip_tag


def test_different_keys_are_not_coalesced() -> None:
    app = Slow()
    requests = [get(app, Accept="application/json"), get(app, Accept="text/csv")] * (N // 2)
    responses = gather(*requests)
    assert app.calls == 2
    for index, response in enumerate(responses):
        assert response.text == (JSON_BODY if index % 2 == 0 else "a;b\n")
        assert response.headers["content-type"].startswith(
            "application/json" if index % 2 == 0 else "text/csv"
        )


def assert_waited_for_the_first_then_ran_themselves(app: Slow) -> None:
    assert app.calls == N
    assert app.log[:2] == [("start", 1), ("end", 1)]  # the others waited for the first run


@pytest.mark.parametrize(
    ("status", "cache_control"), [(404, None), (200, "no-store"), (200, "private, max-age=60")]
)
def test_a_response_that_may_not_be_kept_is_run_again_by_each_waiter(
    status: int, cache_control: str | None
) -> None:
    app = Slow(status=status, cache_control=cache_control)
    responses = gather(*[get(app) for _ in range(N)])
    assert_waited_for_the_first_then_ran_themselves(app)
    # Each has the answer of its own run, none another's.
    assert sorted(int(r.headers["x-call"]) for r in responses) == list(range(1, N + 1))
    assert {r.status_code for r in responses} == {status}
    assert {r.text for r in responses} == {JSON_BODY}
    assert len(app.store) == 0


def test_a_leader_that_fails_leaves_the_waiters_to_run_the_application_themselves() -> None:
    app = Slow(fail_first=True)
    responses = gather(*[get(app) for _ in range(N)])
    assert_waited_for_the_first_then_ran_themselves(app)
    assert sorted(r.status_code for r in responses) == [200] * (N - 1) + [500]
    assert {r.text for r in responses if r.status_code == 200} == {JSON_BODY}


def test_waiters_outlive_a_leader_whose_client_went_away() -> None:
    app = Slow(duration=1.0)  # long enough for every waiter to join before the cancel

    async def scenario() -> list[httpx.Response]:
        responses: list[httpx.Response] = []

        async def wait() -> None:
            responses.append(await app.client.get("/thing"))

        async def lead() -> None:
            with leader:
                await app.client.get("/thing")

        leader = anyio.CancelScope()
        with anyio.fail_after(5):
            async with anyio.create_task_group() as group:
                group.start_soon(lead)
                await app.entered()
                for _ in range(N - 1):
                    group.start_soon(wait)
                await anyio.sleep(0.2)  # the waiters have read the revision and wait
                leader.cancel()
                app.log.append(("cancelled", 1))
        return responses

    responses = anyio.run(scenario)
    assert len(responses) == N - 1
    assert {r.status_code for r in responses} == {200}
    assert {r.text for r in responses} == {JSON_BODY}
    # The others waited for the first run, which never ended.
    assert app.log[:2] == [("start", 1), ("cancelled", 1)]
    assert ("end", 1) not in app.log
    assert app.calls == N  # the cancelled first run, then each waiter's own


def test_a_miss_is_shared_only_at_the_revision_the_waiter_read() -> None:
    revision = 1
    app = Slow(revision=lambda: revision)

    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        nonlocal revision
        results: dict[str, httpx.Response] = {}

        async def send(name: str) -> None:
            results[name] = await app.client.get("/thing")

        async with anyio.create_task_group() as group:
            group.start_soon(send, "first")
            await app.entered()  # the first runs the application at revision 1
            revision, app.data = 2, "new"  # a write is committed
            group.start_soon(send, "second")
        return results["first"], results["second"]

    first, second = anyio.run(scenario)
    assert first.headers["x-data"] == "old"
    assert second.headers["x-data"] == "new"
    assert app.calls == 2


def test_requests_with_credentials_are_not_coalesced() -> None:
    app = Slow()
    responses = gather(*[get(app, Authorization="Bearer x") for _ in range(N)])
    assert app.calls == N
    assert {r.status_code for r in responses} == {200}
    assert len(app.store) == 0
