"""The synthetic directory: complete, consistent, reproducible and served by the API."""

from collections.abc import Callable
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlmodel import Session

from app.db import make_engine
from app.exchange.export import export_document
from app.exchange.importing import import_directory
from app.folding import fold
from app.organisations.concepts import labels_of
from app.organisations.indexing import contact_search_text, organisation_search_text
from app.organisations.models import NETWORK_KINDS, OrganisationKind
from app.writes import Author
from bench import synthetic
from tests.conftest import Databases
from tests.databases import migrate

SIZE = 300
TABLES = (
    "source_document",
    "region",
    "organisation",
    "organisation_topic",
    "organisation_region",
    "contact",
    "organisation_relation",
)


def rows(url: str, sql: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql)))
    finally:
        engine.dispose()


def dump(url: str) -> dict[str, list[Any]]:
    """Every row of every table, in a stable order."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                name: [
                    tuple(row)
                    for row in connection.execute(
                        select(synthetic.table(name)).order_by(
                            *synthetic.table(name).primary_key.columns
                        )
                    )
                ]
                for name in TABLES
            }
    finally:
        engine.dispose()


@pytest.fixture
def synthetic_database(migrated_database: str) -> str:
    assert synthetic.main(["--organisations", str(SIZE), "--database-url", migrated_database]) == 0
    return migrated_database


def test_writes_every_part_of_the_directory(synthetic_database: str) -> None:
    counts = {
        name: rows(synthetic_database, f"SELECT count(*) FROM {name}")[0][0] for name in TABLES
    }
    assert counts["organisation"] == SIZE
    assert counts["source_document"] == 1
    # The Freistaat, 13 Kreise, 12 former districts and 30 municipalities per Landkreis.
    assert counts["region"] == 1 + 13 + 12 + 10 * synthetic.TOWNS_PER_DISTRICT
    for name in ("organisation_topic", "organisation_region", "contact", "organisation_relation"):
        assert SIZE <= counts[name] <= 4 * SIZE, name

    kinds = dict(rows(synthetic_database, "SELECT kind, count(*) FROM organisation GROUP BY kind"))
    assert set(kinds) == set(OrganisationKind)
    networks = sum(count for kind, count in kinds.items() if kind in NETWORK_KINDS)
    assert 0.1 * SIZE < networks < 0.3 * SIZE

    codes = dict(rows(synthetic_database, "SELECT code, name FROM region WHERE code IS NOT NULL"))
    assert codes["14"] == "Freistaat Sachsen"
    assert codes["14626"] == "Landkreis Görlitz"
    assert codes["14713"] == "Leipzig"
    municipalities = [c for c in codes if len(c) == 8]
    assert len(municipalities) == 10 * synthetic.TOWNS_PER_DISTRICT
    assert all(c[:5] in codes for c in municipalities)


def test_references_are_consistent(synthetic_database: str) -> None:
    def count(sql: str) -> int:
        return int(rows(synthetic_database, sql)[0][0])

    assert count("SELECT count(*) FROM organisation_relation WHERE subject_id = object_id") == 0
    assert (
        count(
            "SELECT count(*) FROM organisation_relation r WHERE NOT EXISTS "
            "(SELECT 1 FROM organisation o WHERE o.id = r.subject_id) OR NOT EXISTS "
            "(SELECT 1 FROM organisation o WHERE o.id = r.object_id)"
        )
        == 0
    )
    assert (
        count(
            "SELECT count(*) FROM (SELECT subject_id, object_id, type FROM organisation_relation "
            "GROUP BY subject_id, object_id, type HAVING count(*) > 1) duplicates"
        )
        == 0
    )
    assert count("SELECT count(DISTINCT slug) FROM organisation") == SIZE
    unlinked = "SELECT count(*) FROM organisation o WHERE NOT EXISTS (SELECT 1 FROM {} WHERE {})"
    assert count(unlinked.format("organisation_region l", "l.organisation_id = o.id")) == 0
    assert count(unlinked.format("organisation_topic t", "t.organisation_id = o.id")) == 0
    # Every record names the synthetic source.
    assert (
        count(
            "SELECT count(*) FROM organisation o JOIN source_document s ON s.id = o.source_id "
            "WHERE s.slug = 'synthetic'"
        )
        == SIZE
    )


def test_search_keys_are_computed_as_the_application_computes_them(
    synthetic_database: str,
) -> None:
    engine = make_engine(synthetic_database)
    organisation = synthetic.table("organisation")
    topic = synthetic.table("organisation_topic")
    concept = synthetic.table("organisation_concept")
    contact = synthetic.table("contact")
    try:
        with engine.connect() as connection:
            topics: dict[int, list[str]] = {}
            for organisation_id, key, label in connection.execute(
                select(topic.c.organisation_id, topic.c.topic, topic.c.label)
            ):
                assert key == fold(label)
                topics.setdefault(organisation_id, []).append(label)
            tagged: dict[int, list[tuple[str, str]]] = {}
            for organisation_id, scheme, concept_id in connection.execute(
                select(concept.c.organisation_id, concept.c.scheme, concept.c.concept)
            ):
                tagged.setdefault(organisation_id, []).append((scheme, concept_id))
            organisations = list(connection.execute(select(organisation)).mappings())
            contacts = list(connection.execute(select(contact)).mappings())
    finally:
        engine.dispose()

    for o in organisations:
        assert o["name_key"] == fold(o["name"])
        expected = organisation_search_text(
            o["name"],
            o["short_name"],
            o["names_in_source"],
            o["description"],
            o["tasks"],
            topics[o["id"]],
            o["target_groups"],
            labels_of(tagged.get(o["id"], [])),
        )
        # Topics are a set: compare the search text word for word, whatever their order.
        assert sorted(o["search_text"].split()) == sorted(expected.split())
    for c in contacts:
        assert c["value_key"] == contact_search_text(c["value"], c["label"], c["role"])
    assert any(any(ch in o["name"] for ch in "äöüß") for o in organisations)
    assert len(tagged) > len(organisations) / 2, "most synthetic organisations carry concepts"


def test_same_seed_same_directory(databases: Databases, synthetic_database: str) -> None:
    again = databases.create()
    other = databases.create()
    try:
        migrate(again)
        migrate(other)
        synthetic.generate(again, SIZE, seed=42)
        synthetic.generate(other, SIZE, seed=7)
        first = dump(synthetic_database)
        assert dump(again) == first
        assert dump(other)["organisation"] != first["organisation"]
    finally:
        databases.drop(again)
        databases.drop(other)


def test_refuses_a_database_that_holds_data(
    synthetic_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(synthetic_database)
    assert synthetic.main(["--organisations", "5", "--database-url", synthetic_database]) == 1
    assert "--append" in capsys.readouterr().err
    assert dump(synthetic_database) == before


def test_appends_when_asked(synthetic_database: str) -> None:
    summary = synthetic.generate(synthetic_database, 50, seed=42, append=True)
    assert summary.rows["organisation"] == 50
    assert "region" not in summary.rows  # the regions are there already, and reused
    assert rows(synthetic_database, "SELECT count(DISTINCT slug) FROM organisation")[0][0] == 350


def test_refuses_a_database_without_schema(
    empty_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert synthetic.main(["--organisations", "5", "--database-url", empty_database]) == 1
    assert "not migrated" in capsys.readouterr().err


def test_the_api_serves_the_synthetic_directory(
    synthetic_database: str, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for(synthetic_database)
    listing = client.get("/organisations", params={"limit": 200})
    assert listing.status_code == 200
    assert listing.json()["total"] == SIZE
    second = client.get(listing.json()["links"]["next"])
    assert len(listing.json()["items"]) + len(second.json()["items"]) == SIZE

    (slug,) = rows(
        synthetic_database,
        "SELECT o.slug FROM organisation o JOIN organisation_relation r ON r.subject_id = o.id "
        "ORDER BY o.id LIMIT 1",
    )[0]
    detail = client.get(f"/organisations/{slug}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["relations"]
    assert body["regions"]
    assert body["provenance"]["source"]["slug"] == "synthetic"

    in_goerlitz = rows(
        synthetic_database,
        "SELECT count(DISTINCT l.organisation_id) FROM organisation_region l "
        "JOIN region r ON r.id = l.region_id LEFT JOIN region p ON p.id = r.parent_id "
        "WHERE r.code = '14626' OR p.code = '14626'",
    )[0][0]
    assert client.get("/organisations", params={"region": "14626"}).json()["total"] == in_goerlitz
    networks = client.get("/networks")
    assert networks.status_code == 200
    assert (
        networks.json()["total"]
        == rows(
            synthetic_database,
            "SELECT count(*) FROM organisation WHERE kind IN "
            "('network', 'committee', 'working_group', 'round_table')",
        )[0][0]
    )


def test_the_feed_starts_with_every_synthetic_record_as_created(
    synthetic_database: str, client_for: Callable[[str], TestClient]
) -> None:
    """The generator writes through the write path: one transaction, one revision, and a
    change-log row per record, so a mirror can start from the feed."""
    counts = {
        name: rows(synthetic_database, f"SELECT count(*) FROM {name}")[0][0]
        for name in ("region", "organisation", "contact", "organisation_relation")
    }
    # One write transaction: every change carries the one revision it committed.
    ((revision, writing),) = rows(
        synthetic_database, "SELECT value, writing FROM directory_revision"
    )
    assert not writing
    assert rows(synthetic_database, "SELECT DISTINCT revision FROM change") == [(revision,)]
    client = client_for(synthetic_database)
    first = client.get("/changes?limit=200").json()
    assert first["total"] == sum(counts.values())
    assert {item["action"] for item in first["items"]} == {"created"}
    by_resource = dict(
        rows(synthetic_database, "SELECT resource, count(*) FROM change GROUP BY resource")
    )
    assert by_resource == {
        "region": counts["region"],
        "organisation": counts["organisation"],
        "contact": counts["contact"],
        "relation": counts["organisation_relation"],
    }
    item = first["items"][-1]
    assert client.get(item["url"]).json()["version"] == item["version"] == 1


def _export(url: str) -> bytes:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return export_document(session)
    finally:
        engine.dispose()


def test_the_write_path_reads_the_synthetic_directory_back_as_it_is(
    databases: Databases, synthetic_database: str
) -> None:
    """Every value the generator writes is one the write path would store as it is: exported,
    imported through the write path into an empty database and exported again, the same."""
    exported = _export(synthetic_database)
    other = databases.create()
    try:
        migrate(other)
        engine = make_engine(other)
        try:
            with Session(engine) as session:
                report = import_directory(session, Author("test"), orjson.loads(exported))
        finally:
            engine.dispose()
        assert report.created["organisation"] == SIZE
        assert _export(other) == exported
    finally:
        databases.drop(other)
