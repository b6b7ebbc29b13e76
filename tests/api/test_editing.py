"""Editing over HTTP: creating, changing and deleting organisations (networks too), regions,
contacts and relations, with keys, `If-Match`, versions and soft deletes.

Every test that writes gets a private copy of the seeded database (`editor`);
tests of refused requests, which write nothing, share the session's `client`.
"""

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.api.editor import (
    GZIP,
    JSON,
    MERGE_PATCH,
    PLAIN,
    Editor,
    assert_problem,
    feed_end,
    invalid_names,
    path_of,
    poll,
)
from tests.api.listing import walk
from tests.auth import WRITER_NAME, bearer

BON_COURAGE = "/organisations/bon-courage"
RUNDER_TISCH = "runder-tisch-migration-landkreis-leipzig"
CLINIC = "/organisations/refugee-law-clinic-leipzig"

NEW_ORGANISATION: dict[str, Any] = {
    "slug": "willkommen-in-pirna",
    "name": "Willkommen in Pirna e.V.",
    "kind": "association",
    "legal_form": "e.V.",
    "level": "regional",
    "description": "Begleitung von Geflüchteten zu Ämtern und Ärzten",
    "tasks": ["Begleitung", "Sprachcafé"],
    "topics": ["Begleitung", "Ehrenamt"],
    "regions": [{"region": "14628", "role": "area"}],
}
NEW_REGION: dict[str, Any] = {"name": "Heidenau", "kind": "municipality", "parent": "14628"}

# A valid body of each collection, and for each a field of the wrong type.
BODIES: dict[str, tuple[dict[str, Any], str, Any]] = {
    "/organisations": (NEW_ORGANISATION, "tasks", "Begleitung"),
    "/regions": (NEW_REGION, "name", 7),
    "/contacts": (
        {"organisation": "bon-courage", "kind": "email", "value": "info@bon-courage.de"},
        "label",
        ["Büro"],
    ),
    "/relations": (
        {"subject": "bon-courage", "type": "member_of", "object": "tolerantes-sachsen"},
        "role",
        {"de": "Mitglied"},
    ),
}


@pytest.fixture
def editor(seeded_database: str, client_for: Callable[[str], TestClient]) -> Editor:
    return Editor.on(seeded_database, client_for)


def relation_between(editor: Editor, path: str, other: str) -> dict[str, Any]:
    (relation,) = [r for r in editor.json(path)["relations"] if r["organisation"]["slug"] == other]
    return relation


def slugs(client: TestClient, path: str, params: dict[str, Any] | None = None) -> set[str]:
    return {item["slug"] for item in walk(client, path, params)}


# --- Creating ---------------------------------------------------------------------------------


def test_create_answers_201_with_location_and_the_tag_a_get_gives(editor: Editor) -> None:
    response = editor.create("/organisations", NEW_ORGANISATION)
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    assert location == "http://testserver/organisations/willkommen-in-pirna"
    created = response.json()
    assert created["url"] == location
    assert created["version"] == 1
    assert created["valid_as_of"] == date.today().isoformat()
    assert created["last_verified_at"] is None
    assert [r["code"] for r in created["regions"]] == ["14628"]
    assert created["topics"] == ["Begleitung", "Ehrenamt"]
    assert created["names_in_source"] == ["Willkommen in Pirna e.V."]
    again = editor.read(location)
    assert (
        again.headers["etag"] == response.headers["etag"] == f'"organisation-{created["id"]}-v1-r2"'
    )
    assert again.json() == created
    assert "willkommen-in-pirna" in slugs(editor.client, "/organisations", {"region": "14628"})
    found = editor.json("/search", {"q": "Sprachcafé Pirna"})["items"]
    assert [hit["slug"] for hit in found] == ["willkommen-in-pirna"]


def test_a_network_is_created_at_networks(editor: Editor) -> None:
    body = {"name": "Netzwerk Asyl Pirna", "kind": "network", "regions": [{"region": "14628"}]}
    response = editor.create("/organisations", body)
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    assert location == "http://testserver/networks/netzwerk-asyl-pirna"
    at_location = editor.read(location)
    assert at_location.headers["etag"] == response.headers["etag"]
    assert at_location.json() == response.json()
    assert at_location.json()["members"] == []
    assert "netzwerk-asyl-pirna" in slugs(editor.client, "/networks")
    # The tag read at /networks is the one a write to /organisations takes.
    changed = editor.patch(
        "/organisations/netzwerk-asyl-pirna",
        {"short_name": "NAP"},
        if_match=at_location.headers["etag"],
    )
    assert changed.status_code == 200, changed.text
    assert editor.read(location).headers["etag"] == changed.headers["etag"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Flüchtlingsrat Görlitz – Beratung e.V.", "fluechtlingsrat-goerlitz-beratung-e-v"),
        ("  Straße der Begegnung  ", "strasse-der-begegnung"),
    ],
)
def test_the_slug_is_made_from_the_name(editor: Editor, name: str, slug: str) -> None:
    created = editor.created("/organisations", {"name": name, "kind": "initiative"})
    assert created["slug"] == slug
    assert created["name"] == name.strip()
    editor.read(f"/organisations/{slug}")


def test_a_region_is_created_below_its_parent(editor: Editor) -> None:
    response = editor.create("/regions", NEW_REGION)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == "http://testserver/regions/heidenau"
    region = response.json()
    assert region["parent"]["code"] == "14628"
    assert editor.read("/regions/heidenau").headers["etag"] == response.headers["etag"]
    children = editor.json("/regions/14628")["children"]
    assert "heidenau" in {child["slug"] for child in children}


def test_a_slug_in_use_is_a_409_also_when_its_record_is_deleted(editor: Editor) -> None:
    taken = editor.create("/organisations", {**NEW_ORGANISATION, "slug": "bon-courage"})
    assert assert_problem(taken, 409, "conflict")["slug"] == "bon-courage"
    from_the_name = editor.create("/organisations", {"name": "Bon Courage", "kind": "association"})
    assert_problem(from_the_name, 409, "conflict")
    editor.created("/organisations", NEW_ORGANISATION)
    editor.deleted("/organisations/willkommen-in-pirna")
    again = editor.create("/organisations", NEW_ORGANISATION)
    assert "deleted" in assert_problem(again, 409, "conflict")["detail"]
    assert_problem(editor.create("/regions", {**NEW_REGION, "slug": "freital"}), 409, "conflict")
    region_code = editor.create("/regions", {**NEW_REGION, "code": "14628"})
    assert_problem(region_code, 409, "conflict")


