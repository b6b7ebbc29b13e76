"""The whole directory as one file: `GET /export`, `POST /import`, `python -m app export|import`.

Every test runs on both engines. The round trip is the promise a move between databases
rests on: export, import into an empty database, export again gives the same bytes.
"""

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from fastapi.testclient import TestClient

from app.cli import main
from app.config import Settings, get_settings
from app.exchange.schemas import SCHEMA_FILE, json_schema
from app.main import create_app
from tests.api.editor import PLAIN, assert_problem, poll
from tests.auth import ADMIN_NAME, AuthHeaders, auth_headers
from tests.conftest import POSTGRES_URL
from tests.databases import PostgresDatabases, SQLiteDatabases, migrate, seed

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def source(seeded_database: str, client_for: Callable[[str], TestClient]) -> "Side":
    return Side(client_for(seeded_database), auth_headers(seeded_database))


@pytest.fixture
def target(migrated_database: str, client_for: Callable[[str], TestClient]) -> "Side":
    """An empty directory: migrated, nothing in it."""
    return Side(client_for(migrated_database), auth_headers(migrated_database))


class Side:
    def __init__(self, client: TestClient, auth: AuthHeaders) -> None:
        self.client = client
        self.auth = auth

    def export(self) -> bytes:
        response = self.client.get("/export", headers={**self.auth.admin, **PLAIN})
        assert response.status_code == 200, response.text
        return response.content

    def import_(self, body: bytes | dict[str, Any], mode: str = "merge") -> Any:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.client.post(
            f"/import?mode={mode}", content=content, headers={**self.auth.admin, **JSON}
        )

    def feed(self) -> list[dict[str, Any]]:
        return poll(self.client, "/changes")[0]


def test_export_then_import_into_an_empty_database_then_export_is_byte_identical(
    source: Side, target: Side
) -> None:
    exported = source.export()
    document = json.loads(exported)
    # Streamed a record at a time, it is what a JSON writer makes of the whole at once.
    assert exported == orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
    assert document["format"] == "wegweiser-sachsen-directory"
    assert len(document["organisations"]) == 74
    assert target.export() != exported

    response = target.import_(exported)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["created"] == {
        "contact": sum(len(o["contacts"]) for o in document["organisations"]),
        "organisation": 74,
        "region": len(document["regions"]),
        "relation": len(document["relations"]),
    }
    assert report["revision"] is not None
    assert target.export() == exported


def test_the_imported_directory_answers_as_the_original(source: Side, target: Side) -> None:
    assert target.import_(source.export()).status_code == 200
    for path in (
        "/organisations/bon-courage",
        "/networks/iq-netzwerk-sachsen",
        "/regions/14626",
        "/organisations?region=14626&limit=200",
    ):
        before, after = source.client.get(path).json(), target.client.get(path).json()
        assert _without_bookkeeping(after) == _without_bookkeeping(before), path


def _without_bookkeeping(value: Any) -> Any:
    """What stays across databases: not ids, versions or times of writing."""
    volatile = {"id", "version", "updated_at", "created_at", "url", "relation"}
    if isinstance(value, dict):
        return {
            k: _without_bookkeeping(v)
            for k, v in value.items()
            if k not in volatile and k != "links"
        }
    if isinstance(value, list):
        return [_without_bookkeeping(v) for v in value]
    return value


def test_the_export_fits_the_published_json_schema(source: Side) -> None:
    assert SCHEMA_FILE.read_bytes() == json_schema(), (
        "app/exchange/directory.schema.json is out of date: "
        "run `python -m app.exchange.schemas` and commit it"
    )
    schema = json.loads(SCHEMA_FILE.read_bytes())
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [e.message for e in validator.iter_errors(json.loads(source.export()))]
    assert errors == []


def test_import_is_recorded_in_history_and_feed_under_the_key(source: Side, target: Side) -> None:
    target.import_(source.export())
    feed = target.feed()
    assert {c["action"] for c in feed} == {"created"}
    assert sum(c["resource"] == "organisation" for c in feed) == 74
    history = target.client.get("/organisations/bon-courage/history").json()["items"]
    assert [(h["version"], h["actor"]) for h in history] == [(1, ADMIN_NAME)]


