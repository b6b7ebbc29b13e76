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
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.revision import REVISION_QUERY

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Values such as totals weigh 1, a remembered order one per match it holds: 200 000 sort
# keys take some 30 MB.
MAX_WEIGHT = 200_000
# Summaries and details of this many records (a detail a few kB, a summary less).
MAX_RECORDS = 20_000
_REVISION = REVISION_QUERY
_MEMO = "revision_memo"
_RECORDS = "record_memo"
_READ_REVISION = "read_revision"


class _Bounded:
    """Values of the newest revision seen, least recently used first out, safe across threads.

    At most `max_weight` in all (an entry weighs 1 unless its maker says more). What
    a read of an older revision computes is not kept, and the first read of a newer
    one forgets everything: nothing of a past revision is ever used again.
    """

    def __init__(self, max_weight: int) -> None:
        self.max_weight = max_weight
        self.weight = 0
        self.revision = -1
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.weight = 0

    def _get(self, revision: int, key: Hashable) -> Any | None:
        with self._lock:
            if revision != self.revision:
                return None
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def _put(self, revision: int, key: Hashable, value: Any, weight: int = 1) -> None:
        with self._lock:
            if revision < self.revision or weight > self.max_weight:
                return
            if revision > self.revision:
                self._entries.clear()
                self.weight = 0
                self.revision = revision
            if key in self._entries:
                self.weight -= self._entries.pop(key)[1]
            self._entries[key] = (value, weight)
            self.weight += weight
            while self.weight > self.max_weight:
                self.weight -= self._entries.popitem(last=False)[1][1]


class RevisionMemo(_Bounded):
    def __init__(self, max_weight: int = MAX_WEIGHT) -> None:
        super().__init__(max_weight)

    def get(
        self,
        session: Session,
        key: Hashable,
        compute: Callable[[], T],
        weigh: Callable[[T], int] | None = None,
    ) -> T:
        """The value kept for `key` at the session's revision, else `compute()` kept."""
        revision = read_revision(session)
        found = self._get(revision, key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        value = compute()
        self._put(revision, key, value, weigh(value) if weigh else 1)
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
            return int(row[0]) if row is not None else None
        finally:
            cursor.close()
    except connection.dialect.loaded_dbapi.Error as error:
        if connection.dialect.is_disconnect(error, connection.connection.dbapi_connection, None):
            # As SQLAlchemy's own execution reports it: app.reading reads again.
            connection.invalidate(error)
            raise DBAPIError(_REVISION, None, error, connection_invalidated=True) from error
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


def remembers(session: Session) -> bool:
    """Whether the reads of `session` keep what they compute (app.reading attaches a memo)."""
    return _MEMO in session.info


def memoised(
    session: Session,
    key: Hashable | None,
    compute: Callable[[], T],
    weigh: Callable[[T], int] | None = None,
) -> T:
    """`compute()`, through the session's memo when it has one and `key` is given;
    `weigh` says what a value weighs against the memo's bound (default 1)."""
    memo: RevisionMemo | None = session.info.get(_MEMO)
    if memo is None or key is None:
        return compute()
    return memo.get(session, key, compute, weigh)


class _Kept:
    """A remembered read model, and its JSON once a response has needed it."""

    __slots__ = ("json", "model")

    def __init__(self, model: Any) -> None:
        self.model = model
        self.json: Any = None


def remembered(
    session: Session,
    kind: Hashable,
    base: str,
    versions: Sequence[tuple[int, int]],
    build: Callable[[list[int]], dict[int, T]],
    as_json: Callable[[T], Any] | None = None,
) -> list[Any]:
    """The read models of kind `kind` of the records with these (id, version) pairs, in
    their order: those kept at this revision, and `build(ids)` for the others. A record
    `build` does not find (deleted since the ids were read) is left out.

    With `as_json`, which makes a model's JSON (an `orjson.Fragment`), the kept models
    come as that JSON, made once: for a page, whose models are written and not read,
    since writing them costs more than finding them."""
    kept = _kept(session, kind, base, versions, build)
    if as_json is None or session.info.get(_RECORDS) is None:  # nothing kept: models as made
        return [k.model for k in kept]
    return [_json(k, as_json) for k in kept]


def remembered_with_json(
    session: Session,
    kind: Hashable,
    base: str,
    versions: Sequence[tuple[int, int]],
    build: Callable[[list[int]], dict[int, T]],
    as_json: Callable[[T], Any],
) -> list[tuple[T, Any]]:
    """As `remembered`, each read model with its JSON, made once: for a record's answer,
    which is written as JSON, and read for its tag and its other representations."""
    return [(k.model, _json(k, as_json)) for k in _kept(session, kind, base, versions, build)]


def _kept(
    session: Session,
    kind: Hashable,
    base: str,
    versions: Sequence[tuple[int, int]],
    build: Callable[[list[int]], dict[int, T]],
) -> list[_Kept]:
    records: RecordMemo | None = session.info.get(_RECORDS)
    if records is None:
        built = build([id_ for id_, _ in versions])
        return [_Kept(built[id_]) for id_, _ in versions if id_ in built]
    revision = read_revision(session)
    keys = {id_: (kind, base, id_, version) for id_, version in versions}
    found: dict[int, _Kept | None] = {id_: records._get(revision, key) for id_, key in keys.items()}
    missing = [id_ for id_, kept in found.items() if kept is None]
    if missing:
        built = build(missing)
        for id_ in missing:
            if id_ in built:
                made = _Kept(built[id_])
                found[id_] = made
                records._put(revision, keys[id_], made)
    return [kept for kept in (found[id_] for id_, _ in versions) if kept is not None]


def _json(kept: _Kept, as_json: Callable[[Any], Any]) -> Any:
    if kept.json is None:  # two threads may both make it: the same bytes
        kept.json = as_json(kept.model)
    return kept.json


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
