"""HTTP caching for every GET: strong ETags, `If-None-Match` → 304, `Cache-Control`, gzip, HEAD.

`HttpCache` is one pure ASGI middleware (no `BaseHTTPMiddleware`: that one runs
the app in a separate task and copies every message). For GET and HEAD it
collects the application's response, and for a `200 OK`:

- **ETag.** A strong entity tag derived from the exact bytes of the body
  (BLAKE2b, 128 bits): identical requests get identical tags, any change of the
  data, page, filter or base URL changes the body and so the tag. A strong
  `ETag` the application set itself (a record's identity and version, a static
  file's) is kept instead: it names the identity coding, and the application
  answers for it changing whenever the body does. A weak or malformed one is
  replaced by the hash.
- **Content coding.** Bodies of at least `minimum_size` bytes of a textual type
  are gzip-encoded when the request accepts gzip. RFC 9110 §8.8.3 requires a
  strong tag to be unique across *all representations* of a resource, and a
  gzip-encoded body is a different representation from the identity one (the
  example in §8.8.3.3 gives them different tags). So the gzip representation
  gets its own tag: the identity tag with a `-gzip` suffix. That is sound
  because the encoded bytes are a deterministic function of the identity
  bytes (fixed level, header mtime 0), and it lets a matching `If-None-Match`
  be answered without compressing anything. Starlette's GZipMiddleware would
  keep one tag for both codings (and writes the current time into the gzip
  header, so a hash of its output would change every second), hence the
  compression lives here. Every such response says `Vary: Accept-Encoding`,
  so shared caches keep the two representations apart.
- **If-None-Match.** A list of tags, `W/` prefixes or `*`, compared with the
  weak comparison RFC 9110 §13.1.2 prescribes for this header: a match is a
  `304 Not Modified` with no body and the `ETag`, `Cache-Control` and `Vary`
  the 200 would have carried (§15.4.5).
- **Cache-Control.** `public, max-age=<settings.cache_max_age>` unless the
  application set its own. Directory data, `/docs` and `/openapi.json` alike.
- **HEAD.** FastAPI's routes answer GET only. A HEAD request is passed to the
  application as a GET and the body dropped, so every GET route answers HEAD
  with exactly the headers of the GET, and the OpenAPI document stays as it is.

Error responses (status ≥ 400) carry `Cache-Control: no-store`: a 404 for a
slug that is created a minute later, or a 503 while the database restarts,
must not be served from any cache, and problem documents are cheap to
compute again. (`app.errors` sets it on every problem document too, which
covers the 500s rendered outside this middleware.) A `405` also lists `HEAD`
in its `Allow` header wherever it lists `GET`.

The application never sees the conditional or range headers of a GET or
HEAD: this middleware is the one place that evaluates them, against the tag
it sends, so static files follow the same rules as the API. Writes check
`If-Match` themselves, with `if_match` (strong comparison, either coding).
Responses larger than `max_buffer` bytes are streamed through unchanged
apart from `Cache-Control`, without an ETag.

With a `store` (app.response_cache) and a `revision` function (app.revision's
`LoopRevision`), every finished `200` is also kept, identity and gzip bodies
with their tags, and a repeated request is answered from the store without
running the application while the directory's revision is unchanged. If the
revision cannot be read, the request is answered without the store.
The store's key holds the request's `Accept` and `Accept-Language`; a
response whose `Vary` names any other request header, or `*`, is not kept
(`Accept-Encoding` is answered by the two codings kept, and `Origin` by
app.cors, outside this middleware). Requests with `Authorization` bypass the
store. Requests that miss the same key at the same revision at once run the
application once: the first runs it, the others wait (`ResponseStore.join`)
and are answered from its representation, each with its own coding,
`If-None-Match` and HEAD. They are let go as soon as the first knows whether
its response may be kept, before it is sent; if it may not, or the first
fails or is cancelled, each of them runs the application itself.
"""

import base64
import gzip
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from functools import partial

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.headers import RawHeaders, add_vary, has_header, header_value
from app.languages import LANGUAGES
from app.response_cache import CacheKey, Representation, ResponseStore, cache_key
from app.revision import LoopRevision

logger = logging.getLogger(__name__)

# Below about one TCP segment gzip saves nothing worth its CPU time.
GZIP_MINIMUM_SIZE = 1400
# zlib's default: most of level 9's ratio at a fraction of its cost.
GZIP_LEVEL = 6
# Larger bodies are compressed on a worker thread, keeping the event loop free.
GZIP_THREAD_MINIMUM_SIZE = 256 * 1024
MAX_BUFFER = 16 * 1024 * 1024
ERROR_CACHE_CONTROL = b"no-store"