def test_a_second_import_of_the_same_file_changes_nothing(source: Side, target: Side) -> None:
    exported = source.export()
    target.import_(exported)
    feed = target.feed()
    again = target.import_(exported)
    assert again.status_code == 200
    assert again.json()["revision"] is None
    assert not any(again.json()[k] for k in ("created", "updated", "deleted"))
    assert again.json()["unchanged"]["organisation"] == 74
    assert target.feed() == feed


def test_last_verified_at_and_provenance_carry_over(source: Side, target: Side) -> None:
    editor = source.client
    tag = editor.get("/organisations/bon-courage").headers["etag"]
    verified = editor.post(
        "/organisations/bon-courage/verification",
        headers={**source.auth.writer, "If-Match": tag},
    )
    assert verified.status_code == 200, verified.text
    target.import_(source.export())
    before = source.client.get("/organisations/bon-courage").json()
    after = target.client.get("/organisations/bon-courage").json()
    assert after["last_verified_at"] == before["last_verified_at"] is not None
    assert after["valid_as_of"] == before["valid_as_of"]
    assert after["provenance"] == before["provenance"]
    assert after["provenance"]["source"]["slug"] == "praxis-vor-ort-2015-04-16"


def test_the_file_wins_over_edits_made_since(source: Side) -> None:
    exported = source.export()
    original = source.client.get("/organisations/bon-courage").json()["name"]
    tag = source.client.get("/organisations/bon-courage").headers["etag"]
    patched = source.client.patch(
        "/organisations/bon-courage",
        json={"name": "Anders genannt"},
        headers={**source.auth.writer, "If-Match": tag},
    )
    assert patched.status_code == 200, patched.text
    assert source.import_(exported).status_code == 200
    detail = source.client.get("/organisations/bon-courage").json()
    assert (detail["name"], detail["version"]) == (original, 3)
    newest = source.client.get("/organisations/bon-courage/history").json()["items"][0]
    assert newest["actor"] == ADMIN_NAME
    assert newest["changes"]["name"] == {"before": "Anders genannt", "after": original}
    assert source.export() == exported


def test_merge_keeps_what_the_file_lacks_and_replace_deletes_it(source: Side) -> None:
    document = json.loads(source.export())
    gone = "bon-courage"
    document["organisations"] = [o for o in document["organisations"] if o["slug"] != gone]
    document["relations"] = [
        r for r in document["relations"] if gone not in (r["subject"], r["object"])
    ]
    relations_of_gone = len(source.client.get(f"/organisations/{gone}").json()["relations"])

    merged = source.import_(document, mode="merge")
    assert merged.status_code == 200, merged.text
    assert merged.json()["revision"] is None
    assert source.client.get(f"/organisations/{gone}").status_code == 200

    replaced = source.import_(document, mode="replace")
    assert replaced.status_code == 200, replaced.text
    deleted = replaced.json()["deleted"]
    assert deleted["organisation"] == 1
    assert deleted["relation"] == relations_of_gone
    assert source.client.get(f"/organisations/{gone}").status_code == 410
    assert json.loads(source.export()) == document


def test_a_deleted_record_in_the_file_comes_back_under_its_id(source: Side) -> None:
    exported = source.export()
    detail = source.client.get("/organisations/bon-courage")
    deleted = source.client.delete(
        "/organisations/bon-courage?cascade=relations",
        headers={**source.auth.writer, "If-Match": detail.headers["etag"]},
    )
    assert deleted.status_code == 204, deleted.text
    assert source.import_(exported).status_code == 200
    back = source.client.get("/organisations/bon-courage")
    assert back.status_code == 200
    assert back.json()["id"] == detail.json()["id"]
    assert source.export() == exported