def test_an_unknown_field_or_a_wrong_type_is_a_422_naming_the_field(editor: Editor) -> None:
    revision = editor.revision()
    for collection, (body, field, wrong) in BODIES.items():
        unknown = editor.create(collection, {**body, "colour": "rot"})
        assert invalid_names(unknown) == {"colour"}, collection
        assert "colour" in unknown.json()["detail"]
        mistyped = editor.create(collection, {**body, field: wrong})
        assert invalid_names(mistyped) == {field}, collection
        required = "kind" if "kind" in body else "type"
        missing = editor.create(collection, {k: v for k, v in body.items() if k != required})
        assert invalid_names(missing) == {required}, collection
    nested = editor.create("/organisations", {**NEW_ORGANISATION, "regions": [{"region": 14}]})
    assert invalid_names(nested) == {"regions.0.region"}
    unknown_region = editor.create(
        "/organisations", {**NEW_ORGANISATION, "regions": [{"region": "atlantis"}]}
    )
    assert invalid_names(unknown_region) == {"regions.0.region"}
    path = "/organisations/bon-courage"
    assert invalid_names(editor.patch(path, {"colour": "rot"})) == {"colour"}
    assert invalid_names(editor.patch(path, {"tasks": "eine"})) == {"tasks"}
    assert invalid_names(editor.patch(path, {"name": None})) == {"name"}  # required
    assert invalid_names(editor.patch(path, {"slug": "neu"})) == {"slug"}  # the key stays
    assert invalid_names(editor.put(path, {"kind": "association"})) == {"name"}
    assert editor.revision() == revision
    assert editor.version(path) == 1
    assert_problem(editor.client.get("/organisations/willkommen-in-pirna"), 404, "not-found")


def test_a_relation_needs_two_different_live_organisations_once(editor: Editor) -> None:
    body = {"subject": "bon-courage", "type": "member_of", "object": "tolerantes-sachsen"}
    unknown = editor.create("/relations", {**body, "object": "gibt-es-nicht"})
    assert invalid_names(unknown) == {"object"}
    assert "unknown" in unknown.json()["detail"]
    itself = editor.create("/relations", {**body, "object": "bon-courage"})
    assert invalid_names(itself) == {"object"}
    unknown_type = editor.create("/relations", {**body, "type": "likes"})
    assert invalid_names(unknown_type) == {"type"}

    created = editor.create("/relations", body)
    assert created.status_code == 201, created.text
    relation = created.json()
    assert (
        created.headers["location"]
        == relation["url"]
        == f"http://testserver/relations/{relation['id']}"
    )
    assert editor.read(path_of(relation["url"])).headers["etag"] == created.headers["etag"]
    assert (relation["subject"]["slug"], relation["type"], relation["object"]["slug"]) == (
        "bon-courage",
        "member_of",
        "tolerantes-sachsen",
    )
    duplicate = editor.create("/relations", {**body, "note": "noch einmal"})
    assert assert_problem(duplicate, 409, "conflict")["relation"] == path_of(relation["url"])

    editor.created("/organisations", NEW_ORGANISATION)
    editor.deleted("/organisations/willkommen-in-pirna")
    to_deleted = editor.create("/relations", {**body, "subject": "willkommen-in-pirna"})
    assert invalid_names(to_deleted) == {"subject"}
    assert "deleted" in to_deleted.json()["detail"]


def test_a_region_cannot_lie_below_itself(editor: Editor) -> None:
    for key, parent in [("sachsen", "freital"), ("14", "14"), ("14628", "freital")]:
        response = editor.patch(f"/regions/{key}", {"parent": parent})
        assert invalid_names(response) == {"parent"}, key
        assert "cycle" in response.json()["detail"]
    whole = editor.put(
        "/regions/14", {"name": "Freistaat Sachsen", "kind": "state", "parent": "borna"}
    )
    assert invalid_names(whole) == {"parent"}
    assert editor.json("/regions/14")["parent"] is None
    assert editor.json("/regions/14")["version"] == 1
    unknown = editor.patch("/regions/freital", {"parent": "atlantis"})
    assert invalid_names(unknown) == {"parent"}


INVALID_CONTACTS = [
    ("email", "info(at)bon-courage.de"),
    ("email", "info@"),
    ("website", "www.bon-courage.de"),
    ("website", "ftp://bon-courage.de"),
    ("website", "https://"),
    ("phone", "123"),
    ("phone", "Büro anrufen"),
]


def test_an_invalid_e_mail_address_url_or_phone_number_is_a_422(editor: Editor) -> None:
    for kind, value in INVALID_CONTACTS:
        body = {"organisation": "bon-courage", "kind": kind, "value": value}
        response = editor.create("/contacts", body)
        assert invalid_names(response) == {"value"}, value
    contact = editor.json(CLINIC)["contacts"][0]
    for kind, value in INVALID_CONTACTS:
        response = editor.patch(path_of(contact["url"]), {"kind": kind, "value": value})
        assert invalid_names(response) == {"value"}, value
    assert editor.json(BON_COURAGE)["contacts"] == []
    assert editor.version(path_of(contact["url"])) == 1


def test_contacts_are_checked_and_normalised(editor: Editor) -> None:
    phone = editor.create(
        "/contacts", {"organisation": "bon-courage", "kind": "phone", "value": "0341 123456"}
    )
    assert phone.status_code == 201, phone.text
    contact = phone.json()
    assert contact["value"] == "+49341123456"
    assert phone.headers["location"] == contact["url"]
    assert editor.read(path_of(contact["url"])).headers["etag"] == phone.headers["etag"]
    assert editor.json(path_of(contact["url"]))["value"] == "+49341123456"
    email = editor.created(
        "/contacts",
        {"organisation": "bon-courage", "kind": "email", "value": "Info@Bon-Courage.DE"},
    )
    assert email["value"] == "info@bon-courage.de"
    same = editor.create(
        "/contacts", {"organisation": "bon-courage", "kind": "phone", "value": "+49 341 123456"}
    )
    assert assert_problem(same, 409, "conflict")["contact"] == path_of(contact["url"])
    role = editor.create(
        "/contacts",
        {"organisation": "bon-courage", "kind": "email", "value": "a@b.de", "role": "Chef"},
    )
    assert invalid_names(role) == {"role"}
    person = editor.created(
        "/contacts",
        {
            "organisation": "bon-courage",
            "kind": "person",
            "value": "Erika Muster",
            "role": "Vorstand",
        },
    )
    assert person["role"] == "Vorstand"
    unknown = editor.create(
        "/contacts", {"organisation": "gibt-es-nicht", "kind": "phone", "value": "0341 1"}
    )
    assert invalid_names(unknown) == {"organisation"}
    website = editor.created(
        "/contacts",
        {"organisation": "bon-courage", "kind": "website", "value": "https://bon-courage.de/"},
    )
    assert website["value"] == "https://bon-courage.de/"
    assert {c["value"] for c in editor.json(BON_COURAGE)["contacts"]} == {
        "+49341123456",
        "info@bon-courage.de",
        "Erika Muster",
        "https://bon-courage.de/",
    }


# --- What the body must be ----------------------------------------------------------------------


