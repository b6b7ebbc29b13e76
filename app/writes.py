"""The one way in for every write: a transaction that versions, logs and publishes its changes.

The API, the seed loader and the synthetic generator all write through
`write_transaction`. Inside it, a resource's write functions (`app/<resource>/writes.py`)
first `watch` every record whose representation the write may change (the record
itself and those that embed it: an organisation embeds its contacts, regions,
topics and relations, and the names of the organisations it relates to), then
change rows freely. When the block ends, each watched record's representation
is compared with the one it had when first watched: exactly the records that
differ get a new version (one per transaction, whatever the number of
statements), a new `updated_at` and a row in the change log, all committed
together. A transaction that changes nothing is rolled back and leaves no trace.

Writers take turns. The first statement of every write transaction raises the
directory revision and sets its `writing` flag: on PostgreSQL that row lock
serialises writers until commit; on SQLite a write statement takes the
database's single write lock (waiting up to the busy timeout). So change-log
positions are handed out in commit order, which is what lets the feed
(app.changes) promise that no change is ever skipped or seen twice. The
revision triggers see the flag and leave the revision alone, so it rises once
per transaction; the flag is cleared before commit and nobody else ever sees it.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from app.changes.models import Action, Change, Resource
from app.db import stored_id, utc_now
from app.errors import Conflict
from app.etags import require_match
from app.inputs import merge_patch, validated
from app.locks import SEED_LOCK, wait_for_lock
from app.reading import jsonable

logger = logging.getLogger(__name__)

Snapshot = dict[str, Any]

_BEGIN = text(
    "UPDATE directory_revision SET value = value + 1, changed_at = :now, writing = :on "
    "WHERE id = 1 RETURNING value"
)
_END = text("UPDATE directory_revision SET writing = :off WHERE id = 1")


@dataclass(frozen=True)
class Origin:
    """Where a seeded record's facts come from; records made over the API have none."""

    source_id: int | None = None
    slide: int | None = None
    section: str | None = None
    corrections: list[dict[str, Any]] = field(default_factory=list)
    inferences: list[dict[str, Any]] = field(default_factory=list)


# What a snapshot leaves out: the bookkeeping that changes *because* of a change.
_BOOKKEEPING = {"version", "updated_at", "created_at"}


def representation(shown: Any, record: Any) -> Snapshot:
    """A record's snapshot: what the API shows of it (`shown`, a read model built with links
    relative to no base) and whether it is deleted."""
    snapshot: Snapshot = {k: v for k, v in jsonable(shown).items() if k not in _BOOKKEEPING}
    deleted_at = record.deleted_at
    snapshot["deleted_at"] = deleted_at.isoformat() if deleted_at else None
    return snapshot


@dataclass(frozen=True)
class Author:
    """Who writes and why: the API key's name (never the key), `seed`, …, and a free-text note."""

    actor: str
    source_note: str | None = None


@dataclass
class _Watched:
    resource: Resource
    record: Any
    key: Callable[[], str]
    snapshot: Callable[[], Snapshot]
    before: Snapshot | None  # None: created in this transaction
    version: int


@dataclass
class Write:
    """One write transaction's bookkeeping; see the module docstring."""

    session: Session
    author: Author
    now: datetime
    revision: int
    _watched: dict[tuple[Resource, int], _Watched] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    _finished: bool = False

    def watch(
        self,
        resource: Resource,
        record: Any,
        key: Callable[[], str],
        snapshot: Callable[[], Snapshot],
    ) -> None:
        """Remember `record`'s representation before this transaction changes it."""
        ident = (resource, stored_id(record))
        if ident not in self._watched:
            self._watched[ident] = _Watched(
                resource, record, key, snapshot, snapshot(), record.version
            )

    def add(
        self,
        resource: Resource,
        record: Any,
        key: Callable[[], str],
        snapshot: Callable[[], Snapshot],
    ) -> None:
        """Add a new record (flushed, so that it has an id) and enter it as created."""
        self.session.add(record)
        self.session.flush()
        self._watched[(resource, stored_id(record))] = _Watched(
            resource, record, key, snapshot, None, record.version
        )

    def finish(self) -> list[Change]:
        """Version and log every watched record whose representation changed; once."""
        if self._finished:
            return self.changes
        self._finished = True
        self.session.flush()
        for watched in self._watched.values():
            after = watched.snapshot()
            record = watched.record
            if watched.before is None:
                action, diff = Action.created, _diff({}, after)
            elif after != watched.before:
                deleted = after.get("deleted_at") and not watched.before.get("deleted_at")
                action = Action.deleted if deleted else Action.updated
                diff = _diff(watched.before, after)
                record.version = watched.version + 1
                record.updated_at = self.now
            else:
                continue
            self.changes.append(
                Change(
                    **change_row(
                        self.revision,
                        self.author,
                        watched.resource,
                        stored_id(record),
                        watched.key(),
                        action,
                        record.version,
                        self.now,
                        diff,
                    )
                )
            )
        self.session.add_all(self.changes)
        self.session.flush()
        return self.changes


