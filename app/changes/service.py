"""The change log, read: one record's history, and the feed of every change in commit order."""

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.changes.models import Change, Resource
from app.changes.schemas import FeedItem, HistoryEntry
from app.errors import InvalidParameter
from app.pagination import PageRequest, SortKey, Window, decode_cursor, encode_cursor, fetch_window

NEWEST_FIRST = SortKey("history", (col(Change.id),), (True,), (int,))
FEED_ORDER = SortKey("changes", (col(Change.id),), (False,), (int,))

# Where each resource is, by the key its changes carry.
_PATHS = {
    Resource.organisation: "organisations",
    Resource.region: "regions",
    Resource.contact: "contacts",
    Resource.relation: "relations",
}


def record_url(base: str, resource: str, key: str) -> str:
    return f"{base}/{_PATHS[Resource(resource)]}/{key}"


def history(
    session: Session, resource: Resource, record_id: int, page: PageRequest
) -> Window[HistoryEntry]:
    query = select(Change).where(
        col(Change.resource) == resource.value, col(Change.record_id) == record_id
    )
    window = fetch_window(session, query, NEWEST_FIRST, page, records=True)
    return Window(
        [
            HistoryEntry(
                version=c.version,
                action=c.action,
                changed_at=c.changed_at,
                actor=c.actor,
                source=c.source_note,
                changes=c.changes,
            )
            for (c, *_) in window.rows
        ],
        window.total,
        window.next_cursor,
    )


def feed(session: Session, since: str | None, limit: int, base: str) -> Window[FeedItem]:
    """The changes after `since` (a position cursor), oldest first.

    The next cursor is always given, on the last page too: it stands after the
    last change served (or where `since` stood), so a mirror keeps it and asks
    again later. Positions are handed out in commit order (app.writes), so
    asking again finds exactly the changes committed since.
    """
    try:
        after = decode_cursor(since, FEED_ORDER)[0] if since else 0
    except InvalidParameter as exc:  # the feed's cursor parameter is `since`
        raise InvalidParameter("since", exc.params[0].reason) from None
    rows = list(
        session.execute(
            select(Change).where(col(Change.id) > after).order_by(col(Change.id)).limit(limit)
        ).scalars()
    )
    total = session.execute(
        select(func.count()).select_from(Change).where(col(Change.id) > after)
    ).scalar_one()
    last = rows[-1].id if rows else after
    return Window(
        [
            FeedItem(
                position=c.id or 0,
                resource=c.resource,
                action=c.action,
                key=c.key,
                version=c.version,
                changed_at=c.changed_at,
                url=record_url(base, c.resource, c.key),
            )
            for c in rows
        ],
        total,
        encode_cursor(FEED_ORDER, [last]),
    )