def test_a_body_larger_than_the_limit_is_a_413(editor: Editor) -> None:
    settings = Settings(database_url=editor.database_url, max_body_bytes=200)
    with TestClient(create_app(settings)) as small_app:
        small = Editor(small_app, editor.database_url, editor.auth)
        revision = small.revision()
        large = {**NEW_ORGANISATION, "description": "x" * 300}
        assert_problem(small.create("/organisations", large), 413, "payload-too-large")
        patch = small.patch(BON_COURAGE, {"description": "x" * 300})
        assert_problem(patch, 413, "payload-too-large")
        # A chunked body declares no length: it is counted as it arrives.
        chunks = (b'{"description": "' + b"x" * 100, b"x" * 100, b'"}')
        headers = {**small.auth.writer, "If-Match": small.tag(BON_COURAGE), "Content-Type": JSON}
        chunked = small_app.patch(BON_COURAGE, content=iter(chunks), headers=headers)
        assert_problem(chunked, 413, "payload-too-large")
        fits = small.create("/organisations", {"name": "Klein", "kind": "initiative"})
        assert fits.status_code == 201, fits.text
        assert small.revision() == revision + 1


def test_a_body_of_another_media_type_is_a_415(editor: Editor) -> None:
    for content_type in ("text/plain", MERGE_PATCH, "application/x-www-form-urlencoded", None):
        response = editor.create("/organisations", NEW_ORGANISATION, content_type=content_type)
        assert_problem(response, 415, "unsupported-media-type")
    charset = editor.create(
        "/organisations", NEW_ORGANISATION, content_type="application/json; charset=utf-8"
    )
    assert charset.status_code == 201, charset.text
    for method in ("PUT", "PATCH"):
        plain_text = editor.send(method, BON_COURAGE, {"name": "x"}, content_type="text/plain")
        assert_problem(plain_text, 415, "unsupported-media-type")
    refused = editor.put(
        BON_COURAGE, {"name": "x", "kind": "association"}, content_type=MERGE_PATCH
    )
    assert_problem(refused, 415, "unsupported-media-type")
    assert editor.version(BON_COURAGE) == 1


def test_a_body_that_is_no_json_is_a_400(editor: Editor) -> None:
    utf_16 = json.dumps({"name": "Bon Courage e.V.", "kind": "association"}).encode("utf-16")
    for body in (b"{", b'{"name": "x",}', b"\xff\xfe{}", b"", utf_16):
        response = editor.create("/organisations", body)
        assert_problem(response, 400, "invalid-body")
        assert_problem(editor.patch(BON_COURAGE, body), 400, "invalid-body")
    for body in (b"[]", b'"Bon Courage"', b"null"):
        assert_problem(editor.create("/organisations", body), 422, "invalid-body")
        assert_problem(editor.patch(BON_COURAGE, body), 422, "invalid-body")
    assert editor.version(BON_COURAGE) == 1
    with_bom = editor.patch(BON_COURAGE, b'\xef\xbb\xbf{"short_name": "BC"}')  # RFC 8259 §8.1
    assert with_bom.status_code == 200, with_bom.text


def test_the_checks_come_in_order(editor: Editor) -> None:
    """Key, then If-Match, then the body, then the record, then its version."""
    gone = "/organisations/willkommen-in-pirna"
    editor.created("/organisations", NEW_ORGANISATION)
    editor.deleted(gone)
    stale = '"organisation-42-v0-r2"'
    for path in ("/organisations/gibt-es-nicht", gone, BON_COURAGE):
        no_key = editor.patch(path, b"{", if_match=None, auth={}, content_type="text/plain")
        assert_problem(no_key, 401, "unauthorized")
        no_tag = editor.patch(path, b"{", if_match=None, content_type="text/plain")
        assert_problem(no_tag, 428, "precondition-required")
        media = editor.patch(path, b"{", if_match=stale, content_type="text/plain")
        assert_problem(media, 415, "unsupported-media-type")
        malformed = editor.patch(path, b"{", if_match=stale)
        assert_problem(malformed, 400, "invalid-body")
    assert_problem(
        editor.patch("/organisations/gibt-es-nicht", {}, if_match=stale), 404, "not-found"
    )
    assert_problem(editor.patch(gone, {"name": "x"}, if_match=stale), 410, "gone")
    assert_problem(
        editor.patch(BON_COURAGE, {"colour": 1}, if_match=stale), 412, "precondition-failed"
    )


# --- Changing -----------------------------------------------------------------------------------


def test_merge_patch_changes_only_the_fields_given(editor: Editor) -> None:
    before = editor.json(BON_COURAGE)
    merged = editor.patch(BON_COURAGE, {"short_name": "BC"}, content_type=MERGE_PATCH)
    assert merged.status_code == 200, merged.text
    after = merged.json()
    assert after["short_name"] == "BC"
    assert after["version"] == 2
    unchanged = {"version", "short_name", "updated_at"}
    assert {k: v for k, v in after.items() if k not in unchanged} == {
        k: v for k, v in before.items() if k not in unchanged
    }
    assert after["updated_at"] > before["updated_at"]
    assert merged.headers["etag"] == editor.tag(BON_COURAGE) == '"organisation-42-v2-r2"'

    plain = editor.patch(
        BON_COURAGE, {"description": "Bildung in Borna", "topics": ["Bildung"]}, content_type=JSON
    )
    assert plain.status_code == 200, plain.text
    assert plain.json()["version"] == 3
    assert plain.json()["short_name"] == "BC"
    assert plain.json()["topics"] == ["Bildung"]
    assert editor.json(BON_COURAGE) == plain.json()


def test_null_clears_a_field_and_objects_are_replaced_whole(editor: Editor) -> None:
    editor.patched(BON_COURAGE, {"short_name": "BC", "level": "supra_regional"})
    cleared = editor.patched(BON_COURAGE, {"short_name": None, "legal_form": None, "tasks": None})
    assert (cleared["short_name"], cleared["legal_form"], cleared["tasks"]) == (None, None, [])
    assert cleared["level"] == "supra_regional"
    assert cleared["version"] == 3
    seat_only = editor.patched(BON_COURAGE, {"regions": [{"region": "borna", "role": "seat"}]})
    assert [(r["slug"], r["role"]) for r in seat_only["regions"]] == [("borna", "seat")]
    region = editor.patched("/regions/freital", {"note": "Große Kreisstadt"})
    assert region["note"] == "Große Kreisstadt"
    assert editor.patched("/regions/freital", {"note": None})["note"] is None
    assert editor.json("/regions/freital")["version"] == 3


def test_put_replaces_the_whole_state(editor: Editor) -> None:
    before = editor.json(BON_COURAGE)
    response = editor.put(BON_COURAGE, {"name": "Bon Courage e.V.", "kind": "association"})
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["version"] == 2
    cleared = {"legal_form": None, "level": None, "tasks": [], "topics": [], "regions": []}
    assert {name: after[name] for name in cleared} == cleared
    assert after["valid_as_of"] == before["valid_as_of"]  # unchanged unless given
    assert after["provenance"] == before["provenance"]  # where the record came from stays
    assert after["relations"] == before["relations"]
    assert editor.json(BON_COURAGE) == after
    assert "bon-courage" not in slugs(editor.client, "/organisations", {"region": "14729"})
    again = editor.put(BON_COURAGE, {"name": "Bon Courage e.V.", "kind": "association"})
    assert again.json()["version"] == 2  # the same state: no new version