# Request headers answered here and hidden from the application (see the module docstring).
_CONDITIONAL_HEADERS = frozenset({b"if-none-match", b"if-modified-since", b"range", b"if-range"})
# Headers a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5).
_NOT_MODIFIED_HEADERS = frozenset(
    {b"etag", b"cache-control", b"vary", b"content-location", b"expires", b"date"}
)
_COMPRESSIBLE = re.compile(
    rb"^\s*(text/|application/(json|problem\+json|javascript|xml)|[^;]*\+(json|xml)\s*(;|$))",
    re.IGNORECASE,
)
# An entity tag in a list (empty list elements allowed): weakness indicator, quoted opaque tag.
_ENTITY_TAG = re.compile(rb'[\s,]*(W/)?("[^"]*")\s*(?:,|$)')
# A strong entity tag as RFC 9110 §8.8.3 spells it, to take one the application set.
_STRONG_TAG = re.compile(rb'"[\x21\x23-\x7e\x80-\xff]*"')
# Response `Vary` fields the store handles: the request headers its key holds, both codings
# it keeps, and `Origin`, whose CORS headers app.cors adds outside this middleware.
_STORABLE_VARY = frozenset({b"accept", b"accept-language", b"accept-encoding", b"origin"})
_CODING = re.compile(rb"\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*")


def entity_tag(body: bytes, gzipped: bool) -> bytes:
    """The strong ETag of a representation whose identity-coded bytes are `body`."""
    digest = hashlib.blake2b(body, digest_size=16).digest()
    tag = b'"' + base64.urlsafe_b64encode(digest).rstrip(b"=") + b'"'
    return gzip_tag(tag) if gzipped else tag


def gzip_tag(identity_tag: bytes) -> bytes:
    """The tag of the gzip coding of the representation tagged `identity_tag`."""
    return identity_tag[:-1] + b'-gzip"'


def none_match(header: bytes, etag: bytes) -> bool:
    """Whether an `If-None-Match` value matches `etag`, by weak comparison (RFC 9110 §13.1.2).

    `*` matches any current representation. A malformed value matches nothing,
    so the client gets the full response rather than a wrong 304.
    """
    header = header.strip()
    if header == b"*":
        return True
    opaque = etag.removeprefix(b"W/")
    return any(tag == opaque for _, tag in _entity_tags(header))


def if_match(header: str | None, current_etag: str) -> bool:
    """Whether a request with this `If-Match` may change the resource tagged `current_etag`.

    No header: nothing to check, True. `*` matches the current representation
    (the caller has one). Otherwise the strong comparison of RFC 9110 §13.1.1:
    weak tags never match, and the tag of either coding of the current
    representation does, `current_etag` or its gzip tag, since a client may
    have read it either way. A malformed value matches nothing, so no change is
    made on a misread precondition.
    """
    if header is None:
        return True
    value = header.strip().encode()
    if value == b"*":
        return True
    current = current_etag.encode()
    if current.startswith(b"W/"):
        return False
    # The same version labelled in another language is the same record's state.
    languages = {current} | {current[:-1] + f"-{lang}".encode() + b'"' for lang in LANGUAGES}
    codings = languages | {gzip_tag(tag) for tag in languages}
    return any(not weak and tag in codings for weak, tag in _entity_tags(value))


def _entity_tags(header: bytes) -> list[tuple[bool, bytes]]:
    """The (weak, opaque tag) pairs of an entity tag list; none at all if it is malformed."""
    tags: list[tuple[bool, bytes]] = []
    position = 0
    while position < len(header):
        found = _ENTITY_TAG.match(header, position)
        if found is None:
            return []
        tags.append((found.group(1) is not None, found.group(2)))
        position = found.end()
    return tags


def accepts_gzip(header: bytes) -> bool:
    """Whether an `Accept-Encoding` value allows gzip: `gzip`, `x-gzip` or `*`, with q > 0."""
    header = header.lower()
    if b"gzip" not in header and b"*" not in header:
        return False
    accepted: dict[bytes, float] = {}
    for part in header.split(b","):
        found = _CODING.fullmatch(part)
        if found is None:
            continue
        try:
            quality = float(found.group(2)) if found.group(2) else 1.0
        except ValueError:
            continue
        accepted[found.group(1)] = quality
    for coding in (b"gzip", b"x-gzip"):
        if coding in accepted:
            return accepted[coding] > 0
    return accepted.get(b"*", 0) > 0


