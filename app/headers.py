"""Reading and amending the raw headers of ASGI messages: lists of (lower-case name, value)."""

from collections.abc import Iterable

RawHeaders = list[tuple[bytes, bytes]]


def add_vary(headers: RawHeaders, field: bytes) -> None:
    """Name `field` in the response's `Vary`, once (and not beside `*`)."""
    for index, (name, value) in enumerate(headers):
        if name == b"vary":
            listed = [v.strip().lower() for v in value.split(b",")]
            if field.lower() not in listed and b"*" not in listed:
                headers[index] = (name, value + b", " + field)
            return
    headers.append((b"vary", field))


def has_header(headers: Iterable[tuple[bytes, bytes]], wanted: bytes) -> bool:
    return any(name == wanted for name, _ in headers)


def header_value(headers: Iterable[tuple[bytes, bytes]], wanted: bytes) -> bytes | None:
    for name, value in headers:
        if name == wanted:
            return value
    return None