@pytest.mark.parametrize(
    ("break_it", "name", "record"),
    [
        (
            lambda d: d["organisations"][5]["contacts"].append({"kind": "fax", "value": "1"}),
            "organisations.5.contacts.{n}.kind",
            "organisation",
        ),
        (
            lambda d: d["organisations"][7]["regions"].append({"region": "atlantis"}),
            "organisations.7.regions.{n}.region",
            "organisation",
        ),
        (
            lambda d: d["relations"][3].update(object="gibt-es-nicht"),
            "relations.3.object",
            "relation",
        ),
        (
            lambda d: d["organisations"][2]["concepts"]["offers"].append(
                {"concept": "zauberei", "basis": "inferred", "note": "n"}
            ),
            "organisations.2.concepts.offers.{n}.concept",
            "organisation",
        ),
        (
            lambda d: d["organisations"].append(copy.deepcopy(d["organisations"][0])),
            "organisations.{n}.slug",
            "",
        ),
        (lambda d: d.update(version=2), "version", ""),
    ],
    ids=["contact-kind", "unknown-region", "unknown-end", "unknown-concept", "twice", "version"],
)
def test_a_bad_file_changes_nothing_and_names_record_and_field(
    source: Side, break_it: Callable[[dict[str, Any]], None], name: str, record: str
) -> None:
    exported = source.export()
    document = json.loads(exported)
    document["organisations"][0]["name"] = "Schon geändert"  # would be written first
    break_it(document)
    feed = source.feed()

    problem = assert_problem(source.import_(document), 422, "invalid-body")

    expected = name.format(n=_last_index(document, name)) if "{n}" in name else name
    names = [p["name"] for p in problem["invalid_params"]]
    assert expected in names, problem
    if record:
        reason = next(p["reason"] for p in problem["invalid_params"] if p["name"] == expected)
        assert reason.startswith(record), reason
    assert source.export() == exported
    assert source.feed() == feed


def _last_index(document: dict[str, Any], name: str) -> int:
    """The index of the item a test appended to the list `name` leads to."""
    parts = name.split(".")
    node: Any = document
    for part in parts[: parts.index("{n}")]:
        node = node[int(part)] if part.isdigit() else node[part]
    return len(node) - 1


def test_a_refusal_of_the_write_path_late_in_the_file_rolls_everything_back(
    source: Side,
) -> None:
    exported = source.export()
    document = json.loads(exported)
    document["organisations"][0]["name"] = "Schon geändert"
    last = len(document["organisations"]) - 1
    # Only a person has a role: the write path says so, after everything before it was written.
    document["organisations"][last]["contacts"].append(
        {"kind": "email", "value": "rolle@example.org", "role": "Leitung"}
    )
    feed = source.feed()
    problem = assert_problem(source.import_(document), 422, "invalid-body")
    (param,) = problem["invalid_params"]
    n = len(document["organisations"][last]["contacts"]) - 1
    assert param["name"] == f"organisations.{last}.contacts.{n}.role"
    slug = document["organisations"][last]["slug"]
    assert param["reason"].startswith(f"organisation '{slug}', contact 'rolle@example.org'")
    assert source.export() == exported
    assert source.feed() == feed


def test_export_and_import_need_an_admin_key(source: Side) -> None:
    client = source.client
    assert_problem(client.get("/export"), 401, "unauthorized")
    assert_problem(client.get("/export", headers=source.auth.writer), 403, "forbidden")
    body = source.export()
    assert_problem(client.post("/import", content=body, headers=JSON), 401, "unauthorized")
    writer = {**source.auth.writer, **JSON}
    assert_problem(client.post("/import", content=body, headers=writer), 403, "forbidden")


def test_the_export_is_a_download_nobody_caches(source: Side) -> None:
    response = source.client.get("/export", headers=source.auth.admin)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert "wegweiser-sachsen.json" in response.headers["content-disposition"]


def test_bodies_that_are_no_directory_file_are_problems(source: Side, seeded_database: str) -> None:
    admin = source.auth.admin
    post = source.client.post
    assert_problem(post("/import", content=b"{", headers={**admin, **JSON}), 400, "invalid-body")
    text = {**admin, "Content-Type": "text/plain"}
    assert_problem(post("/import", content=b"{}", headers=text), 415, "unsupported-media-type")
    assert_problem(post("/import", content=b"[]", headers={**admin, **JSON}), 422, "invalid-body")
    assert_problem(source.import_(b"{}", mode="everything"), 422, "invalid-parameter")
    small = Settings(database_url=seeded_database, max_import_bytes=1000)
    with TestClient(create_app(small)) as client:
        response = client.post("/import", content=source.export(), headers={**admin, **JSON})
        assert_problem(response, 413, "payload-too-large")


# --- The command line ---------------------------------------------------------------------


