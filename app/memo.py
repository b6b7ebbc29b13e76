"""What reads remember between requests, for as long as the directory is unchanged.

Counting every match of a broad filter, putting a Kreis's thousands of matches in
order, building the read models of a page: at 100 000 organisations each costs
milliseconds, while the result changes only when the directory does. So reads
keep them here under the directory revision (app.revision): every write, by any
process and by SQL outside the write path too, raises it, and what was kept for
an older revision is never used again. A read reads the revision first, before
anything it keeps: what is kept is at least as new as the revision it is kept
under, as in the response store.

- `RevisionMemo`: one value per key, such as the total, the facets or the order
  of the matches of a filter (app.pagination, app.organisations.service).
- `RecordMemo`: the read models of records (summaries, details) by kind, base URL,
  id and version, so that the lists and searches that show a record share them.

Each process keeps its own, bounded, least recently used first out; the worker
threads of app.reading share them, hence the locks. Sessions outside app.reading
(writes) have neither and compute everything.
"""

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlmodel import Session

T = TypeVar("T")
logger = logging.getLogger(__name__)

MAX_ENTRIES = 4096
# Summaries and details of this many records (a detail a few kB, a summary less).
MAX_RECORDS = 20_000
_REVISION = "SELECT value FROM directory_revision WHERE id = 1"
_MEMO = "revision_memo"
_RECORDS = "record_memo"
_READ_REVISION = "read_revision"


class _Bounded:
    """A least-recently-used dictionary of at most `max_entries`, safe across threads."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def _put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class RevisionMemo(_Bounded):
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        super().__init__(max_entries)

    def get(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept for `key` at the session's revision, else `compute()` kept."""
        revision = read_revision(session)
        found = self._get(key)
        if found is not None and found[0] == revision:
            return found[1]  # type: ignore[no-any-return]
        value = compute()
        self._put(key, (revision, value))
        return value


class RecordMemo(_Bounded):
    def __init__(self, max_entries: int = MAX_RECORDS) -> None:
        super().__init__(max_entries)


def current_revision(connection: Connection) -> int | None:
    """The directory revision, read before anything else; None if it cannot be read
    (then nothing is remembered, and the read goes on without)."""
    try:
        # On the driver's own cursor: SQLAlchemy's execution would cost ten times the query.
        cursor = connection.connection.cursor()
        try:
            cursor.execute(_REVISION)
            row: Any = cursor.fetchone()
            return int(row[0])
        finally:
            cursor.close()
    except connection.dialect.loaded_dbapi.Error:
        logger.warning("directory revision unreadable; reading without the memo")
        connection.rollback()  # PostgreSQL refuses the rest of a transaction that failed
        return None


def attach(session: Session, revision: int, memo: RevisionMemo, records: RecordMemo) -> None:
    """Let the reads of `session`, which began at `revision`, use `memo` and `records`
    (app.reading does for every read)."""
    session.info[_READ_REVISION] = revision
    session.info[_MEMO] = memo
    session.info[_RECORDS] = records


def read_revision(session: Session) -> int:
    revision: int = session.info[_READ_REVISION]
    return revision


def memoised(session: Session, key: Hashable | None, compute: Callable[[], T]) -> T:
    """`compute()`, through the session's memo when it has one and `key` is given."""
    memo: RevisionMemo | None = session.info.get(_MEMO)
    if memo is None or key is None:
        return compute()
    return memo.get(session, key, compute)


def remembered(
    session: Session,
    kind: str,
    base: str,
    versions: Sequence[tuple[int, int]],
    build: Callable[[list[int]], dict[int, T]],
) -> list[T]:
    """The read models of kind `kind` of the records with these (id, version) pairs, in
    their order: those kept at this revision, and `build(ids)` for the others."""
    records: RecordMemo | None = session.info.get(_RECORDS)
    if records is None:
        built = build([id_ for id_, _ in versions])
        return [built[id_] for id_, _ in versions]
    revision = read_revision(session)
    keys = {id_: (kind, base, id_, version, revision) for id_, version in versions}
    found: dict[int, Any] = {id_: records._get(key) for id_, key in keys.items()}
    missing = [id_ for id_, model in found.items() if model is None]
    if missing:
        built = build(missing)
        for id_ in missing:
            found[id_] = built[id_]
            records._put(keys[id_], built[id_])
    return [found[id_] for id_, _ in versions]


def filter_key(name: str, filters: Any, *more: Hashable) -> Hashable:
    """A hashable key naming a list (`name`) and its filters (a dataclass), and `more`."""
    assert is_dataclass(filters)
    values = tuple(_hashable(getattr(filters, f.name)) for f in fields(filters))
    return (name, values, *more)


def _hashable(value: Any) -> Hashable:
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    assert isinstance(value, Hashable)
    return value