@dataclass
class ChangeCounts:
    """How many records of each resource a load of many (the seed, an import) created,
    updated, deleted and left unchanged."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def count(self, changes: Iterable[Change]) -> None:
        """Add `changes`, each to its action's counter."""
        counters = {
            Action.created: self.created,
            Action.updated: self.updated,
            Action.deleted: self.deleted,
        }
        for change in changes:
            counters[Action(change.action)][change.resource] += 1

    def settle(self, in_file: dict[str, int], kept: Counter[str] | None = None) -> None:
        """Count the rest of a file's records (`in_file`, per resource) as unchanged: those
        neither created nor updated, nor `kept` as they were on purpose."""
        kept = kept or Counter()
        for kind, count in in_file.items():
            self.unchanged[kind] = max(
                0, count - self.created[kind] - self.updated[kind] - kept[kind]
            )

    def lines(self) -> list[str]:
        """One line per resource, for people."""
        kinds = sorted(
            set(self.created) | set(self.updated) | set(self.deleted) | set(self.unchanged)
        )
        return [
            f"{kind:>14}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.deleted[kind]} deleted, {self.unchanged[kind]} unchanged"
            for kind in kinds
        ]


def begin_write(connection: Connection, now: datetime) -> int:
    """The first statement of every write transaction: the writers' lock, and the revision
    this transaction commits. For bulk writers (the synthetic generator) too."""
    return int(connection.execute(_BEGIN, {"now": now, "on": True}).scalar_one())


def end_write(connection: Connection) -> None:
    """The last statement before commit: the revision triggers count again."""
    connection.execute(_END, {"off": False})


def change_row(
    revision: int,
    author: Author,
    resource: Resource,
    record_id: int,
    key: str,
    action: Action,
    version: int,
    changed_at: datetime,
    changes: dict[str, Any],
) -> dict[str, Any]:
    """A row of the change log, as every writer enters it."""
    return {
        "revision": revision,
        "resource": resource.value,
        "record_id": record_id,
        "key": key,
        "action": action.value,
        "version": version,
        "changed_at": changed_at,
        "actor": author.actor,
        "source_note": author.source_note,
        "changes": changes,
    }


@contextmanager
def write_transaction(session: Session, author: Author, seed_lock: bool = False) -> Iterator[Write]:
    """A write transaction on a fresh `session`; see the module docstring.

    Raises `Conflict` if the database refuses the write (a unique key taken by a
    concurrent writer outside the write path), `StaleDataError` never escapes.
    """
    transaction = session.begin()
    try:
        if seed_lock:
            wait_for_lock(session.connection(), SEED_LOCK)
        now = utc_now()
        write = Write(session, author, now, begin_write(session.connection(), now))
        yield write
        changed = write.finish()
        end_write(session.connection())
        if changed:
            transaction.commit()
        else:
            transaction.rollback()
    except StaleDataError as exc:
        transaction.rollback()
        raise Conflict("Another write changed this record at the same moment; retry.") from exc
    except IntegrityError as exc:
        transaction.rollback()
        # The database's own words stay in the log: they name tables and constraints.
        logger.warning("write refused by the database: %s", exc.orig)
        raise Conflict(
            "The write conflicts with another one made at the same moment; retry."
        ) from exc
    except BaseException:
        transaction.rollback()
        raise


