"""`/organisations`: the list, its filters, facets, sorting and cursors, and the detail.

Read tests share the session's seeded database; the pagination tests that insert
rows between pages get a private copy (`writable_client`).
"""

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import make_engine
from app.folding import fold
from app.organisations.indexing import organisation_search_text
from app.organisations.models import NETWORK_KINDS, Organisation
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

SOURCE_TITLE = "Praxis vor Ort"

INVERSE = {
    "member_of": "has_member",
    "partner_of": "has_partner",
    "coordinated_by": "coordinates",
    "sponsored_by": "sponsors",
    "funded_by": "funds",
    "part_of": "has_part",
    "runs": "run_by",
    "cooperates_with": "cooperates_with",
    "convened_by": "convenes",
}
INVERSE |= {v: k for k, v in INVERSE.items()}


@pytest.fixture(scope="module")
def seed() -> SeedFile:
    return read_seed_file()


@pytest.fixture(scope="module")
def directory(client: TestClient) -> Directory:
    return Directory.read(client)


def slugs(client: TestClient, params: dict[str, Any]) -> set[str]:
    return {item["slug"] for item in walk(client, "/organisations", params)}


# --- The list -------------------------------------------------------------------------------


def test_lists_every_organisation_networks_included(client: TestClient, seed: SeedFile) -> None:
    items = walk(client, "/organisations")
    assert {i["slug"] for i in items} == {o.slug for o in seed.organisations}
    assert len(items) == len(seed.organisations)
    kinds = {i["kind"] for i in items}
    assert kinds & NETWORK_KINDS, "networks belong to /organisations too"
    item = next(i for i in items if i["slug"] == "refugee-law-clinic-leipzig")
    assert item["name"] == "Refugee Law Clinic Leipzig e.V."
    assert item["kind"] == "association"
    assert item["legal_form"] == "e.V."
    assert item["level"] == "regional"
    assert item["url"] == "http://testserver/organisations/refugee-law-clinic-leipzig"
    for other in items:
        assert other["url"] == organisation_url(other)
    assert "rechtsberatung" in item["topics"]
    assert [r["code"] for r in item["regions"]] == ["14713"]
    assert item["version"] >= 1
    assert datetime.fromisoformat(item["updated_at"]).utcoffset() == timedelta(0)


def test_default_page_is_50_and_links_to_the_next(client: TestClient, seed: SeedFile) -> None:
    assert len(seed.organisations) > 50, "the seed should need more than one default page"
    response = client.get("/organisations")
    body = assert_list_shape(response, 50)
    assert len(body["items"]) == 50
    assert body["total"] == len(seed.organisations)
    assert body["links"]["next"]
    rest = client.get(body["links"]["next"]).json()
    assert len(rest["items"]) == len(seed.organisations) - 50
    assert rest["links"]["next"] is None


@pytest.mark.parametrize("limit", [1, 2, 49, 200])
def test_limit_sets_the_page_size(client: TestClient, limit: int, seed: SeedFile) -> None:
    body = assert_list_shape(client.get("/organisations", params={"limit": limit}), limit)
    assert len(body["items"]) == min(limit, len(seed.organisations))


def test_links_keep_the_filters(client: TestClient) -> None:
    body = get_json(client, "/organisations", {"level": "regional", "limit": 5})
    assert "level=regional" in body["links"]["next"]
    assert "level=regional" in body["links"]["first"]
    following = get_json(client, body["links"]["next"])
    assert all(i["level"] == "regional" for i in following["items"])


# --- Filters --------------------------------------------------------------------------------


def test_kind_repeated_matches_any(client: TestClient, seed: SeedFile) -> None:
    expected = {o.slug for o in seed.organisations if o.kind in ("network", "committee")}
    assert slugs(client, {"kind": ["network", "committee"]}) == expected
    assert "haertefallkommission" in expected and "tolerantes-sachsen" in expected
    assert slugs(client, {"kind": "committee"}) == {
        "asyl-konferenz",
        "haertefallkommission",
        "petitionsausschuss-saechsischer-landtag",
    }


def test_level(client: TestClient, seed: SeedFile) -> None:
    for level in ("land", "supra_regional", "regional"):
        expected = {o.slug for o in seed.organisations if o.level and o.level.value == level}
        assert slugs(client, {"level": level}) == expected, level
    land = slugs(client, {"level": "land"})
    assert {"saechsische-staatskanzlei", "haertefallkommission", "bamf"} <= land
    assert "bon-courage" not in land


