"""Organisations tagged with the shared vocabularies: read in every record, filtered and
counted on lists, written by editors through the one write path, found by their labels
in every language."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.editor import Editor, invalid_names
from tests.api.listing import walk


@pytest.fixture
def editor(seeded_database: str, client_for: Callable[[str], TestClient]) -> Editor:
    return Editor.on(seeded_database, client_for)


def slugs(client: TestClient, path: str, **params: Any) -> set[str]:
    return {o["slug"] for o in walk(client, path, params)}


def test_a_record_says_what_it_offers_with_the_evidence(client: TestClient) -> None:
    clinic = client.get("/organisations/refugee-law-clinic-leipzig").json()
    offers = {tag["id"]: tag for tag in clinic["concepts"]["offers"]}
    assert {"legal-advice", "asylum-procedure-counselling"} <= set(offers)
    legal = offers["legal-advice"]
    assert legal["basis"] == "stated"
    assert legal["url"].endswith("/vocabularies/offers/legal-advice")
    assert client.get(legal["url"]).json()["label"] == legal["label"] == "Rechtsberatung"
    # What the source does not state stays absent, never guessed.
    assert client.get("/organisations/haertefallkommission").json()["concepts"] == {
        "offers": [],
        "target_groups": [],
        "access": [],
        "languages": [],
    }
    # An offer read from a name alone says so.
    (inferred,) = client.get("/organisations/ibas").json()["concepts"]["offers"]
    assert (inferred["id"], inferred["basis"]) == ("recognition-of-qualifications", "inferred")
    assert inferred["note"]


def test_summaries_carry_the_concepts_too(client: TestClient) -> None:
    (clinic,) = [
        o
        for o in walk(client, "/organisations", {"q": "Refugee Law Clinic"})
        if o["slug"] == "refugee-law-clinic-leipzig"
    ]
    detail = client.get(clinic["url"]).json()
    assert clinic["concepts"] == detail["concepts"]


def test_offer_target_group_and_access_filter_lists(client: TestClient) -> None:
    assert slugs(client, "/organisations", offer="legal-advice") == {
        "refugee-law-clinic-leipzig",
        "komenco",
    }
    assert slugs(client, "/organisations", offer="LEGAL-ADVICE", access="outreach") == {"komenco"}
    assert slugs(client, "/organisations", target_group="victims-of-violence") == {
        "opferberatung-raa-sachsen"
    }
    assert slugs(client, "/organisations", offer=["legal-advice", "victim-support"]) == {
        "refugee-law-clinic-leipzig",
        "komenco",
        "opferberatung-raa-sachsen",
    }
    assert slugs(client, "/networks", offer="networking-and-coordination", region="freital") == {
        "netzwerk-migration-stadt-freital"
    }


def test_concept_facets_count_what_the_filter_would_list(client: TestClient) -> None:
    body = client.get(
        "/organisations", params={"facets": "offer,target_group,access", "limit": 1}
    ).json()
    for facet, param in (
        ("offer", "offer"),
        ("target_group", "target_group"),
        ("access", "access"),
    ):
        assert body["facets"][facet], facet
        for value in body["facets"][facet]:
            assert value["label"], value
            listed = client.get("/organisations", params={param: value["value"], "limit": 1})
            assert listed.json()["total"] == value["count"], value


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"offer": "yoga"}, "offer"),
        ({"target_group": "asylum-seekers", "offer": "legal"}, "offer"),
        ({"target_group": "cats"}, "target_group"),
        ({"access": "by-owl"}, "access"),
    ],
)
def test_an_unknown_concept_is_a_422_listing_the_known_ones(
    client: TestClient, params: dict[str, str], name: str
) -> None:
    response = client.get("/organisations", params=params)
    assert response.status_code == 422
    (problem,) = response.json()["invalid_params"]
    assert problem["name"] == name
    assert "one of:" in problem["reason"]


def test_editors_tag_an_organisation_and_history_and_feed_record_it(editor: Editor) -> None:
    path = "/organisations/treibhaus-doebeln"
    before = editor.json(path)
    changed = editor.patched(
        path,
        {
            "concepts": {
                "offers": [
                    {"concept": "education-and-youth-work", "evidence": "Jugendarbeit"},
                    {"concept": "language-courses", "evidence": "Deutschkurs dienstags"},
                ],
                "access": [{"concept": "walk-in", "basis": "inferred", "note": "Aushang"}],
            }
        },
    )
    assert changed["version"] == before["version"] + 1
    assert [t["id"] for t in changed["concepts"]["offers"]] == [
        "language-courses",
        "education-and-youth-work",
    ]  # in the vocabulary's order
    assert changed["concepts"]["access"][0]["basis"] == "inferred"
    assert changed["concepts"]["target_groups"] == []
    assert editor.json(path) == changed
    assert "treibhaus-doebeln" in slugs(editor.client, "/organisations", offer="language-courses")
    history = editor.json(f"{path}/history", {"limit": 200})["items"]
    assert history[0]["version"] == changed["version"]
    # A PATCH of something else leaves the tags as they are.
    renamed = editor.patched(path, {"short_name": "Treibhaus"})
    assert renamed["concepts"] == changed["concepts"]
    # Removing them: an empty list.
    cleared = editor.patched(path, {"concepts": {"offers": [], "access": []}})
    assert cleared["concepts"] == {"offers": [], "target_groups": [], "access": [], "languages": []}
    assert "treibhaus-doebeln" not in slugs(
        editor.client, "/organisations", offer="language-courses"
    )


@pytest.mark.parametrize(
    ("concepts", "field"),
    [
        ({"offers": [{"concept": "yoga", "evidence": "Yoga"}]}, "concepts.offers.0.concept"),
        (
            {
                "offers": [
                    {"concept": "funding", "evidence": "a"},
                    {"concept": "funding", "evidence": "b"},
                ]
            },
            "concepts.offers.1.concept",
        ),
        (
            {"target_groups": [{"concept": "legal-advice", "evidence": "x"}]},
            "concepts.target_groups.0.concept",
        ),
        ({"offers": [{"concept": "funding", "basis": "guessed"}]}, "concepts.offers.0.basis"),
        ({"offers": [{"concept": "funding", "colour": "red"}]}, "concepts.offers.0.colour"),
        # Said how it is known, or refused: stated with evidence, inferred with a note.
        ({"offers": [{"concept": "funding"}]}, "concepts.offers.0"),
        ({"offers": [{"concept": "funding", "basis": "inferred"}]}, "concepts.offers.0"),
        ({"moods": []}, "concepts.moods"),
    ],
)
def test_a_tag_the_vocabulary_lacks_is_refused_naming_the_field(
    editor: Editor, concepts: dict[str, Any], field: str
) -> None:
    path = "/organisations/treibhaus-doebeln"
    before = editor.json(path)
    assert field in invalid_names(editor.patch(path, {"concepts": concepts}))
    assert editor.json(path) == before


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("legal advice", {"refugee-law-clinic-leipzig", "komenco"}),
        ("Rechtshilfe", {"refugee-law-clinic-leipzig", "komenco"}),
        ("استشارة قانونية", {"refugee-law-clinic-leipzig", "komenco"}),
        ("юридична консультація", {"refugee-law-clinic-leipzig", "komenco"}),
        ("Юридическая консультация", {"refugee-law-clinic-leipzig", "komenco"}),
        ("asylum procedure", {"refugee-law-clinic-leipzig"}),
        ("victims of racist violence", {"opferberatung-raa-sachsen"}),
    ],
)
def test_labels_in_every_language_find_what_is_tagged(
    client: TestClient, q: str, expected: set[str]
) -> None:
    found = {h["slug"] for h in walk(client, "/search", {"q": q, "type": "organisation"})}
    assert found == expected
    assert slugs(client, "/organisations", q=q) == expected


@pytest.mark.parametrize(
    ("q", "marked"),
    [
        ("Rechtshilfe", "<mark>Rechtshilfe</mark>"),
        ("legal advice", "<mark>Legal</mark> <mark>advice</mark>"),
        ("юридична консультація", "<mark>Юридична</mark> <mark>консультація</mark>"),
    ],
)
def test_a_snippet_shows_the_concept_label_that_matched(
    client: TestClient, q: str, marked: str
) -> None:
    """A hit found by a concept label shows that concept's labels, the match marked."""
    hits = {h["slug"]: h for h in walk(client, "/search", {"q": q, "type": "organisation"})}
    snippet = hits["komenco"]["snippet"]
    assert marked in snippet
    assert "Rechtsberatung" in snippet or "Rechtshilfe" in snippet  # that concept's labels


