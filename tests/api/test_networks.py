"""`/networks`: networks, committees, working groups and round tables, with their members."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.organisations.models import NETWORK_KINDS
from seed.loader import read_seed_file
from seed.schema import SeedFile
from tests.api.listing import (
    Directory,
    assert_list_shape,
    facet_counts,
    get_json,
    organisation_url,
    walk,
)

# The regional networks, working groups and round tables of the source (slides 12–16).
REGIONAL_NETWORKS = {
    "runder-tisch-migration-landkreis-leipzig": "Runder Tisch Migration Landkreis Leipzig",
    "tolerantes-sachsen": "Tolerantes Sachsen",
    "netzwerk-integration-landkreis-nordsachsen": "Netzwerk Integration Landkreis Nordsachsen",
    "netzwerk-migration-nordsachsen": "Netzwerk Migration Nordsachsen AG",
    "ag-asyl-landkreis-nordsachsen": "AG Asyl Landkreis Nordsachsen",
    "netzwerk-migration-landkreis-meissen": "Netzwerk Migration Landkreis Meißen",
    "arbeitskreis-migration-landkreis-bautzen": "Arbeitskreis Migration Landkreis Bautzen",
    "netzwerk-integration-stadt-goerlitz": "Netzwerk Integration Stadt Görlitz",
    "netzwerk-integration-nord-weisswasser-bad-muskau": (
        "Netzwerk Integration Nord Weißwasser/ Bad Muskau"
    ),
    "netzwerk-integration-loebau-zittau": "Netzwerk Integration Löbau-Zittau",
    "netzwerk-migration-landkreis-mittelsachsen": "Netzwerk Migration Landkreis Mittelsachsen",
    "ag-migration-saechsische-schweiz-osterzgebirge": (
        "AG Migration Landkreis Sächsische Schweiz – Osterzgebirge"
    ),
    "netzwerk-migration-stadt-freital": "Netzwerk Migration Stadt Freital",
    "interkultureller-arbeitskreis-landkreis-zwickau": (
        "Interkultureller Arbeitskreis Landkreis Zwickau"
    ),
    "netzwerk-migration-aue-schwarzenberg": "Netzwerk Migration Aue-Schwarzenberg",
    "netzwerk-migration-vogtlandkreis": "Netzwerk Migration Vogtlandkreis",
    "fach-ag-junge-migrantinnen-und-migranten-dresden": (
        "Fach-AG junge Migrantinnen und Migranten Dresden"
    ),
    "runder-tisch-integration-dresden": "Runder Tisch Integration Dresden",
    "netzwerk-integration-migranten-in-leipzig": "Netzwerk Integration – Migranten in Leipzig e.V.",
    "traegertreffen-leipzig": "Trägertreffen Leipzig",
    "integrationsnetzwerk-chemnitz": "Integrationsnetzwerk für Migranten/Migrantinnen Chemnitz",
}


@pytest.fixture(scope="module")
def seed() -> SeedFile:
    return read_seed_file()


@pytest.fixture(scope="module")
def directory(client: TestClient) -> Directory:
    return Directory.read(client)


def network_slugs(client: TestClient, params: dict[str, Any]) -> set[str]:
    return {item["slug"] for item in walk(client, "/networks", params)}


def members(body: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """slug → [(role, relation)] of a network's members."""
    result: dict[str, list[tuple[str, str]]] = {}
    for member in body["members"]:
        result.setdefault(member["slug"], []).append((member["role"], member["relation"]))
    return result


# --- The list -------------------------------------------------------------------------------


def test_lists_exactly_the_network_kinds(client: TestClient, seed: SeedFile) -> None:
    items = walk(client, "/networks")
    expected = {o.slug for o in seed.organisations if o.kind in NETWORK_KINDS}
    assert {i["slug"] for i in items} == expected
    assert {i["kind"] for i in items} == set(NETWORK_KINDS)
    for item in items:
        assert isinstance(item["members"], list)
        assert item["url"] == f"http://testserver/networks/{item['slug']}"


def test_list_shape_and_paging(client: TestClient, seed: SeedFile) -> None:
    body = assert_list_shape(client.get("/networks", params={"limit": 5}), 5)
    assert body["total"] == sum(1 for o in seed.organisations if o.kind in NETWORK_KINDS)
    everything = walk(client, "/networks")
    assert walk(client, "/networks", limit=3) == everything


def test_the_regional_networks(client: TestClient) -> None:
    items = walk(client, "/networks", {"level": "regional"})
    assert {i["slug"]: i["name"] for i in items} == REGIONAL_NETWORKS
    for item in items:
        assert item["regions"], f"{item['slug']} has no region"


def test_kind_repeated_matches_any(client: TestClient, seed: SeedFile) -> None:
    chosen = ("round_table", "working_group")
    expected = {o.slug for o in seed.organisations if o.kind in chosen}
    assert network_slugs(client, {"kind": list(chosen)}) == expected
    assert network_slugs(client, {"kind": "round_table"}) == {
        "runder-tisch-migration-landkreis-leipzig",
        "runder-tisch-integration-dresden",
        "traegertreffen-leipzig",
    }