def _lowered(headers: Iterable[tuple[bytes, bytes]]) -> RawHeaders:
    return [(name.lower(), value) for name, value in headers]


class HttpCache:
    """The middleware: `app.add_middleware(HttpCache, max_age=settings.cache_max_age)`."""

    def __init__(
        self,
        app: ASGIApp,
        max_age: int,
        minimum_size: int = GZIP_MINIMUM_SIZE,
        compress_level: int = GZIP_LEVEL,
        max_buffer: int = MAX_BUFFER,
        store: ResponseStore | None = None,
        revision: LoopRevision | Callable[[], Awaitable[int | None]] | None = None,
    ) -> None:
        self.app = app
        self.store = store if revision is not None else None
        self.revision = revision
        self.cache_control = f"public, max-age={max_age}".encode()
        self.minimum_size = minimum_size
        self.compress_level = compress_level
        self.max_buffer = max_buffer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, _Uncached(send).send)
            return
        await _Exchange(self, scope, send).run(receive)

    async def compress(self, body: bytes) -> bytes:
        """gzip with a fixed level and header mtime 0: the same body always gives the same bytes."""
        if len(body) < GZIP_THREAD_MINIMUM_SIZE:
            return gzip.compress(body, self.compress_level, mtime=0)
        compress = partial(gzip.compress, compresslevel=self.compress_level, mtime=0)
        return await anyio.to_thread.run_sync(compress, body)

    async def current_revision(self) -> int | None:
        """The directory revision, or None (nothing stored or answered from the store)."""
        assert self.revision is not None
        try:
            return await self.revision()
        except Exception:  # the application will report the database's failure itself
            logger.warning("directory revision unreadable; answering without the store")
            return None


def _error_headers(status: int, headers: RawHeaders) -> RawHeaders:
    """No caching of errors; `HEAD` allowed wherever `GET` is."""
    if status >= 400 and not has_header(headers, b"cache-control"):
        headers.append((b"cache-control", ERROR_CACHE_CONTROL))
    if status == 405:
        for index, (name, value) in enumerate(headers):
            allowed = [v.strip() for v in value.split(b",")]
            if name == b"allow" and b"GET" in allowed and b"HEAD" not in allowed:
                headers[index] = (name, value + b", HEAD")
    return headers


class _Uncached:
    """Other methods: responses pass unchanged, apart from `_error_headers`."""

    def __init__(self, send: Send) -> None:
        self._send = send

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = _lowered(message.get("headers", ()))
            message = {**message, "headers": _error_headers(message["status"], headers)}
        await self._send(message)


