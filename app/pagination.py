"""One list envelope and keyset (cursor) pagination for every collection.

A cursor holds the sort key of the last row served, so the next page starts
strictly after it: pages stay correct while rows are inserted and cost the
same deep in a result as on page one.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from app.config import get_settings
from app.errors import InvalidParameter

T = TypeVar("T")

_settings = get_settings()


class PageLinks(BaseModel):
    self: str = Field(examples=["http://127.0.0.1:8000/organisations?limit=50"])
    first: str = Field(examples=["http://127.0.0.1:8000/organisations?limit=50"])
    next: str | None = Field(examples=["http://127.0.0.1:8000/organisations?limit=50&cursor=WyJh"])


class Page(BaseModel, Generic[T]):
    """Every collection answers with this envelope."""

    items: list[T]
    total: int = Field(description="Number of items matching the filters, on all pages.")
    limit: int
    links: PageLinks


@dataclass(frozen=True)
class PageRequest:
    limit: int
    cursor: str | None


def page_request(
    limit: Annotated[
        int,
        Query(ge=1, le=_settings.page_size_max, description="Items per page."),
    ] = _settings.page_size_default,
    cursor: Annotated[
        str | None,
        Query(max_length=2000, description="Opaque cursor from `links.next`."),
    ] = None,
) -> PageRequest:
    return PageRequest(limit=limit, cursor=cursor)


@dataclass(frozen=True)
class SortKey:
    """Columns a list is ordered by; the last must be unique (the tie-breaker)."""

    name: str
    columns: Sequence[ColumnElement[Any]]
    descending: Sequence[bool]

    def order_by(self) -> list[ColumnElement[Any]]:
        return [
            c.desc() if d else c.asc() for c, d in zip(self.columns, self.descending, strict=True)
        ]

    def after(self, values: Sequence[Any]) -> ColumnElement[bool]:
        """Rows strictly after `values` in this order (expanded for mixed directions)."""
        clauses = []
        for i, (column, desc) in enumerate(zip(self.columns, self.descending, strict=True)):
            equal_prefix = [c == v for c, v in zip(self.columns[:i], values[:i], strict=True)]
            beyond = column < values[i] if desc else column > values[i]
            clauses.append(and_(*equal_prefix, beyond))
        return or_(*clauses)


def encode_cursor(sort: str, values: Sequence[Any]) -> str:
    raw = json.dumps({"s": sort, "k": list(values)}, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: SortKey) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values = data["k"]
        if data["s"] != sort.name or not isinstance(values, list):
            raise ValueError
        if len(values) != len(sort.columns):
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidParameter(
            "cursor", "not a cursor from this list; start again without it"
        ) from exc
    return values


@dataclass
class Window(Generic[T]):
    rows: list[T]
    total: int
    next_cursor: str | None


def fetch_window(
    session: Session,
    query: Select[Any],
    sort: SortKey,
    page: PageRequest,
    key_of: Any,
) -> Window[Any]:
    """Run `query` for one page; `key_of(row)` returns the row's sort-key values."""
    total = session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    paged = query
    if page.cursor:
        paged = paged.where(sort.after(decode_cursor(page.cursor, sort)))
    rows = list(session.execute(paged.order_by(*sort.order_by()).limit(page.limit + 1)).all())
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    next_cursor = encode_cursor(sort.name, key_of(rows[-1])) if has_more and rows else None
    return Window(rows=rows, total=total, next_cursor=next_cursor)


def page_links(request: Request, limit: int, next_cursor: str | None) -> PageLinks:
    url = request.url.remove_query_params("cursor")
    first = str(url.include_query_params(limit=limit))
    return PageLinks(
        self=str(request.url),
        first=first,
        next=str(url.include_query_params(limit=limit, cursor=next_cursor))
        if next_cursor
        else None,
    )


def link_header(links: PageLinks) -> str:
    parts = [f'<{links.first}>; rel="first"']
    if links.next:
        parts.append(f'<{links.next}>; rel="next"')
    return ", ".join(parts)


def paged(request: Request, response: Response, window: Window[T], page: PageRequest) -> Page[T]:
    """The list envelope for a window, with the RFC 8288 `Link` header set on `response`."""
    links = page_links(request, page.limit, window.next_cursor)
    response.headers["Link"] = link_header(links)
    return Page[T](items=window.rows, total=window.total, limit=page.limit, links=links)


PageDep = Annotated[PageRequest, Depends(page_request)]