def test_english_words_find_organisations(client: TestClient) -> None:
    assert "refugee-law-clinic-leipzig" in {
        h["slug"] for h in walk(client, "/search", {"q": "asylum"})
    }
    volunteers = {h["slug"] for h in walk(client, "/search", {"q": "volunteer"})}
    assert {"ckd-netzwerk", "dioezesan-caritasverbaende", "initiativkreis-menschen-wuerdig"} <= (
        volunteers
    )


# --- Languages spoken -------------------------------------------------------------------------


def test_no_organisation_of_the_seed_states_a_language(client: TestClient) -> None:
    """The slides name no language anyone counsels in: unknown, so no tag and no match."""
    assert client.get("/organisations", params={"language": "de"}).json()["total"] == 0
    assert all(
        o["concepts"]["languages"] == [] for o in walk(client, "/organisations", {"limit": "200"})
    )


def test_editors_record_the_languages_an_organisation_counsels_in(editor: Editor) -> None:
    path = "/organisations/refugee-law-clinic-leipzig"
    changed = editor.patched(
        path,
        {
            "concepts": {
                "languages": [
                    {"concept": "prs", "evidence": "Beratung auf Dari"},
                    {"concept": "ar", "evidence": "Beratung auf Arabisch"},
                ]
            }
        },
    )
    languages = changed["concepts"]["languages"]
    assert [(t["id"], t["label"]) for t in languages] == [("ar", "Arabisch"), ("prs", "Dari")]
    assert languages[0]["url"].endswith("/vocabularies/languages/ar")
    english = editor.client.get(path, params={"lang": "ru"}).json()["concepts"]["languages"]
    assert [t["label"] for t in english] == ["арабский", "Dari"]
    # Lists filter by the ISO 639-1 code, its ISO 639-3 code, in any case, and count them.
    for code in ("ar", "ara", "AR"):
        assert slugs(editor.client, "/organisations", language=code) == {
            "refugee-law-clinic-leipzig"
        }
    faceted = editor.json("/organisations", {"facets": "language", "q": "Refugee Law Clinic"})
    assert {(f["value"], f["count"]) for f in faceted["facets"]["language"]} == {
        ("ar", 1),
        ("prs", 1),
    }
    # Who helps in Leipzig, in Dari: the clinic, why, and nobody whom the data does not say.
    answer = editor.json("/help", {"place": "14713", "language": "prs"})
    found = [o for g in answer["groups"] for o in g["organisations"]]
    assert [o["slug"] for o in found] == ["refugee-law-clinic-leipzig"]
    assert answer["asked"]["languages"] == ["prs"]
    # The language's names in every label language find it.
    assert "refugee-law-clinic-leipzig" in slugs(editor.client, "/organisations", q="Arabisch")
    assert "refugee-law-clinic-leipzig" in slugs(editor.client, "/organisations", q="العربية")


def test_a_language_iso_639_does_not_have_is_refused(editor: Editor) -> None:
    path = "/organisations/refugee-law-clinic-leipzig"
    before = editor.json(path)
    tag = {"concept": "xx", "basis": "inferred", "note": "?"}
    refused = editor.patch(path, {"concepts": {"languages": [tag]}})
    assert "concepts.languages.0.concept" in invalid_names(refused)
    assert editor.json(path) == before
    for where, params in (
        ("/organisations", {}),
        ("/networks", {}),
        ("/help", {"place": "14"}),
    ):
        response = editor.client.get(where, params={**params, "language": "klingon"})
        assert response.status_code == 422, where
        assert response.json()["invalid_params"][0]["name"] == "language"
