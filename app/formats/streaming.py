"""Lists as one stream of every matching record, in CSV or NDJSON, page by page.

The filters are checked by reading the first page before anything is sent, so a
bad one is still a problem document; then each page is written as it is read,
one page in memory at a time whatever the list's length. The pages follow
cursors, as a client paging the JSON list would, so records written meanwhile
are seen or not as on any paged read.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from starlette.responses import StreamingResponse

from app.formats import csv
from app.formats.negotiation import Format
from app.pagination import PageRequest, Window
from app.reading import json_bytes

STREAM_PAGE = 200

ReadPage = Callable[[PageRequest], Awaitable[Window[Any]]]


async def list_stream(
    fmt: Format, read_page: ReadPage, columns: Sequence[csv.Column], headers: dict[str, str]
) -> StreamingResponse:
    """Every record `read_page` pages through, as `fmt`: CSV with `columns`, or NDJSON (each
    line a record as the JSON list's `items` hold it)."""
    first = await read_page(PageRequest(STREAM_PAGE, None, streamed=True))

    def write(window: Window[Any]) -> bytes:
        if fmt is Format.ndjson:
            return b"".join(json_bytes(record) + b"\n" for record in window.rows)
        return csv.rows(columns, window.rows)

    async def body() -> AsyncIterator[bytes]:
        if fmt is Format.csv:
            yield csv.header(columns)
        window = first
        while True:
            if window.rows:
                yield write(window)
            if window.next_cursor is None:
                return
            window = await read_page(PageRequest(STREAM_PAGE, window.next_cursor, streamed=True))

    media_type = fmt.media_type + ("; charset=utf-8; header=present" if fmt is Format.csv else "")
    return StreamingResponse(body(), media_type=media_type, headers=headers)