@pytest.fixture
def cli_database(migrated_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("WEGWEISER_DATABASE_URL", migrated_database)
    get_settings.cache_clear()
    yield migrated_database
    get_settings.cache_clear()


def test_the_command_line_writes_and_reads_the_same_file(
    source: Side,
    cli_database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    client_for: Callable[[str], TestClient],
) -> None:
    file = tmp_path / "directory.json"
    file.write_bytes(source.export())
    assert main(["import", str(file)]) == 0
    assert "organisation: 74 created" in capsys.readouterr().out
    again = tmp_path / "again.json"
    assert main(["export", str(again)]) == 0
    assert again.read_bytes() == file.read_bytes()
    history = client_for(cli_database).get("/organisations/bon-courage/history").json()
    assert [h["actor"] for h in history["items"]] == ["import"]


def test_the_command_line_names_what_is_wrong_and_writes_nothing(
    source: Side, cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(source.export())
    document["regions"][1]["parent"] = "nirgendwo"
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(document))
    assert main(["import", str(file)]) == 1
    err = capsys.readouterr().err
    assert "nothing changed" in err
    assert "regions.1.parent: region" in err
    assert main(["export"]) == 0
    assert json.loads(capsys.readouterr().out)["organisations"] == []
    (tmp_path / "no.json").write_text("{")
    assert main(["import", str(tmp_path / "no.json")]) == 1
    assert "not JSON" in capsys.readouterr().err


@pytest.mark.postgres
def test_a_directory_moves_from_sqlite_to_postgresql_and_back_unchanged(
    tmp_path: Path, client_for: Callable[[str], TestClient]
) -> None:
    if not POSTGRES_URL:
        pytest.skip("needs WEGWEISER_TEST_DATABASE_URL")
    sqlite, postgresql = SQLiteDatabases(tmp_path), PostgresDatabases(POSTGRES_URL)
    sides = []
    try:
        for databases in (sqlite, postgresql, sqlite):
            url = databases.create()
            migrate(url)
            sides.append(Side(client_for(url), auth_headers(url)))
        first, middle, last = sides
        seed_url = sqlite.create()
        migrate(seed_url)
        seed(seed_url)
        exported = Side(client_for(seed_url), auth_headers(seed_url)).export()
        first.import_(exported)
        assert middle.import_(first.export()).status_code == 200
        assert last.import_(middle.export()).status_code == 200
        assert middle.export() == exported
        assert last.export() == exported
    finally:
        postgresql.close()


def _names(response: Any) -> dict[str, str]:
    """The wrong fields a 422 names, each with its reason."""
    problem = assert_problem(response, 422, "invalid-body")
    return {p["name"]: p["reason"] for p in problem["invalid_params"]}


def test_more_that_a_file_gets_wrong_is_named_before_anything_is_written(source: Side) -> None:
    exported = source.export()
    document = json.loads(exported)
    regions = document["regions"]
    regions.append({"slug": "kreis-a", "name": "A", "kind": "rural_district", "parent": "kreis-b"})
    regions.append({"slug": "kreis-b", "name": "B", "kind": "rural_district", "parent": "kreis-a"})
    contacts = document["organisations"][0]["contacts"]
    contacts += [
        {"kind": "phone", "value": "0341 123456"},
        {"kind": "phone", "value": "+49341123456"},
    ]
    document["organisations"][1]["provenance"] = {"source": "unbekannt"}
    document["relations"][0]["provenance"]["slide"] = 10**12
    document["sources"][0]["title"] = "T" * 400
    document["organisations"][2]["last_verified_at"] = "9999-12-31T23:00:00-05:00"
    names = _names(source.import_(document))
    assert {
        "sources.0.title",
        "relations.0.provenance.slide",
        "organisations.2.last_verified_at",
    } <= set(names), names
    document["sources"][0]["title"] = exported_title = json.loads(exported)["sources"][0]["title"]
    document["relations"][0]["provenance"]["slide"] = 3
    document["organisations"][2]["last_verified_at"] = None
    names = _names(source.import_(document))
    n, c = len(regions), len(contacts)
    assert names[f"regions.{n - 2}.parent"].startswith("region 'kreis-a': its parents lead back")
    assert names[f"regions.{n - 1}.parent"].startswith("region 'kreis-b'")
    assert "listed twice" in names[f"organisations.0.contacts.{c - 1}.value"]
    assert "no source 'unbekannt'" in names["organisations.1.provenance.source"]
    assert exported_title
    assert source.export() == exported


def test_sources_of_the_database_serve_a_file_without_them(source: Side) -> None:
    document = json.loads(source.export())
    del document["sources"]
    document["organisations"] = [o for o in document["organisations"] if o["slug"] == "bon-courage"]
    document["organisations"][0]["name"] = "Bon Courage (umbenannt)"
    document["relations"] = []
    assert source.import_(document).status_code == 200
    detail = source.client.get("/organisations/bon-courage").json()
    assert detail["name"] == "Bon Courage (umbenannt)"
    assert detail["provenance"]["source"]["slug"] == "praxis-vor-ort-2015-04-16"


def test_a_changed_source_is_a_change_of_the_records_citing_it(source: Side) -> None:
    document = json.loads(source.export())
    document["sources"][0]["title"] = "Praxis vor Ort (Folien)"
    report = source.import_(document).json()
    assert report["revision"] is not None
    assert report["updated"]["organisation"] == 74
    detail = source.client.get("/organisations/bon-courage").json()
    assert detail["provenance"]["source"]["title"] == "Praxis vor Ort (Folien)"
    assert detail["version"] == 2
    assert json.loads(source.export()) == document


def test_contacts_left_out_stay_and_an_empty_list_deletes_them(source: Side) -> None:
    slug = "refugee-law-clinic-leipzig"
    document = json.loads(source.export())
    (entry,) = [o for o in document["organisations"] if o["slug"] == slug]
    assert entry["contacts"]
    document.update(organisations=[entry], relations=[])
    del entry["contacts"]
    assert source.import_(document).json()["revision"] is None
    entry["contacts"] = []
    report = source.import_(document).json()
    assert report["deleted"]["contact"] == 2
    assert source.client.get(f"/organisations/{slug}").json()["contacts"] == []


def test_replace_deletes_regions_the_file_lacks(source: Side) -> None:
    exported = source.export()
    created = source.client.post(
        "/regions",
        json={"slug": "neuland", "name": "Neuland", "kind": "municipality", "parent": "14626"},
        headers=source.auth.writer,
    )
    assert created.status_code == 201, created.text
    assert source.import_(exported, mode="replace").json()["deleted"] == {"region": 1}
    assert source.client.get("/regions/neuland").status_code == 410
    assert source.export() == exported


def test_hsds_ids_and_vcard_uids_survive_a_move(source: Side, target: Side) -> None:
    """Derived from stable keys, not database ids: a contact made again gets a new id in the
    source, and another one again in the database it moves to; its HSDS id stays."""
    contact = source.client.get("/contacts/1").json()
    tag = source.client.get("/contacts/1").headers["etag"]
    owner = contact["organisation"]["slug"]
    deleted = source.client.delete("/contacts/1", headers={**source.auth.writer, "If-Match": tag})
    assert deleted.status_code == 204, deleted.text
    body = {k: contact[k] for k in ("kind", "value", "label", "role")}
    again = source.client.post(
        "/contacts", json={**body, "organisation": owner}, headers=source.auth.writer
    )
    assert again.status_code == 201, again.text
    assert target.import_(source.export()).status_code == 200
    moved = target.client.get(f"/organisations/{owner}").json()["contacts"]
    assert {c["id"] for c in moved} != {
        c["id"] for c in source.client.get(f"/organisations/{owner}").json()["contacts"]
    }
    hsds_id = source.client.get("/hsds/organizations").json()["contents"]
    vcard = f"/organisations/{owner}/contacts.vcf"
    assert _uids(source.client.get(vcard).text) == _uids(target.client.get(vcard).text)
    checked = 0
    for item in hsds_id:
        there = target.client.get(f"/hsds/organizations/{item['id']}?full=true").json()
        here = source.client.get(f"/hsds/organizations/{item['id']}?full=true").json()
        assert _ids(there) == _ids(here), item["id"]
        checked += len(_ids(here))
    assert checked > 0


def _uids(cards: str) -> list[str]:
    return [line for line in cards.splitlines() if line.startswith("UID:")]


def _ids(value: Any, inside: bool = False) -> list[str]:
    """The ids of the contacts, phones and websites in an HSDS answer (its metadata is the
    record's own history, which a move starts anew)."""
    if isinstance(value, dict):
        own = [value["id"]] if inside and "id" in value else []
        return own + [
            i
            for k, v in value.items()
            for i in _ids(v, inside or k in {"contacts", "phones", "additional_websites"})
        ]
    if isinstance(value, list):
        return [i for v in value for i in _ids(v, inside)]
    return []
