"""The seed loader: validates everything first, writes in one transaction, is idempotent.

Most tests load a small hand-written seed file from a temporary directory, so each
case states exactly what changes; a few load the real `seed/wegweiser.yaml`. The
command line (`python -m seed`) runs as a subprocess, as an operator runs it.
"""

import copy
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401 - registers every table on the metadata
from app.db import make_engine
from app.folding import fold
from app.organisations.models import NETWORK_KINDS
from seed.loader import DATA_FILE as SEED_FILE
from seed.loader import Report, SeedError, load, read_seed_file
from tests.auth import auth_headers
from tests.databases import ROOT

TABLES = (
    "source_document",
    "region",
    "organisation",
    "organisation_topic",
    "organisation_region",
    "contact",
    "organisation_relation",
)

SECTION = "Ebene Regionale Netzwerke › Bon Courage e.V."
OPFER = "Ebene Überregionale Netzwerke › Opferberatung der RAA Sachsen e. V."


def mini_seed() -> dict[str, Any]:
    """A small but complete seed: every kind of record, taken from the real source."""
    return {
        "source": {
            "slug": "praxis-vor-ort-2015-04-16",
            "title": "Praxis vor Ort",
            "published_on": "2015-04-16",
            "authors": ["Badakhshi (Leipzig)", "Wendel (Dresden)"],
            "publisher": "IQ Netzwerk Sachsen",
            "file_name": "praxis-vor-ort-2015-04-16.md",
        },
        "regions": [
            {"code": "14", "slug": "sachsen", "name": "Freistaat Sachsen", "kind": "state"},
            # A child before its parent: the loader orders them itself.
            {
                "slug": "borna",
                "name": "Borna",
                "kind": "municipality",
                "parent": "landkreis-leipzig",
            },
            {
                "code": "14729",
                "slug": "landkreis-leipzig",
                "name": "Landkreis Leipzig",
                "kind": "rural_district",
                "parent": "sachsen",
            },
            {
                "code": "14713",
                "slug": "leipzig",
                "name": "Leipzig",
                "kind": "urban_district",
                "parent": "sachsen",
            },
            {
                "code": "14511",
                "slug": "chemnitz",
                "name": "Chemnitz",
                "kind": "urban_district",
                "parent": "sachsen",
            },
        ],
        "organisations": [
            {
                "slug": "bon-courage",
                "name": "Bon Courage e.V.",
                "kind": "association",
                "legal_form": "e.V.",
                "level": "regional",
                "names_in_source": ["Bon Courage e.V."],
                "slide": 12,
                "section": SECTION,
                "description": "Bildungs- und Projektarbeit in Borna.",
                "tasks": ["Koordination des Runden Tisches Migration Landkreis Leipzig"],
                "topics": ["bildung", "projektarbeit"],
                "regions": [{"region": "borna", "role": "seat"}, "landkreis-leipzig"],
            },
            {
                "slug": "runder-tisch-migration-landkreis-leipzig",
                "name": "Runder Tisch Migration Landkreis Leipzig",
                "kind": "round_table",
                "level": "regional",
                "names_in_source": ["Runden Tisches Migration Landkreis Leipzig"],
                "slide": 12,
                "section": SECTION,
                "topics": ["migration"],
                "regions": ["landkreis-leipzig"],
            },
            {
                "slug": "raa-sachsen",
                "name": "RAA Sachsen e.V.",
                "kind": "association",
                "level": "supra_regional",
                "names_in_source": ["RAA Sachsen e. V."],
                "slide": 10,
                "section": OPFER,
                "regions": ["sachsen"],
            },
            {
                "slug": "opferberatung-raa-sachsen",
                "name": "Opferberatung der RAA Sachsen e.V.",
                "kind": "counselling_service",
                "level": "supra_regional",
                "names_in_source": ["Opferberatung der RAA Sachsen e. V."],
                "slide": 10,
                "section": OPFER,
                "topics": ["opferberatung", "beratung"],
                "regions": ["sachsen"],
                "contacts": [
                    {
                        "kind": "email",
                        "value": "opferberatung.chemnitz@raa-sachsen.de",
                        "label": "Opferberatung Chemnitz",
                        "region": "chemnitz",
                        "slide": 10,
                        "section": OPFER,
                    },
                    {
                        "kind": "email",
                        "value": "opferberatung.leipzig@raa-sachsen.de",
                        "label": "Opferberatung Leipzig",
                        "region": "leipzig",
                        "slide": 10,
                        "section": OPFER,
                    },
                ],
            },
        ],
        "relations": [
            {
                "subject": "runder-tisch-migration-landkreis-leipzig",
                "type": "coordinated_by",
                "object": "bon-courage",
                "slide": 12,
                "section": SECTION,
            },
            {
                "subject": "opferberatung-raa-sachsen",
                "type": "sponsored_by",
                "object": "raa-sachsen",
                "note": "Trägerschaft",
                "slide": 10,
                "section": OPFER,
            },
        ],
    }


