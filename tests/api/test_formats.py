"""Lists as CSV and NDJSON: every matching record at once, chosen by `Accept` or `format=`,
kept apart from the JSON by the response store and the ETags."""

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
import vobject
from fastapi.testclient import TestClient
from pyld import jsonld as pyld_jsonld

from app.formats import streaming
from tests.api.editor import Editor
from tests.api.listing import walk

LISTS = ["/organisations", "/networks", "/regions", "/contacts"]
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture
def editor(seeded_database: str, client_for: Callable[[str], TestClient]) -> Editor:
    return Editor.on(seeded_database, client_for)


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff"), "spreadsheets read UTF-8 only with its byte order mark"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def ndjson_records(text: str) -> list[dict[str, Any]]:
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("path", LISTS)
def test_csv_holds_every_matching_record_with_a_header(client: TestClient, path: str) -> None:
    response = client.get(path, params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    rows = csv_rows(response.text)
    items = walk(client, path)
    assert [row["id"] for row in rows] == [str(item["id"]) for item in items]
    assert [row["url"] for row in rows] == [item["url"] for item in items]
    assert response.content.count(b"\r\n") == len(items) + 1  # RFC 4180 line ends


@pytest.mark.parametrize("path", LISTS)
def test_ndjson_is_each_item_of_the_json_list_on_a_line(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/x-ndjson"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert ndjson_records(response.text) == walk(client, path)


def test_the_filters_of_the_list_apply(client: TestClient) -> None:
    params = {"region": "14626", "kind": "network"}
    rows = csv_rows(client.get("/organisations", params={**params, "format": "csv"}).text)
    assert {row["slug"] for row in rows} == {
        o["slug"] for o in walk(client, "/organisations", params)
    }
    assert rows and all(row["kind"] == "network" for row in rows)
    leipzig = csv_rows(
        client.get(
            "/contacts",
            params={"organisation": "opferberatung-raa-sachsen"},
            headers={"Accept": "text/csv"},
        ).text
    )
    assert {row["organisation_slug"] for row in leipzig} == {"opferberatung-raa-sachsen"}


def test_cells_hold_lists_labels_and_references_as_text(client: TestClient) -> None:
    (clinic,) = [
        row
        for row in csv_rows(client.get("/organisations", params={"format": "csv"}).text)
        if row["slug"] == "refugee-law-clinic-leipzig"
    ]
    record = client.get("/organisations/refugee-law-clinic-leipzig").json()
    assert clinic["name"] == record["name"]
    assert clinic["topics"] == "; ".join(record["topics"])
    assert clinic["regions"] == "; ".join(r["name"] for r in record["regions"])
    assert "Rechtsberatung" in clinic["offers"].split("; ")
    english = csv_rows(client.get("/organisations", params={"format": "csv", "lang": "en"}).text)
    assert "Legal advice" in next(
        r["offers"] for r in english if r["slug"] == "refugee-law-clinic-leipzig"
    ).split("; ")
    networks = csv_rows(client.get("/networks", params={"format": "csv"}).text)
    iq = next(r for r in networks if r["slug"] == "iq-netzwerk-sachsen")
    members = client.get("/networks/iq-netzwerk-sachsen").json()["members"]
    assert iq["members"] == "; ".join(m["name"] for m in members)


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_value_a_spreadsheet_would_run_as_a_formula_is_text(editor: Editor, start: str) -> None:
    name = f'{start}HYPERLINK("http://example.org/x","Klick")'
    editor.created("/organisations", {"name": name, "slug": "formel", "kind": "association"})
    rows = csv_rows(editor.client.get("/organisations", params={"format": "csv"}).text)
    (row,) = [r for r in rows if r["slug"] == "formel"]
    assert row["name"] == "'" + name
    # The JSON holds the name as it is.
    assert editor.json("/organisations/formel")["name"] == name


def test_a_long_list_is_streamed_page_by_page_and_misses_nothing(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streaming, "STREAM_PAGE", 7)  # 74 organisations: 11 pages
    rows = csv_rows(client.get("/organisations", params={"format": "csv", "q": "e"}).text)
    ndjson = ndjson_records(client.get("/organisations", params={"format": "ndjson"}).text)
    assert [r["id"] for r in rows] == [
        str(o["id"]) for o in walk(client, "/organisations", {"q": "e"})
    ]
    assert ndjson == walk(client, "/organisations")
    assert len(ndjson) > 7 * 10


def test_a_bad_filter_is_a_problem_before_anything_is_streamed(client: TestClient) -> None:
    response = client.get("/organisations", params={"format": "csv", "region": "nirgendwo"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["invalid_params"][0]["name"] == "region"


# --- Negotiation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json"),
        ("text/csv", "text/csv"),
        ("text/*", "text/csv"),
        ("application/json;q=0.5, text/csv", "text/csv"),
        ("text/*;q=0.1, application/x-ndjson;q=0.2", "application/x-ndjson"),
    ],
)
def test_accept_chooses_the_representation(
    client: TestClient, accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/regions", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "accept" in [v.strip().lower() for v in response.headers["vary"].split(",")]


def test_format_wins_over_accept(client: TestClient) -> None:
    response = client.get("/regions", params={"format": "json"}, headers={"Accept": "text/csv"})
    assert response.headers["content-type"] == "application/json"


def test_an_accept_nothing_fits_is_a_406_listing_what_there_is(client: TestClient) -> None:
    response = client.get("/organisations", headers={"Accept": "image/png, text/html"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/not-acceptable"
    assert problem["available"] == ["application/json", "text/csv", "application/x-ndjson"]
    unknown = client.get("/organisations", params={"format": "xlsx"})
    assert unknown.status_code == 422
    assert unknown.json()["invalid_params"][0]["name"] == "format"


def test_each_representation_has_its_own_tag_and_is_stored_apart(client: TestClient) -> None:
    """The same URL as JSON, then CSV, then NDJSON, then JSON again: each body and tag its
    own, and each repeated request answered with the same one (from the response store)."""
    answers = {}
    for accept in ("application/json", "text/csv", "application/x-ndjson", "application/json"):
        response = client.get("/networks?region=14", headers={**PLAIN, "Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(accept)
        answers.setdefault(accept, []).append((response.headers["etag"], response.content))
    tags = {accept: seen[0][0] for accept, seen in answers.items()}
    assert len(set(tags.values())) == 3
    assert answers["application/json"][0] == answers["application/json"][1]
    again = client.get(
        "/networks?region=14",
        headers={**PLAIN, "Accept": "text/csv", "If-None-Match": tags["text/csv"]},
    )
    assert again.status_code == 304


# --- vCard ------------------------------------------------------------------------------------


def cards(client: TestClient, slug: str) -> list[Any]:
    response = client.get(f"/organisations/{slug}/contacts.vcf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/vcard; charset=utf-8"
    assert all(len(line.encode()) <= 75 for line in response.text.split("\r\n"))
    parsed = list(vobject.readComponents(response.text))
    assert all(card.version.value == "4.0" for card in parsed)
    return parsed


def values(card: Any, name: str) -> list[Any]:
    return [p.value for p in card.contents.get(name, [])]


def test_every_organisation_s_contacts_read_back_from_its_vcard(client: TestClient) -> None:
    for organisation in walk(client, "/organisations"):
        record = client.get(organisation["url"].removeprefix("http://testserver")).json()
        org, *people = cards(client, organisation["slug"])
        assert values(org, "kind") == ["org"] and values(org, "fn") == [record["name"]]
        assert values(org, "org") == [[record["name"]]]
        by_kind = {
            k: [c for c in record["contacts"] if c["kind"] == k] for k in ("email", "person")
        }
        assert values(org, "email") == [c["value"] for c in by_kind["email"]]
        websites = [c["value"] for c in record["contacts"] if c["kind"] == "website"]
        assert values(org, "url") == [*websites, record["url"]]
        assert [values(p, "fn") for p in people] == [[c["value"]] for c in by_kind["person"]]


def test_a_person_has_a_card_with_role_and_organisation(client: TestClient) -> None:
    slug = "staatsministerin-fuer-gleichstellung-und-integration"
    org, person = cards(client, slug)
    assert values(person, "kind") == ["individual"]
    assert values(person, "fn") == ["Petra Köpping"]
    assert values(person, "role") == ["Staatsministerin für Gleichstellung und Integration"]
    assert values(person, "org") == values(org, "org")
    assert values(person, "uid") != values(org, "uid")


def test_labels_escaping_folding_and_stable_uids(
    editor: Editor, client_for: Callable[[str], TestClient]
) -> None:
    label = "Beratung; Büro, 2. Etage \\ Hinterhaus — montags bis freitags, außer feiertags"
    editor.created(
        "/contacts",
        {
            "organisation": "bon-courage",
            "kind": "email",
            "value": "info@bon-courage.de",
            "label": label,
        },
    )
    editor.created(
        "/contacts", {"organisation": "bon-courage", "kind": "phone", "value": "+49 341 123456"}
    )
    editor.created(
        "/contacts",
        {"organisation": "bon-courage", "kind": "address", "value": "Markt 1, 04103 Leipzig"},
    )
    (org,) = cards(editor.client, "bon-courage")
    assert values(org, "email") == ["info@bon-courage.de"]
    assert label in values(org, "x-ablabel")
    assert org.email.group == next(p.group for p in org.contents["x-ablabel"] if p.value == label)
    assert values(org, "tel") == ["tel:+49341123456"]  # as the data keeps it: E.164
    assert values(org, "adr")[0].street == "Markt 1, 04103 Leipzig"
    # The same UID whatever host serves it: an import updates the card.
    elsewhere = editor.client.get(
        "/organisations/bon-courage/contacts.vcf", headers={"Host": "wegweiser.example"}
    )
    (moved,) = vobject.readComponents(elsewhere.text)
    assert values(moved, "uid") == values(org, "uid")
    assert values(moved, "source") == [
        "http://wegweiser.example/organisations/bon-courage/contacts.vcf"
    ]


def test_the_vcard_of_what_does_not_exist_is_a_problem(editor: Editor) -> None:
    missing = editor.client.get("/organisations/gibt-es-nicht/contacts.vcf")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    editor.deleted("/organisations/treibhaus-doebeln")
    assert editor.client.get("/organisations/treibhaus-doebeln/contacts.vcf").status_code == 410


# --- JSON-LD ----------------------------------------------------------------------------------

SCHEMA = "https://schema.org/"
LD = {"Accept": "application/ld+json", "Accept-Encoding": "identity"}


def linked_data(client: TestClient, path: str) -> dict[str, Any]:
    """The record's JSON-LD, expanded by a JSON-LD processor: the node whose @id is the
    record (expansion fails on a malformed document)."""
    response = client.get(path, headers=LD)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    expanded = pyld_jsonld.expand(response.json())
    (node,) = [n for n in expanded if n["@id"] == f"http://testserver{path}"]
    return node  # type: ignore[no-any-return]


def ids(node: dict[str, Any], prop: str) -> set[str]:
    return {value["@id"] for value in node.get(SCHEMA + prop, [])}


def texts(node: dict[str, Any], prop: str) -> list[str]:
    return [value["@value"] for value in node.get(SCHEMA + prop, [])]


def test_every_organisation_network_and_region_expands_as_schema_org(client: TestClient) -> None:
    for item in [*walk(client, "/organisations"), *walk(client, "/regions")]:
        path = item["url"].removeprefix("http://testserver")
        node = linked_data(client, path)
        record = client.get(path).json()
        assert texts(node, "name") == [record["name"]]
        assert node[SCHEMA + "name"][0]["@language"] == "de"
        (kind,) = node["@type"]
        assert kind.removeprefix(SCHEMA) in {
            "Organization",
            "GovernmentOrganization",
            "NGO",
            "CollegeOrUniversity",
            "Corporation",
            "AdministrativeArea",
        }


def test_an_organisation_is_typed_placed_and_reachable(client: TestClient) -> None:
    raa = linked_data(client, "/organisations/opferberatung-raa-sachsen")
    assert raa["@type"] == [SCHEMA + "Organization"]  # a service the RAA Sachsen e.V. runs
    assert linked_data(client, "/organisations/raa-sachsen")["@type"] == [SCHEMA + "NGO"]
    # A network registered as an association (e.V.) is an NGO by its legal form.
    registered = linked_data(client, "/networks/landesverband-integrationsnetzwerk-sachsen")
    assert registered["@type"] == [SCHEMA + "NGO"]
    assert set(texts(raa, "email")) == {
        f"opferberatung.{city}@raa-sachsen.de" for city in ("chemnitz", "dresden", "leipzig")
    }
    points = raa[SCHEMA + "contactPoint"]
    assert {p[SCHEMA + "areaServed"][0]["@id"] for p in points} == {
        "http://testserver/regions/14511",
        "http://testserver/regions/14612",
        "http://testserver/regions/14713",
    }
    ministry = linked_data(client, "/organisations/bundesministerium-fuer-arbeit-und-soziales")
    assert ministry["@type"] == [SCHEMA + "GovernmentOrganization"]
    clinic = linked_data(client, "/organisations/refugee-law-clinic-leipzig")
    assert ids(clinic, "url") == {"http://refugeelawclinic.uni-leipzig.de"}
    assert "http://testserver/vocabularies/offers/legal-advice" in ids(clinic, "knowsAbout")
    assert ids(clinic, "areaServed") == {
        r["url"] for r in client.get("/organisations/refugee-law-clinic-leipzig").json()["regions"]
    }


def test_memberships_and_funders_link_both_ways(client: TestClient) -> None:
    network = linked_data(client, "/networks/asyl-konferenz")
    members = {m["url"] for m in client.get("/networks/asyl-konferenz").json()["members"]}
    assert members and ids(network, "member") == members
    bamf = linked_data(client, "/organisations/bamf")
    assert "http://testserver/networks/asyl-konferenz" in ids(bamf, "memberOf")
    iq = linked_data(client, "/organisations/integration-durch-qualifizierung")
    assert {
        "http://testserver/organisations/bundesministerium-fuer-arbeit-und-soziales",
        "http://testserver/organisations/europaeischer-sozialfonds",
    } <= ids(iq, "funder")


def test_a_region_is_an_administrative_area_within_its_parent(client: TestClient) -> None:
    town = linked_data(client, "/regions/goerlitz")
    assert town["@type"] == [SCHEMA + "AdministrativeArea"]
    assert ids(town, "containedInPlace") == {"http://testserver/regions/14626"}
    kreis = linked_data(client, "/regions/14626")
    assert texts(kreis, "identifier") == ["14626"]
    assert ids(kreis, "containedInPlace") == {"http://testserver/regions/14"}
    assert "http://testserver/regions/goerlitz" in ids(kreis, "containsPlace")


def test_json_ld_has_its_own_tag_which_if_match_takes(editor: Editor) -> None:
    path = "/organisations/bon-courage"
    as_json = editor.client.get(path, headers=PLAIN)
    as_ld = editor.client.get(path, headers=LD)
    assert as_json.headers["etag"] == '"organisation-42-v1-r2"'
    assert as_ld.headers["etag"] == '"organisation-42-v1-r2-jsonld"'
    for response in (as_json, as_ld):
        assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]
    again = editor.client.get(path, headers={**LD, "If-None-Match": as_ld.headers["etag"]})
    assert again.status_code == 304
    stale = editor.client.get(path, headers={**LD, "If-None-Match": as_json.headers["etag"]})
    assert stale.status_code == 200  # the JSON's tag is not the JSON-LD's
    changed = editor.patch(path, {"short_name": "BC"}, if_match=as_ld.headers["etag"])
    assert changed.status_code == 200, changed.text
    refused = editor.patch(path, {"short_name": "B"}, if_match=as_ld.headers["etag"])
    assert refused.status_code == 412


def test_a_record_served_as_json_and_json_ld_only(client: TestClient) -> None:
    response = client.get("/regions/14", headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert response.json()["available"] == ["application/json", "application/ld+json"]
    assert (
        client.get("/regions/14", params={"format": "jsonld"}).headers["content-type"]
        == "application/ld+json"
    )


def test_a_line_break_in_a_value_cannot_start_a_card(editor: Editor) -> None:
    injected = "Markt 1\rEND:VCARD\rBEGIN:VCARD\rFN:Untergeschoben"
    editor.created(
        "/contacts", {"organisation": "bon-courage", "kind": "address", "value": injected}
    )
    response = editor.client.get("/organisations/bon-courage/contacts.vcf")
    assert "\r" not in response.text.replace("\r\n", "")
    (org,) = cards(editor.client, "bon-courage")
    assert values(org, "adr")[0].street == injected.replace("\r", "\n")


def test_concept_labels_in_json_ld_say_their_language(client: TestClient) -> None:
    response = client.get(
        "/organisations/refugee-law-clinic-leipzig", params={"format": "jsonld", "lang": "ar"}
    )
    assert response.headers["content-language"] == "ar"
    node = pyld_jsonld.expand(response.json())[0]
    names = [t[SCHEMA + "name"][0] for t in node[SCHEMA + "knowsAbout"]]
    assert {"@value": "استشارات قانونية", "@language": "ar"} in names
    assert node[SCHEMA + "name"][0]["@language"] == "de"  # the data stays German


def test_a_406_varies_by_accept_and_repeated_accept_lines_are_one_list(
    client: TestClient,
) -> None:
    refused = client.get("/regions", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "accept" in refused.headers["vary"].lower()
    both = client.get(
        "/regions",
        headers=[("Accept", "image/png"), ("Accept", "text/csv")],  # type: ignore[arg-type]
    )
    assert both.status_code == 200 and both.headers["content-type"].startswith("text/csv")