def test_a_no_op_patch_leaves_the_version_alone(editor: Editor) -> None:
    revision = editor.revision()
    history = editor.json(f"{BON_COURAGE}/history")["total"]
    for body in (
        {},
        {"name": "Bon Courage e.V."},
        {"name": "  Bon Courage e.V. "},
        {"topics": ["bildung", "antifaschismus", "projektarbeit"]},
    ):
        response = editor.patch(BON_COURAGE, body)
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 1, body
        assert response.headers["etag"] == '"organisation-42-v1-r2"'
    assert editor.revision() == revision
    assert editor.json(f"{BON_COURAGE}/history")["total"] == history


def test_each_write_raises_the_version_by_one(editor: Editor) -> None:
    path = "/organisations/willkommen-in-pirna"
    editor.created("/organisations", NEW_ORGANISATION)
    for expected, body in enumerate(
        ({"short_name": "WiP"}, {"short_name": "WIP", "tasks": ["Begleitung"]}, {"level": None}),
        start=2,
    ):
        assert editor.patched(path, body)["version"] == expected
    assert editor.verify(path).json()["version"] == 5
    history = editor.json(f"{path}/history")["items"]
    assert [h["version"] for h in history] == [5, 4, 3, 2, 1]


def test_regions_contacts_and_relations_are_edited_alike(editor: Editor) -> None:
    region = editor.put(
        "/regions/freital",
        {"name": "Freital", "kind": "municipality", "parent": "14628", "code": "14628110"},
    )
    assert region.status_code == 200, region.text
    assert region.json()["code"] == "14628110" and region.json()["version"] == 2
    assert editor.json("/regions/14628110")["slug"] == "freital"

    contact_id = editor.json(CLINIC)["contacts"][0]["id"]
    contact_path = f"/contacts/{contact_id}"
    contact = editor.patched(contact_path, {"label": "Sprechstunde"})
    assert contact["label"] == "Sprechstunde" and contact["version"] == 2
    replaced = editor.put(contact_path, {"kind": "phone", "value": "0341 9733620"})
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["kind"], replaced.json()["value"], replaced.json()["label"]) == (
        "phone",
        "+493419733620",
        None,
    )
    moving = editor.put(
        contact_path, {"kind": "phone", "value": "0341 1", "organisation": "bon-courage"}
    )
    assert invalid_names(moving) == {"organisation"}  # a contact stays with its organisation

    relation_path = path_of(relation_between(editor, BON_COURAGE, RUNDER_TISCH)["url"])
    relation = editor.patched(relation_path, {"role": "Koordination"})
    assert relation["role"] == "Koordination" and relation["version"] == 2
    assert relation_between(editor, BON_COURAGE, RUNDER_TISCH)["role"] == "Koordination"
    moved = editor.put(
        relation_path,
        {"subject": RUNDER_TISCH, "type": "coordinated_by", "object": "tolerantes-sachsen"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["object"]["slug"] == "tolerantes-sachsen" and moved.json()["role"] is None
    assert editor.json(BON_COURAGE)["relations"] == []
    assert editor.version(BON_COURAGE) == 3  # the role it showed, then the relation left
    members = editor.json(f"/networks/{RUNDER_TISCH}")["members"]
    assert [m["slug"] for m in members] == ["tolerantes-sachsen"]


# --- Versions of the records that show another ----------------------------------------------------


def test_an_organisation_version_follows_its_contacts(editor: Editor) -> None:
    added = editor.created(
        "/contacts", {"organisation": "bon-courage", "kind": "phone", "value": "03433 123456"}
    )
    organisation = editor.json(BON_COURAGE)
    assert organisation["version"] == 2
    assert [c["id"] for c in organisation["contacts"]] == [added["id"]]
    contact_path = path_of(added["url"])
    editor.patched(contact_path, {"label": "Büro Borna"})
    organisation = editor.json(BON_COURAGE)
    assert organisation["version"] == 3
    assert organisation["contacts"][0]["label"] == "Büro Borna"
    editor.verify(contact_path)
    assert editor.version(BON_COURAGE) == 3  # the organisation shows no contact's dates
    editor.deleted(contact_path)
    organisation = editor.json(BON_COURAGE)
    assert organisation["version"] == 4
    assert organisation["contacts"] == []


def test_a_relation_raises_the_versions_of_both_ends(editor: Editor) -> None:
    network = "/networks/tolerantes-sachsen"
    before = editor.version(network)
    relation = editor.created("/relations", BODIES["/relations"][0])
    assert editor.version(BON_COURAGE) == 2
    assert editor.version(network) == before + 1
    assert "bon-courage" in {m["slug"] for m in editor.json(network)["members"]}
    editor.deleted(path_of(relation["url"]))
    assert editor.version(BON_COURAGE) == 3
    assert editor.version(network) == before + 2
    assert "bon-courage" not in {m["slug"] for m in editor.json(network)["members"]}
    assert [r["organisation"]["slug"] for r in editor.json(BON_COURAGE)["relations"]] == [
        RUNDER_TISCH
    ]


def test_renaming_an_organisation_raises_the_versions_of_what_shows_its_name(
    editor: Editor,
) -> None:
    relation_path = path_of(relation_between(editor, BON_COURAGE, RUNDER_TISCH)["url"])
    contact = editor.created(
        "/contacts", {"organisation": "bon-courage", "kind": "phone", "value": "03433 123456"}
    )
    network = f"/networks/{RUNDER_TISCH}"
    versions = {
        p: editor.version(p)
        for p in (
            network,
            relation_path,
            path_of(contact["url"]),
            "/regions/borna",
            "/regions/14729",
            "/regions/14",
        )
    }
    editor.patched(BON_COURAGE, {"name": "Bon Courage Borna e.V."})
    assert (
        relation_between(editor, network, "bon-courage")["organisation"]["name"]
        == "Bon Courage Borna e.V."
    )
    assert editor.json(network)["members"][0]["name"] == "Bon Courage Borna e.V."
    assert editor.json(relation_path)["object"]["name"] == "Bon Courage Borna e.V."
    assert editor.json(path_of(contact["url"]))["organisation"]["name"] == "Bon Courage Borna e.V."
    assert "Bon Courage Borna e.V." in {
        o["name"] for o in editor.json("/regions/borna")["organisations"]
    }
    after = {p: editor.version(p) for p in versions}
    raised = {p for p in versions if after[p] == versions[p] + 1}
    assert raised == {
        network,
        relation_path,
        path_of(contact["url"]),
        "/regions/borna",
        "/regions/14729",
    }
    assert after["/regions/14"] == versions["/regions/14"]  # it lists no organisation by name
    # A change the others do not show raises none of them.
    editor.patched(BON_COURAGE, {"description": "Bildung in Borna"})
    assert {p: editor.version(p) for p in versions} == after


def test_renaming_a_region_raises_the_versions_of_what_shows_it(editor: Editor) -> None:
    borna = editor.json("/regions/borna")
    before = {p: editor.version(p) for p in (BON_COURAGE, "/regions/14729", "/regions/14", CLINIC)}
    editor.patched("/regions/borna", {"name": "Große Kreisstadt Borna"})
    assert editor.version(BON_COURAGE) == before[BON_COURAGE] + 1
    seat = [r for r in editor.json(BON_COURAGE)["regions"] if r["slug"] == "borna"]
    assert seat[0]["name"] == "Große Kreisstadt Borna"
    assert editor.version("/regions/14729") == before["/regions/14729"] + 1  # its children
    assert editor.version("/regions/14") == before["/regions/14"]
    assert editor.version(CLINIC) == before[CLINIC]
    bon_courage = next(
        o for o in walk(editor.client, "/organisations") if o["slug"] == "bon-courage"
    )
    assert bon_courage["version"] == before[BON_COURAGE] + 1
    assert borna["version"] + 1 == editor.version("/regions/borna")


# --- If-Match ------------------------------------------------------------------------------------


def test_every_change_needs_if_match(editor: Editor) -> None:
    contact = f"/contacts/{editor.json(CLINIC)['contacts'][0]['id']}"
    relation = path_of(relation_between(editor, BON_COURAGE, RUNDER_TISCH)["url"])
    bodies = {
        BON_COURAGE: {"name": "Bon Courage e.V.", "kind": "association"},
        "/regions/freital": {"name": "Freital", "kind": "municipality"},
        contact: {"kind": "email", "value": "a@b.de"},
        relation: {"subject": RUNDER_TISCH, "type": "coordinated_by", "object": "bon-courage"},
    }
    revision = editor.revision()
    for path, body in bodies.items():
        for method, sent in (("PUT", body), ("PATCH", {}), ("DELETE", None)):
            response = editor.send(method, path, sent, if_match=None)
            assert_problem(response, 428, "precondition-required")
        assert_problem(editor.verify(path, if_match=None), 428, "precondition-required")
    assert editor.revision() == revision


def test_a_stale_tag_is_a_412_with_the_current_version(editor: Editor) -> None:
    old = editor.tag(BON_COURAGE)
    editor.patched(BON_COURAGE, {"short_name": "BC"})
    for method, body in (
        ("PATCH", {"short_name": "alt"}),
        ("PUT", {"name": "Alt", "kind": "association"}),
        ("DELETE", None),
    ):
        response = editor.send(method, BON_COURAGE, body, if_match=old)
        problem = assert_problem(response, 412, "precondition-failed")
        assert problem["current_version"] == 2
        assert response.headers["etag"] == '"organisation-42-v2-r2"' == editor.tag(BON_COURAGE)
    assert_problem(editor.verify(BON_COURAGE, if_match=old), 412, "precondition-failed")
    current = editor.json(BON_COURAGE)
    assert (current["short_name"], current["version"]) == ("BC", 2)
    other_record = editor.patch(
        BON_COURAGE, {"short_name": "x"}, if_match='"organisation-43-v2-r2"'
    )
    assert_problem(other_record, 412, "precondition-failed")
    other_kind = editor.patch(BON_COURAGE, {"short_name": "x"}, if_match='"region-42-v2-r2"')
    assert_problem(other_kind, 412, "precondition-failed")


def test_a_tag_of_an_older_representation_is_neither_fresh_nor_a_precondition(
    editor: Editor,
) -> None:
    """After an upgrade that changed what records show (a new generation), a cache holding
    the tag of the same version from before is sent the new body, and a write based on
    it is refused: its author has not seen what the record shows now."""
    current = editor.read(BON_COURAGE).headers["etag"]
    before_upgrade = current.replace("-r2", "")
    fresh = editor.client.get(BON_COURAGE, headers={**PLAIN, "If-None-Match": current})
    assert fresh.status_code == 304
    stale = editor.client.get(BON_COURAGE, headers={**PLAIN, "If-None-Match": before_upgrade})
    assert stale.status_code == 200 and stale.json()["concepts"]["languages"] == []
    refused = editor.patch(BON_COURAGE, {"short_name": "BC"}, if_match=before_upgrade)
    assert_problem(refused, 412, "precondition-failed")


def test_the_tag_of_either_coding_is_accepted_and_weak_tags_are_not(editor: Editor) -> None:
    gzipped = editor.client.get(BON_COURAGE, headers=GZIP)
    assert gzipped.headers["content-encoding"] == "gzip"
    tag = gzipped.headers["etag"]
    assert tag == '"organisation-42-v1-r2-gzip"'
    weak = editor.patch(BON_COURAGE, {"short_name": "BC"}, if_match=f"W/{tag}")
    assert_problem(weak, 412, "precondition-failed")
    weak_identity = editor.patch(
        BON_COURAGE, {"short_name": "BC"}, if_match='W/"organisation-42-v1-r2"'
    )
    assert_problem(weak_identity, 412, "precondition-failed")
    assert_problem(
        editor.patch(BON_COURAGE, {"short_name": "BC"}, if_match="organisation-42-v1-r2"),
        412,
        "precondition-failed",
    )
    response = editor.patch(BON_COURAGE, {"short_name": "BC"}, if_match=tag)
    assert response.status_code == 200, response.text
    listed = editor.patch(
        BON_COURAGE, {"short_name": "B"}, if_match='"elsewhere", "organisation-42-v2-r2"'
    )
    assert listed.status_code == 200, listed.text
    assert editor.version(BON_COURAGE) == 3


def test_of_two_editors_with_the_same_version_the_second_gets_a_412(editor: Editor) -> None:
    first_read = editor.read(BON_COURAGE)
    second_read = editor.read(BON_COURAGE)
    assert first_read.headers["etag"] == second_read.headers["etag"]
    first = editor.patch(
        BON_COURAGE, {"short_name": "Bon Courage"}, if_match=first_read.headers["etag"]
    )
    assert first.status_code == 200, first.text
    second = editor.patch(  # another editor, with a key of their own
        BON_COURAGE,
        {"description": "Bildungsarbeit"},
        if_match=second_read.headers["etag"],
        auth=editor.auth.admin,
    )
    problem = assert_problem(second, 412, "precondition-failed")
    assert problem["current_version"] == 2
    current = editor.json(BON_COURAGE)
    assert (current["short_name"], current["description"], current["version"]) == (
        "Bon Courage",
        None,
        2,
    )
    retried = editor.patch(
        BON_COURAGE, {"description": "Bildungsarbeit"}, if_match=second.headers["etag"]
    )
    assert retried.status_code == 200, retried.text
    assert (retried.json()["short_name"], retried.json()["description"]) == (
        "Bon Courage",
        "Bildungsarbeit",
    )


# --- Keys --------------------------------------------------------------------------------------


def write_operations(client: TestClient) -> list[tuple[str, str]]:
    """Every write of the directory, at a record of the seed."""
    contact = client.get("/contacts?limit=1").json()["items"][0]["id"]
    relation = client.get("/relations?limit=1").json()["items"][0]["id"]
    operations = []
    for collection, record in (
        ("/organisations", BON_COURAGE),
        ("/regions", "/regions/freital"),
        ("/contacts", f"/contacts/{contact}"),
        ("/relations", f"/relations/{relation}"),
    ):
        operations += [
            ("POST", collection),
            ("PUT", record),
            ("PATCH", record),
            ("DELETE", record),
            ("POST", f"{record}/verification"),
        ]
    return operations


def test_writing_without_a_valid_key_is_a_401_with_a_challenge(client: TestClient) -> None:
    before = client.get(BON_COURAGE).json()
    tag = client.get(BON_COURAGE).headers["etag"]
    for method, path in write_operations(client):
        for headers, challenge in (
            ({}, 'Bearer realm="wegweiser"'),
            (
                bearer("wgw_000000000000_" + "a" * 43),
                'Bearer realm="wegweiser", error="invalid_token"',
            ),
            (bearer("kein-schluessel"), 'Bearer realm="wegweiser", error="invalid_token"'),
            ({"Authorization": "Basic dGVzdDp0ZXN0"}, 'Bearer realm="wegweiser"'),
        ):
            response = client.request(
                method, path, json={"name": "x"}, headers={**headers, "If-Match": tag}
            )
            assert_problem(response, 401, "unauthorized")
            assert response.headers["www-authenticate"] == challenge, (method, path)
    assert client.get(BON_COURAGE).json() == before


def test_a_revoked_key_writes_no_more(editor: Editor) -> None:
    assert editor.patch(BON_COURAGE, {"short_name": "BC"}).status_code == 200
    revoked = editor.client.delete(f"/keys/{WRITER_NAME}", headers=editor.auth.admin)
    assert revoked.status_code == 204, revoked.text
    response = editor.patch(BON_COURAGE, {"short_name": "B"})
    assert_problem(response, 401, "unauthorized")
    assert "revoked" in response.json()["detail"]
    # An admin key writes too.
    assert editor.patch(BON_COURAGE, {"short_name": "B"}, auth=editor.auth.admin).status_code == 200


def test_reading_needs_no_key(client: TestClient) -> None:
    contact = client.get("/contacts?limit=1").json()["items"][0]["id"]
    relation = client.get("/relations?limit=1").json()["items"][0]["id"]
    for path in (
        "/organisations",
        BON_COURAGE,
        f"{BON_COURAGE}/history",
        "/networks",
        f"/networks/{RUNDER_TISCH}",
        "/regions",
        "/regions/freital",
        "/regions/freital/history",
        "/contacts",
        f"/contacts/{contact}",
        f"/contacts/{contact}/history",
        "/relations",
        f"/relations/{relation}",
        f"/relations/{relation}/history",
        "/search?q=Asyl",
        "/changes",
    ):
        assert client.get(path).status_code == 200, path


# --- Deleting ------------------------------------------------------------------------------------


def test_a_deleted_organisation_is_gone_everywhere(editor: Editor) -> None:
    clinic = editor.json(CLINIC)
    contact_paths = [path_of(c["url"]) for c in clinic["contacts"]]
    relation_paths = [path_of(r["url"]) for r in clinic["relations"]]
    partners = [path_of(r["organisation"]["url"]) for r in clinic["relations"]]
    assert len(contact_paths) == 2 and len(relation_paths) == 2
    tag = editor.tag(CLINIC)
    refused = editor.delete(CLINIC, if_match=tag)
    problem = assert_problem(refused, 409, "conflict")
    assert sorted(problem["dependants"], key=lambda d: d["relation"]) == sorted(
        (
            {
                "relation": path_of(r["url"]),
                "type": r["type"],
                "organisation": r["organisation"]["slug"],
                "url": path_of(r["organisation"]["url"]),
            }
            for r in clinic["relations"]
        ),
        key=lambda d: d["relation"],
    )
    assert editor.version(CLINIC) == 1
    since = editor.json(CLINIC)["updated_at"]

    response = editor.delete(CLINIC, if_match=tag, params={"cascade": "relations"})
    assert response.status_code == 204, response.text
    assert response.content == b""
    gone = assert_problem(editor.client.get(CLINIC), 410, "gone")
    assert gone["deleted_at"]
    for path in (*contact_paths, *relation_paths):
        assert (
            assert_problem(editor.client.get(path), 410, "gone")["deleted_at"] == gone["deleted_at"]
        )
    slug = "refugee-law-clinic-leipzig"
    assert slug not in slugs(editor.client, "/organisations")
    assert slug not in slugs(editor.client, "/organisations", {"region": "14713"})
    assert slug not in {o["slug"] for o in editor.json("/regions/14713")["organisations"]}
    assert slug not in {
        hit["slug"] for hit in editor.json("/search", {"q": "Refugee Law Clinic"})["items"]
    }
    for partner in partners:
        assert slug not in {r["organisation"]["slug"] for r in editor.json(partner)["relations"]}
    contacts = walk(editor.client, "/contacts")
    assert not {c["id"] for c in contacts} & {int(p.rsplit("/", 1)[1]) for p in contact_paths}
    relations = walk(editor.client, "/relations")
    assert not {r["id"] for r in relations} & {int(p.rsplit("/", 1)[1]) for p in relation_paths}

    listed = walk(
        editor.client, "/organisations", {"include_deleted": "true", "updated_since": since}
    )
    assert [(o["slug"], o["deleted_at"] is not None) for o in listed if o["slug"] == slug] == [
        (slug, True)
    ]
    assert all(o["deleted_at"] is None for o in listed if o["slug"] != slug)
    deleted_contacts = walk(
        editor.client, "/contacts", {"include_deleted": "true", "updated_since": since}
    )
    assert {c["url"] for c in deleted_contacts if c["deleted_at"]} == {
        f"http://testserver{p}" for p in contact_paths
    }
    deleted_relations = walk(
        editor.client, "/relations", {"include_deleted": "true", "updated_since": since}
    )
    assert {r["url"] for r in deleted_relations if r["deleted_at"]} == {
        f"http://testserver{p}" for p in relation_paths
    }
    history = editor.json(f"{CLINIC}/history")["items"]
    assert (history[0]["action"], history[0]["version"]) == ("deleted", 2)
    # Writes to it are refused as gone, whatever the tag.
    assert_problem(editor.patch(CLINIC, {"short_name": "RLC"}, if_match="*"), 410, "gone")
    assert_problem(editor.delete(CLINIC, if_match="*"), 410, "gone")


def test_the_dependants_read_the_relation_from_the_deleted_ones_side(editor: Editor) -> None:
    refused = editor.delete(BON_COURAGE)
    problem = assert_problem(refused, 409, "conflict")
    relation = relation_between(editor, BON_COURAGE, RUNDER_TISCH)
    assert relation["type"] == "coordinates"
    assert problem["dependants"] == [
        {
            "relation": path_of(relation["url"]),
            "type": "coordinates",
            "organisation": RUNDER_TISCH,
            "url": f"/networks/{RUNDER_TISCH}",
        }
    ]


def test_a_deleted_network_leaves_the_networks(editor: Editor) -> None:
    network = editor.created("/organisations", {"name": "Netzwerk Asyl Pirna", "kind": "network"})
    member = editor.created(
        "/relations", {"subject": "bon-courage", "type": "member_of", "object": network["slug"]}
    )
    path = path_of(network["url"])
    assert editor.json(path)["members"][0]["slug"] == "bon-courage"
    assert_problem(editor.delete(f"/organisations/{network['slug']}"), 409, "conflict")
    editor.deleted(f"/organisations/{network['slug']}", params={"cascade": "relations"})
    assert_problem(editor.client.get(path), 410, "gone")
    assert_problem(editor.client.get(path_of(member["url"])), 410, "gone")
    assert network["slug"] not in slugs(editor.client, "/networks")
    assert network["slug"] not in slugs(editor.client, "/organisations", {"kind": "network"})
    assert [r["organisation"]["slug"] for r in editor.json(BON_COURAGE)["relations"]] == [
        RUNDER_TISCH
    ]
    assert editor.version(BON_COURAGE) == 3  # the relation came and went
    # /networks takes the filters of /organisations, these two included.
    params = {"include_deleted": "true", "updated_since": network["updated_at"]}
    listed = walk(editor.client, "/networks", params)
    assert [(n["slug"], n["deleted_at"] is not None) for n in listed] == [(network["slug"], True)]
    verified = editor.verify(f"/organisations/{RUNDER_TISCH}").json()
    due = slugs(editor.client, "/networks", {"verified_before": verified["last_verified_at"]})
    assert RUNDER_TISCH not in due
    assert len(due) == editor.json("/networks", {"limit": 1})["total"] - 1


def test_a_region_in_use_cannot_be_deleted(editor: Editor) -> None:
    problem = assert_problem(editor.delete("/regions/freital"), 409, "conflict")
    assert problem["dependants"] == [{"organisation": "netzwerk-migration-stadt-freital"}]
    assert "organisation" in str(
        assert_problem(editor.delete("/regions/14713"), 409, "conflict")["dependants"]
    )
    kreis = assert_problem(editor.delete("/regions/14628"), 409, "conflict")
    assert {"region": "freital"} in kreis["dependants"]
    assert editor.version("/regions/freital") == 1

    created = editor.created("/regions", NEW_REGION)
    editor.deleted("/regions/heidenau")
    assert assert_problem(editor.client.get("/regions/heidenau"), 410, "gone")["deleted_at"]
    assert "heidenau" not in slugs(editor.client, "/regions")
    assert "heidenau" not in {c["slug"] for c in editor.json("/regions/14628")["children"]}
    listed = walk(
        editor.client,
        "/regions",
        {"include_deleted": "true", "updated_since": created["updated_at"]},
    )
    assert [r["slug"] for r in listed if r["deleted_at"]] == ["heidenau"]
    refused = editor.create(
        "/organisations", {**NEW_ORGANISATION, "regions": [{"region": "heidenau"}]}
    )
    assert invalid_names(refused) == {"regions.0.region"}
    assert editor.json("/regions/heidenau/history")["items"][0]["action"] == "deleted"


def test_a_deleted_contact_or_relation_is_gone(editor: Editor) -> None:
    clinic = editor.json(CLINIC)
    contact = clinic["contacts"][0]
    relation = clinic["relations"][0]
    editor.deleted(path_of(contact["url"]))
    editor.deleted(path_of(relation["url"]))
    for path in (path_of(contact["url"]), path_of(relation["url"])):
        assert_problem(editor.client.get(path), 410, "gone")
    clinic = editor.json(CLINIC)
    assert contact["id"] not in {c["id"] for c in clinic["contacts"]}
    assert relation["id"] not in {r["id"] for r in clinic["relations"]}
    assert clinic["version"] == 3
    assert contact["id"] not in {c["id"] for c in walk(editor.client, "/contacts")}
    assert relation["id"] not in {r["id"] for r in walk(editor.client, "/relations")}
    other = path_of(relation["organisation"]["url"])
    assert "refugee-law-clinic-leipzig" not in {
        r["organisation"]["slug"] for r in editor.json(other)["relations"]
    }
    # Made again, each comes back under its own id.
    again = editor.created(
        "/contacts",
        {
            "organisation": "refugee-law-clinic-leipzig",
            "kind": contact["kind"],
            "value": contact["value"],
        },
    )
    assert again["id"] == contact["id"]
    assert editor.json(path_of(contact["url"]))["deleted_at"] is None


# --- Verification -------------------------------------------------------------------------------


def test_seeded_records_were_true_in_april_2015_and_are_unverified(client: TestClient) -> None:
    for path in ("/organisations", "/regions", "/contacts", "/relations"):
        for item in walk(client, path):
            assert (item["valid_as_of"], item["last_verified_at"]) == ("2015-04-16", None), item[
                "url"
            ]


def test_verification_confirms_a_record(editor: Editor) -> None:
    contact = editor.json(CLINIC)["contacts"][0]
    relation = relation_between(editor, BON_COURAGE, RUNDER_TISCH)
    for path in (
        BON_COURAGE,
        "/regions/freital",
        path_of(contact["url"]),
        path_of(relation["url"]),
    ):
        before = editor.json(path)
        end = feed_end(editor.client)
        response = editor.verify(path, headers={"Change-Source": "Anruf"})
        assert response.status_code == 200, response.text
        after = response.json()
        assert after["version"] == before["version"] + 1
        assert after["last_verified_at"] is not None
        assert after["valid_as_of"] == after["last_verified_at"][:10]
        assert response.headers["etag"] == editor.tag(path)
        unchanged = {"version", "updated_at", "last_verified_at", "valid_as_of"}
        assert {k: v for k, v in after.items() if k not in unchanged} == {
            k: v for k, v in before.items() if k not in unchanged
        }
        (entry, *_) = editor.json(f"{path}/history")["items"]
        assert entry["action"] == "updated" and entry["version"] == after["version"]
        assert set(entry["changes"]) == {"last_verified_at", "valid_as_of"}
        assert entry["source"] == "Anruf"
        items, _ = poll(editor.client, end)
        assert [(path_of(i["url"]), i["action"], i["version"]) for i in items] == [
            (path, "updated", after["version"])
        ]


def test_verified_before_lists_what_is_due_for_a_check(editor: Editor) -> None:
    first = editor.verify(BON_COURAGE).json()
    fresh = editor.verify(CLINIC).json()
    cutoff = fresh["last_verified_at"]  # after the first verification, at the second
    due = slugs(editor.client, "/organisations", {"verified_before": cutoff})
    assert "bon-courage" in due  # verified before the cutoff
    assert "refugee-law-clinic-leipzig" not in due
    assert len(due) == editor.json("/organisations", {"limit": 1})["total"] - 1  # the rest: never
    assert first["last_verified_at"] < cutoff
    everything = slugs(editor.client, "/organisations", {"verified_before": "2015-01-01"})
    assert {"bon-courage", "refugee-law-clinic-leipzig"}.isdisjoint(everything)
    region = editor.verify("/regions/freital").json()
    regions = slugs(editor.client, "/regions", {"verified_before": region["last_verified_at"]})
    assert "freital" not in regions and "borna" in regions
    contact = editor.json(CLINIC)["contacts"][0]
    verified = editor.verify(path_of(contact["url"])).json()
    contacts = walk(editor.client, "/contacts", {"verified_before": verified["last_verified_at"]})
    assert contact["id"] not in {c["id"] for c in contacts}
    assert len(contacts) == editor.json("/contacts", {"limit": 1})["total"] - 1


# --- The response store -----------------------------------------------------------------------


def test_the_store_never_answers_with_an_older_version(editor: Editor) -> None:
    detail_paths = [BON_COURAGE, f"/networks/{RUNDER_TISCH}", "/regions/borna"]
    lists = ["/organisations?limit=200", "/networks?limit=200", "/search?q=Bon+Courage"]
    for path in detail_paths + lists:
        first, again = editor.read(path), editor.read(path)  # the second from the store
        assert first.content == again.content, path
    for name in ("Bon Courage Borna e.V.", "Bon Courage Landkreis e.V."):
        old_tag = editor.tag(BON_COURAGE)
        changed = editor.patched(BON_COURAGE, {"name": name})
        assert editor.json(BON_COURAGE) == changed
        revalidated = editor.client.get(BON_COURAGE, headers={**PLAIN, "If-None-Match": old_tag})
        assert revalidated.status_code == 200
        assert revalidated.json() == changed
        assert editor.json(f"/networks/{RUNDER_TISCH}")["members"][0]["name"] == name
        assert name in {o["name"] for o in editor.json("/regions/borna")["organisations"]}
        listed = next(o for o in editor.json(lists[0])["items"] if o["slug"] == "bon-courage")
        assert (listed["name"], listed["version"]) == (name, changed["version"])
        network = next(n for n in editor.json(lists[1])["items"] if n["slug"] == RUNDER_TISCH)
        assert network["members"][0]["name"] == name
        assert [hit["name"] for hit in editor.json(lists[2])["items"]][:1] == [name]
        gzipped = editor.client.get(BON_COURAGE, headers=GZIP)
        assert gzipped.json()["version"] == changed["version"]
        assert gzipped.headers["etag"] == f'"organisation-42-v{changed["version"]}-r2-gzip"'
    editor.deleted(BON_COURAGE, params={"cascade": "relations"})
    assert_problem(editor.client.get(BON_COURAGE), 410, "gone")
    assert "bon-courage" not in {o["slug"] for o in editor.json(lists[0])["items"]}


# --- The directory revision --------------------------------------------------------------------


def test_the_revision_rises_once_per_write_and_never_for_a_refused_one(editor: Editor) -> None:
    revision = editor.revision()

    def rises(by: int, response: Any, status: int) -> None:
        nonlocal revision
        assert response.status_code == status, response.text
        assert editor.revision() == revision + by, (response.request.method, response.request.url)
        revision += by

    pirna = {**NEW_ORGANISATION, "slug": None, "regions": [{"region": "borna"}]}
    rises(1, editor.create("/organisations", pirna), 201)
    rises(1, editor.patch(BON_COURAGE, {"short_name": "BC"}), 200)
    rises(0, editor.patch(BON_COURAGE, {"short_name": "BC"}), 200)  # nothing to change
    rises(
        0, editor.patch(BON_COURAGE, {"short_name": "x"}, if_match='"organisation-42-v1-r2"'), 412
    )
    rises(0, editor.patch(BON_COURAGE, {"short_name": 5}), 422)
    rises(0, editor.patch(BON_COURAGE, {"short_name": "x"}, if_match=None), 428)
    rises(0, editor.patch(BON_COURAGE, {"short_name": "x"}, auth={}), 401)
    rises(0, editor.create("/organisations", pirna), 409)
    rises(0, editor.delete(CLINIC), 409)  # relations depend on it
    # One rise however many records a write changes:
    rises(1, editor.patch("/regions/borna", {"name": "Borna (Landkreis Leipzig)"}), 200)
    rises(1, editor.delete(CLINIC, params={"cascade": "relations"}), 204)
    rises(1, editor.verify(BON_COURAGE), 200)
    rises(1, editor.put(BON_COURAGE, {"name": "Bon Courage e.V.", "kind": "association"}), 200)
    rises(1, editor.create("/relations", BODIES["/relations"][0]), 201)
    rises(1, editor.create("/contacts", BODIES["/contacts"][0]), 201)
    rises(0, editor.create("/contacts", BODIES["/contacts"][0]), 409)
    rises(1, editor.create("/regions", NEW_REGION), 201)
    rises(1, editor.delete("/regions/heidenau"), 204)
    rises(0, editor.delete("/regions/heidenau", if_match="*"), 410)


# --- The OpenAPI description --------------------------------------------------------------------


def test_the_openapi_description_documents_keys_and_bodies(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    components = schema["components"]["schemas"]
    writes = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            where = f"{method.upper()} {path}"
            if path.startswith(("/keys", "/export", "/import")):
                assert operation["security"] == [{"bearerAuth": []}], where
                assert "`admin`" in operation["description"], where
                continue
            if method == "get":
                assert "security" not in operation, where
                continue
            writes += 1
            assert operation["security"] == [{"bearerAuth": []}], where
            assert "scope `write`" in operation["description"], where
            assert {"401", "403"} <= set(operation["responses"]), where
            if method == "delete" or path.endswith("/verification"):
                assert "requestBody" not in operation, where
                continue
            content = operation["requestBody"]["content"]
            media_types = (
                {"application/json", "application/merge-patch+json"}
                if method == "patch"
                else {"application/json"}
            )
            assert set(content) == media_types, where
            for body in content.values():
                name = body["schema"]["$ref"].removeprefix("#/components/schemas/")
                assert name in components, where
                assert components[name]["additionalProperties"] is False, where
            if method != "post":
                assert "If-Match" in {p["name"] for p in operation["parameters"]}, where
                assert {"412", "428"} <= set(operation["responses"]), where
    assert writes == 20
    for name in (
        "OrganisationCreate",
        "OrganisationUpdate",
        "RegionCreate",
        "ContactCreate",
        "RelationInput",
    ):
        refs = str(components[name])
        for ref in refs.split("'$ref': '")[1:]:
            assert ref.split("'")[0].removeprefix("#/components/schemas/") in components