class _Exchange:
    """One GET or HEAD request: the application's response, collected and then answered."""

    def __init__(self, cache: HttpCache, scope: Scope, send: Send) -> None:
        self.cache = cache
        self.head = scope["method"] == "HEAD"
        self.send = send
        self.if_none_match: bytes | None = None
        self.accept_encoding = b""
        forwarded: RawHeaders = []
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                joined = value if self.if_none_match is None else self.if_none_match + b"," + value
                self.if_none_match = joined
            elif name in _CONDITIONAL_HEADERS:
                continue
            else:
                if name == b"accept-encoding":
                    self.accept_encoding += b"," + value if self.accept_encoding else value
                forwarded.append((name, value))
        self.scope: Scope = {**scope, "method": "GET", "headers": forwarded}
        extensions = scope.get("extensions")
        if extensions and "http.response.pathsend" in extensions:
            # Keep file bodies coming as ordinary messages, so they can be hashed.
            self.scope["extensions"] = {
                k: v for k, v in extensions.items() if k != "http.response.pathsend"
            }
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.streaming = False  # passing messages through rather than collecting them
        self.key: CacheKey | None = cache_key(scope) if cache.store is not None else None
        self.revision: int | None = None
        self.leading = False  # others missing the same key at this revision wait for this one

    async def run(self, receive: Receive) -> None:
        if self.key is not None:
            self.revision = await self.cache.current_revision()
            if self.revision is not None:
                stored = await self._stored(self.key, self.revision)
                if stored is not None:
                    await self._respond(stored)
                    return
        try:
            await self.cache.app(self.scope, receive, self.collect)
        finally:  # also on an exception or cancellation: no waiter is left hanging
            self._end_miss(None)

    async def _stored(self, key: CacheKey, revision: int) -> Representation | None:
        """The stored representation, or the one the request missing it first answers with."""
        assert self.cache.store is not None
        stored = self.cache.store.get(key, revision)
        if stored is not None:
            return stored
        miss = self.cache.store.join(key, revision)
        if miss is None:
            self.leading = True
            return None
        await miss.done.wait()
        return miss.answer

    def _end_miss(self, answer: Representation | None) -> None:
        if self.leading:
            assert self.cache.store is not None and self.key is not None
            assert self.revision is not None
            self.leading = False
            self.cache.store.end(self.key, self.revision, answer)

    async def collect(self, message: Message) -> None:
        kind = message["type"]
        if self.streaming:
            await self._pass(message)
        elif kind == "http.response.start":
            headers = _lowered(message.get("headers", ()))
            status = message["status"]
            self.start = {**message, "headers": headers}
            if status != 200 or has_header(headers, b"content-encoding") or message.get("trailers"):
                self.start["headers"] = _error_headers(status, headers)
                await self._stream()
        elif kind == "http.response.body":
            body = message.get("body", b"")
            if body:
                self.chunks.append(body)
                self.size += len(body)
            if not message.get("more_body", False):
                await self._answer(b"".join(self.chunks))
            elif self.size > self.cache.max_buffer:
                await self._stream()
        else:  # an extension message: give up collecting and pass everything on
            await self._stream()
            await self._pass(message)

    async def _stream(self) -> None:
        """Pass the response on as it comes: the start, whatever was collected, the rest."""
        self.streaming = True
        self._end_miss(None)
        assert self.start is not None
        headers = self.start["headers"]
        if self.start["status"] == 200 and not has_header(headers, b"cache-control"):
            headers.append((b"cache-control", self.cache.cache_control))
        await self.send(self.start)
        if self.chunks:
            collected = b"".join(self.chunks)
            self.chunks = []
            await self._pass({"type": "http.response.body", "body": collected, "more_body": True})

    async def _pass(self, message: Message) -> None:
        if self.head and message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await self.send(message)

    async def _answer(self, body: bytes) -> None:
        assert self.start is not None
        etag = header_value(self.start["headers"], b"etag")  # the application's own, if strong
        if etag is None or not _STRONG_TAG.fullmatch(etag):
            etag = entity_tag(body, gzipped=False)
        headers = [
            (name, value)
            for name, value in self.start["headers"]
            if name not in (b"content-length", b"etag")
        ]
        content_type = header_value(headers, b"content-type") or b""
        compressible = _COMPRESSIBLE.match(content_type) is not None
        if not has_header(headers, b"cache-control"):
            headers.append((b"cache-control", self.cache.cache_control))
        if compressible:
            add_vary(headers, b"Accept-Encoding")
        representation = Representation(
            headers,
            body,
            etag=etag,
            gzippable=compressible and len(body) >= self.cache.minimum_size,
        )
        kept = None
        if self.key is not None and self.revision is not None and _storable(headers):
            assert self.cache.store is not None
            if representation.gzippable:
                representation.gzip_body = await self.cache.compress(body)
            representation.revision = self.revision
            self.cache.store.put(self.key, representation)
            kept = representation  # for the waiters even if too big for the store
        self._end_miss(kept)  # before sending: waiters need not wait for a slow client
        await self._respond(representation)

    async def _respond(self, representation: Representation) -> None:
        """Answer with `representation`: a 304 if the client has it, else gzip or identity."""
        gzipped = representation.gzippable and accepts_gzip(self.accept_encoding)
        etag = gzip_tag(representation.etag) if gzipped else representation.etag
        headers = [*representation.headers, (b"etag", etag)]

        if self.if_none_match is not None and none_match(self.if_none_match, etag):
            kept = [(n, v) for n, v in headers if n in _NOT_MODIFIED_HEADERS]
            await self.send({"type": "http.response.start", "status": 304, "headers": kept})
            await self.send({"type": "http.response.body", "body": b""})
            return

        body = representation.body
        if gzipped:
            body = representation.gzip_body or await self.cache.compress(body)
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
        await self.send({"type": "http.response.start", "status": 200, "headers": headers})
        await self.send({"type": "http.response.body", "body": b"" if self.head else body})


def _storable(headers: RawHeaders) -> bool:
    """Whether a response may be kept: not one marked private or no-store, nor one that
    varies by a request header the store's key does not hold (or by `*`)."""
    control = (header_value(headers, b"cache-control") or b"").lower()
    if b"no-store" in control or b"private" in control:
        return False
    varied = {f.strip().lower() for n, v in headers if n == b"vary" for f in v.split(b",")}
    return varied - {b""} <= _STORABLE_VARY
