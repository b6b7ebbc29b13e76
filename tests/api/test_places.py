"""Places by name in any spelling, ambiguity answered with candidates, and `serves=`:
what serves a place, from the place itself up to the whole Land."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.organisations.models import NETWORK_KINDS
from app.regions.places import name_forms, spellings
from tests.api.listing import Directory, walk


@pytest.fixture(scope="module")
def directory(client: TestClient) -> Iterator[Directory]:
    yield Directory.read(client)


def slugs(client: TestClient, path: str, **params: str) -> set[str]:
    return {o["slug"] for o in walk(client, path, params)}


@pytest.mark.parametrize(
    ("spelling", "same_as"),
    [
        ("Döbeln", "doebeln"),
        ("Doebeln", "doebeln"),
        ("Dobeln", "doebeln"),
        ("DÖBELN", "doebeln"),
        ("Landkreis Görlitz", "14626"),
        ("landkreis gorlitz", "14626"),
        ("Weißwasser", "weisswasser"),
        ("Weisswasser/O.L.", "weisswasser"),
        ("Sächsische Schweiz-Osterzgebirge", "14628"),
        ("Freistaat Sachsen", "14"),
        ("Sachsen", "14"),
        ("Freital", "freital"),
        ("  freital ", "freital"),
        ("Stadt Leipzig", "14713"),
        ("Kreisfreie Stadt Leipzig", "14713"),
        ("Landkreis Leipzig", "14729"),
        ("Stadt Görlitz", "goerlitz"),
        ("Kreis Gorlitz", "14626"),
    ],
)
def test_a_region_filter_takes_a_name_in_any_spelling(
    client: TestClient, spelling: str, same_as: str
) -> None:
    by_name = client.get("/organisations", params={"region": spelling, "limit": 200})
    assert by_name.status_code == 200, by_name.text
    by_key = client.get("/organisations", params={"region": same_as, "limit": 200})
    assert by_name.json()["items"] == by_key.json()["items"]
    assert by_name.json()["total"] == by_key.json()["total"]


@pytest.mark.parametrize(
    ("spelling", "candidates"),
    [
        ("Görlitz", ["14626", "goerlitz"]),
        ("Goerlitz", ["14626", "goerlitz"]),
        ("gorlitz", ["14626", "goerlitz"]),
        ("Leipzig", ["14713", "14729"]),
    ],
)
def test_a_name_of_several_regions_answers_with_the_candidates(
    client: TestClient, spelling: str, candidates: list[str]
) -> None:
    for path in ("/organisations", "/networks", "/contacts"):
        response = client.get(path, params={"region": spelling})
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == "/problems/invalid-parameter"
        assert [p["name"] for p in problem["invalid_params"]] == ["region"]
        found = problem["candidates"]
        assert sorted(c["code"] or c["slug"] for c in found) == candidates
        for candidate in found:
            assert client.get(candidate["url"]).json()["slug"] == candidate["slug"]
            # Each candidate's code or slug names it alone.
            chosen = client.get(path, params={"region": candidate["code"] or candidate["slug"]})
            assert chosen.status_code == 200


def test_a_slug_is_an_identifier_not_a_name(client: TestClient) -> None:
    """`goerlitz` is the town's slug: it names the town, as it always did."""
    town = client.get("/organisations", params={"region": "goerlitz", "limit": 200}).json()
    kreis = client.get("/organisations", params={"region": "14626", "limit": 200}).json()
    assert town["total"] < kreis["total"]


def test_a_name_of_no_region_is_a_problem(client: TestClient) -> None:
    response = client.get("/organisations", params={"serves": "Atlantis"})
    assert response.status_code == 422
    (param,) = response.json()["invalid_params"]
    assert param["name"] == "serves"
    assert "Atlantis" in param["reason"]


def test_spellings_fold_umlauts_both_ways() -> None:
    assert spellings("Görlitz") == {"goerlitz", "gorlitz"}
    assert spellings("Weißwasser") == {"weisswasser"}
    assert "schweiz osterzgebirge" not in name_forms("Landkreis Sächsische Schweiz-Osterzgebirge")
    assert "saechsische schweiz osterzgebirge" in name_forms(
        "Landkreis Sächsische Schweiz-Osterzgebirge"
    )
    assert "weisswasser" in name_forms("Weißwasser/O.L.")


def test_every_region_is_served_by_itself_what_is_below_it_and_above_it(
    client: TestClient, directory: Directory
) -> None:
    """For every region of the tree: `serves` answers the organisations linked to it, to a
    region below it, or to one above it up to the Land, and nothing else; so everything
    working for the whole Land serves every place."""
    statewide = {
        slug
        for slug, o in directory.organisations.items()
        if any(r["slug"] == "sachsen" for r in o["regions"])
    }
    assert statewide
    for region in directory.regions:
        below = {r for r, chain in directory.ancestors.items() if region in chain}
        serving = below | directory.ancestors[region]
        expected = {
            slug
            for slug, o in directory.organisations.items()
            if any(r["slug"] in serving for r in o["regions"])
        }
        assert slugs(client, "/organisations", serves=region) == expected, region
        assert statewide <= expected
        networks = {s for s in expected if directory.organisations[s]["kind"] in NETWORK_KINDS}
        assert slugs(client, "/networks", serves=region) == networks, region


def test_freital_is_served_by_its_landkreis_and_the_land(client: TestClient) -> None:
    """The question that started it: who helps in Freital? What sits in Freital, the
    working group of Sächsische Schweiz-Osterzgebirge, and the state-wide services."""
    in_freital = slugs(client, "/organisations", region="freital")
    assert in_freital == {"netzwerk-migration-stadt-freital"}
    serving = slugs(client, "/organisations", serves="Freital")
    assert {
        "netzwerk-migration-stadt-freital",
        "ag-migration-saechsische-schweiz-osterzgebirge",
    } <= serving
    assert "saechsischer-fluechtlingsrat" in serving  # works for the whole Land
    assert "runder-tisch-migration-landkreis-leipzig" not in serving  # another Landkreis


def test_serves_and_region_combine_with_and(client: TestClient) -> None:
    serving = slugs(client, "/organisations", serves="freital")
    in_kreis = slugs(client, "/organisations", region="14628")
    both = slugs(client, "/organisations", serves="freital", region="14628")
    assert both == serving & in_kreis
    assert both < serving  # the state-wide ones do not sit in the Landkreis
    assert slugs(client, "/organisations", serves="freital", kind="network") == slugs(
        client, "/networks", serves="freital"
    ) & slugs(client, "/organisations", kind="network")


def test_a_cycle_in_the_region_tree_ends_the_walk(
    seeded_database: str, client_for: Callable[[str], TestClient]
) -> None:
    """An operator's SQL can make the tree a cycle; `serves` and `region` still answer."""
    engine = create_engine(seeded_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE region SET parent_id = (SELECT id FROM region WHERE slug = 'freital') "
                "WHERE slug = 'sachsen'"
            )
        )
    engine.dispose()
    client = client_for(seeded_database)
    for params in ({"serves": "freital"}, {"region": "freital"}, {"region": "14"}):
        response = client.get("/organisations", params=params)
        assert response.status_code == 200, (params, response.text)
