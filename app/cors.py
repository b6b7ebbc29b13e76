"""CORS: browser apps on every origin may read the directory; listed origins may also write.

`Cors` is a pure ASGI middleware (no `BaseHTTPMiddleware`, see app.http_cache),
added outermost, so every response passes it on the way out: problem
documents, 304s and responses answered from the in-memory store alike.

- **Reading.** Every `GET` and `HEAD` response says `Access-Control-Allow-Origin: *`
  and exposes `ETag`, `Link`, `Location`, `Content-Language` and `Retry-After`
  to scripts. No credentials: the directory is public and needs no cookies.
  The headers are sent whether or not the request has an `Origin`, as the
  Fetch standard advises for a fixed value (§3.2.6): a shared cache that
  stored a response to a request without `Origin` then serves one a browser
  accepts too, without a `Vary: Origin` splitting every cached entry in two.
- **Preflight** (`OPTIONS` with `Origin` and `Access-Control-Request-Method`)
  is answered here with a `204` and never reaches the application. Reading
  methods are allowed from every origin. Writing methods are allowed only
  from an origin listed exactly in `settings.cors_write_origins`; the answer
  names that origin and says `Vary: Origin`. Of the requested headers, the
  answer repeats those that are allowed; the browser refuses the request if
  any is missing. A preflight from an unlisted origin for a write gets a
  `204` without any `Access-Control-Allow-*` header, which the browser takes
  as a refusal: the preflight asks whether a browser may send the request,
  and "no" is the absence of a permission. A `403` would claim the request
  itself is forbidden, which it is not (see below).
- **Writes** from a listed origin get that origin, `Vary: Origin` and the
  exposed headers on their response; from any other origin no CORS headers,
  so the browser withholds the response from the page.

CORS is a protection the browser enforces for its user, not authorisation:
the server processes every request as it would one without `Origin`, and a
client outside a browser ignores these headers. Writes are protected by their
API keys; the list of write origins only decides which web apps a browser lets
use a key.

`OPTIONS` without `Access-Control-Request-Method` is no preflight and goes to
the application as before. An unexpected exception's `500` is rendered by
Starlette outside every middleware, and so carries no CORS headers.
"""

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.headers import RawHeaders, add_vary, header_value

READ_METHODS = frozenset({"GET", "HEAD"})
EXPOSED_HEADERS = b"ETag, Link, Location, Content-Language, Retry-After"
READ_ALLOW_METHODS = b"GET, HEAD"
WRITE_ALLOW_METHODS = b"GET, HEAD, POST, PUT, PATCH, DELETE"
READ_REQUEST_HEADERS = frozenset({"accept", "accept-language", "if-none-match", "content-type"})
WRITE_REQUEST_HEADERS = READ_REQUEST_HEADERS | {"authorization", "if-match", "change-source"}
# How long a browser may reuse a preflight's answer, in seconds.
MAX_AGE = b"600"


class Cors:
    """The middleware: `app.add_middleware(Cors, write_origins=settings.cors_write_origins)`."""

    def __init__(self, app: ASGIApp, write_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.write_origins = frozenset(origin.encode("latin-1") for origin in write_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        origin = header_value(scope["headers"], b"origin")
        requested = header_value(scope["headers"], b"access-control-request-method")
        if method == "OPTIONS" and origin is not None and requested is not None:
            await self._preflight(scope, origin, requested.decode("latin-1").strip(), send)
        elif method in READ_METHODS:
            await self.app(scope, receive, _adding_cors(send, None))
        elif origin is not None and origin in self.write_origins:
            await self.app(scope, receive, _adding_cors(send, origin))
        else:
            await self.app(scope, receive, send)

    async def _preflight(self, scope: Scope, origin: bytes, method: str, send: Send) -> None:
        if method in READ_METHODS:
            allowed = READ_REQUEST_HEADERS
            headers = [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-allow-methods", READ_ALLOW_METHODS),
            ]
        elif origin in self.write_origins:
            allowed = WRITE_REQUEST_HEADERS
            headers = [
                (b"access-control-allow-origin", origin),
                (b"vary", b"Origin"),
                (b"access-control-allow-methods", WRITE_ALLOW_METHODS),
            ]
        else:  # refused: an answer that allows nothing (see the module docstring)
            await _no_content(send, [])
            return
        requested = header_value(scope["headers"], b"access-control-request-headers") or b""
        names = [n.strip() for n in requested.decode("latin-1").split(",") if n.strip()]
        granted = [name for name in names if name.lower() in allowed]
        if granted:
            headers.append((b"access-control-allow-headers", ", ".join(granted).encode()))
        headers.append((b"access-control-max-age", MAX_AGE))
        await _no_content(send, headers)


async def _no_content(send: Send, headers: RawHeaders) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def _adding_cors(send: Send, origin: bytes | None) -> Send:
    """`send`, adding the CORS headers of a response: for every origin, or for `origin` only."""
    extra: RawHeaders = [
        (b"access-control-allow-origin", origin or b"*"),
        (b"access-control-expose-headers", EXPOSED_HEADERS),
    ]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(name.lower(), value) for name, value in message.get("headers", ())]
            headers += extra
            if origin is not None:
                add_vary(headers, b"Origin")
            message = {**message, "headers": headers}
        await send(message)

    return wrapped
