"""One list envelope and keyset (cursor) pagination for every collection.

A cursor holds the sort key of the last row served, so the next page starts
strictly after it: pages stay correct while rows are inserted and cost the
same deep in a result as on page one.
"""

import base64
import binascii
import json
import math
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from annotated_types import Ge
from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field, WithJsonSchema
from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, func, or_, select, tuple_
from sqlalchemy.orm import Mapped
from sqlmodel import Session
from starlette.datastructures import URL

from app.config import get_settings
from app.db import MAX_ID, as_utc, connection_of
from app.deps import PLAIN_DIGITS, get_app_settings
from app.errors import InvalidParameter
from app.memo import filter_key, memoised, remembers
from app.reading import JsonResponse

T = TypeVar("T")
# A column expression, or a model's column attribute as `sqlmodel.col()` gives it.
SortColumn = ColumnElement[Any] | Mapped[Any]

# Only for the description of `limit`: requests are checked against the app's own settings.
_documented = get_settings()
# Documents the bound without enforcing it, since an app may be configured with another.
_LIMIT_SCHEMA = WithJsonSchema(
    {"type": "integer", "minimum": 1, "maximum": _documented.page_size_max}
)


@dataclass(kw_only=True, slots=True)
class PageLinks:
    self: Annotated[str, Field(examples=["http://127.0.0.1:8000/organisations?limit=50"])]
    first: Annotated[str, Field(examples=["http://127.0.0.1:8000/organisations?limit=50"])]
    next: Annotated[
        str | None, Field(examples=["http://127.0.0.1:8000/organisations?limit=50&cursor=WyJh"])
    ]


class Page(BaseModel, Generic[T]):
    """Every collection answers with this envelope (`paged` writes it; this is its schema)."""

    items: list[T]
    total: int = Field(description="Number of items matching the filters, on all pages.")
    limit: int
    links: PageLinks


@dataclass(kw_only=True, slots=True)
class FacetValue:
    value: Annotated[
        str | None, Field(examples=["14626"], description="The filter value; null: not set.")
    ]
    label: Annotated[str | None, Field(examples=["Landkreis Görlitz"])] = None
    count: Annotated[int, Field(examples=[7])]


class SearchPage(Page[T], Generic[T]):
    """The envelope of a list searched with `q`."""

    did_you_mean: str | None = Field(
        default=None,
        examples=["opferberatung"],
        description="Set when `q` as typed found nothing: the corrected form the items were "
        "found by (umlauts put back, an inflection or one typo corrected).",
    )


class FacetedPage(SearchPage[T], Generic[T]):
    facets: dict[str, list[FacetValue]] | None = Field(
        default=None,
        description="With `facets=…`: counts per value of each facet for the current filter.",
    )


@dataclass(frozen=True)
class PageRequest:
    limit: int
    cursor: str | None
    # A page of a CSV or NDJSON stream, read once: not kept (`remembered_page`).
    streamed: bool = False


LimitParam = Annotated[
    Annotated[int, Ge(1), _LIMIT_SCHEMA] | None,
    PLAIN_DIGITS,
    Query(
        description=f"Items per page: {_documented.page_size_default} unless given, "
        f"at most {_documented.page_size_max}.",
        examples=[20],
    ),
]


def checked_limit(request: Request, limit: int | None) -> int:
    """`limit`, or the default, checked against the app's configured maximum."""
    settings = get_app_settings(request)
    if limit is None:
        return settings.page_size_default
    if limit > settings.page_size_max:
        raise InvalidParameter(
            "limit", f"Input should be less than or equal to {settings.page_size_max}"
        )
    return limit


async def page_request(
    request: Request,
    limit: LimitParam = None,
    cursor: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="Opaque cursor from `links.next`; empty or left out: the first page.",
            # A cursor is valid for one list, order and search only; empty is valid everywhere.
            examples=[""],
        ),
    ] = None,
) -> PageRequest:
    """The page size and cursor, `limit` checked against the app's configured maximum."""
    return PageRequest(limit=checked_limit(request, limit), cursor=cursor)


