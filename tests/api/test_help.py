"""`/help`: who helps with what, here, asked the way counsellors ask, answered near to far.

The expectations are written by hand from the source: the regional networks of slides
12–17 per Kreis and city, the offers the slides state (seed/wegweiser.yaml's concepts).
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.languages import LANGUAGES
from app.vocabularies.catalogue import catalogue
from tests.api.editor import assert_problem
from tests.api.listing import Directory

# What sits in each Kreis and city (distance 0), from the regional slides.
IN_PLACE = {
    "14511": {"ag-in-und-auslaender", "integrationsnetzwerk-chemnitz", "komenco"}
    | {"opferberatung-raa-sachsen"},
    "14521": {"netzwerk-migration-aue-schwarzenberg"},
    "14522": {"netzwerk-migration-landkreis-mittelsachsen", "treibhaus-doebeln"},
    "14523": {"netzwerk-migration-vogtlandkreis"},
    "14524": {"interkultureller-arbeitskreis-landkreis-zwickau"},
    "14612": {"fach-ag-junge-migrantinnen-und-migranten-dresden", "komenco"}
    | {"opferberatung-raa-sachsen", "runder-tisch-integration-dresden"},
    "14625": {"arbeitskreis-migration-landkreis-bautzen"},
    "14626": {"netzwerk-integration-loebau-zittau", "netzwerk-integration-stadt-goerlitz"}
    | {"netzwerk-integration-nord-weisswasser-bad-muskau"},
    "14627": {"netzwerk-migration-landkreis-meissen"},
    "14628": {"ag-migration-saechsische-schweiz-osterzgebirge", "netzwerk-migration-stadt-freital"},
    "14713": {"aufbauwerk-region-leipzig", "caritasverband-leipzig"}
    | {"juristische-fakultaet-universitaet-leipzig", "universitaet-leipzig"}
    | {"netzwerk-integration-migranten-in-leipzig", "opferberatung-raa-sachsen"}
    | {"referat-migration-und-integration-leipzig", "refugee-law-clinic-leipzig"}
    | {"stadt-leipzig", "traegertreffen-leipzig"},
    "14729": {"bon-courage", "netzwerk-fuer-demokratische-kultur"}
    | {"runder-tisch-migration-landkreis-leipzig"},
    "14730": {"ag-asyl-landkreis-nordsachsen", "netzwerk-integration-landkreis-nordsachsen"}
    | {"netzwerk-migration-nordsachsen"},
}

# Who the data says offers what, anywhere in Saxony (`/help?place=14&offer=…`).
OFFERED_BY = {
    "asylum-procedure-counselling": {"refugee-law-clinic-leipzig"},
    "legal-advice": {"refugee-law-clinic-leipzig", "komenco"},
    "social-counselling": {"refugee-law-clinic-leipzig", "komenco"},
    "victim-support": {"opferberatung-raa-sachsen"},
    "labour-market-integration": {"iq-netzwerk-sachsen", "resque-plus-sachsen"},
    "recognition-of-qualifications": {"ibas", "iq-netzwerk-sachsen"},
    "education-counselling": {"bildungsberatung-garantiefonds-hochschule"},
    "youth-migration-service": {"jugendmigrationsdienste"},
    "language-courses": set(),
    "interpreting": set(),
    "housing-and-accommodation": {"kommunale-unterbringungsbehoerden"},
    "volunteering-and-mentoring": set(),  # those that state it are linked to no region
    "funding": {"foerderrichtlinie-soziale-betreuung-fluechtlinge"}
    | {"staatsministerin-fuer-gleichstellung-und-integration"},
    "information-events": {"bon-courage", "netzwerk-fuer-demokratische-kultur"}
    | {"refugee-law-clinic-leipzig", "saechsischer-auslaenderbeauftragter"},
    "education-and-youth-work": {"bon-courage", "raa-sachsen", "treibhaus-doebeln"},
    "intercultural-training": {"iq-netzwerk-sachsen", "resque-plus-sachsen"},
    # Every regional network its name states it of, and those whose slides say so.
    "networking-and-coordination": {"asyl-konferenz", "bon-courage", "iq-netzwerk-sachsen"}
    | {"integrationsnetzwerk-chemnitz", "landesverband-integrationsnetzwerk-sachsen"}
    | {"netzwerk-fuer-demokratische-kultur", "netzwerk-integration-landkreis-nordsachsen"}
    | {"netzwerk-integration-loebau-zittau", "netzwerk-integration-migranten-in-leipzig"}
    | {"netzwerk-integration-nord-weisswasser-bad-muskau", "netzwerk-integration-stadt-goerlitz"}
    | {"netzwerk-migration-aue-schwarzenberg", "netzwerk-migration-landkreis-meissen"}
    | {"netzwerk-migration-landkreis-mittelsachsen", "netzwerk-migration-nordsachsen"}
    | {"netzwerk-migration-stadt-freital", "netzwerk-migration-vogtlandkreis"}
    | {"runder-tisch-integration-dresden", "runder-tisch-migration-landkreis-leipzig"}
    | {"tolerantes-sachsen"},
    "political-representation": {"saechsischer-auslaenderbeauftragter"}
    | {"fach-ag-jugendmigrationsdienste-sachsen", "resque-plus-sachsen"},
}


@pytest.fixture(scope="module")
def directory(client: TestClient) -> Iterator[Directory]:
    yield Directory.read(client)


def ask(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/help", params={"per_group": 100, **params})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def by_distance(answer: dict[str, Any]) -> list[set[str]]:
    return [{o["slug"] for o in group["organisations"]} for group in answer["groups"]]


def land_wide(client: TestClient) -> set[str]:
    """Everything linked to the Land itself, from the regions' own answer."""
    return {
        o["slug"]
        for o in client.get("/organisations", params={"limit": 200}).json()["items"]
        if any(r["code"] == "14" for r in o["regions"])
    }