EXPECTED_ROWS = {
    "source_document": 1,
    "region": 5,
    "organisation": 4,
    "organisation_topic": 5,
    "organisation_region": 5,
    "contact": 2,
    "organisation_relation": 2,
}


# --- Helpers --------------------------------------------------------------------------------


def write_seed(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_seed(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m seed …` against the database `url`, as an operator runs it."""
    env = {**os.environ, "WEGWEISER_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "seed", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def dump(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (that exists), in primary-key order."""
    engine = make_engine(url)
    try:
        existing = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            result = {}
            for name in TABLES:
                if name not in existing:
                    continue
                table = SQLModel.metadata.tables[name]
                rows = connection.execute(select(table).order_by(*table.primary_key.columns))
                result[name] = [dict(row) for row in rows.mappings()]
            return result
    finally:
        engine.dispose()


def row_counts(url: str) -> dict[str, int]:
    return {name: len(rows) for name, rows in dump(url).items()}


def by_slug(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["slug"]: row for row in rows}


def load_file(url: str, path: Path) -> Report:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return load(session, read_seed_file(path))
    finally:
        engine.dispose()


def assert_clean_failure(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("seed: "), result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, f"{phrase!r} not in: {result.stderr}"


@pytest.fixture
def seed_path(tmp_path: Path) -> Path:
    return write_seed(tmp_path / "wegweiser.yaml", mini_seed())


@pytest.fixture
def loaded_database(migrated_database: str, seed_path: Path) -> str:
    """A migrated database with the small seed loaded."""
    load_file(migrated_database, seed_path)
    return migrated_database


# --- Loading --------------------------------------------------------------------------------


def test_command_line_loads_the_file(migrated_database: str, seed_path: Path) -> None:
    result = run_seed(migrated_database, "--file", str(seed_path))
    assert result.returncode == 0, result.stderr
    assert "organisation: 4 created" in result.stdout
    assert row_counts(migrated_database) == EXPECTED_ROWS

    data = dump(migrated_database)
    organisations = by_slug(data["organisation"])
    bon_courage = organisations["bon-courage"]
    assert bon_courage["name"] == "Bon Courage e.V."
    assert bon_courage["tasks"] == ["Koordination des Runden Tisches Migration Landkreis Leipzig"]
    assert bon_courage["source_slide"] == 12
    assert bon_courage["version"] == 1
    regions = by_slug(data["region"])
    assert regions["borna"]["parent_id"] == regions["landkreis-leipzig"]["id"]
    assert regions["landkreis-leipzig"]["parent_id"] == regions["sachsen"]["id"]
    (relation,) = [r for r in data["organisation_relation"] if r["type"] == "coordinated_by"]
    assert relation["subject_id"] == organisations["runder-tisch-migration-landkreis-leipzig"]["id"]
    assert relation["object_id"] == bon_courage["id"]
    contacts = {c["value"]: c for c in data["contact"]}
    chemnitz = contacts["opferberatung.chemnitz@raa-sachsen.de"]
    assert chemnitz["region_id"] == regions["chemnitz"]["id"]
    assert chemnitz["organisation_id"] == organisations["opferberatung-raa-sachsen"]["id"]


def test_the_real_seed_file_loads_with_the_counts_it_holds(migrated_database: str) -> None:
    result = run_seed(migrated_database)
    assert result.returncode == 0, result.stderr
    seed = read_seed_file()
    counts = row_counts(migrated_database)
    assert counts["source_document"] == 1
    assert counts["region"] == len(seed.regions)
    assert counts["organisation"] == len(seed.organisations)
    assert counts["organisation_relation"] == len(seed.relations)
    assert counts["contact"] == sum(len(o.contacts) for o in seed.organisations)
    assert counts["organisation_region"] == sum(len(o.regions) for o in seed.organisations)
    assert counts["organisation_topic"] == sum(
        len({fold(t) for t in o.topics}) for o in seed.organisations
    )
    kinds = Counter(row["kind"] for row in dump(migrated_database)["organisation"])
    assert kinds == Counter(o.kind.value for o in seed.organisations)
    networks = sum(n for kind, n in kinds.items() if kind in NETWORK_KINDS)
    assert networks == sum(1 for o in seed.organisations if o.kind in NETWORK_KINDS)
    assert f"organisation: {len(seed.organisations)} created" in result.stdout

    again = run_seed(migrated_database)
    assert again.returncode == 0, again.stderr
    assert (
        f"organisation: 0 created, 0 updated, 0 deleted, {len(seed.organisations)} unchanged"
        in (again.stdout)
    )


def test_loading_twice_changes_nothing(migrated_database: str, seed_path: Path) -> None:
    first = load_file(migrated_database, seed_path)
    assert first.changed
    assert first.created["organisation"] == 4
    before = dump(migrated_database)

    second = load_file(migrated_database, seed_path)
    assert not second.changed
    assert dict(second.unchanged) == {
        "source": 1,
        "region": 5,
        "organisation": 4,
        "contact": 2,
        "relation": 2,
    }
    assert dump(migrated_database) == before  # same ids, versions and updated_at

    result = run_seed(migrated_database, "--file", str(seed_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines and all("0 created, 0 updated, 0 deleted" in line for line in lines), lines
    assert dump(migrated_database) == before


def test_a_changed_description_updates_the_record_in_place(
    loaded_database: str, tmp_path: Path
) -> None:
    before = dump(loaded_database)
    changed = mini_seed()
    changed["organisations"][0]["description"] = "Neue Beschreibung für Bon Courage."
    path = write_seed(tmp_path / "changed.yaml", changed)

    result = run_seed(loaded_database, "--file", str(path))
    assert result.returncode == 0, result.stderr
    assert "organisation: 0 created, 1 updated, 0 deleted, 3 unchanged" in result.stdout

    after = dump(loaded_database)
    old, new = by_slug(before["organisation"]), by_slug(after["organisation"])
    assert new["bon-courage"]["description"] == "Neue Beschreibung für Bon Courage."
    assert new["bon-courage"]["id"] == old["bon-courage"]["id"]
    assert new["bon-courage"]["version"] == old["bon-courage"]["version"] + 1
    assert new["bon-courage"]["updated_at"] > old["bon-courage"]["updated_at"]
    assert new["bon-courage"]["created_at"] == old["bon-courage"]["created_at"]
    for slug in old.keys() - {"bon-courage"}:
        assert new[slug] == old[slug], slug
    # Links are untouched: every id is stable, nothing else was rewritten.
    for table in TABLES:
        if table != "organisation":
            assert after[table] == before[table], table


def test_changed_links_bump_the_organisation_and_stale_rows_go(
    loaded_database: str, tmp_path: Path
) -> None:
    before = dump(loaded_database)
    changed = mini_seed()
    organisations = {o["slug"]: o for o in changed["organisations"]}
    organisations["runder-tisch-migration-landkreis-leipzig"]["topics"] = ["migration", "asyl"]
    organisations["raa-sachsen"]["regions"] = ["sachsen", "leipzig"]
    opfer = organisations["opferberatung-raa-sachsen"]
    opfer["contacts"][0]["label"] = "Opferberatung Chemnitz (Büro)"
    del opfer["contacts"][1]
    changed["relations"] = changed["relations"][:1]

    report = load_file(loaded_database, write_seed(tmp_path / "changed.yaml", changed))
    # An organisation's version covers what it shows: its contacts and relations too.
    assert report.updated["organisation"] == 3
    assert report.updated["contact"] == 1
    assert report.deleted == Counter({"contact": 1, "relation": 1})

    after = dump(loaded_database)
    old, new = by_slug(before["organisation"]), by_slug(after["organisation"])
    for slug in (
        "runder-tisch-migration-landkreis-leipzig",  # topics
        "raa-sachsen",  # regions, and the relation to it is gone
        "opferberatung-raa-sachsen",  # a contact changed, one went, and its relation
    ):
        assert new[slug]["version"] == old[slug]["version"] + 1, slug
        assert new[slug]["id"] == old[slug]["id"]
    assert new["bon-courage"] == old["bon-courage"]
    topics = {t["topic"] for t in after["organisation_topic"]}
    assert "asyl" in topics
    kept, gone = sorted(after["contact"], key=lambda c: c["deleted_at"] is not None)
    assert kept["label"] == "Opferberatung Chemnitz (Büro)"
    assert kept["version"] == 2
    assert kept["id"] == before["contact"][0]["id"]
    assert kept["deleted_at"] is None and gone["deleted_at"] is not None
    # Deleted rows stay as tombstones: same ids, marked deleted.
    relations = {r["type"]: r for r in after["organisation_relation"]}
    assert relations["coordinated_by"]["deleted_at"] is None
    assert [t for t, r in relations.items() if r["deleted_at"] is not None] == ["sponsored_by"]


def test_a_contact_whose_value_changes_case_keeps_its_id(
    loaded_database: str, tmp_path: Path
) -> None:
    """A correction of case is an update of the same contact, not a new one: its URL stays."""
    before = {c["value"].lower(): c for c in dump(loaded_database)["contact"]}
    changed = mini_seed()
    opfer = next(o for o in changed["organisations"] if o["slug"] == "opferberatung-raa-sachsen")
    opfer["contacts"][0]["value"] = "Opferberatung.Chemnitz@RAA-Sachsen.de"
    report = load_file(loaded_database, write_seed(tmp_path / "case.yaml", changed))
    assert report.updated["contact"] == 1
    assert report.created["contact"] == report.deleted["contact"] == 0
    after = {c["value"].lower(): c for c in dump(loaded_database)["contact"]}
    old, new = (
        before["opferberatung.chemnitz@raa-sachsen.de"],
        after["opferberatung.chemnitz@raa-sachsen.de"],
    )
    assert new["id"] == old["id"]
    assert new["value"] == "Opferberatung.Chemnitz@raa-sachsen.de"  # domains are case-free
    assert new["version"] == old["version"] + 1
    assert new["deleted_at"] is None


def topic_labels(url: str, slug: str) -> dict[str, str]:
    data = dump(url)
    organisation_id = by_slug(data["organisation"])[slug]["id"]
    return {
        t["topic"]: t["label"]
        for t in data["organisation_topic"]
        if t["organisation_id"] == organisation_id
    }


def test_topics_are_stored_by_key_with_the_spelling_of_the_file(
    loaded_database: str, tmp_path: Path
) -> None:
    slug = "runder-tisch-migration-landkreis-leipzig"
    changed = mini_seed()
    organisations = {o["slug"]: o for o in changed["organisations"]}
    organisations[slug]["topics"] = ["migration", "härtefälle", "haertefaelle"]
    path = write_seed(tmp_path / "umlauts.yaml", changed)
    load_file(loaded_database, path)
    # One row per folded key; the first spelling of a key is its label.
    assert topic_labels(loaded_database, slug) == {
        "migration": "migration",
        "haertefaelle": "härtefälle",
    }
    version = by_slug(dump(loaded_database)["organisation"])[slug]["version"]

    # A database migrated with topics already in it has each key as its label.
    engine = make_engine(loaded_database)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE organisation_topic SET label = topic"))
    finally:
        engine.dispose()
    report = load_file(loaded_database, path)
    assert report.updated["organisation"] == 1
    assert topic_labels(loaded_database, slug)["haertefaelle"] == "härtefälle"
    assert by_slug(dump(loaded_database)["organisation"])[slug]["version"] == version + 1

    before = dump(loaded_database)
    assert not load_file(loaded_database, path).changed
    assert dump(loaded_database) == before


def test_an_organisation_left_out_of_the_file_is_kept_and_reported(
    loaded_database: str, tmp_path: Path
) -> None:
    changed = mini_seed()
    changed["organisations"] = [
        o
        for o in changed["organisations"]
        if o["slug"] != "runder-tisch-migration-landkreis-leipzig"
    ]
    changed["relations"] = changed["relations"][1:]
    result = run_seed(loaded_database, "--file", str(write_seed(tmp_path / "less.yaml", changed)))
    assert result.returncode == 0, result.stderr
    assert "runder-tisch-migration-landkreis-leipzig" in result.stdout
    assert "not in the file" in result.stdout
    assert "runder-tisch-migration-landkreis-leipzig" in by_slug(
        dump(loaded_database)["organisation"]
    )


# --- Refusing bad input ---------------------------------------------------------------------


def _bad_reference(data: dict[str, Any]) -> None:
    data["relations"][0]["object"] = "gibt-es-nicht"


def _bad_email(data: dict[str, Any]) -> None:
    data["organisations"][3]["contacts"][0]["value"] = "opferberatung.chemnitz(at)raa-sachsen.de"


def _duplicate_slug(data: dict[str, Any]) -> None:
    twin = copy.deepcopy(data["organisations"][0])
    twin["name"] = "Bon Courage (doppelt)"
    data["organisations"].append(twin)


def _unknown_region(data: dict[str, Any]) -> None:
    data["organisations"][1]["regions"] = ["landkreis-nirgendwo"]


def _unknown_kind(data: dict[str, Any]) -> None:
    data["organisations"][2]["kind"] = "raumschiff"


def _missing_name(data: dict[str, Any]) -> None:
    del data["organisations"][0]["name"]


def _parent_loop(data: dict[str, Any]) -> None:
    data["regions"][0]["parent"] = "borna"


def _valid_change_then_bad_email(data: dict[str, Any]) -> None:
    """A valid change early in the file must not be written when a later entry is invalid."""
    data["organisations"][0]["description"] = "Diese Änderung darf nicht ankommen."
    _bad_email(data)


INVALID = {
    "bad-reference": (_bad_reference, ["unknown gibt-es-nicht"]),
    "bad-email": (_bad_email, ["not an e-mail address", "opferberatung.chemnitz(at)"]),
    "duplicate-slug": (_duplicate_slug, ["duplicate organisation slug: bon-courage"]),
    "unknown-region": (_unknown_region, ["unknown region landkreis-nirgendwo"]),
    "unknown-kind": (_unknown_kind, ["kind"]),
    "missing-name": (_missing_name, ["name", "Field required"]),
    "parent-loop": (_parent_loop, ["parent chain loops"]),
    "valid-change-then-bad-email": (_valid_change_then_bad_email, ["not an e-mail address"]),
}


@pytest.mark.parametrize("case", INVALID)
def test_an_invalid_file_is_refused_and_nothing_is_written(
    loaded_database: str, tmp_path: Path, case: str
) -> None:
    mutate, phrases = INVALID[case]
    data = mini_seed()
    mutate(data)
    path = write_seed(tmp_path / "invalid.yaml", data)
    before = dump(loaded_database)

    result = run_seed(loaded_database, "--file", str(path))
    assert_clean_failure(result, "invalid.yaml is invalid", *phrases)
    assert dump(loaded_database) == before

    with pytest.raises(SeedError):
        read_seed_file(path)


def test_check_reports_an_invalid_file(migrated_database: str, tmp_path: Path) -> None:
    data = mini_seed()
    _bad_email(data)
    _unknown_kind(data)
    path = write_seed(tmp_path / "invalid.yaml", data)
    result = run_seed(migrated_database, "--check", "--file", str(path))
    # Both entries are reported, each with where it is in the file.
    assert_clean_failure(
        result, "2 validation errors", "organisations.3.contacts.0", "organisations.2.kind"
    )


@pytest.mark.parametrize(
    ("name", "text", "phrase"),
    [
        ("syntax.yaml", "organisations: [unclosed\n  - slug: bon-courage\n", "cannot read"),
        ("tabs.yaml", "source:\n\tslug: x\n", "cannot read"),
        ("empty.yaml", "", "is invalid"),
        ("list.yaml", "- just\n- a list\n", "is invalid"),
    ],
)
def test_an_unreadable_file_is_refused_and_nothing_is_written(
    loaded_database: str, tmp_path: Path, name: str, text: str, phrase: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = row_counts(loaded_database)
    assert_clean_failure(run_seed(loaded_database, "--file", str(path)), name, phrase)
    assert row_counts(loaded_database) == before


def test_a_missing_file_is_a_clean_error(migrated_database: str, tmp_path: Path) -> None:
    result = run_seed(migrated_database, "--file", str(tmp_path / "gibt-es-nicht.yaml"))
    assert_clean_failure(result, "cannot read gibt-es-nicht.yaml")
    assert row_counts(migrated_database) == dict.fromkeys(TABLES, 0)


def test_a_missing_source_document_is_refused(migrated_database: str, tmp_path: Path) -> None:
    data = mini_seed()
    data["source"]["file_name"] = "gibt-es-nicht.md"
    result = run_seed(migrated_database, "--file", str(write_seed(tmp_path / "s.yaml", data)))
    assert_clean_failure(result, "gibt-es-nicht.md")
    assert row_counts(migrated_database) == dict.fromkeys(TABLES, 0)


def test_a_write_the_database_refuses_rolls_everything_back(
    loaded_database: str, tmp_path: Path
) -> None:
    """The file is valid, but Leipzig under a new slug reuses its code, already in the database.

    Changes the loader writes before the failing insert are rolled back with it.
    """
    data = mini_seed()
    data["regions"][0]["name"] = "Sachsen (geändert)"
    data["organisations"][0]["description"] = "Diese Änderung darf nicht ankommen."
    leipzig = next(r for r in data["regions"] if r["slug"] == "leipzig")
    leipzig["slug"] = "stadt-leipzig"
    for organisation in data["organisations"]:
        for contact in organisation.get("contacts", []):
            if contact.get("region") == "leipzig":
                contact["region"] = "stadt-leipzig"
    path = write_seed(tmp_path / "clash.yaml", data)
    read_seed_file(path)  # valid as a file
    before = dump(loaded_database)

    result = run_seed(loaded_database, "--file", str(path))
    assert_clean_failure(result, "nothing written")
    assert dump(loaded_database) == before


# --- Options and the database's state -------------------------------------------------------


def test_if_empty_skips_a_database_that_holds_data(loaded_database: str, tmp_path: Path) -> None:
    changed = mini_seed()
    changed["organisations"][0]["description"] = "Geändert, aber --if-empty lädt nicht."
    before = dump(loaded_database)
    result = run_seed(
        loaded_database, "--if-empty", "--file", str(write_seed(tmp_path / "c.yaml", changed))
    )
    assert result.returncode == 0, result.stderr
    assert "already holds data" in result.stdout
    assert dump(loaded_database) == before


def test_if_empty_loads_an_empty_database(migrated_database: str, seed_path: Path) -> None:
    result = run_seed(migrated_database, "--if-empty", "--file", str(seed_path))
    assert result.returncode == 0, result.stderr
    assert row_counts(migrated_database) == EXPECTED_ROWS


def test_check_validates_without_writing(migrated_database: str, seed_path: Path) -> None:
    result = run_seed(migrated_database, "--check", "--file", str(seed_path))
    assert result.returncode == 0, result.stderr
    assert "is valid (4 organisations)" in result.stdout
    assert row_counts(migrated_database) == dict.fromkeys(TABLES, 0)


def test_an_unmigrated_database_is_a_clear_error(empty_database: str, seed_path: Path) -> None:
    result = run_seed(empty_database, "--file", str(seed_path))
    assert_clean_failure(result, "nothing written", "alembic upgrade head")
    engine = make_engine(empty_database)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_if_empty_on_an_unmigrated_database_is_a_clear_error(
    empty_database: str, seed_path: Path
) -> None:
    result = run_seed(empty_database, "--if-empty", "--file", str(seed_path))
    assert_clean_failure(result, "alembic upgrade head")


def test_loading_again_keeps_what_editors_changed_or_deleted(
    seeded_database: str, client_for: Callable[[str], TestClient]
) -> None:
    """After an upgrade the loader runs again: it must not undo the editors' work."""
    client = client_for(seeded_database)
    writer = auth_headers(seeded_database).writer

    def write(method: str, path: str, body: dict[str, Any] | None = None) -> None:
        tag = client.get(path).headers["etag"]
        response = client.request(method, path, json=body, headers={**writer, "If-Match": tag})
        assert response.status_code in (200, 204), response.text

    write("PATCH", "/organisations/bon-courage", {"short_name": "BC"})
    write("DELETE", "/organisations/refugee-law-clinic-leipzig?cascade=relations")
    before = client.get("/changes?limit=1").json()["total"]

    report = load_file(seeded_database, SEED_FILE)
    assert "organisation bon-courage" in report.edited
    assert "organisation refugee-law-clinic-leipzig" in report.edited
    assert client.get("/organisations/bon-courage").json()["short_name"] == "BC"
    assert client.get("/organisations/refugee-law-clinic-leipzig").status_code == 410
    # Nothing else differed from the file, so nothing was written.
    assert not report.changed
    assert client.get("/changes?limit=1").json()["total"] == before