@dataclass(frozen=True)
class SortKey:
    """Columns a list is ordered by; the last must be unique (the tie-breaker).

    `types` gives each column's Python type: how its value travels in a cursor
    (JSON has no datetimes) and what a cursor must hold, so a forged one cannot
    compare an integer column with a string.
    """

    name: str
    columns: Sequence[SortColumn]
    descending: Sequence[bool]
    types: Sequence[type]

    def encode(self, values: Sequence[Any]) -> list[Any]:
        return [v.isoformat() if isinstance(v, datetime) else v for v in values]

    def decode(self, values: Sequence[Any]) -> list[Any]:
        decoded: list[Any] = []
        for value, kind in zip(values, self.types, strict=True):
            if kind is datetime:
                decoded.append(as_utc(datetime.fromisoformat(value)))
            elif kind is float and _is_number(value) and math.isfinite(value):
                decoded.append(float(value))
            elif kind is int and _is_number(value) and isinstance(value, int):
                if not -MAX_ID <= value <= MAX_ID:  # integer sort columns are ids
                    raise ValueError(f"cursor value {value} is out of range")
                decoded.append(value)
            elif kind is str and isinstance(value, str) and "\x00" not in value:
                value.encode()  # JSON may hold a lone surrogate ("\ud800"), which no column does
                decoded.append(value)
            else:
                raise ValueError(f"cursor value {value!r} is not a {kind.__name__}")
        return decoded

    def cursor_values(self, values: Sequence[Any]) -> dict[str, Any]:
        return {f"cursor_{i}": value for i, value in enumerate(values)}

    def order_by(self) -> list[ColumnElement[Any]]:
        return [
            c.desc() if d else c.asc() for c, d in zip(self.columns, self.descending, strict=True)
        ]

    def after(self) -> ColumnElement[bool]:
        """Rows strictly after the cursor's values, bound as `cursor_0`, `cursor_1`, …
        (`cursor_values`).

        One direction for all columns becomes a row-value comparison, which both
        SQLite and PostgreSQL answer with a single index range scan; mixed
        directions are expanded into (a > x) OR (a = x AND b > y) ….
        """
        typed = [
            bindparam(f"cursor_{i}", type_=getattr(c, "type", None))
            for i, c in enumerate(self.columns)
        ]
        if len(set(self.descending)) == 1:
            row, cursor = tuple_(*self.columns), tuple_(*typed)
            return row < cursor if self.descending[0] else row > cursor
        clauses = []
        for i, (column, desc) in enumerate(zip(self.columns, self.descending, strict=True)):
            equal_prefix = [c == v for c, v in zip(self.columns[:i], typed[:i], strict=True)]
            beyond = column < typed[i] if desc else column > typed[i]
            clauses.append(and_(*equal_prefix, beyond))
        return or_(*clauses)


def encode_cursor(sort: SortKey, values: Sequence[Any]) -> str:
    raw = json.dumps({"s": sort.name, "k": sort.encode(values)}, separators=(",", ":"))
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
        return sort.decode(values)
    # OverflowError: a time that UTC cannot hold, or an integer too large for a float.
    # RecursionError: JSON nested deeper than the parser goes.
    except (
        ValueError,
        KeyError,
        TypeError,
        OverflowError,
        RecursionError,
        binascii.Error,
    ) as exc:
        raise InvalidParameter(
            "cursor", "not a cursor from this list and order; start again without it"
        ) from exc


def _is_number(value: object) -> bool:
    # JSON's true and false would pass as Python ints.
    return isinstance(value, int | float) and not isinstance(value, bool)


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
    total: int | None = None,
    count_key: Hashable | None = None,
    records: bool = False,
) -> Window[Any]:
    """Run `query` for one page of rows, ordered by `sort`, counting all matches
    unless the caller has counted them already (`total`); with a `count_key` naming
    the query's filter, the count is kept for the directory revision (app.memo).
    `records`: the query selects records (ORM entities), not columns."""
    if total is None:

        def count() -> int:
            counting = select(func.count()).select_from(query.order_by(None).subquery())
            return int(session.execute(counting).scalar_one())

        total = memoised(session, count_key, count)
    if (
        count_key is not None
        and total <= REMEMBERED_ORDER_ROWS
        and not records
        and remembers(session)
    ):
        window = _remembered_window(session, query, sort, page, total, count_key)
        if window is not None:
            return window
    if count_key is not None and not records:
        # A page of rows (not records, which belong to their session) is the same until the
        # next write: kept for the revision, like the count.
        return memoised(
            session,
            ("window", count_key, sort.name, page.cursor, page.limit),
            lambda: _queried_window(session, query, sort, page, total, count_key, records),
            lambda window: 1 + len(window.rows),
        )
    return _queried_window(session, query, sort, page, total, count_key, records)


def _queried_window(
    session: Session,
    query: Select[Any],
    sort: SortKey,
    page: PageRequest,
    total: int,
    count_key: Hashable | None,
    records: bool,
) -> Window[Any]:
    values = sort.cursor_values(decode_cursor(page.cursor, sort)) if page.cursor else {}

    def page_statement() -> Select[Any]:
        paged = _ordered(query, sort)
        if page.cursor:
            paged = paged.where(sort.after())
        return paged.limit(page.limit + 1)

    # Built once per filter, order and page size: building it costs more than running it.
    shape = ("page", count_key, sort.name, bool(page.cursor), page.limit)
    paged = memoised(session, shape if count_key is not None else None, page_statement)
    # Columns need no ORM, which would cost more than the query: only records go through it.
    run = session.execute if records else connection_of(session).execute
    rows = list(run(paged, values).all())
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    width = len(sort.columns)
    next_cursor = encode_cursor(sort, rows[-1][-width:]) if has_more and rows else None
    return Window(rows=rows, total=total, next_cursor=next_cursor)


# Matches of a filter up to this many are put in order once per directory revision (the
# page rows of 20 000, ids, versions and sort keys, take a few MB): when they are many,
# but few of all records, neither an index on the order nor one on the filter finds a page
# without reading them all.
REMEMBERED_ORDER_ROWS = 20_000


