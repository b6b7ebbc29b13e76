"""Records label their vocabulary concepts in the language asked for; the data stays German.

Each language is its own representation: its own `Content-Language`, ETag and stored
response, and any of them is a valid `If-Match` for the record's current version.
"""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from app.languages import LANGUAGES
from app.vocabularies.catalogue import catalogue
from tests.api.editor import PLAIN, Editor

CLINIC = "/organisations/refugee-law-clinic-leipzig"


@pytest.fixture
def editor(seeded_database: str, client_for: Callable[[str], TestClient]) -> Editor:
    return Editor.on(seeded_database, client_for)


def label(concept: str, lang: str) -> str:
    found = catalogue().concept("offers", concept)
    assert found is not None
    return found.labels[lang].text  # type: ignore[index]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_record_labels_its_concepts_in_the_language_asked_for(
    client: TestClient, lang: str
) -> None:
    response = client.get(CLINIC, headers={"Accept-Language": lang, **PLAIN})
    assert response.headers["content-language"] == lang
    assert "Accept-Language" in response.headers["vary"]
    body = response.json()
    offers = {tag["id"]: tag["label"] for tag in body["concepts"]["offers"]}
    assert offers["legal-advice"] == label("legal-advice", lang)
    # The data is the source's: German whatever the labels are.
    assert body["name"] == "Refugee Law Clinic Leipzig e.V."
    assert body["concepts"]["offers"][0]["evidence"].startswith("Geflüchtete")
    assert client.get(CLINIC, params={"lang": lang}).json() == body


def test_each_language_is_its_own_representation(client: TestClient) -> None:
    tags = {}
    for lang in LANGUAGES:
        response = client.get(CLINIC, headers={"Accept-Language": lang, **PLAIN})
        tags[lang] = response.headers["etag"]
        again = client.get(
            CLINIC, headers={"Accept-Language": lang, "If-None-Match": tags[lang], **PLAIN}
        )
        assert again.status_code == 304
    assert len(set(tags.values())) == len(LANGUAGES)
    assert tags["de"].endswith('-v1-r2"') and tags["en"].endswith('-v1-r2-en"')
    # Asked again, each language comes back as it was, not as the last one stored.
    for lang in ("ar", "de", "uk"):
        body = client.get(CLINIC, headers={"Accept-Language": lang}).json()
        assert body["concepts"]["offers"][1]["label"] == label("legal-advice", lang)


def test_lists_label_in_the_language_asked_for(client: TestClient) -> None:
    for path in ("/organisations", "/networks"):
        response = client.get(path, params={"lang": "fa", "offer": "networking-and-coordination"})
        assert response.headers["content-language"] == "fa"
        (first, *_) = response.json()["items"]
        labels = {t["id"]: t["label"] for t in first["concepts"]["offers"]}
        assert labels["networking-and-coordination"] == label("networking-and-coordination", "fa")


def test_the_tag_read_in_any_language_is_a_valid_if_match(editor: Editor) -> None:
    english = editor.client.get(CLINIC, headers={"Accept-Language": "en", **PLAIN})
    changed = editor.patch(CLINIC, {"short_name": "RLC"}, if_match=english.headers["etag"])
    assert changed.status_code == 200, changed.text
    stale = editor.patch(CLINIC, {"short_name": "RLC Leipzig"}, if_match=english.headers["etag"])
    assert stale.status_code == 412


def test_concept_facets_are_labelled_in_the_language_asked_for(client: TestClient) -> None:
    body = client.get("/organisations", params={"facets": "offer", "lang": "en"}).json()
    labels = {v["value"]: v["label"] for v in body["facets"]["offer"]}
    assert labels["legal-advice"] == label("legal-advice", "en")