@pytest.mark.parametrize("key", ["14729", "landkreis-leipzig"])
def test_region_by_code_or_slug_includes_sub_regions(client: TestClient, key: str) -> None:
    # Bon Courage sits in Borna, the NDK in Wurzen: both towns lie in Landkreis Leipzig.
    assert slugs(client, {"region": key}) == {
        "bon-courage",
        "netzwerk-fuer-demokratische-kultur",
        "runder-tisch-migration-landkreis-leipzig",
    }


def test_region_of_a_town(client: TestClient) -> None:
    assert slugs(client, {"region": "borna"}) == {"bon-courage"}
    assert slugs(client, {"region": "doebeln"}) == {"treibhaus-doebeln"}


def test_which_networks_exist_in_landkreis_goerlitz(client: TestClient) -> None:
    assert slugs(client, {"region": "14626", "kind": "network"}) == {
        "netzwerk-integration-stadt-goerlitz",
        "netzwerk-integration-nord-weisswasser-bad-muskau",
        "netzwerk-integration-loebau-zittau",
    }


def test_region_repeated_matches_any(client: TestClient) -> None:
    chemnitz, dresden = slugs(client, {"region": "14511"}), slugs(client, {"region": "14612"})
    assert "integrationsnetzwerk-chemnitz" in chemnitz
    assert "runder-tisch-integration-dresden" in dresden
    assert slugs(client, {"region": ["14511", "dresden"]}) == chemnitz | dresden


def test_region_repeated_three_times_matches_any(client: TestClient) -> None:
    keys = ["14511", "dresden", "14729"]
    each = [slugs(client, {"region": key}) for key in keys]
    assert all(each)
    assert slugs(client, {"region": keys}) == each[0] | each[1] | each[2]


def test_a_filter_repeated_fifty_times_is_accepted(client: TestClient) -> None:
    assert slugs(client, {"region": ["14729"] * 50}) == slugs(client, {"region": "14729"})
    assert slugs(client, {"topic": ["asyl"] * 49 + ["petitionen"]}) == slugs(
        client, {"topic": ["asyl", "petitionen"]}
    )


def test_saxony_includes_everything_with_a_region(client: TestClient, seed: SeedFile) -> None:
    assert slugs(client, {"region": "14"}) == {o.slug for o in seed.organisations if o.regions}


@pytest.mark.parametrize("topic", ["härtefälle", "haertefaelle", "Härtefälle", "HÄRTEFÄLLE"])
def test_topic_in_any_spelling(client: TestClient, topic: str) -> None:
    assert slugs(client, {"topic": topic}) == {
        "haertefallkommission",
        "saechsischer-auslaenderbeauftragter",
    }


def test_topics_are_shown_as_the_data_spells_them(client: TestClient) -> None:
    detail = get_json(client, "/organisations/haertefallkommission")
    assert detail["topics"] == ["aufenthaltsrecht", "härtefälle"]
    (summary,) = get_json(client, "/organisations", {"topic": "haertefaelle", "kind": "committee"})[
        "items"
    ]
    assert summary["topics"] == ["aufenthaltsrecht", "härtefälle"]


def test_topic_facet_values_are_keys_and_labels_the_spelling(client: TestClient) -> None:
    body = get_json(client, "/organisations", {"topic": "Härtefälle", "facets": "topic"})
    topics = {v["value"]: v for v in body["facets"]["topic"]}
    assert topics["haertefaelle"] == {"value": "haertefaelle", "label": "härtefälle", "count": 2}
    assert topics["auslaenderrecht"]["label"] == "ausländerrecht"
    assert topics["aufenthaltsrecht"]["label"] == "aufenthaltsrecht"
    for value in topics:
        assert slugs(client, {"topic": value}), f"facet value {value} filters nothing"


def test_topic(client: TestClient, seed: SeedFile) -> None:
    expected = {o.slug for o in seed.organisations if "rechtsberatung" in o.topics}
    assert expected == {"refugee-law-clinic-leipzig"}
    assert slugs(client, {"topic": "rechtsberatung"}) == expected
    assert slugs(client, {"topic": ["opferberatung", "rechtsberatung"]}) == expected | {
        "opferberatung-raa-sachsen"
    }
    assert slugs(client, {"topic": "gibt-es-nicht"}) == set()