def test_region_includes_sub_regions(client: TestClient) -> None:
    assert network_slugs(client, {"region": "landkreis-goerlitz"}) == {
        "netzwerk-integration-stadt-goerlitz",
        "netzwerk-integration-nord-weisswasser-bad-muskau",
        "netzwerk-integration-loebau-zittau",
    }
    assert network_slugs(client, {"region": "14521"}) == {"netzwerk-migration-aue-schwarzenberg"}
    assert network_slugs(client, {"region": "14730"}) == {
        "netzwerk-integration-landkreis-nordsachsen",
        "netzwerk-migration-nordsachsen",
        "ag-asyl-landkreis-nordsachsen",
    }


def test_other_filters(client: TestClient) -> None:
    assert network_slugs(client, {"related_to": "bon-courage"}) == {
        "runder-tisch-migration-landkreis-leipzig"
    }
    assert network_slugs(client, {"has_contact": "website"}) == {
        "iq-netzwerk-sachsen",
        "tolerantes-sachsen",
        "ckd-netzwerk",
    }
    assert network_slugs(client, {"topic": "petitionen"}) == {
        "petitionsausschuss-saechsischer-landtag"
    }
    assert network_slugs(client, {"level": "land"}) == {
        "asyl-konferenz",
        "petitionsausschuss-saechsischer-landtag",
        "haertefallkommission",
    }


COMBINATIONS: list[dict[str, list[str]]] = [
    {},
    {"kind": ["network"]},
    {"level": ["regional"], "region": ["14"]},
    {"region": ["leipzig", "landkreis-leipzig", "dresden"]},
    {"topic": ["migration", "integration"]},
    {"kind": ["working_group", "committee"], "level": ["land", "regional"]},
]


@pytest.mark.parametrize("combination", COMBINATIONS, ids=lambda c: repr(c) if c else "all")
def test_filters_and_facets_match_a_count_by_hand(
    client: TestClient, directory: Directory, combination: dict[str, list[str]]
) -> None:
    expected = directory.select(combination, networks_only=True)
    body = get_json(
        client, "/networks", {**combination, "facets": "kind,level,region,topic", "limit": 200}
    )
    assert {i["slug"] for i in body["items"]} == expected
    assert body["total"] == len(expected)
    by_hand = directory.facets(expected)
    for name in ("kind", "level", "region", "topic"):
        assert facet_counts(body, name) == by_hand[name], name


@pytest.mark.parametrize("sort", ["name", "-name", "updated_at", "-updated_at"])
def test_sorting_and_cursors(client: TestClient, sort: str) -> None:
    whole = walk(client, "/networks", {"sort": sort})
    assert [i["slug"] for i in walk(client, "/networks", {"sort": sort}, limit=4)] == [
        i["slug"] for i in whole
    ]
    if sort.lstrip("-") == "name":
        organisations = walk(client, "/organisations", {"sort": sort})
        in_order = [o["slug"] for o in organisations if o["kind"] in NETWORK_KINDS]
        assert [i["slug"] for i in whole] == in_order


# --- Members in the list and the detail -----------------------------------------------------


def test_list_and_detail_agree_on_members(client: TestClient, directory: Directory) -> None:
    for slug, summary in directory.networks.items():
        detail = get_json(client, f"/networks/{slug}")
        assert detail["members"] == summary["members"], slug
        assert detail["relations"] == directory.organisations[slug]["relations"]


def test_runder_tisch_migration_is_coordinated_by_bon_courage(client: TestClient) -> None:
    body = get_json(client, "/networks/runder-tisch-migration-landkreis-leipzig")
    assert body["name"] == "Runder Tisch Migration Landkreis Leipzig"
    assert body["kind"] == "round_table"
    assert members(body) == {"bon-courage": [("coordinator", "coordinated_by")]}
    (member,) = body["members"]
    assert member["name"] == "Bon Courage e.V."
    assert member["url"] == "http://testserver/organisations/bon-courage"
    assert [r["code"] for r in body["regions"]] == ["14729"]
    assert body["provenance"]["slide"] == 12


def test_haertefallkommission_is_chaired_by_the_auslaenderbeauftragte(client: TestClient) -> None:
    body = get_json(client, "/networks/haertefallkommission")
    assert body["kind"] == "committee"
    assert members(body) == {"saechsischer-auslaenderbeauftragter": [("chair", "member_of")]}
    assert body["members"][0]["name"] == "Der Sächsische Ausländerbeauftragte"
    # Komenco works with the commission (a bullet of its own on the Flüchtlingsrat's slide)
    # but is not a member of it.
    related = {r["organisation"]["slug"]: r["type"] for r in body["relations"]}
    assert related["komenco"] == "cooperates_with"


