"""Engine, sessions and the column types shared by every table."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Engine, create_engine, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declared_attr
from sqlalchemy.types import TypeDecorator
from sqlmodel import Column, Field, Session, SQLModel

# Stable constraint names, so later migrations can alter or drop them by name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Ids are INTEGER columns on every engine; a larger number names nothing and
# PostgreSQL refuses it as a parameter of that type.
MAX_ID = 2**31 - 1


def stored_id(record: Any) -> int:
    """The id of a record read from or flushed to the database, which always has one.

    Models declare `id: int | None` because a new, unsaved record has none yet.
    """
    record_id = record.id
    assert isinstance(record_id, int), f"{type(record).__name__} has no id yet"
    return record_id


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_text(moment: datetime) -> str:
    """A UTC moment as ISO 8601 text ending in `Z`, as the JSON API writes it."""
    return moment.isoformat().replace("+00:00", "Z")


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime (e.g. from a query parameter) is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    SQLite stores no offset, so values are normalised to UTC on the way in and
    marked as UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_list_column() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Tracked(SQLModel):
    """Columns every stored record carries: a version and UTC timestamps.

    The version is SQLAlchemy's `version_id_col`: every UPDATE of the row is made
    `WHERE version = <the version read>` and refused (StaleDataError) if another
    transaction changed the row first. The write path (app.writes) sets the new
    version itself, once per transaction, for exactly the records whose
    representation changed, embedded contacts, relations and regions included:
    SQLAlchemy's own counter would count UPDATE statements, not changes.
    """

    version: int = Field(default=1, nullable=False)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=utc_now, sa_type=UTCDateTime, nullable=False, index=True
    )

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:
        return {
            "version_id_col": cls.__table__.c.version,  # type: ignore[attr-defined]
            "version_id_generator": False,
        }


class Editable(Tracked):
    """A record editors maintain: soft deletion and how fresh its facts are."""

    # Set when deleted: the record answers 410 and leaves lists and search, its id and
    # slug stay taken, and the change feed keeps it as a tombstone.
    # On SQLite also indexed, by hand (`live_` indexes, migration d81f3a6c2b47).
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The day its facts were known to be true (the source's date for seeded records).
    valid_as_of: date | None = None
    # When an editor last confirmed the facts; null: never since the source.
    last_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


def live(model: Any) -> Any:
    """The condition that a record of `model` (an `Editable` table or an alias) is not deleted."""
    return model.deleted_at.is_(None)


def not_verified_since(model: Any, moment: datetime) -> Any:
    """Records whose facts nobody has confirmed since `moment` (never verified included)."""
    return model.last_verified_at.is_(None) | (model.last_verified_at < as_utc(moment))


def make_engine(url: str, echo: bool = False, single_connection: bool = False) -> Engine:
    """An engine for `url`; `single_connection` for a caller that never runs two queries at once.

    On PostgreSQL every connection is tested with a round trip when taken from the
    pool, so that a write never starts on one the server has closed (a restart, an
    idle timeout); reads take theirs from `read_engine`, which retries instead."""
    pool = {"pool_size": 1, "max_overflow": 0} if single_connection else {}
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}, **pool
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    pool = pool or {"pool_size": 10, "max_overflow": 20}
    return create_engine(url, echo=echo, pool_pre_ping=True, **pool)


def read_engine(engine: Engine, connections: int) -> Engine:
    """The engine reads take their connections from: at most `connections` at once.

    On PostgreSQL, one of its own whose connections are not tested when taken from the
    pool: the test is a round trip to the server, as long as a detail's whole read. A
    read on a connection the server has closed fails instead, and is run again on a new
    one (app.reading), which a read, unlike a write, can always be. SQLite has no
    server and nothing to test: reads share `engine`."""
    if engine.dialect.name != "postgresql":
        return engine
    return create_engine(
        engine.url, echo=engine.echo, pool_size=connections, max_overflow=0, pool_pre_ping=False
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # No memory map: each connection would map the file on its own, and its pages would
    # count once per connection in the process's resident size; read from the operating
    # system's cache, a page costs about the same.
    cursor.close()


def read_snapshot(session: Session) -> None:
    """Let every further statement of `session`'s transaction see one and the same state of
    the database, however long it reads (an export); call it before the first statement.
    PostgreSQL's default isolation takes a new snapshot per statement, and Python's sqlite3
    begins no transaction for reads."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.execute(text("BEGIN"))


READ_CONNECTION = "read_connection"
DIALECT = "dialect"


def dialect_of(session: Session) -> str:
    """The name of the database engine `session` reads: `sqlite` or `postgresql`."""
    name: str | None = session.info.get(DIALECT)
    return name if name is not None else session.get_bind().dialect.name


def connection_of(session: Session) -> Connection:
    """The connection of `session`, for statements that read columns past the ORM: a read's
    own (app.reading puts it under `READ_CONNECTION`), else the session's for its current
    transaction. Asking a session for its connection costs more than a primary-key query."""
    connection: Connection | None = session.info.get(READ_CONNECTION)
    return connection if connection is not None else session.connection()