def test_network_lists_its_members_and_leaders(client: TestClient) -> None:
    assert slugs(client, {"network": "asyl-konferenz"}) == {
        "relevante-ministerien",
        "saechsische-staatskanzlei",
        "landraete-und-oberbuergermeister",
        "landesdirektion-sachsen",
        "bamf",
        "malteser-hilfsdienst",
    }
    assert slugs(client, {"network": "runder-tisch-migration-landkreis-leipzig"}) == {"bon-courage"}
    assert slugs(client, {"network": "haertefallkommission"}) == {
        "saechsischer-auslaenderbeauftragter"
    }
    assert slugs(client, {"network": ["haertefallkommission", "iq-netzwerk-sachsen"]}) == {
        "saechsischer-auslaenderbeauftragter",
        "exis-europa",
    }


def test_related_to_either_direction(client: TestClient) -> None:
    partners = {
        "saechsischer-fluechtlingsrat",
        "aufbauwerk-region-leipzig",
        "referat-migration-und-integration-leipzig",
        "deutsche-angestellten-akademie",
        "caritasverband-leipzig",
        "int-gesellschaft",
    }
    assert slugs(client, {"related_to": "resque-plus-sachsen"}) == partners
    # The Referat is part of the Stadt Leipzig: related from both sides.
    assert "stadt-leipzig" in slugs(
        client, {"related_to": "referat-migration-und-integration-leipzig"}
    )
    assert "referat-migration-und-integration-leipzig" in slugs(
        client, {"related_to": "stadt-leipzig"}
    )
    assert slugs(client, {"related_to": "raa-sachsen"}) == {"opferberatung-raa-sachsen"}
    assert slugs(client, {"related_to": "opferberatung-raa-sachsen"}) == {"raa-sachsen"}


def test_has_contact(client: TestClient, seed: SeedFile) -> None:
    for kind in ("email", "website", "person"):
        expected = {o.slug for o in seed.organisations if any(c.kind == kind for c in o.contacts)}
        assert slugs(client, {"has_contact": kind}) == expected, kind
    assert slugs(client, {"has_contact": "email"}) == {
        "opferberatung-raa-sachsen",
        "refugee-law-clinic-leipzig",
    }
    assert slugs(client, {"has_contact": "person"}) == {
        "staatsministerin-fuer-gleichstellung-und-integration"
    }
    assert slugs(client, {"has_contact": "phone"}) == set()


def test_updated_since(client: TestClient, seed: SeedFile) -> None:
    items = walk(client, "/organisations")
    latest = max(datetime.fromisoformat(i["updated_at"]) for i in items)
    everything = {o.slug for o in seed.organisations}
    assert slugs(client, {"updated_since": "2015-04-16T00:00:00Z"}) == everything
    at_latest = latest.isoformat().replace("+00:00", "Z")
    assert slugs(client, {"updated_since": at_latest}) == {
        i["slug"] for i in items if datetime.fromisoformat(i["updated_at"]) >= latest
    }
    later = (latest + timedelta(seconds=1)).isoformat()
    assert slugs(client, {"updated_since": later}) == set()
    # The same moment written with another offset selects the same records.
    just_before = latest - timedelta(microseconds=1)
    in_summer_time = just_before.astimezone(timezone(timedelta(hours=2)))
    in_utc = slugs(client, {"updated_since": just_before.isoformat()})
    assert in_utc
    assert slugs(client, {"updated_since": in_summer_time.isoformat()}) == in_utc


def test_filters_combine_with_and(client: TestClient) -> None:
    assert slugs(client, {"level": "regional", "region": "14713", "has_contact": "email"}) == {
        "refugee-law-clinic-leipzig"
    }
    assert slugs(client, {"kind": "network", "region": "14729"}) == set()


def test_unknown_region_or_slug_is_a_422_not_an_empty_list(client: TestClient) -> None:
    for name, value in [("region", "99999"), ("network", "gibt-es-nicht"), ("related_to", "x")]:
        response = client.get("/organisations", params={name: value})
        assert response.status_code == 422
        assert response.json()["invalid_params"][0]["name"] == name


# --- Brute force: filters and facets against the unfiltered list -------------------------------