@pytest.mark.parametrize("code", sorted(IN_PLACE))
def test_every_kreis_and_city_gets_its_own_then_the_land(client: TestClient, code: str) -> None:
    answer = ask(client, place=code)
    here, *above = answer["groups"]
    assert {o["slug"] for o in here["organisations"]} == IN_PLACE[code]
    assert [g["region"]["code"] for g in above] == ["14"]
    assert {o["slug"] for o in above[0]["organisations"]} == land_wide(client) - IN_PLACE[code]


def test_every_region_of_the_tree_falls_back_to_each_region_above_it(
    client: TestClient, directory: Directory
) -> None:
    land = land_wide(client)
    for region in directory.regions.values():
        key = region["code"] or region["slug"]
        answer = ask(client, place=key)
        path = [region["slug"]]
        parent = region["parent"]
        while parent is not None:
            path.append(parent["slug"])
            parent = directory.regions[parent["slug"]]["parent"]
        assert [g["region"]["slug"] for g in answer["groups"]] == path, key
        assert [g["distance"] for g in answer["groups"]] == list(range(len(path)))
        groups = by_distance(answer)
        seen = [slug for group in groups for slug in group]
        assert len(seen) == len(set(seen)), f"{key}: someone is listed twice"
        assert land <= set(seen), f"{key}: something state-wide is missing"
        assert answer["total"] == len(seen) == sum(g["total"] for g in answer["groups"])
        for group in answer["groups"][1:]:
            for organisation in group["organisations"]:
                # Above the place, only what is linked to that very region.
                assert organisation["served_through"]["slug"] == group["region"]["slug"]


@pytest.mark.parametrize(
    ("place", "near", "kreis"),
    [
        (
            "Freital",
            {"netzwerk-migration-stadt-freital"},
            {"ag-migration-saechsische-schweiz-osterzgebirge"},
        ),
        ("Döbeln", {"treibhaus-doebeln"}, {"netzwerk-migration-landkreis-mittelsachsen"}),
        ("Dobeln", {"treibhaus-doebeln"}, {"netzwerk-migration-landkreis-mittelsachsen"}),
        (
            "Borna",
            {"bon-courage"},
            {"netzwerk-fuer-demokratische-kultur", "runder-tisch-migration-landkreis-leipzig"},
        ),
        (
            "Wurzen",
            {"netzwerk-fuer-demokratische-kultur"},
            {"bon-courage", "runder-tisch-migration-landkreis-leipzig"},
        ),
        ("Stadt Görlitz", {"netzwerk-integration-stadt-goerlitz"}, set()),
        ("Weisswasser", {"netzwerk-integration-nord-weisswasser-bad-muskau"}, set()),
        ("aue-schwarzenberg", {"netzwerk-migration-aue-schwarzenberg"}, set()),
    ],
)
def test_a_town_gets_its_own_then_its_kreis_then_the_land(
    client: TestClient, place: str, near: set[str], kreis: set[str]
) -> None:
    here, in_kreis, in_land = by_distance(ask(client, place=place))
    assert (here, in_kreis) == (near, kreis)
    assert in_land == land_wide(client)


@pytest.mark.parametrize("offer", [c for c in catalogue().schemes["offers"].concepts])
def test_each_offer_finds_who_the_source_says_offers_it(client: TestClient, offer: str) -> None:
    answer = ask(client, place="14", offer=offer)
    (found,) = by_distance(answer)
    assert found == OFFERED_BY[offer]
    for organisation in answer["groups"][0]["organisations"]:
        (matched,) = organisation["matched"]
        assert (matched["scheme"], matched["id"]) == ("offers", offer)
        assert matched["evidence"], organisation["slug"]


