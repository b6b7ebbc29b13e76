"""Exact totals and facet counts, computed once per directory revision and filter.

Counting every match of a broad filter reads every matching row, at 100 000
organisations milliseconds per request, while the answer changes only when the
directory does. So a list's `total` (and its facets) is kept here under the
filter and the directory revision (app.revision) read just before it was
computed: a write by any process raises the revision, and the next request
counts again. The revision is read first, so what is kept is at least as new
as the revision it is kept under, as in the response store.

Each process keeps its own, bounded, least recently used first out; the worker
threads of app.reading share it, hence the lock.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import text
from sqlmodel import Session

from app.db import connection_of

T = TypeVar("T")

MAX_ENTRIES = 4096
_REVISION = text("SELECT value FROM directory_revision WHERE id = 1")
_SESSION_KEY = "revision_memo"


class RevisionMemo:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept for `key` at the current revision, else `compute()` kept."""
        revision = int(connection_of(session).execute(_REVISION).scalar_one())
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] == revision:
                self._entries.move_to_end(key)
                return found[1]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._entries[key] = (revision, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value


def attach(session: Session, memo: RevisionMemo) -> None:
    """Let the reads of `session` use `memo` (app.reading does for every read)."""
    session.info[_SESSION_KEY] = memo


def memoised(session: Session, key: Hashable | None, compute: Callable[[], T]) -> T:
    """`compute()`, through the session's memo when it has one and `key` is given."""
    memo: RevisionMemo | None = session.info.get(_SESSION_KEY)
    if memo is None or key is None:
        return compute()
    return memo.get(session, key, compute)


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