R = TypeVar("R")
K = TypeVar("K")
T = TypeVar("T")
U = TypeVar("U", bound=BaseModel)


def edit(
    session: Session,
    author: Author,
    resource: Resource,
    load: Callable[[Session], R],
    if_match: str | None,
    change: Callable[[Write, R], object],
    answer: Callable[[R], T],
) -> T:
    """Change the record `load` finds, if `If-Match` names its current version, and
    `answer` with it: the shape of every update, verification and deletion.

    The answer is made inside the transaction, once the changes are versioned: it shows
    the record as this write left it, not as a later writer may have by the time it is
    read again.
    """
    with write_transaction(session, author) as write:
        record = load(session)
        require_match(if_match, resource, record)
        change(write, record)
        write.finish()
        return answer(record)


def add(session: Session, author: Author, add: Callable[[Write], R], answer: Callable[[R], T]) -> T:
    """Add a record with `add` and `answer` with it, inside the transaction (see `edit`)."""
    with write_transaction(session, author) as write:
        record = add(write)
        write.finish()
        return answer(record)


def _nothing(record: Any) -> None:
    return None


@dataclass(frozen=True)
class Editing(Generic[R, K, U]):
    """The transactions behind one resource's `PUT`, `PATCH`, `DELETE` and verification."""

    resource: Resource
    get: Callable[[Session, K], R]  # the live record by its key: NotFound or Gone otherwise
    state: Callable[[Session, R], dict[str, Any]]  # its editable state, as `model` reads it
    model: type[U]  # the whole editable state: the body of PUT, and what PATCH must leave
    update: Callable[[Write, R, U], object]
    remove: Callable[[Write, R], object]
    watch: Callable[[Write, R], None]  # the record alone, for a verification

    def _edit(
        self,
        session: Session,
        author: Author,
        key: K,
        if_match: str | None,
        change: Callable[[Write, R], object],
        answer: Callable[[R], T],
    ) -> T:
        def load(session: Session) -> R:
            return self.get(session, key)

        return edit(session, author, self.resource, load, if_match, change, answer)

    def replace(
        self,
        session: Session,
        author: Author,
        key: K,
        body: dict[str, Any],
        if_match: str | None,
        answer: Callable[[R], T],
    ) -> T:
        """Make the record what `body` says; checked after the precondition, as PATCH is."""

        def change(write: Write, record: R) -> None:
            self.update(write, record, validated(self.model, body))

        return self._edit(session, author, key, if_match, change, answer)

    def patch(
        self,
        session: Session,
        author: Author,
        key: K,
        changes: dict[str, Any],
        if_match: str | None,
        answer: Callable[[R], T],
    ) -> T:
        """Apply a JSON Merge Patch to the record's editable state, then `update` with it."""

        def change(write: Write, record: R) -> None:
            state = merge_patch(self.state(write.session, record), changes)
            self.update(write, record, validated(self.model, state))

        return self._edit(session, author, key, if_match, change, answer)

    def delete(
        self,
        session: Session,
        author: Author,
        key: K,
        if_match: str | None,
        remove: Callable[[Write, R], object] | None = None,
    ) -> None:
        self._edit(session, author, key, if_match, remove or self.remove, _nothing)

    def confirm(
        self,
        session: Session,
        author: Author,
        key: K,
        if_match: str | None,
        answer: Callable[[R], T],
    ) -> T:
        def change(write: Write, record: R) -> None:
            # Unwatched, the write would log nothing and be rolled back.
            self.watch(write, record)
            verify(write, record)

        return self._edit(session, author, key, if_match, change, answer)


def assign(record: Any, values: dict[str, Any]) -> None:
    """Set the fields of `record` whose value differs: the others stay out of the UPDATE."""
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)


def verify(write: Write, record: Any) -> None:
    """Record that an editor confirmed `record`'s facts now: a write of its own."""
    record.last_verified_at = write.now
    record.valid_as_of = write.now.date()


def _diff(before: Snapshot, after: Snapshot) -> dict[str, Any]:
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }
