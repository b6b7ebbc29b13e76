"""The vocabularies: what organisations offer, for whom and how, with labels in six languages."""

from typing import Any

import pycountry
import pytest
from fastapi.testclient import TestClient

from app.languages import LANGUAGES, negotiate
from app.vocabularies.catalogue import catalogue

SCHEMES = ("offers", "target-groups", "access")


def concepts_of(client: TestClient, scheme: str, **headers: str) -> dict[str, dict[str, Any]]:
    response = client.get(f"/vocabularies/{scheme}", headers=headers)
    assert response.status_code == 200, response.text
    return {c["id"]: c for c in response.json()["concepts"]}


def test_the_index_lists_every_scheme_with_its_licence(client: TestClient) -> None:
    index = client.get("/vocabularies").json()
    assert [s["id"] for s in index["schemes"]] == [*SCHEMES, "languages"]
    assert index["languages"] == ["de", "en", "ar", "fa", "uk", "ru"]
    assert index["licence"] == "CC BY 4.0"
    for summary in index["schemes"]:
        scheme = client.get(summary["uri"].removeprefix("http://testserver")).json()
        assert len(scheme["concepts"]) == summary["concept_count"] > 0
        # The team's own schemes are under the index's licence; the languages under theirs.
        assert (summary["source"] is None) == (summary["id"] in SCHEMES)
        assert scheme["source"] == summary["source"]
    (mapped,) = index["mapped_schemes"]
    assert mapped["id"] == "open-eligibility"
    assert mapped["licence"] == "CC BY-SA 3.0"
    assert "972004ba59a62d5af9376ecee3d0f0b9a2b88cf0" in mapped["url"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_concept_has_a_label_in_every_language(client: TestClient, scheme: str) -> None:
    for concept in concepts_of(client, scheme).values():
        labels = {label["lang"]: label for label in concept["labels"]}
        assert list(labels) == list(LANGUAGES), concept["id"]
        assert all(label["text"].strip() for label in labels.values())
        assert {lang for lang, label in labels.items() if label["dir"] == "rtl"} == {"ar", "fa"}
        # Written by the team, none has been reviewed by a native speaker yet, and says so.
        assert not any(label["reviewed"] for label in labels.values())
        assert concept["uri"] == f"http://testserver/vocabularies/{scheme}/{concept['id']}"


def test_the_labels_are_in_their_script(client: TestClient) -> None:
    scripts = {
        "ar": "\u0600-\u06ff",
        "fa": "\u0600-\u06ff",
        "uk": "\u0400-\u04ff",
        "ru": "\u0400-\u04ff",
    }
    for scheme in SCHEMES:
        for concept in concepts_of(client, scheme).values():
            for label in concept["labels"]:
                if label["lang"] in scripts:
                    low, high = scripts[label["lang"]].split("-")
                    letters = [ch for ch in label["text"] if ch.isalpha()]
                    inside = [ch for ch in letters if low <= ch <= high]
                    # Abbreviations of German law (AufenthG, Duldung) may stay in Latin letters.
                    assert len(inside) >= len(letters) / 2, (concept["id"], label)


def test_accept_language_chooses_the_labels(client: TestClient) -> None:
    german = client.get("/vocabularies/offers/legal-advice")
    assert german.json()["label"] == "Rechtsberatung"
    assert german.headers["content-language"] == "de"
    assert "accept-language" in german.headers["vary"].lower()

    arabic = client.get("/vocabularies/offers/legal-advice", headers={"Accept-Language": "ar"})
    assert arabic.json()["label"] == "استشارات قانونية"
    assert arabic.headers["content-language"] == "ar"
    assert arabic.json()["definition_lang"] == "en"  # definitions are in German and English

    ukrainian = client.get(
        "/vocabularies/offers/legal-advice",
        headers={"Accept-Language": "fr-CH, uk;q=0.8, en;q=0.5"},
    )
    assert ukrainian.json()["label"] == "Юридична консультація"
    tags = {german.headers["etag"], arabic.headers["etag"], ukrainian.headers["etag"]}
    assert len(tags) == 3


def test_lang_overrides_the_header(client: TestClient) -> None:
    response = client.get("/vocabularies/offers?lang=ru", headers={"Accept-Language": "en"})
    assert response.headers["content-language"] == "ru"
    assert response.json()["title"] == "Услуги"
    assert (
        response.json()["concepts"][0]["label"]
        == "Консультации по процедуре предоставления убежища"
    )


def test_an_unknown_lang_is_a_problem_naming_the_languages(client: TestClient) -> None:
    for value in ("fr", "en_US", "x" * 36):
        response = client.get("/vocabularies", params={"lang": value})
        assert response.status_code == 422, value
        assert response.headers["content-type"] == "application/problem+json"
        (param,) = response.json()["invalid_params"]
        assert param["name"] == "lang"
        if value == "fr":
            assert all(lang in param["reason"] for lang in LANGUAGES)


@pytest.mark.parametrize("value", ["EN", "en-GB", "En-gb"])
def test_lang_is_a_language_tag_in_any_case(client: TestClient, value: str) -> None:
    response = client.get("/vocabularies/offers/legal-advice", params={"lang": value})
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == "en"
    assert response.json()["label"] == "Legal advice"


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (None, "de"),
        ("", "de"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("fr, fa;q=0.1", "fa"),
        ("fr", "de"),
        ("*", "de"),
        ("ar;q=0, en;q=0.2", "en"),
        ("ru;q=0.5, uk;q=0.5", "ru"),  # equal quality: the first named
        ("UK", "uk"),
        ("en;q=2, ar", "ar"),  # an unreadable element is skipped
        ("de;q=0.1, ar;q=0.9", "ar"),
        ("de;q=0, *", "en"),  # `*` is any language not named: not the refused German
        ("de;q=0, en;q=0, *;q=0.5", "ar"),
        ("ar ; q = 0.5 , ru;Q=0.4", "ar"),
        ("en" + " " * 900 + "x", "de"),  # skipped at once, not after backtracking
        ("fr, " * 40 + "en", "de"),  # only the first 32 elements are read
    ],
)
def test_accept_language_is_negotiated_by_quality(header: str | None, chosen: str) -> None:
    assert negotiate(header) == chosen