COMBINATIONS: list[dict[str, list[str]]] = [
    {},
    {"kind": ["network"]},
    {"kind": ["network", "working_group", "round_table"]},
    {"level": ["regional"]},
    {"level": ["land", "supra_regional"]},
    {"region": ["14"]},
    {"region": ["14626"]},
    {"region": ["landkreis-leipzig", "14713"]},
    {"region": ["leipzig"], "level": ["supra_regional"]},
    {"topic": ["migration"]},
    {"topic": ["integration", "beratung"], "region": ["14"]},
    {"kind": ["association"], "level": ["regional"]},
    {"has_contact": ["website"]},
    {"has_contact": ["email", "person"], "level": ["supra_regional", "land"]},
    {"network": ["asyl-konferenz"]},
    {"related_to": ["resque-plus-sachsen", "komenco"]},
    {"related_to": ["iq-netzwerk-sachsen"], "kind": ["association", "counselling_service"]},
]


def _id(combination: dict[str, list[str]]) -> str:
    return "&".join(f"{k}={','.join(v)}" for k, v in combination.items()) or "everything"


@pytest.mark.parametrize("combination", COMBINATIONS, ids=map(_id, COMBINATIONS))
def test_filters_and_facets_match_a_count_by_hand(
    client: TestClient, directory: Directory, combination: dict[str, list[str]]
) -> None:
    expected = directory.select(combination)
    body = get_json(
        client,
        "/organisations",
        {**combination, "facets": "kind,level,region,topic", "limit": 200},
    )
    assert {i["slug"] for i in body["items"]} == expected
    assert body["total"] == len(expected)
    by_hand = directory.facets(expected)
    for name in ("kind", "level", "region", "topic"):
        assert facet_counts(body, name) == by_hand[name], name


@pytest.mark.parametrize("key", ["14", "14626", "14729", "borna", "14713"])
def test_a_region_facet_equals_the_total_of_that_filter(client: TestClient, key: str) -> None:
    """The README's promise: a region's count is the total after adding it as a filter."""
    body = get_json(client, "/organisations", {"level": "regional", "facets": "region"})
    counts = facet_counts(body, "region")
    total = get_json(client, "/organisations", {"level": "regional", "region": key})["total"]
    assert counts.get(key, 0) == total


def test_facets_label_regions_and_sort_by_count(client: TestClient) -> None:
    body = get_json(client, "/organisations", {"facets": "region,kind", "limit": 1})
    regions = body["facets"]["region"]
    assert regions[0] == {"value": "14", "label": "Freistaat Sachsen", "count": regions[0]["count"]}
    assert any(r["value"] == "borna" and r["label"] == "Borna" for r in regions)
    for values in body["facets"].values():
        counts = [v["count"] for v in values]
        assert counts == sorted(counts, reverse=True)
    assert len(body["items"]) == 1  # facets count all matches, not the page


def test_without_facets_there_are_none(client: TestClient) -> None:
    assert get_json(client, "/organisations").get("facets") is None
    body = get_json(client, "/organisations", {"facets": "level"})
    assert set(body["facets"]) == {"level"}


# --- Sorting and cursors --------------------------------------------------------------------


def test_sort_by_name(client: TestClient, directory: Directory) -> None:
    items = walk(client, "/organisations", {"sort": "name"})
    keys = [(fold(i["name"]), i["id"]) for i in items]
    assert keys == sorted(keys)
    # Umlauts sort as their spelled-out forms ("Sä" as "Sae"), not after "z" as in code order.
    names = [i["name"] for i in items]
    assert names.index("Sächsischer Flüchtlingsrat e.V.") < names.index("Stadt Leipzig")
    assert walk(client, "/organisations") == items  # name is the default order


def test_sort_by_name_descending_is_the_reverse(client: TestClient) -> None:
    ascending = walk(client, "/organisations", {"sort": "name"})
    descending = walk(client, "/organisations", {"sort": "-name"})
    assert descending == list(reversed(ascending))


def test_sort_by_update_time_breaks_ties_by_id(client: TestClient) -> None:
    items = walk(client, "/organisations", {"sort": "updated_at"})
    keys = [(datetime.fromisoformat(i["updated_at"]), i["id"]) for i in items]
    assert keys == sorted(keys)
    # The seed writes everything at one moment: the tie-breaker decides the whole order.
    assert len({i["updated_at"] for i in items}) < len(items)
    newest_first = walk(client, "/organisations", {"sort": "-updated_at"})
    assert newest_first == list(reversed(items))


