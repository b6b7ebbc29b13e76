"""Finished responses kept in memory until the directory changes.

The directory is read far more often than it is written, and most reads repeat
(the first page of a list, popular searches, the records counsellors open, the
polls of mirroring tools). `app.http_cache` keeps each `200 OK` it answers to a
GET here, with its ETag and gzip form, under the directory revision
(app.revision) read *before* the application ran: the data in the response is
at least that new. A request is answered from here when the revision is still
the same, so a write by any process ends every entry at once and no response
is ever older than the data committed before the request arrived.

The key is everything a response depends on: scheme, `Host` (links are built
from it unless `WEGWEISER_BASE_URL` is set), root path, path, query string,
and the `Accept` and `Accept-Language` the response may be negotiated by
(repeated lines joined, surrounding whitespace trimmed). A response whose
`Vary` names any other request header is not kept (app.http_cache decides).
Requests with an `Authorization` header are never stored or answered from
here, so per-user responses can come later without leaking.

The store is a least-recently-used dictionary bounded in bytes. It also
coalesces misses: of the requests that miss one key at one revision at the
same time, the first runs the application and the others wait for its
`Miss` to end, then take its representation, or, if its response may not be
kept or never came, each run the application themselves. A miss is shared
only at the revision its waiters read themselves, so none is answered with
older data than it would get alone. The store and its misses live in the
event loop's thread only, so they need no lock.
"""

from collections import OrderedDict
from dataclasses import dataclass, field

import anyio
from starlette.types import Scope

from app.headers import RawHeaders

CacheKey = tuple[bytes | None, ...]

# Request headers responses are negotiated by, and so part of the key.
NEGOTIATION_HEADERS = (b"accept", b"accept-language")

# Bookkeeping per entry (key, headers, objects), roughly: keeps many tiny
# entries from passing as free.
ENTRY_OVERHEAD = 512


@dataclass
class Representation:
    """A `200 OK` response body with the headers every coding of it shares."""

    headers: RawHeaders  # without ETag, Content-Length and Content-Encoding
    body: bytes
    etag: bytes  # of the identity coding
    gzippable: bool  # big enough and of a textual type
    gzip_body: bytes | None = None  # compressed once when stored
    revision: int = -1

    @property
    def size(self) -> int:
        gzipped = len(self.gzip_body) if self.gzip_body is not None else 0
        headers = sum(len(name) + len(value) for name, value in self.headers)
        return ENTRY_OVERHEAD + len(self.body) + gzipped + headers


@dataclass
class Miss:
    """A key the store lacks at a revision, being answered by one request, its leader."""

    done: anyio.Event = field(default_factory=anyio.Event)
    answer: Representation | None = None  # None: the waiters run the application themselves


def cache_key(scope: Scope) -> CacheKey | None:
    """The key of a GET or HEAD request, or None if it must not be answered from the store."""
    host = b""
    # None when absent: no `Accept` means anything goes, an empty one may not.
    negotiated: dict[bytes, bytes | None] = dict.fromkeys(NEGOTIATION_HEADERS)
    for name, value in scope["headers"]:
        if name == b"authorization":
            return None
        if name == b"host":
            host = value
        elif name in negotiated:
            # Repeated field lines mean one line listing their values (RFC 9110 §5.3).
            earlier = negotiated[name]
            value = value.strip()
            negotiated[name] = value if earlier is None else earlier + b"," + value
    return (
        scope.get("scheme", "http").encode(),
        host,
        scope.get("root_path", "").encode(),
        scope.get("raw_path") or scope["path"].encode(),
        scope.get("query_string", b""),
        *negotiated.values(),
    )


class ResponseStore:
    """Representations by request key, valid for one directory revision each."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        # One entry may take a sixteenth of the store: big static files pass through.
        self.max_entry_bytes = max_bytes // 16
        self.size = 0
        self._entries: OrderedDict[CacheKey, Representation] = OrderedDict()
        self._misses: dict[tuple[CacheKey, int], Miss] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: CacheKey, revision: int) -> Representation | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.revision != revision:
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: CacheKey, entry: Representation) -> None:
        if entry.size > self.max_entry_bytes:
            return
        if key in self._entries:
            self._remove(key)
        self._entries[key] = entry
        self.size += entry.size
        while self.size > self.max_bytes:
            self._remove(next(iter(self._entries)))

    def join(self, key: CacheKey, revision: int) -> Miss | None:
        """The miss of `key` at `revision` under way, to wait for; or None, and the caller
        now leads it and must `end` it, whatever happens."""
        miss = self._misses.get((key, revision))
        if miss is None:
            self._misses[key, revision] = Miss()
        return miss

    def end(self, key: CacheKey, revision: int, answer: Representation | None) -> None:
        """End the miss the caller leads: its waiters take `answer`, if not None."""
        miss = self._misses.pop((key, revision))
        miss.answer = answer
        miss.done.set()

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0

    def _remove(self, key: CacheKey) -> None:
        self.size -= self._entries.pop(key).size