def test_legal_advice_in_leipzig_is_the_clinic_then_komenco(client: TestClient) -> None:
    answer = ask(client, place="14713", offer="legal-advice")
    assert by_distance(answer) == [{"refugee-law-clinic-leipzig"}, {"komenco"}]
    clinic = answer["groups"][0]["organisations"][0]
    assert clinic["served_through"]["code"] == "14713"
    assert "rechtlich zu beraten" in clinic["matched"][0]["evidence"]
    assert answer["asked"] == {
        "offers": ["legal-advice"],
        "target_groups": [],
        "access": [],
        "languages": [],
    }


def test_victim_support_gives_the_office_of_the_city_asked_about(client: TestClient) -> None:
    for city in ("Chemnitz", "Dresden", "14713"):
        (organisation,) = [
            o
            for g in ask(client, place=city, offer="victim-support")["groups"]
            for o in g["organisations"]
        ]
        assert organisation["slug"] == "opferberatung-raa-sachsen"
        offices = [c for c in organisation["contacts"] if c["region"] is not None]
        assert [c["here"] for c in offices] == [True], (city, offices)
    # A place with no office of its own: every office, none of them said to be for it.
    (organisation,) = ask(client, place="freital", offer="victim-support")["groups"][2][
        "organisations"
    ]
    offices = [c for c in organisation["contacts"] if c["region"] is not None]
    assert len(offices) == 3 and not any(c["here"] for c in offices)


def test_schemes_combine_with_and_values_with_or(client: TestClient) -> None:
    both = ask(client, place="14", offer=["legal-advice", "victim-support"])
    assert by_distance(both) == [OFFERED_BY["legal-advice"] | OFFERED_BY["victim-support"]]
    outreach = ask(client, place="14", offer="legal-advice", access="outreach")
    assert by_distance(outreach) == [{"komenco"}]
    young = ask(client, place="14", target_group="young-people")
    assert by_distance(young) == [
        {"fach-ag-jugendmigrationsdienste-sachsen", "jugendmigrationsdienste"}
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_labels_come_in_each_language_the_data_stays_german(client: TestClient, lang: str) -> None:
    response = client.get(
        "/help",
        params={"place": "14713", "offer": "legal-advice"},
        headers={"Accept-Language": lang},
    )
    assert response.headers["content-language"] == lang
    assert "Accept-Language" in response.headers["vary"]
    answer = response.json()
    assert (answer["lang"], answer["data_lang"]) == (lang, "de")
    clinic = answer["groups"][0]["organisations"][0]
    assert (
        clinic["matched"][0]["label"]
        == catalogue().concept("offers", "legal-advice").labels[lang].text
    )  # type: ignore[union-attr]
    assert clinic["name"] == "Refugee Law Clinic Leipzig e.V."


@pytest.mark.parametrize(
    ("place", "codes"),
    [
        ("Leipzig", {"14713", "14729"}),
        ("Görlitz", {"goerlitz", "14626"}),
        ("gorlitz", {"goerlitz", "14626"}),
    ],
)
def test_a_name_of_several_regions_answers_with_the_candidates(
    client: TestClient, place: str, codes: set[str]
) -> None:
    problem = assert_problem(client.get("/help", params={"place": place}), 422, "invalid-parameter")
    assert {p["name"] for p in problem["invalid_params"]} == {"place"}
    candidates = problem["candidates"]
    assert {c["code"] or c["slug"] for c in candidates} == codes
    for candidate in candidates:
        assert client.get(candidate["url"]).status_code == 200
        assert (
            ask(client, place=candidate["code"] or candidate["slug"])["place"]["slug"]
            == candidate["slug"]
        )


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"place": "Atlantis"}, "place"),
        ({}, "place"),
        ({"place": ""}, "place"),
        ({"place": "14", "offer": "yoga"}, "offer"),
        ({"place": "14", "target_group": "cats"}, "target_group"),
        ({"place": "14", "access": "teleport"}, "access"),
        ({"place": "14", "per_group": 0}, "per_group"),
        ({"place": "14", "per_group": 101}, "per_group"),
        ({"place": "14", "per_group": "+5"}, "per_group"),
        ({"place": "14", "lang": "xx"}, "lang"),
    ],
)
def test_a_question_that_cannot_be_answered_is_a_422_naming_the_parameter(
    client: TestClient, params: dict[str, Any], name: str
) -> None:
    response = client.get("/help", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert name in {p["name"] for p in response.json()["invalid_params"]}


def test_per_group_cuts_each_group_and_keeps_its_total(client: TestClient) -> None:
    full = ask(client, place="freital")
    cut = client.get("/help", params={"place": "freital", "per_group": 2}).json()
    assert [g["total"] for g in cut["groups"]] == [g["total"] for g in full["groups"]]
    assert [len(g["organisations"]) for g in cut["groups"]] == [
        min(2, g["total"]) for g in full["groups"]
    ]
    assert [o["slug"] for o in cut["groups"][2]["organisations"]] == [
        o["slug"] for o in full["groups"][2]["organisations"]
    ][:2]