@pytest.mark.parametrize("sort", ["name", "-name", "updated_at", "-updated_at"])
@pytest.mark.parametrize("limit", [1, 7])
def test_cursor_pages_visit_every_record_once(
    client: TestClient, seed: SeedFile, sort: str, limit: int
) -> None:
    whole = walk(client, "/organisations", {"sort": sort})
    paged = walk(client, "/organisations", {"sort": sort}, limit=limit)
    assert [i["slug"] for i in paged] == [i["slug"] for i in whole]
    assert len({i["slug"] for i in paged}) == len(seed.organisations)


def test_cursor_pages_of_a_filtered_list(client: TestClient, directory: Directory) -> None:
    filters = {"level": ["regional", "supra_regional"], "region": ["14"]}
    paged = walk(client, "/organisations", filters, limit=4)
    assert [i["slug"] for i in paged] == [
        i["slug"] for i in walk(client, "/organisations", filters)
    ]
    assert {i["slug"] for i in paged} == directory.select(filters)


def _insert(url: str, names: list[str]) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            for name in names:
                session.add(
                    Organisation(
                        slug=f"neu-{fold(name).replace(' ', '-')}",
                        name=name,
                        kind="association",
                        level="regional",
                        name_key=fold(name),
                        search_text=organisation_search_text(name, None, [], None, [], [], []),
                        names_in_source=[name],
                    )
                )
            session.commit()
    finally:
        engine.dispose()


@pytest.mark.parametrize("sort", ["name", "-name", "updated_at", "-updated_at"])
def test_cursor_pages_stay_correct_while_records_are_inserted(
    writable_client: TestClient, seeded_database: str, seed: SeedFile, sort: str
) -> None:
    writable = writable_client
    original = {o.slug for o in seed.organisations}
    seen: list[str] = []
    url: str | None = f"/organisations?sort={sort}&limit=10"
    inserted: list[str] = []
    page = 0
    while url:
        body = get_json(writable, url)
        seen += [i["slug"] for i in body["items"]]
        url = body["links"]["next"]
        page += 1
        # Between pages, add records that sort at the very start and the very end.
        names = [f"AAA Neuer Verein {page}", f"Zzz Neuer Verein {page}"]
        _insert(seeded_database, names)
        inserted += [f"neu-{fold(n).replace(' ', '-')}" for n in names]
        assert page < 50

    assert len(seen) == len(set(seen)), "a record was served twice"
    assert original <= set(seen), f"records skipped: {original - set(seen)}"
    assert set(seen) - original <= set(inserted)
    if sort != "-updated_at":  # only there do all new records sort behind the cursor
        assert set(seen) - original, "no record inserted ahead of the cursor was served"
    # Records inserted behind the cursor are not served; those ahead of it are.
    final = {i["slug"] for i in walk(writable, "/organisations")}
    assert final == original | set(inserted)


# --- The detail -----------------------------------------------------------------------------


def test_detail_of_bon_courage(client: TestClient) -> None:
    body = get_json(client, "/organisations/bon-courage")
    assert body["name"] == "Bon Courage e.V."
    assert body["kind"] == "association"
    assert body["legal_form"] == "e.V."
    assert body["level"] == "regional"
    assert "Koordination des Runden Tisches Migration Landkreis Leipzig" in body["tasks"]
    regions = {(r["slug"], r["role"]) for r in body["regions"]}
    # „in Borna und im Landkreis Leipzig“: where it works, not an office.
    assert regions == {("borna", "area"), ("landkreis-leipzig", "area")}
    landkreis = next(r for r in body["regions"] if r["slug"] == "landkreis-leipzig")
    assert landkreis["code"] == "14729"
    assert landkreis["name"] == "Landkreis Leipzig"
    assert landkreis["url"] == "http://testserver/regions/14729"
    (relation,) = body["relations"]
    assert relation["type"] == "coordinates"
    assert relation["direction"] == "incoming"
    assert relation["organisation"]["slug"] == "runder-tisch-migration-landkreis-leipzig"
    assert relation["organisation"]["name"] == "Runder Tisch Migration Landkreis Leipzig"
    assert relation["organisation"]["url"] == (
        "http://testserver/networks/runder-tisch-migration-landkreis-leipzig"
    )
    provenance = body["provenance"]
    assert provenance["slide"] == 12
    assert provenance["section"] == "Ebene Regionale Netzwerke › Bon Courage e.V."
    assert provenance["source"]["title"] == SOURCE_TITLE
    assert provenance["source"]["published_on"] == "2015-04-16"
    assert provenance["source"]["authors"] == ["Badakhshi (Leipzig)", "Wendel (Dresden)"]
    assert provenance["source"]["publisher"] == "IQ Netzwerk Sachsen"
    assert [c["field"] for c in provenance["corrections"]] == ["tasks"]