def _remembered_window(
    session: Session,
    query: Select[Any],
    sort: SortKey,
    page: PageRequest,
    total: int,
    count_key: Hashable,
) -> Window[Any] | None:
    """A page cut from the remembered, ordered rows of the filter's matches; None when
    the cursor's row is not among them (it changed since), for the query to find the page."""
    width = len(sort.columns)

    def in_order() -> tuple[list[Row[Any]], dict[tuple[Any, ...], int]]:
        rows = list(connection_of(session).execute(_ordered(query, sort)).all())
        return rows, {tuple(row[-width:]): index for index, row in enumerate(rows)}

    rows, positions = memoised(
        session, ("order", count_key, sort.name), in_order, lambda found: 1 + len(found[0])
    )
    start = 0
    if page.cursor:
        after = positions.get(tuple(decode_cursor(page.cursor, sort)))
        if after is None:
            return None
        start = after + 1
    chosen = rows[start : start + page.limit]
    more = start + page.limit < len(rows)
    next_cursor = encode_cursor(sort, chosen[-1][-width:]) if more and chosen else None
    return Window(chosen, total, next_cursor)


def _ordered(query: Select[Any], sort: SortKey) -> Select[Any]:
    labels = (c.label(f"sort_key_{i}") for i, c in enumerate(sort.columns))
    return query.add_columns(*labels).order_by(*sort.order_by())


@dataclass
class SearchWindow(Window[T]):
    did_you_mean: str | None = None


@dataclass
class FacetedWindow(Window[T]):
    facets: dict[str, list[FacetValue]] | None = None
    did_you_mean: str | None = None


W = TypeVar("W", bound=Window[Any])

# What one read model of a kept page weighs against the memo's bound (a sort key weighs 1).
ITEM_WEIGHT = 10


def remembered_page(
    session: Session,
    name: str,
    filters: Any,
    page: PageRequest,
    compute: Callable[[], W],
    *more: Hashable,
) -> W:
    """The page `compute()` makes of a list (`name`, its `filters` and `more` of what it
    depends on), kept for the revision: for lists whose records embed others (a network its
    members, a relation its ends), which no record memo can keep by the record's version."""
    if page.streamed:  # a whole list in pages would push everything else out
        return compute()
    key = filter_key(name, filters, page.cursor, page.limit, *more)
    return memoised(session, key, compute, lambda window: 1 + ITEM_WEIGHT * len(window.rows))


def public_url(request: Request) -> URL:
    """The request's URL as clients see it: under the configured `base_url` when that is set.

    Behind a proxy the service is reached at another address than the one it is
    called on; links must use the public one, as the records' `url`s do.
    """
    base = get_app_settings(request).base_url.rstrip("/")
    if not base:
        return request.url
    path, root = request.url.path, request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    query = f"?{request.url.query}" if request.url.query else ""
    return URL(f"{base}{path}{query}")


def page_links(
    request: Request, limit: int, next_cursor: str | None, cursor_name: str = "cursor"
) -> PageLinks:
    current = public_url(request)
    url = current.remove_query_params(cursor_name)
    first = str(url.include_query_params(limit=limit))
    return PageLinks(
        self=str(current),
        first=first,
        next=str(url.include_query_params(**{"limit": limit, cursor_name: next_cursor}))
        if next_cursor
        else None,
    )


def link_header(links: PageLinks) -> str:
    parts = [f'<{links.first}>; rel="first"']
    if links.next:
        parts.append(f'<{links.next}>; rel="next"')
    return ", ".join(parts)


def paged(
    request: Request,
    window: Window[Any],
    page: PageRequest,
    cursor_name: str = "cursor",
) -> JsonResponse:
    """The list envelope (`Page`, or `FacetedPage` for a `FacetedWindow`) of a window, as
    JSON, with the RFC 8288 `Link` header."""
    links = page_links(request, page.limit, window.next_cursor, cursor_name)
    envelope: dict[str, Any] = {
        "items": window.rows,
        "total": window.total,
        "limit": page.limit,
        "links": links,
    }
    if isinstance(window, SearchWindow | FacetedWindow):
        envelope["did_you_mean"] = window.did_you_mean
    if isinstance(window, FacetedWindow):
        envelope["facets"] = window.facets
    return JsonResponse(envelope, headers={"Link": link_header(links)})


PageDep = Annotated[PageRequest, Depends(page_request)]


def facets_parameter(allowed: Sequence[str]) -> Callable[..., Awaitable[list[str]]]:
    """A dependency reading `facets=a,b` and checking each name against `allowed`."""

    async def facet_names(
        facets: Annotated[
            str | None,
            Query(
                max_length=100,
                description=f"Comma-separated facets to count: {', '.join(allowed)}.",
                examples=[",".join(allowed[:2])],
            ),
        ] = None,
    ) -> list[str]:
        names = [n.strip() for n in (facets or "").split(",") if n.strip()]
        unknown = sorted(set(names) - set(allowed))
        if unknown:
            raise InvalidParameter(
                "facets", f"unknown facet(s) {', '.join(unknown)}; use {', '.join(allowed)}"
            )
        return list(dict.fromkeys(names))

    return facet_names
