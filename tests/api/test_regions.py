"""`/regions`: Freistaat Sachsen, its Kreise and the towns and former districts below them."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from seed.loader import read_seed_file
from seed.schema import SeedFile
from tests.api.listing import assert_list_shape, get_json, walk

# The official Regionalschlüssel of Saxony's kreisfreie Städte and Landkreise.
KREISE = {
    "14511": "Chemnitz",
    "14521": "Erzgebirgskreis",
    "14522": "Landkreis Mittelsachsen",
    "14523": "Vogtlandkreis",
    "14524": "Landkreis Zwickau",
    "14612": "Dresden",
    "14625": "Landkreis Bautzen",
    "14626": "Landkreis Görlitz",
    "14627": "Landkreis Meißen",
    "14628": "Landkreis Sächsische Schweiz-Osterzgebirge",
    "14713": "Leipzig",
    "14729": "Landkreis Leipzig",
    "14730": "Landkreis Nordsachsen",
}
URBAN = {"14511", "14612", "14713"}


@pytest.fixture(scope="module")
def seed() -> SeedFile:
    return read_seed_file()


def region_slugs(client: TestClient, params: dict[str, Any]) -> set[str]:
    return {r["slug"] for r in walk(client, "/regions", params)}


# --- The list -------------------------------------------------------------------------------


def test_lists_every_region(client: TestClient, seed: SeedFile) -> None:
    items = walk(client, "/regions")
    assert {r["slug"] for r in items} == {r.slug for r in seed.regions}
    codes = {r["code"]: r["name"] for r in items if r["code"]}
    assert codes == {"14": "Freistaat Sachsen", **KREISE}
    for item in items:
        key = item["code"] or item["slug"]
        assert item["url"] == f"http://testserver/regions/{key}"
        if item["slug"] == "sachsen":
            assert item["parent"] is None
        else:
            assert item["parent"] is not None


def test_list_shape_and_paging(client: TestClient, seed: SeedFile) -> None:
    body = assert_list_shape(client.get("/regions", params={"limit": 4}), 4)
    assert body["total"] == len(seed.regions)
    whole = walk(client, "/regions")
    assert walk(client, "/regions", limit=1) == whole
    assert walk(client, "/regions", limit=6) == whole
    names = [r["name"] for r in whole]
    assert names.index("Landkreis Görlitz") < names.index("Landkreis Leipzig")


def test_kind_filter(client: TestClient) -> None:
    assert {r["code"] for r in walk(client, "/regions", {"kind": "urban_district"})} == URBAN
    rural = walk(client, "/regions", {"kind": "rural_district"})
    assert {r["code"] for r in rural} == set(KREISE) - URBAN
    assert region_slugs(client, {"kind": "former_district"}) == {
        "loebau-zittau",
        "aue-schwarzenberg",
    }
    assert region_slugs(client, {"kind": ["state", "former_district"]}) == {
        "sachsen",
        "loebau-zittau",
        "aue-schwarzenberg",
    }


@pytest.mark.parametrize("key", ["14", "sachsen"])
def test_parent_filter_by_code_or_slug(client: TestClient, key: str) -> None:
    assert {r["code"] for r in walk(client, "/regions", {"parent": key})} == set(KREISE)


def test_parent_filter_lists_direct_children_only(client: TestClient) -> None:
    assert region_slugs(client, {"parent": "14626"}) == {
        "goerlitz",
        "weisswasser",
        "bad-muskau",
        "loebau-zittau",
    }
    assert region_slugs(client, {"parent": "borna"}) == set()


@pytest.mark.parametrize("text", ["Görlitz", "goerlitz", "GÖRLITZ"])
def test_name_filter(client: TestClient, text: str) -> None:
    assert region_slugs(client, {"q": text}) == {"landkreis-goerlitz", "goerlitz"}


@pytest.mark.parametrize(
    ("text", "expected", "did_you_mean"),
    [
        ("gorlitz", {"landkreis-goerlitz", "goerlitz"}, "goerlitz"),
        ("Dobeln", {"doebeln"}, "doebeln"),
        ("Bautzn", {"landkreis-bautzen"}, "bautzen"),
        ("Görlitz", {"landkreis-goerlitz", "goerlitz"}, None),
    ],
)
def test_name_filter_forgives_dropped_umlauts_and_typos(
    client: TestClient, text: str, expected: set[str], did_you_mean: str | None
) -> None:
    response = client.get("/regions", params={"q": text})
    assert response.status_code == 200
    assert {r["slug"] for r in response.json()["items"]} == expected
    assert response.json()["did_you_mean"] == did_you_mean


def test_name_filter_is_not_reworded_for_deleted_records(client: TestClient) -> None:
    body = client.get("/regions", params={"q": "gorlitz", "include_deleted": "true"}).json()
    assert body["items"] == [] and body["did_you_mean"] is None


# --- The detail -----------------------------------------------------------------------------


def test_saxony_covers_everything(client: TestClient, seed: SeedFile) -> None:
    body = get_json(client, "/regions/14")
    assert body["name"] == "Freistaat Sachsen"
    assert body["kind"] == "state"
    assert body["parent"] is None
    assert {c["code"]: c["name"] for c in body["children"]} == KREISE
    # Every organisation linked to any region in Saxony counts, however deep the link.
    with_region = {o.slug for o in seed.organisations if o.regions}
    assert body["organisation_count"] == len(with_region)
    in_saxony = walk(client, body["links"]["organisations"])
    assert {o["slug"] for o in in_saxony} == with_region
    # State-wide actors are linked to Sachsen itself.
    direct = {o["slug"] for o in body["organisations"]}
    assert {"saechsische-staatskanzlei", "haertefallkommission", "tolerantes-sachsen"} <= direct
    assert "bon-courage" not in direct  # linked to Borna and Landkreis Leipzig only


@pytest.mark.parametrize("key", ["14729", "landkreis-leipzig"])
def test_landkreis_leipzig_by_code_or_slug(client: TestClient, key: str) -> None:
    body = get_json(client, f"/regions/{key}")
    assert body["code"] == "14729"
    assert body["slug"] == "landkreis-leipzig"
    assert body["name"] == "Landkreis Leipzig"
    assert body["kind"] == "rural_district"
    assert body["parent"]["code"] == "14"
    assert body["parent"]["url"] == "http://testserver/regions/14"
    assert {c["slug"] for c in body["children"]} == {"borna", "wurzen"}
    assert {o["slug"] for o in body["organisations"]} == {
        "bon-courage",
        "netzwerk-fuer-demokratische-kultur",
        "runder-tisch-migration-landkreis-leipzig",
    }
    assert body["organisation_count"] == 3
    assert body["links"]["organisations"] == "http://testserver/organisations?region=14729"
    assert body["links"]["contacts"] == "http://testserver/contacts?region=14729"


def test_a_town_without_code(client: TestClient) -> None:
    body = get_json(client, "/regions/borna")
    assert body["code"] is None
    assert body["kind"] == "municipality"
    assert body["url"] == "http://testserver/regions/borna"
    assert body["parent"]["slug"] == "landkreis-leipzig"
    assert body["children"] == []
    assert [o["slug"] for o in body["organisations"]] == ["bon-courage"]
    assert body["organisation_count"] == 1
    assert body["links"]["organisations"] == "http://testserver/organisations?region=borna"


def test_a_former_district_has_its_note(client: TestClient) -> None:
    body = get_json(client, "/regions/loebau-zittau")
    assert body["kind"] == "former_district"
    assert body["parent"]["code"] == "14626"
    assert "2008" in body["note"]
    assert [o["slug"] for o in body["organisations"]] == ["netzwerk-integration-loebau-zittau"]


def test_organisation_count_equals_the_filtered_list(client: TestClient, seed: SeedFile) -> None:
    for region in seed.regions:
        key = region.code or region.slug
        body = get_json(client, f"/regions/{key}")
        listed = get_json(client, "/organisations", {"region": key, "limit": 200})
        assert body["organisation_count"] == listed["total"], key
        direct = {o["slug"] for o in body["organisations"]}
        assert direct <= {o["slug"] for o in listed["items"]}, key
        linked_here = {
            o.slug for o in seed.organisations if any(r.region == region.slug for r in o.regions)
        }
        assert direct == linked_here, key


def test_children_point_back_to_their_parent(client: TestClient) -> None:
    for region in walk(client, "/regions"):
        body = get_json(client, region["url"])
        for child in body["children"]:
            assert get_json(client, child["url"])["parent"]["slug"] == region["slug"]


def test_unknown_region_is_a_404(client: TestClient) -> None:
    for key in ("14999", "atlantis", "1"):
        response = client.get(f"/regions/{key}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
