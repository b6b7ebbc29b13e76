"""`/contacts`: e-mail addresses, websites and named people, each of an organisation."""

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.folding import fold
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

OPFERBERATUNG = {
    "opferberatung.chemnitz@raa-sachsen.de": ("Chemnitz", "14511"),
    "opferberatung.dresden@raa-sachsen.de": ("Dresden", "14612"),
    "opferberatung.leipzig@raa-sachsen.de": ("Leipzig", "14713"),
}


@pytest.fixture(scope="module")
def seed() -> SeedFile:
    return read_seed_file()


@pytest.fixture(scope="module")
def directory(client: TestClient) -> Directory:
    return Directory.read(client)


def values(client: TestClient, params: Mapping[str, Any]) -> set[str]:
    return {c["value"] for c in walk(client, "/contacts", params)}


def by_hand(directory: Directory, filters: Mapping[str, Sequence[str]]) -> set[str]:
    """The contacts `filters` select, as the README defines them, from the unfiltered list."""

    def region_of(contact: dict[str, Any]) -> list[str]:
        if contact["region"]:  # the contact's own city…
            return [contact["region"]["slug"]]
        organisation = directory.organisations[contact["organisation"]["slug"]]
        return [r["slug"] for r in organisation["regions"]]  # …else its organisation's regions

    def passes(contact: dict[str, Any], name: str, value: str) -> bool:
        owner = contact["organisation"]["slug"]
        if name == "kind":
            return contact["kind"] == value
        if name == "organisation":
            return owner == value
        if name == "region":
            return directory.within(region_of(contact), value)
        if name == "network":
            return owner in directory.members(value)
        if name == "related_to":
            return owner in directory.related(value)
        raise AssertionError(name)

    return {
        c["value"]
        for c in directory.contacts
        if all(any(passes(c, name, v) for v in vs) for name, vs in filters.items())
    }


# --- The list -------------------------------------------------------------------------------


def test_lists_every_contact(client: TestClient, seed: SeedFile) -> None:
    items = walk(client, "/contacts")
    expected = {(o.slug, c.kind.value, c.value) for o in seed.organisations for c in o.contacts}
    assert {(c["organisation"]["slug"], c["kind"], c["value"]) for c in items} == expected
    assert len(items) == len(expected)
    for item in items:
        assert item["url"] == f"http://testserver/contacts/{item['id']}"
        assert item["organisation"]["url"] == organisation_url(item["organisation"])
        assert item["provenance"]["source"]["published_on"] == "2015-04-16"


def test_list_shape_and_default_order(client: TestClient) -> None:
    body = assert_list_shape(client.get("/contacts", params={"limit": 5}), 5)
    assert body["links"]["next"]
    ids = [c["id"] for c in walk(client, "/contacts")]
    assert ids == sorted(ids)


def test_the_three_opferberatung_offices(client: TestClient) -> None:
    items = walk(
        client, "/contacts", {"organisation": "opferberatung-raa-sachsen", "kind": "email"}
    )
    assert len(items) == 3
    for item in items:
        city, code = OPFERBERATUNG[item["value"]]
        assert item["region"]["name"] == city
        assert item["region"]["code"] == code
        assert item["label"] == f"Opferberatung {city}"
        assert item["organisation"]["name"] == "Opferberatung der RAA Sachsen e.V."
        assert item["provenance"]["slide"] == 10


@pytest.mark.parametrize("city", ["chemnitz", "14511"])
def test_how_do_i_write_to_the_chemnitz_office(client: TestClient, city: str) -> None:
    """A contact's own city decides: the Dresden and Leipzig addresses are not in Chemnitz."""
    assert values(client, {"region": city, "kind": "email"}) == {
        "opferberatung.chemnitz@raa-sachsen.de"
    }


def test_region_falls_back_to_the_organisations_regions(client: TestClient) -> None:
    in_leipzig = values(client, {"region": "14713"})
    assert "RefugeeLawClinic@uni-leipzig.de" in in_leipzig  # no city of its own; the clinic's
    assert "opferberatung.leipzig@raa-sachsen.de" in in_leipzig
    assert "opferberatung.dresden@raa-sachsen.de" not in in_leipzig
    # All of Saxony holds every contact whose city or organisation lies in it.
    in_saxony = values(client, {"region": "sachsen"})
    assert set(OPFERBERATUNG) <= in_saxony
    assert "http://warenkorb.ckd-netzwerk.de" not in in_saxony  # the CKD-Netzwerk has no region


def test_kind_repeated_matches_any(client: TestClient, seed: SeedFile) -> None:
    for kinds in (["email"], ["website"], ["person"], ["email", "person"]):
        expected = {c.value for o in seed.organisations for c in o.contacts if c.kind in kinds}
        assert values(client, {"kind": kinds}) == expected, kinds
    (person,) = walk(client, "/contacts", {"kind": "person"})
    assert person["value"] == "Petra Köpping"
    assert person["role"] == "Staatsministerin für Gleichstellung und Integration"
    assert person["organisation"]["slug"] == "staatsministerin-fuer-gleichstellung-und-integration"