def test_detail_shows_the_relation_from_the_other_side(client: TestClient) -> None:
    body = get_json(client, "/organisations/runder-tisch-migration-landkreis-leipzig")
    (relation,) = body["relations"]
    assert relation["type"] == "coordinated_by"
    assert relation["direction"] == "outgoing"
    assert relation["organisation"]["slug"] == "bon-courage"
    assert relation["organisation"]["name"] == "Bon Courage e.V."
    assert relation["organisation"]["url"] == "http://testserver/organisations/bon-courage"


def test_detail_with_contacts_and_sponsor(client: TestClient) -> None:
    body = get_json(client, "/organisations/opferberatung-raa-sachsen")
    emails = {c["value"]: c["region"]["name"] for c in body["contacts"] if c["kind"] == "email"}
    assert emails == {
        "opferberatung.chemnitz@raa-sachsen.de": "Chemnitz",
        "opferberatung.dresden@raa-sachsen.de": "Dresden",
        "opferberatung.leipzig@raa-sachsen.de": "Leipzig",
    }
    sponsor = [r for r in body["relations"] if r["type"] == "sponsored_by"]
    assert [r["organisation"]["slug"] for r in sponsor] == ["raa-sachsen"]
    raa = get_json(client, "/organisations/raa-sachsen")
    sponsors = [r for r in raa["relations"] if r["type"] == "sponsors"]
    assert [r["organisation"]["name"] for r in sponsors] == ["Opferberatung der RAA Sachsen e.V."]


def test_detail_keeps_the_original_text_of_a_correction(client: TestClient) -> None:
    body = get_json(client, "/organisations/netzwerk-fuer-demokratische-kultur")
    (name_fix,) = [c for c in body["provenance"]["corrections"] if c["field"] == "name"]
    assert name_fix["original"] == "Netzwerk für Demokratische Kultur e.V.- Wurzeln"
    assert "Wurzen" in name_fix["note"]
    assert ("wurzen", "seat") in {(r["slug"], r["role"]) for r in body["regions"]}
    assert body["names_in_source"] == ["Netzwerk für Demokratische Kultur e.V.- Wurzeln"]


def test_every_detail_matches_the_seed(
    client: TestClient, seed: SeedFile, directory: Directory
) -> None:
    for entry in seed.organisations:
        body = directory.organisations[entry.slug]
        assert body["name"] == entry.name
        assert body["kind"] == entry.kind.value
        assert body["tasks"] == list(entry.tasks)
        labels = {fold(t): t for t in reversed(entry.topics)}  # the first spelling wins
        assert body["topics"] == [labels[key] for key in sorted(labels)]
        assert {(r["slug"], r["role"]) for r in body["regions"]} == {
            (link.region, link.role.value) for link in entry.regions
        }
        assert {(c["kind"], c["value"]) for c in body["contacts"]} == {
            (c.kind.value, c.value) for c in entry.contacts
        }
        assert body["provenance"]["slide"] == entry.slide
        assert body["provenance"]["section"] == entry.section
        assert body["provenance"]["source"]["title"] == SOURCE_TITLE


def test_every_relation_is_visible_from_both_sides(directory: Directory, seed: SeedFile) -> None:
    shown = 0
    for slug, body in directory.organisations.items():
        for relation in body["relations"]:
            other = directory.organisations[relation["organisation"]["slug"]]
            assert relation["organisation"]["name"] == other["name"]
            back = [
                r
                for r in other["relations"]
                if r["organisation"]["slug"] == slug and r["type"] == INVERSE[relation["type"]]
            ]
            assert back, (
                f"{slug} {relation['type']} {other['slug']} is not shown from the other side"
            )
            assert {relation["direction"], back[0]["direction"]} == {"incoming", "outgoing"}
            shown += 1
    assert shown == 2 * len(seed.relations)


def test_unknown_organisation_is_a_404(client: TestClient) -> None:
    response = client.get("/organisations/bon-courage-ev")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