def test_the_store_keeps_each_language_apart(writable_client: TestClient) -> None:
    answers = {}
    for lang in ("de", "fa", "de", "fa"):
        response = writable_client.get("/vocabularies/access", headers={"Accept-Language": lang})
        assert response.headers["content-language"] == lang
        answers.setdefault(lang, response.content)
        assert response.content == answers[lang]
    assert answers["de"] != answers["fa"]


def test_unknown_schemes_and_concepts_are_not_found(client: TestClient) -> None:
    for path in (
        "/vocabularies/topics",
        "/vocabularies/offers/nothing",
        "/vocabularies/x/legal-advice",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"


def test_mappings_quote_open_eligibility_as_published(client: TestClient) -> None:
    """Every mapped term is quoted with the id, title and path the published taxonomy gives
    it; the copy of that file's terms is checked against the file's own structure."""
    mapped = {
        (m["id"], m["title"], tuple(m["path"]), m["match"])
        for scheme in SCHEMES
        for concept in concepts_of(client, scheme).values()
        for m in concept["mappings"]
    }
    assert ("1375", "Advocacy & Legal Aid", ("Legal", "Advocacy & Legal Aid"), "close") in mapped
    assert ("20013", "Refugees", ("Citizenship", "Refugees"), "exact") in mapped
    services = {m[0] for m in mapped if int(m[0]) < 20000}
    situations = {m[0] for m in mapped if int(m[0]) >= 20000}
    assert services and situations
    terms = {t.id: t for t in catalogue().taxonomy.terms}
    for id_, title, path, _ in mapped:
        assert terms[id_].title == title == path[-1]
    # Service ids of Open Eligibility 2.0 are 11xx and 13xx, situations 200xx.
    assert all(1101 <= int(i) <= 1390 for i in services)
    assert all(20000 <= int(i) <= 20093 for i in situations)


def test_only_offer_schemes_map_where_open_eligibility_has_a_term(client: TestClient) -> None:
    access = concepts_of(client, "access")
    assert all(concept["mappings"] == [] for concept in access.values())


# --- Languages: ISO 639, named by iso-codes ---------------------------------------------------


def test_the_languages_are_iso_639_1_and_the_iso_639_3_languages_asked_for(
    client: TestClient,
) -> None:
    languages = concepts_of(client, "languages")
    two_letter = {lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    assert set(languages) == two_letter | {"prs", "kmr", "ckb"}
    assert client.get("/vocabularies").json()["schemes"][-1]["source"].endswith("LGPL-2.1.")


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("de", "Arabisch"),
        ("en", "Arabic"),
        ("ar", "العربية"),
        ("fa", "عربی"),
        ("uk", "арабська"),
        ("ru", "арабский"),
    ],
)
def test_a_language_is_named_in_each_label_language(
    client: TestClient, lang: str, label: str
) -> None:
    arabic = client.get("/vocabularies/languages/ar", params={"lang": lang}).json()
    assert arabic["label"] == label
    assert arabic["definition"].endswith("(ISO 639-3: ara).")
    assert {(x["lang"], x["text"]) for x in arabic["labels"]} >= {(lang, label)}


def test_a_name_without_a_translation_says_it_is_english(client: TestClient) -> None:
    """iso-codes names Dari in English and Ukrainian only: the German label is the English
    name, marked as English, and the labels list each name once."""
    dari = client.get("/vocabularies/languages/prs", params={"lang": "de"}).json()
    assert dari["label"] == "Dari"
    assert [(x["lang"], x["text"]) for x in dari["labels"]] == [("en", "Dari"), ("uk", "дарі")]