def test_asyl_konferenz_members_and_convener(client: TestClient) -> None:
    body = get_json(client, "/networks/asyl-konferenz")
    assert body["name"] == "Asyl-Konferenz – Lenkungsausschuss Asyl"
    found = members(body)
    assert set(found) == {
        "relevante-ministerien",
        "saechsische-staatskanzlei",
        "landraete-und-oberbuergermeister",
        "landesdirektion-sachsen",
        "bamf",
        "malteser-hilfsdienst",
    }
    assert ("convener", "convened_by") in found["saechsische-staatskanzlei"]
    assert found["bamf"] == [("member", "member_of")]


def test_tolerantes_sachsen(client: TestClient) -> None:
    body = get_json(client, "/networks/tolerantes-sachsen")
    assert body["name"] == "Tolerantes Sachsen"
    assert body["kind"] == "network"
    assert body["level"] == "regional"
    assert "Antirassismus-Projekten" in body["description"]
    assert [(c["kind"], c["value"]) for c in body["contacts"]] == [
        ("website", "http://www.tolerantes-sachsen.de")
    ]
    assert [r["code"] for r in body["regions"]] == ["14"]
    assert body["members"] == []  # the source names none
    assert body["provenance"]["section"] == "Ebene Regionale Netzwerke › Tolerantes Sachsen"


def test_iq_netzwerk_is_coordinated_by_exis(client: TestClient) -> None:
    body = get_json(client, "/networks/iq-netzwerk-sachsen")
    assert members(body) == {"exis-europa": [("coordinator", "coordinated_by")]}
    relations = {(r["type"], r["organisation"]["slug"]) for r in body["relations"]}
    assert ("part_of", "integration-durch-qualifizierung") in relations
    assert ("has_part", "ibas") in relations
    assert ("cooperates_with", "bundesagentur-fuer-arbeit") in relations


def test_fach_ag_jugendmigrationsdienste(client: TestClient) -> None:
    body = get_json(client, "/networks/fach-ag-jugendmigrationsdienste-sachsen")
    assert body["kind"] == "working_group"
    assert members(body) == {"jugendmigrationsdienste": [("member", "member_of")]}


def test_an_organisation_that_is_no_network_is_not_found_here(client: TestClient) -> None:
    assert get_json(client, "/organisations/bon-courage")["kind"] == "association"
    response = client.get("/networks/bon-courage")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "bon-courage" in response.json()["detail"]


# --- Links to organisations -----------------------------------------------------------------


@pytest.fixture(scope="module")
def references(client: TestClient) -> list[tuple[str, dict[str, Any]]]:
    """Every reference to an organisation the API gives, each with where it was found."""
    found: list[tuple[str, dict[str, Any]]] = []
    for network in walk(client, "/networks"):
        where = f"/networks item {network['slug']}"
        found += [(where, network)] + [(f"{where} member", m) for m in network["members"]]
    for summary in walk(client, "/organisations"):
        slug = summary["slug"]
        found.append((f"/organisations item {slug}", summary))
        paths = [f"/organisations/{slug}"]
        if summary["kind"] in NETWORK_KINDS:
            paths.append(f"/networks/{slug}")
        for path in paths:
            detail = get_json(client, path)
            found.append((path, detail))
            found += [(f"{path} relation", r["organisation"]) for r in detail["relations"]]
            found += [(f"{path} member", m) for m in detail.get("members", [])]
    for contact in walk(client, "/contacts"):
        found.append((f"/contacts item {contact['id']}", contact["organisation"]))
    for region in walk(client, "/regions"):
        path = f"/regions/{region['code'] or region['slug']}"
        found += [(path, o) for o in get_json(client, path)["organisations"]]
    return found


def test_references_cover_networks_and_other_organisations(
    references: list[tuple[str, dict[str, Any]]],
) -> None:
    # Members are no networks in the seed; everywhere else both turn up.
    for where in ("item", "member", "relation", "/contacts", "/regions"):
        kinds = {ref["kind"] in NETWORK_KINDS for place, ref in references if where in place}
        assert kinds == ({False} if where == "member" else {True, False}), where


def test_every_link_to_a_network_leads_to_networks_and_no_other(
    references: list[tuple[str, dict[str, Any]]],
) -> None:
    for where, ref in references:
        assert ref["url"] == organisation_url(ref), where


def test_every_link_to_an_organisation_leads_to_it(
    client: TestClient, references: list[tuple[str, dict[str, Any]]]
) -> None:
    for url, slug in sorted({(ref["url"], ref["slug"]) for _, ref in references}):
        body = get_json(client, url)
        assert body["slug"] == slug, url
        assert ("members" in body) == url.startswith("http://testserver/networks/"), url


def test_a_network_as_an_organisation_differs_only_in_its_members(client: TestClient) -> None:
    for network in walk(client, "/networks"):
        as_network = get_json(client, f"/networks/{network['slug']}")
        as_organisation = get_json(client, f"/organisations/{network['slug']}")
        assert as_organisation == {k: v for k, v in as_network.items() if k != "members"}
        assert as_organisation["url"] == f"http://testserver/networks/{network['slug']}"