def test_organisation_filter(client: TestClient) -> None:
    assert values(client, {"organisation": "refugee-law-clinic-leipzig"}) == {
        "RefugeeLawClinic@uni-leipzig.de",
        "http://refugeelawclinic.uni-leipzig.de",
    }
    assert values(client, {"organisation": "bon-courage"}) == set()


def test_network_and_related_to(client: TestClient) -> None:
    # The IQ Netzwerk's coordinator has no contact; its part IBAS neither: no contacts.
    assert values(client, {"network": "iq-netzwerk-sachsen"}) == set()
    assert values(client, {"related_to": "raa-sachsen"}) == set(OPFERBERATUNG)
    assert values(client, {"related_to": "universitaet-leipzig"}) == {
        "RefugeeLawClinic@uni-leipzig.de",
        "http://refugeelawclinic.uni-leipzig.de",
    }


def test_updated_since(client: TestClient) -> None:
    items = walk(client, "/contacts")
    latest = max(datetime.fromisoformat(c["updated_at"]) for c in items)
    assert len(values(client, {"updated_since": "2015-01-01"})) == len(items)
    assert values(client, {"updated_since": (latest + timedelta(seconds=1)).isoformat()}) == set()
    assert values(client, {"updated_since": latest.isoformat()}) == {
        c["value"] for c in items if datetime.fromisoformat(c["updated_at"]) >= latest
    }


COMBINATIONS: list[dict[str, list[str]]] = [
    {},
    {"kind": ["email"]},
    {"region": ["14"]},
    {"region": ["dresden", "chemnitz"]},
    {"region": ["leipzig"], "kind": ["website"]},
    {"organisation": ["opferberatung-raa-sachsen", "tolerantes-sachsen"]},
    {"related_to": ["universitaet-leipzig", "raa-sachsen"], "kind": ["email"]},
    {"network": ["asyl-konferenz", "haertefallkommission"]},
]


@pytest.mark.parametrize("combination", COMBINATIONS, ids=lambda c: repr(c) if c else "all")
def test_filters_and_kind_facet_match_a_count_by_hand(
    client: TestClient, directory: Directory, combination: dict[str, list[str]]
) -> None:
    expected = by_hand(directory, combination)
    body = get_json(client, "/contacts", {**combination, "facets": "kind", "limit": 200})
    assert {c["value"] for c in body["items"]} == expected
    assert body["total"] == len(expected)
    kinds = Counter(c["kind"] for c in directory.contacts if c["value"] in expected)
    assert facet_counts(body, "kind") == dict(kinds)


# --- Sorting and cursors --------------------------------------------------------------------


def test_sort_by_value(client: TestClient) -> None:
    ascending = walk(client, "/contacts", {"sort": "value"})
    folded = [fold(c["value"]) for c in ascending]
    assert folded == sorted(folded)
    assert walk(client, "/contacts", {"sort": "-value"}) == list(reversed(ascending))


def test_sort_by_update_time_breaks_ties_by_id(client: TestClient) -> None:
    items = walk(client, "/contacts", {"sort": "updated_at"})
    keys = [(datetime.fromisoformat(c["updated_at"]), c["id"]) for c in items]
    assert keys == sorted(keys)
    assert walk(client, "/contacts", {"sort": "-updated_at"}) == list(reversed(items))


@pytest.mark.parametrize("sort", ["id", "value", "-value", "updated_at", "-updated_at"])
@pytest.mark.parametrize("limit", [1, 5])
def test_cursor_pages_visit_every_contact_once(client: TestClient, sort: str, limit: int) -> None:
    whole = walk(client, "/contacts", {"sort": sort})
    paged = walk(client, "/contacts", {"sort": sort}, limit=limit)
    assert [c["id"] for c in paged] == [c["id"] for c in whole]
    assert len({c["id"] for c in paged}) == len(whole)


# --- The detail -----------------------------------------------------------------------------


def test_detail_equals_the_list_entry(client: TestClient) -> None:
    for item in walk(client, "/contacts"):
        assert get_json(client, item["url"]) == item


def test_detail_of_the_chemnitz_office(client: TestClient) -> None:
    (item,) = walk(client, "/contacts", {"region": "chemnitz", "kind": "email"})
    body = get_json(client, f"/contacts/{item['id']}")
    assert body["kind"] == "email"
    assert body["value"] == "opferberatung.chemnitz@raa-sachsen.de"
    assert body["region"]["slug"] == "chemnitz"
    assert body["organisation"]["slug"] == "opferberatung-raa-sachsen"
    assert body["provenance"]["section"] == (
        "Ebene Überregionale Netzwerke › Opferberatung der RAA Sachsen e. V."
    )
    assert body["version"] >= 1


def test_a_correction_of_a_contact_is_kept(client: TestClient) -> None:
    (item,) = walk(client, "/contacts", {"organisation": "ckd-netzwerk"})
    assert item["label"] == "Handbuch für Ehrenamtliche (2014)"
    (correction,) = item["provenance"]["corrections"]
    assert correction["field"] == "label"
    assert correction["original"] == "Das Handbuch für Ehrenamtlichen (2014)"


def test_unknown_contact_is_a_404(client: TestClient) -> None:
    last = max(c["id"] for c in walk(client, "/contacts"))
    response = client.get(f"/contacts/{last + 1}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
