"""The directory revision: every committed write to a directory table raises it, nothing else."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

from app.db import make_engine
from app.organisations import service as organisation_service
from app.organisations import writes as organisation_writes
from app.organisations.schemas import OrganisationUpdate
from app.revision import DIRECTORY_TABLES, REVISION_QUERY
from app.writes import Author, write_transaction
from seed.loader import load, read_seed_file

# One harmless update or delete per table, valid on both engines.
WRITES: dict[str, str] = {
    "source_document": "UPDATE source_document SET title = title",
    "region": "UPDATE region SET name = name WHERE code = '14'",
    "organisation": "UPDATE organisation SET name = name WHERE slug = 'bon-courage'",
    "organisation_topic": "DELETE FROM organisation_topic WHERE organisation_id = "
    "(SELECT MIN(organisation_id) FROM organisation_topic)",
    "organisation_concept": "UPDATE organisation_concept SET note = note",
    "organisation_region": "DELETE FROM organisation_region WHERE organisation_id = "
    "(SELECT MIN(organisation_id) FROM organisation_region)",
    "organisation_relation": "UPDATE organisation_relation SET note = note",
    "contact": "UPDATE contact SET label = label WHERE id = (SELECT MIN(id) FROM contact)",
    "change": "UPDATE change SET source_note = source_note WHERE id = (SELECT MIN(id) FROM change)",
}


@pytest.fixture
def engine(seeded_database: str) -> Iterator[Engine]:
    engine = make_engine(seeded_database)
    yield engine
    engine.dispose()


def revision(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(REVISION_QUERY)).scalar_one())


def test_every_table_of_the_directory_raises_the_revision() -> None:
    # API keys appear in no public response: only in the admins' own, which no store keeps.
    tables = set(SQLModel.metadata.tables) - {"directory_revision", "api_key"}
    assert tables == set(DIRECTORY_TABLES)
    assert set(WRITES) == tables


@pytest.mark.parametrize("table", WRITES)
def test_a_committed_write_raises_the_revision(engine: Engine, table: str) -> None:
    before = revision(engine)
    with engine.begin() as connection:
        connection.execute(text(WRITES[table]))
    assert revision(engine) > before


def test_an_insert_raises_the_revision(engine: Engine) -> None:
    columns = [c.name for c in SQLModel.metadata.tables["organisation"].columns if c.name != "id"]
    values = ["'kopie-' || slug" if c == "slug" else c for c in columns]
    before = revision(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                f"INSERT INTO organisation ({', '.join(columns)}) "
                f"SELECT {', '.join(values)} FROM organisation WHERE slug = 'bon-courage'"
            )
        )
    assert revision(engine) > before


def revision_triggers(engine: Engine, table: str) -> set[str]:
    """The revision triggers on `table`: `insert`, `update`, `delete` (and `truncate`)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                {"t": table},
            ).scalars()
            prefix = f"revision_{table}_"
            return {n.removeprefix(prefix) for n in names if n.startswith(prefix)}
        # tgtype bits (pg_trigger.h): 4 insert, 8 delete, 16 update, 32 truncate.
        types = connection.execute(
            text(
                "SELECT tgtype FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) "
                "AND tgname LIKE 'revision%' AND tgenabled <> 'D'"
            ),
            {"t": table},
        ).scalars()
        bits = {4: "insert", 8: "delete", 16: "update", 32: "truncate"}
        return {event for tgtype in types for bit, event in bits.items() if tgtype & bit}


@pytest.mark.parametrize("table", DIRECTORY_TABLES)
def test_every_write_to_every_table_has_its_trigger(engine: Engine, table: str) -> None:
    """A batch migration on SQLite recreates a table without its triggers: this notices."""
    assert {"insert", "update", "delete"} <= revision_triggers(engine, table)


def test_a_rolled_back_write_leaves_the_revision_alone(engine: Engine) -> None:
    before = revision(engine)
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("UPDATE organisation SET name = 'Weg'"))
        transaction.rollback()
    assert revision(engine) == before


def test_reading_leaves_the_revision_alone(engine: Engine) -> None:
    before = revision(engine)
    with engine.connect() as connection:
        connection.execute(text("SELECT * FROM organisation")).all()
    assert revision(engine) == before


def test_loading_the_same_seed_again_leaves_the_revision_alone(engine: Engine) -> None:
    before = revision(engine)
    with Session(engine) as session:
        load(session, read_seed_file())
    assert revision(engine) == before


def test_a_write_that_matches_no_row_leaves_the_revision_alone(engine: Engine) -> None:
    before = revision(engine)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE organisation SET name = 'Weg' WHERE slug = 'gibt-es-nicht'")
        )
        connection.execute(text("DELETE FROM contact WHERE id < 0"))
    assert revision(engine) == before


def test_the_write_path_raises_the_revision_once_per_transaction(engine: Engine) -> None:
    """However many rows and records one write changes, the revision rises by one."""
    before = revision(engine)
    with Session(engine) as session, write_transaction(session, Author("test")) as write:
        organisation = organisation_service.get_organisation(session, "raa-sachsen")
        state = organisation_writes.editable_state(session, organisation)
        state["name"] = "RAA Sachsen e.V. (umbenannt)"  # shown by its relations and contacts too
        state["topics"] = [*state["topics"], "neu"]
        organisation_writes.update_organisation(
            write, organisation, OrganisationUpdate.model_validate(state)
        )
    changed = len(write.changes)
    assert changed > 1
    assert revision(engine) == before + 1
    with engine.connect() as connection:
        assert connection.execute(text("SELECT writing FROM directory_revision")).scalar_one() in (
            False,
            0,
        )
        revisions = connection.execute(
            text("SELECT DISTINCT revision FROM change WHERE actor = 'test'")
        ).scalars()
        assert list(revisions) == [before + 1]
