"""Full-text search: `GET /search` and `q` on every list, on SQLite and PostgreSQL.

Most tests run on a small directory of their own, written with the seed loader
(the application's write path), so the triggers and generated columns that
keep the index current are exercised as in production. A few check the seed.
"""

import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlmodel import Session

from app.config import Settings
from app.db import make_engine
from app.folding import fold_words
from app.main import create_app
from app.organisations.models import NETWORK_KINDS, Organisation
from app.pagination import PageRequest
from app.search import index
from app.search import service as search_service
from app.search.index import PEAK_PREFIX, Doc, all_matches
from app.search.query import MAX_QUERY_LENGTH, MAX_WORD_LENGTH, MAX_WORDS, parse_query
from app.search.schemas import HitType
from app.search.snippets import snippet
from app.search.stems import MIN_STEM_LENGTH, stem, stem_prefix
from seed.loader import load
from seed.schema import SeedFile
from tests.api.listing import walk as walk_list
from tests.auth import auth_headers
from tests.conftest import Databases
from tests.databases import alembic_config, migrate

# The revision before the search bounds (d92171fda9ef), for their backfill.
BEFORE_BOUNDS = "d81f3a6c2b47"

PROBLEM = "application/problem+json"
LISTS = ("/organisations", "/networks", "/contacts", "/regions")
MARK = re.compile(r"</?mark>")

# --- A small directory ------------------------------------------------------------------------

SOURCE = {
    "slug": "praxis-vor-ort-2015-04-16",
    "title": "Praxis vor Ort",
    "published_on": "2015-04-16",
    "authors": ["Badakhshi (Leipzig)"],
    "publisher": "IQ Netzwerk Sachsen",
    "file_name": "praxis-vor-ort-2015-04-16.md",
}
REGIONS = [
    {"code": "14", "slug": "sachsen", "name": "Freistaat Sachsen", "kind": "state"},
    {
        "code": "14626",
        "slug": "landkreis-goerlitz",
        "name": "Landkreis Görlitz",
        "kind": "rural_district",
        "parent": "sachsen",
    },
    {"slug": "goerlitz", "name": "Görlitz", "kind": "municipality", "parent": "landkreis-goerlitz"},
    {
        "slug": "weisswasser",
        "name": "Weißwasser/O.L.",
        "kind": "municipality",
        "parent": "landkreis-goerlitz",
    },
    {
        "code": "14713",
        "slug": "leipzig",
        "name": "Leipzig",
        "kind": "urban_district",
        "parent": "sachsen",
    },
]
SPRACHCAFES = 12  # identical records: their scores tie, so pages split ties


def organisation(slug: str, name: str, kind: str = "association", **fields: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "names_in_source": [name],
        "slide": 1,
        "section": "Test",
        **fields,
    }


def contact(kind: str, value: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "value": value, "slide": 1, "section": "Test", **fields}


def directory(**changes: Any) -> SeedFile:
    """The test directory; `changes` replaces organisations by slug (None drops one)."""
    organisations = [
        organisation(
            "opferberatung-raa-sachsen",
            "Opferberatung der RAA Sachsen e.V.",
            "counselling_service",
            short_name="RAA Opferberatung",
            description="Beratung für Betroffene rechter Gewalt in Chemnitz, Dresden und Leipzig.",
            topics=["opferberatung", "beratung"],
            regions=["sachsen"],
            contacts=[
                contact(
                    "email",
                    "opferberatung.chemnitz@raa-sachsen.de",
                    label="Opferberatung Chemnitz",
                ),
                contact("person", "Jörg Weiß", role="Berater"),
            ],
        ),
        organisation(
            "netzwerk-integration-goerlitz",
            "Netzwerk Integration Görlitz",
            "network",
            description="Runder Tisch der Akteure der Integrationsarbeit in der Stadt Görlitz.",
            topics=["vernetzung"],
            regions=["goerlitz"],
        ),
        organisation(
            "fluechtlingshilfe-weisswasser",
            "Flüchtlingshilfe Weißwasser e.V.",
            description="Begegnungscafé und Hausaufgabenhilfe für Geflüchtete.",
            tasks=["Sprachkurse", "Begleitung zu Behörden"],
            target_groups=["Geflüchtete", "Familien"],
            regions=["weisswasser"],
            contacts=[contact("address", "Straße der Einheit 5, 02943 Weißwasser")],
        ),
        organisation(
            "rechtsberatung-leipzig",
            "Rechtsberatung Leipzig",
            "counselling_service",
            description="Offene Sprechstunde am Dienstag.",
            regions=["leipzig"],
            contacts=[contact("address", "Dresdner Strasse 12, 04103 Leipzig")],
        ),
        organisation(
            "auslaenderrat-leipzig",
            "Ausländerrat Leipzig e.V.",
            description="Begegnungsstätte; bietet auch Rechtsberatung und Sozialberatung an.",
            regions=["leipzig"],
        ),
        organisation(
            "kulturbruecke",
            "Kulturbrücke",
            "project",
            description="Kurse für <b>alle</b> & jeden: Tanz, Musik und Beratungen im Stadtteil.",
        ),
        *(
            organisation(
                f"sprachcafe-{n:02d}",
                f"Sprachcafé {n:02d}",
                "project",
                description="Deutschkurse mit Beratung.",
                contacts=[contact("email", f"info@sprachcafe-{n:02d}.de")],
            )
            for n in range(1, SPRACHCAFES + 1)
        ),
    ]
    by_slug = {o["slug"]: o for o in organisations}
    for slug, replacement in changes.items():
        if replacement is None:
            by_slug.pop(slug.replace("_", "-"))
        else:
            by_slug[slug.replace("_", "-")] = replacement
    return SeedFile.model_validate(
        {
            "source": SOURCE,
            "regions": REGIONS,
            "organisations": list(by_slug.values()),
            "relations": [
                {
                    "subject": "opferberatung-raa-sachsen",
                    "type": "member_of",
                    "object": "netzwerk-integration-goerlitz",
                    "slide": 1,
                    "section": "Test",
                }
            ],
        }
    )


def write(url: str, seed: SeedFile) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            load(session, seed)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def small_url(databases: Databases) -> Iterator[str]:
    """A migrated database holding the small directory, shared read-only by the module."""
    url = databases.create()
    migrate(url)
    write(url, directory())
    yield url
    databases.drop(url)


@pytest.fixture(scope="module")
def small(small_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=small_url))) as client:
        yield client


@pytest.fixture
def writable(migrated_database: str, client_for: Callable[[str], TestClient]) -> TestClient:
    """A client on a private database with the small directory, for tests that write."""
    write(migrated_database, directory())
    return client_for(migrated_database)


def dialect(client: TestClient) -> str:
    return client.app.state.engine.dialect.name  # type: ignore[attr-defined,no-any-return]


def search(client: TestClient, q: str, **params: Any) -> dict[str, Any]:
    response = client.get("/search", params={"q": q, "limit": 200, **params})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def found(client: TestClient, q: str, **params: Any) -> list[str]:
    """`type:slug` of every hit, best first."""
    return [f"{h['type']}:{h['slug']}" for h in search(client, q, **params)["items"]]


def slugs(client: TestClient, path: str, q: str, **params: Any) -> list[str]:
    response = client.get(path, params={"q": q, "limit": 200, **params})
    assert response.status_code == 200, response.text
    key = "value" if path == "/contacts" else "slug"
    return [item[key] for item in response.json()["items"]]


def assert_invalid_q(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM
    body = response.json()
    assert body["type"] == "/problems/invalid-parameter"
    assert [p["name"] for p in body["invalid_params"]] == ["q"]
    assert "q" in body["detail"]


# --- German that people type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Görlitz", {"region:goerlitz", "region:landkreis-goerlitz"}),
        ("Goerlitz", {"region:goerlitz", "region:landkreis-goerlitz"}),
        ("GÖRLITZ", {"region:goerlitz", "region:landkreis-goerlitz"}),
        ("görlitz", {"region:goerlitz", "region:landkreis-goerlitz"}),
        ("Weißwasser", {"region:weisswasser"}),
        ("Weisswasser", {"region:weisswasser"}),
        ("WEISSWASSER", {"region:weisswasser"}),
    ],
)
def test_umlauts_and_sharp_s_match_both_ways(
    small: TestClient, query: str, expected: set[str]
) -> None:
    hits = set(found(small, query))
    assert expected <= hits
    network = "network:netzwerk-integration-goerlitz"
    assert (network in hits) == ("rlitz" in query.lower())
    assert ("organisation:fluechtlingshilfe-weisswasser" in hits) == ("w" in query.lower())


@pytest.mark.parametrize("query", ["Straße", "Strasse", "STRASSE", "straße"])
def test_strasse_and_strasse_are_one_word(small: TestClient, query: str) -> None:
    assert {h["name"] for h in search(small, query)["items"]} == {
        "Straße der Einheit 5, 02943 Weißwasser",
        "Dresdner Strasse 12, 04103 Leipzig",
    }


def test_a_network_hit_is_typed_network(small: TestClient) -> None:
    (hit,) = search(small, "Netzwerk Integration")["items"]
    assert hit["type"] == "network"
    assert hit["kind"] == "network"
    assert hit["name"] == "Netzwerk Integration Görlitz"
    assert hit["url"] == "http://testserver/networks/netzwerk-integration-goerlitz"
    network = small.get(hit["url"]).json()
    assert network["slug"] == "netzwerk-integration-goerlitz"
    assert "members" in network


def test_organisation_and_network_hits_link_to_their_own_resources(client: TestClient) -> None:
    hits = search(client, "Migration", type=["organisation", "network"])["items"]
    assert {h["type"] for h in hits} == {"organisation", "network"}
    for hit in hits:
        resource = "networks" if hit["type"] == "network" else "organisations"
        assert hit["url"] == f"http://testserver/{resource}/{hit['slug']}"
        response = client.get(hit["url"])
        assert response.status_code == 200, hit["url"]
        assert response.json()["slug"] == hit["slug"]


@pytest.mark.parametrize("query", ["Opferber", "opferb", "RAA Opferber", "Opferberatung"])
def test_the_last_word_matches_as_a_prefix(small: TestClient, query: str) -> None:
    assert found(small, query)[0] == "organisation:opferberatung-raa-sachsen"


def test_only_the_last_word_is_a_prefix(small: TestClient) -> None:
    assert found(small, "RAA Opferber")[0] == "organisation:opferberatung-raa-sachsen"
    assert found(small, "Opferberatung RA")[0] == "organisation:opferberatung-raa-sachsen"
    # `Opferber` is no whole word anywhere, so before another word it finds nothing.
    assert found(small, "Opferber RAA") == []


def test_every_word_must_occur(small: TestClient) -> None:
    assert found(small, "Rechtsberatung Leipzig", type="organisation") == [
        "organisation:rechtsberatung-leipzig",
        "organisation:auslaenderrat-leipzig",
    ]
    assert search(small, "Rechtsberatung Görlitz")["total"] == 0


def test_inflected_forms(small: TestClient) -> None:
    """Other forms of a word match it on both engines: PostgreSQL's German stemmer
    conflates them, and SQLite asks its index for the forms that share the stem.

    `Beratungen` finds the word itself and `Beratung`; `Leipziger`, in no record,
    finds Leipzig as it is, without a correction to report.
    """
    beratungen = set(found(small, "Beratungen"))
    leipziger = search(small, "Leipziger")
    found_leipziger = {f"{h['type']}:{h['slug']}" for h in leipziger["items"]}
    assert "organisation:kulturbruecke" in beratungen  # the word itself
    assert "organisation:opferberatung-raa-sachsen" in beratungen  # "Beratung"
    assert "organisation:sprachcafe-01" in beratungen
    assert "region:leipzig" in found_leipziger
    assert "organisation:rechtsberatung-leipzig" in found_leipziger
    assert leipziger["did_you_mean"] is None


def test_an_inflected_word_matches_every_form_of_its_stem(small: TestClient) -> None:
    """A whole word before another finds the other forms of its stem as typed, with no
    correction to report (`Beratungen Chemnitz` finds „Beratung … in Chemnitz“); a form
    shares the stem, not only the start (`Berater` finds Beratung, but `Beratungen`
    does not find the compound Beratungsstelle's own words)."""
    chemnitz = search(small, "Beratungen Chemnitz", type="organisation")
    assert [h["slug"] for h in chemnitz["items"]] == ["opferberatung-raa-sachsen"]
    assert chemnitz["did_you_mean"] is None
    berater = set(found(small, "Berater"))
    assert {"organisation:kulturbruecke", "organisation:sprachcafe-01"} <= berater
    assert "organisation:rechtsberatung-leipzig" not in berater  # Rechtsberatung: no form


def brute_force(client: TestClient, query: str, forms: bool = False) -> set[str]:
    """`type:slug` of every record whose folded text holds the query's words, read row by row;
    with `forms`, a word also matches the words sharing its German stem (of three letters
    or more), as SQLite conflates them."""
    *whole, last = fold_words(query)

    def same_stem(word: str, term: str) -> bool:
        return forms and len(stem(term)) >= MIN_STEM_LENGTH and stem(word) == stem(term)

    def matches(text: str) -> bool:
        words = set(fold_words(text))
        return all(w in words or any(same_stem(x, w) for x in words) for w in whole) and any(
            x.startswith(last) or same_stem(x, last) for x in words
        )

    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        organisations = connection.execute(
            text("SELECT kind, slug, search_text FROM organisation")
        ).all()
        regions = connection.execute(text("SELECT slug, name_key FROM region")).all()
        contacts = connection.execute(text("SELECT id, value_key FROM contact")).all()
    return (
        {
            f"{'network' if kind in NETWORK_KINDS else 'organisation'}:{slug}"
            for kind, slug, search_text in organisations
            if matches(search_text)
        }
        | {f"region:{slug}" for slug, name_key in regions if matches(name_key)}
        | {f"contact:{id_}" for id_, value_key in contacts if matches(value_key)}
    )


@pytest.mark.parametrize(
    "query", ["Beratung", "beratung leipzig", "Kurse", "Deutschkurse Berat", "Gefl", "rechter"]
)
def test_matches_are_those_of_the_folded_words(small: TestClient, query: str) -> None:
    """Each engine against a brute-force match over the folded text it indexes."""
    hits = set(found(small, query))
    if dialect(small) == "sqlite":
        assert hits == brute_force(small, query, forms=True)
    else:  # PostgreSQL's stems conflate short stems too, and never lose a word match
        assert hits >= brute_force(small, query, forms=True)
    assert brute_force(small, query) <= hits


# --- Ranking and snippets ---------------------------------------------------------------------


def test_a_name_hit_ranks_above_a_description_hit(small: TestClient) -> None:
    hits = found(small, "Rechtsberatung")
    assert hits.index("organisation:rechtsberatung-leipzig") < hits.index(
        "organisation:auslaenderrat-leipzig"
    )


def test_a_short_name_ranks_like_a_name(small: TestClient) -> None:
    assert found(small, "RAA")[0] == "organisation:opferberatung-raa-sachsen"


def test_hits_of_every_type(small: TestClient) -> None:
    hits = search(small, "Weißwasser")["items"]
    assert {h["type"] for h in hits} == {"region", "organisation", "contact"}
    by_type = {h["type"]: h for h in hits}
    assert by_type["region"]["slug"] == "weisswasser"
    assert by_type["region"]["url"] == "http://testserver/regions/weisswasser"
    assert by_type["contact"]["name"] == "Straße der Einheit 5, 02943 Weißwasser"
    assert by_type["contact"]["kind"] == "address"
    assert by_type["contact"]["url"] == f"http://testserver/contacts/{by_type['contact']['slug']}"
    assert small.get(by_type["contact"]["url"]).json()["value"] == by_type["contact"]["name"]


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["network"], {"network"}),
        (["organisation"], {"organisation"}),
        (["region", "contact"], {"region", "contact"}),
        (["organisation", "network"], {"organisation", "network"}),
    ],
)
def test_type_filter(small: TestClient, types: list[str], expected: set[str]) -> None:
    for query in ["Görlitz", "Weißwasser", "Opferberatung", "Leipzig"]:
        all_hits = search(small, query)["items"]
        hits = search(small, query, type=types)
        assert {h["type"] for h in hits["items"]} <= expected
        assert hits["items"] == [h for h in all_hits if h["type"] in expected]
        assert hits["total"] == len(hits["items"])


def test_unknown_type_is_a_422(small: TestClient) -> None:
    response = small.get("/search", params={"q": "Leipzig", "type": "person"})
    assert response.status_code == 422
    assert [p["name"] for p in response.json()["invalid_params"]] == ["type"]


def test_snippets_mark_the_matching_words(small: TestClient) -> None:
    (hit,) = search(small, "rechter Gewalt")["items"]
    assert hit["slug"] == "opferberatung-raa-sachsen"
    assert "<mark>rechter</mark> <mark>Gewalt</mark>" in hit["snippet"]
    region = search(small, "goerlitz", type="region")["items"]
    assert {h["snippet"] for h in region} == {
        "<mark>Görlitz</mark>",
        "Landkreis <mark>Görlitz</mark>",
    }
    prefix = search(small, "Opferber", type="contact")["items"]
    assert [h["snippet"] for h in prefix] == ["<mark>Opferberatung</mark> Chemnitz"]


def test_snippets_are_escaped_html(small: TestClient) -> None:
    (hit,) = search(small, "Tanz")["items"]
    assert hit["slug"] == "kulturbruecke"
    assert hit["snippet"] == (
        "Kurse für &lt;b&gt;alle&lt;/b&gt; &amp; jeden: <mark>Tanz</mark>, Musik und "
        "Beratungen im Stadtteil."
    )
    assert "<" not in MARK.sub("", hit["snippet"])


def test_snippet_function() -> None:
    query = parse_query("Weisswasser Caf")
    long = " ".join(["Wort"] * 40) + " in Weißwasser: Café <script> " + " ".join(["x"] * 40)
    result = snippet([None, "", long, "Weißwasser"], query)
    assert result.startswith("… Wort")
    assert result.endswith(" …")
    assert "<mark>Weißwasser</mark>: <mark>Café</mark> &lt;script&gt;" in result
    assert snippet(["Nichts davon", "Auch nicht"], query) == "Nichts davon"


# --- Pagination and sorting -------------------------------------------------------------------


def walk(client: TestClient, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    response = client.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if not body["links"]["next"]:
            return items
        response = client.get(body["links"]["next"])


@pytest.mark.parametrize("limit", [1, 3, 5])
def test_cursor_pages_visit_every_hit_once(small: TestClient, limit: int) -> None:
    everything = search(small, "Beratung")
    assert everything["total"] > SPRACHCAFES
    pages = walk(small, "/search", {"q": "Beratung", "limit": limit})
    assert [(h["type"], h["slug"]) for h in pages] == [
        (h["type"], h["slug"]) for h in everything["items"]
    ]
    assert len({(h["type"], h["slug"]) for h in pages}) == everything["total"]


def test_tied_scores_go_by_type_then_id(small: TestClient) -> None:
    cafes = [h for h in found(small, "Deutschkurse")]
    assert cafes == [f"organisation:sprachcafe-{n:02d}" for n in range(1, SPRACHCAFES + 1)]


def test_a_cursor_belongs_to_its_query(small: TestClient) -> None:
    first = search(small, "Beratung", limit=2)
    cursor = first["links"]["next"].split("cursor=")[1]
    response = small.get("/search", params={"q": "Deutschkurse", "cursor": cursor})
    assert response.status_code == 422
    assert [p["name"] for p in response.json()["invalid_params"]] == ["cursor"]


# --- Ranking the name hits, and what the bounds cannot rule out -------------------------------

# Names that start a word with "Beratung", and a short contact that is the word four times
# over: it outranks the long name hits without being one, which only its bound can show.
BERATUNGSSTELLEN = {
    f"beratungsstelle_{n}": organisation(
        f"beratungsstelle-{n}",
        f"Beratungsstelle {n.title()}",
        "counselling_service",
        description="Offene Sprechstunde für alle, die Rat suchen, mit Sprachmittlung in "
        "vielen Sprachen, nach Absprache auch zu Hause oder in der Unterkunft.",
        contacts=[contact("email", f"info@{n}.example")],
    )
    for n in ("nord", "sued", "ost", "west")
}
ECHO = organisation(
    "kontaktstelle-echo",
    "Kontaktstelle Echo",
    description="Offene Tür.",
    contacts=[contact("email", "beratung@beratung-beratung-beratung-beratung.de")],
)
BOUNDED_QUERIES = [
    "Beratung",
    "Berat",
    "Beratungsstelle",
    "Beratung Sprechstunde",
    "Sprechstunde",
    "Leipzig",
    "Deutschkurse",
    "Weißwasser",
    "Opferberatung",
    "info",
    "Ber",
    "Sprachcafé",
]


def ranked_pages(
    url: str, q: str, types: list[HitType], limit: int
) -> list[tuple[str, str, str | None]]:
    """Every hit of `q`, page by page through the service: (type, slug, next cursor)."""
    engine = make_engine(url)
    pages: list[tuple[str, str, str | None]] = []
    cursor = None
    try:
        with Session(engine) as session:
            while True:
                page = PageRequest(limit, cursor)
                window = search_service.search(session, parse_query(q), types, page, "http://t")
                pages += [(h.type.value, h.slug, window.next_cursor) for h in window.rows]
                assert window.total >= len(pages)
                if window.next_cursor is None:
                    return pages
                cursor = window.next_cursor
    finally:
        engine.dispose()


def test_name_hits_and_bounds_rank_like_ranking_everything(
    migrated_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forced at any size, the detour through the name hits gives every page, cursor and
    score of ranking every match, also where a record without a name hit is best."""
    write(migrated_database, directory(kontaktstelle_echo=ECHO, **BERATUNGSSTELLEN))
    real = index._bound
    unruled: list[frozenset[tuple[Doc, int]] | None] = []

    class Recorded:
        def __init__(self, bound: Any) -> None:
            self.bound = bound

        def unruled(self, session: Session, docs: Any, score: float) -> Any:
            found = self.bound.unruled(session, docs, score)
            unruled.append(found)
            return found

    def recording(session: Session, query: Any, matches: int | None) -> Recorded | None:
        bound = real(session, query, matches)
        return None if bound is None else Recorded(bound)

    cases = [
        (q, types, limit)
        for q in BOUNDED_QUERIES
        for types in ([], [HitType.organisation], [HitType.contact], [HitType.network])
        for limit in (1, 2, 5)
    ]
    with monkeypatch.context() as patched:
        patched.setattr(index, "RANK_ALL_BELOW", 0)
        patched.setattr(index, "_bound", recording)
        bounded = [ranked_pages(migrated_database, *case) for case in cases]
    with monkeypatch.context() as patched:
        patched.setattr(index, "_bound", lambda *_: None)
        everything = [ranked_pages(migrated_database, *case) for case in cases]
    for case, by_bounds, all_ranked in zip(cases, bounded, everything, strict=True):
        assert by_bounds == all_ranked, case
    assert any(u for u in unruled), "no record without a name hit needed ranking"
    assert frozenset() in unruled, "the bounds never settled a page alone"
    # Contacts have no name: the best hit of `Beratung` is one (Echo's address holds the
    # word four times; a role „Berater“, a rare form, weighs as much on SQLite).
    first = ranked_pages(migrated_database, "Beratung", [], 3)
    assert first[0][0] == "contact"
    assert ("contact", str(contact_id(migrated_database, ECHO))) in {h[:2] for h in first[:2]}


def contact_id(url: str, record: dict[str, Any]) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT id FROM contact WHERE value = :v"),
                    {"v": record["contacts"][0]["value"]},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_a_broad_search_ranks_only_the_name_hits(
    migrated_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With enough name hits and nothing the bounds cannot rule out, the page is ranked
    from the name hits alone: the other matches are never scored."""
    write(migrated_database, directory(**BERATUNGSSTELLEN))
    monkeypatch.setattr(index, "RANK_ALL_BELOW", 0)
    narrowed: list[index.Within | None] = []
    real = index.all_matches

    def recording(session: Session, query: Any, docs: Any, within: Any = None) -> Any:
        narrowed.append(within)
        return real(session, query, docs, within)

    monkeypatch.setattr(search_service, "all_matches", recording)
    engine = make_engine(migrated_database)
    try:
        with Session(engine) as session:
            page = PageRequest(2, None)
            window = search_service.search(
                session, parse_query("Beratungsstelle"), [], page, "http://t"
            )
    finally:
        engine.dispose()
    assert {h.slug for h in window.rows} <= {o["slug"] for o in BERATUNGSSTELLEN.values()}
    assert window.total == len(BERATUNGSSTELLEN) and window.next_cursor
    assert index.NAME_HITS in narrowed
    assert None not in narrowed[narrowed.index(index.NAME_HITS) :], "every match was ranked"


# --- Hostile and empty queries ----------------------------------------------------------------

HOSTILE = [
    '"',
    "'",
    '""',
    '"Beratung',
    "()",
    "(Beratung",
    "Beratung)",
    "AND",
    "OR",
    "NOT",
    "Beratung AND",
    "OR Beratung",
    "NOT NOT NOT",
    "Beratung OR Leipzig",
    "NEAR(Beratung Leipzig)",
    "NEAR/2",
    "*",
    "Berat*",
    "* Beratung",
    "-Beratung",
    "Beratung -Leipzig",
    "!Beratung",
    "Beratung & Leipzig | Görlitz",
    "name:Beratung",
    "body : x",
    "^Beratung",
    "{Beratung}",
    "[Beratung]",
    "Beratung:*",
    "'Beratung':*",
    "'; DROP TABLE organisation; --",
    "1 OR 1=1",
    "\\",
    "\\\\'",
    "%",
    "_",
    "%_%",
    "🙂",
    "🙂 Beratung 🙂",
    "\x00",
    "Beratung\x00Leipzig",
    "\u202e\u200b",
    "\t\n",
    "<script>alert(1)</script>",
    "ß",
    "İstanbul",
    "ﬃ",
    "ﷺ" * 20,
    "ﷺ" * 200,
    "مرحبا بكم",
    "你好",
    "0",
    "-1",
    "1e308",
    "NaN",
    "a",
    "a" * MAX_QUERY_LENGTH,
    "a" * 10_000,
    "Beratung " * 1_200,
    " ".join(f"w{i}" for i in range(40)),
    " ".join(["Beratung"] * 60),
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_any_text_is_answered_never_with_a_500(small: TestClient, query: str) -> None:
    response = small.get("/search", params={"q": query})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert_invalid_q(response)
        return
    body = response.json()
    assert body["total"] >= len(body["items"])
    for item in body["items"]:
        if "snippet" in item:
            assert "<" not in MARK.sub("", item["snippet"])


def test_operators_are_words(small: TestClient) -> None:
    assert found(small, "Beratung OR Tanz") == []  # "or" is a word no record holds
    assert found(small, "Tanz -Musik") == ["organisation:kulturbruecke"]
    assert found(small, '"Tanz" (Musik*') == ["organisation:kulturbruecke"]
    assert found(small, "'; DROP TABLE organisation; --") == []
    assert small.get("/organisations").json()["total"] == 6 + SPRACHCAFES


WORDLESS = ["", " ", "\t", "!!!", "🙂", "-- * ()", '"']


@pytest.mark.parametrize("query", WORDLESS)
def test_a_query_without_words_is_a_422_naming_q(small: TestClient, query: str) -> None:
    assert_invalid_q(small.get("/search", params={"q": query}))


def test_q_is_required_on_search(small: TestClient) -> None:
    assert_invalid_q(small.get("/search"))


def test_overlong_queries_are_refused(small: TestClient) -> None:
    assert_limits(small, "/search")


def assert_limits(small: TestClient, path: str) -> None:
    assert small.get(path, params={"q": "a " * (MAX_QUERY_LENGTH // 2)}).status_code == 200
    assert_invalid_q(small.get(path, params={"q": "a " * (MAX_QUERY_LENGTH // 2) + "a"}))
    assert_invalid_q(small.get(path, params={"q": "a" * 10_000}))
    assert small.get(path, params={"q": "a" * MAX_WORD_LENGTH}).status_code == 200
    assert_invalid_q(small.get(path, params={"q": "a" * (MAX_WORD_LENGTH + 1)}))
    assert_invalid_q(small.get(path, params={"q": "ß" * (MAX_WORD_LENGTH // 2 + 1)}))  # ss…
    words = " ".join(f"w{i}" for i in range(MAX_WORDS))
    assert small.get(path, params={"q": words}).status_code == 200
    assert_invalid_q(small.get(path, params={"q": f"{words} w{MAX_WORDS}"}))


# --- The index follows every write ------------------------------------------------------------


def test_updates_are_searchable_at_once(writable: TestClient, migrated_database: str) -> None:
    assert found(writable, "Hausaufgabenhilfe") == ["organisation:fluechtlingshilfe-weisswasser"]
    changed = organisation(
        "fluechtlingshilfe-weisswasser",
        "Willkommensinitiative Weißwasser e.V.",
        description="Nachhilfe und Fahrradwerkstatt.",
        regions=["weisswasser"],
        contacts=[contact("address", "Marktplatz 1, 02943 Weißwasser")],
    )
    write(migrated_database, directory(fluechtlingshilfe_weisswasser=changed))
    assert found(writable, "Hausaufgabenhilfe") == []
    assert found(writable, "Flüchtlingshilfe") == []
    assert found(writable, "Fahrradwerkstatt") == ["organisation:fluechtlingshilfe-weisswasser"]
    assert (
        found(writable, "Willkommensinitiative")[0] == "organisation:fluechtlingshilfe-weisswasser"
    )
    assert found(writable, "Straße Einheit") == []  # the contact the loader removed
    assert [h["name"] for h in search(writable, "Marktplatz")["items"]] == [
        "Marktplatz 1, 02943 Weißwasser"
    ]


def test_region_renames_are_searchable(writable: TestClient, migrated_database: str) -> None:
    engine = make_engine(migrated_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE region SET name = 'Bad Muskau', name_key = 'bad muskau' "
                "WHERE slug = 'goerlitz'"
            )
        )
    engine.dispose()
    assert "region:goerlitz" not in found(writable, "Görlitz")
    assert found(writable, "Muskau") == ["region:goerlitz"]


def test_deletes_leave_the_index(writable: TestClient, migrated_database: str) -> None:
    assert "contact" in {h["type"] for h in search(writable, "Opferberatung")["items"]}
    engine = make_engine(migrated_database)
    with Session(engine) as session:
        record = session.execute(
            select(Organisation).where(Organisation.slug == "opferberatung-raa-sachsen")
        ).scalar_one()
        session.delete(record)
        session.commit()
    engine.dispose()
    # The organisation, and its contacts removed with it by ON DELETE CASCADE.
    assert found(writable, "Opferberatung") == []
    assert found(writable, "Jörg") == []
    assert search(writable, "Beratung")["total"] == SPRACHCAFES + 1  # + Kulturbrücke


def test_new_records_are_searchable(writable: TestClient, migrated_database: str) -> None:
    added = organisation(
        "zukunftswerkstatt-goerlitz",
        "Zukunftswerkstatt Görlitz",
        description="Neu im Verzeichnis.",
    )
    write(migrated_database, directory(zukunftswerkstatt_goerlitz=added))
    assert found(writable, "Zukunftswerk") == ["organisation:zukunftswerkstatt-goerlitz"]
    assert "organisation:zukunftswerkstatt-goerlitz" in found(writable, "Goerlitz")


def expected_bounds(url: str) -> dict[int, tuple[int, int]]:
    """SQLite's `search_bound` as it must be, from the folded texts (all ASCII here): per
    live entry its tokens and the most body tokens sharing their first characters."""

    def tokens(text_: str | None) -> list[str]:
        return re.findall(r"[0-9a-z]+", (text_ or "").lower())

    def entry(name: str, body: str) -> tuple[int, int]:
        words = tokens(body)
        prefixes = Counter(w[:PEAK_PREFIX] for w in words)
        return len(tokens(name)) + len(words), max(prefixes.values(), default=0)

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            organisations = connection.execute(
                text(
                    "SELECT id, name_key, short_name, search_text FROM organisation "
                    "WHERE deleted_at IS NULL"
                )
            ).all()
            regions = connection.execute(
                text("SELECT id, name_key FROM region WHERE deleted_at IS NULL")
            ).all()
            contacts = connection.execute(
                text("SELECT id, value_key FROM contact WHERE deleted_at IS NULL")
            ).all()
    finally:
        engine.dispose()
    expected = {
        id_ * 4 + Doc.organisation: entry(f"{name} {short or ''}", body)
        for id_, name, short, body in organisations
    }
    expected |= {id_ * 4 + Doc.region: entry(name, "") for id_, name in regions}
    expected |= {id_ * 4 + Doc.contact: entry("", value) for id_, value in contacts}
    return expected


def assert_bounds_current(url: str) -> None:
    """The bounds hold what the records say now: on SQLite one row per live index entry, on
    PostgreSQL the indexed ratio of each vector's peak to its log length, and every
    organisation's names part of its vector."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                stored = {
                    entry: (length, peak)
                    for entry, length, peak in connection.execute(
                        text("SELECT entry, length, peak FROM search_bound")
                    )
                }
                indexed = set(connection.execute(text("SELECT rowid FROM search_fts")).scalars())
                assert set(stored) == indexed
                assert stored == expected_bounds(url)
                return
            for table in ("organisation", "contact"):
                lexemes: dict[int, list[tuple[str, int]]] = {}
                for id_, lexeme, positions in connection.execute(
                    text(f"SELECT id, lexeme, positions FROM {table}, unnest(search_vector)")
                ):
                    lexemes.setdefault(id_, []).append((lexeme, max(len(positions or ()), 1)))
                ratios = dict(
                    connection.execute(
                        text(f"SELECT id, search_peak_ratio(search_vector) FROM {table}")
                    ).all()
                )
                assert set(lexemes) <= set(ratios), table
                for id_, ratio in ratios.items():
                    counted = lexemes.get(id_, [])
                    groups = Counter[str]()
                    for lexeme, n in counted:
                        groups[lexeme[:PEAK_PREFIX]] += n
                    length = sum(n for _, n in counted)
                    peak = max(groups.values(), default=0)
                    expected = peak / math.log(length + 1) if length else 0.0
                    assert ratio == pytest.approx(expected, rel=1e-12), (table, id_)
            names = connection.execute(
                text(
                    "SELECT count(*) FROM organisation WHERE NOT "
                    "tsvector_to_array(search_names) <@ tsvector_to_array(search_vector) "
                    "OR search_names = ''::tsvector"
                )
            ).scalar_one()
            assert names == 0
    finally:
        engine.dispose()


def test_bounds_follow_every_write(writable: TestClient, migrated_database: str) -> None:
    assert_bounds_current(migrated_database)
    changed = organisation(
        "fluechtlingshilfe-weisswasser",
        "Willkommensinitiative Weißwasser e.V.",
        description="Nachhilfe, Nachhilfe und nochmals Nachhilfe.",
        regions=["weisswasser"],
        contacts=[contact("address", "Marktplatz 1, 02943 Weißwasser")],
    )
    write(migrated_database, directory(fluechtlingshilfe_weisswasser=changed, **BERATUNGSSTELLEN))
    assert_bounds_current(migrated_database)
    engine = make_engine(migrated_database)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE region SET name_key = 'bad muskau bad' WHERE slug = 'goerlitz'")
            )
            connection.execute(
                text(
                    "UPDATE organisation SET deleted_at = CURRENT_TIMESTAMP "
                    "WHERE slug IN ('kulturbruecke', 'beratungsstelle-nord')"
                )
            )
            connection.execute(
                text("UPDATE contact SET deleted_at = CURRENT_TIMESTAMP WHERE kind = 'person'")
            )
        assert_bounds_current(migrated_database)
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE organisation SET deleted_at = NULL WHERE slug = 'kulturbruecke'")
            )
        with Session(engine) as session:
            record = session.execute(
                select(Organisation).where(Organisation.slug == "opferberatung-raa-sachsen")
            ).scalar_one()
            session.delete(record)
            session.commit()
    finally:
        engine.dispose()
    assert_bounds_current(migrated_database)
    assert "organisation:kulturbruecke" in found(writable, "Tanz")


def test_records_written_before_the_bounds_get_theirs(empty_database: str) -> None:
    # Written by today's code, then taken back to the schema before the bounds: the
    # records are there, their bounds are not.
    migrate(empty_database)
    write(empty_database, directory(kontaktstelle_echo=ECHO, **BERATUNGSSTELLEN))
    command.downgrade(alembic_config(empty_database), BEFORE_BOUNDS)
    engine = make_engine(empty_database)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE organisation SET deleted_at = CURRENT_TIMESTAMP "
                    "WHERE slug = 'kulturbruecke'"
                )
            )
    finally:
        engine.dispose()
    migrate(empty_database)
    assert_bounds_current(empty_database)
    # Deleted before the migration, out of the index and without a bound after it.
    assert not any(
        slug == "kulturbruecke" for _, slug, _ in ranked_pages(empty_database, "Tanz", [], 5)
    )


def test_postgres_answers_from_the_gin_indexes(small: TestClient) -> None:
    if dialect(small) != "postgresql":
        pytest.skip("the GIN indexes are PostgreSQL's; SQLite answers from the FTS5 table")
    engine = small.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        statement = select(all_matches(session, parse_query("Görlitz Netzw"), set(Doc)))
        compiled = statement.compile(dialect=engine.dialect)
        plan = "\n".join(
            session.connection()
            .exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)
            .scalars()
        )
    for table in ("organisation", "region", "contact"):
        assert f"search_{table}_vector" in plan, plan


# --- q on every list ------------------------------------------------------------------------


def test_q_on_lists_ranks_a_name_hit_first(small: TestClient) -> None:
    assert slugs(small, "/organisations", "Rechtsberatung", sort="relevance") == [
        "rechtsberatung-leipzig",
        "auslaenderrat-leipzig",
    ]


@pytest.mark.parametrize("query", ["Straße", "Strasse", "STRASSE"])
def test_q_on_lists_folds_like_search(small: TestClient, query: str) -> None:
    assert set(slugs(small, "/contacts", query)) == {
        "Straße der Einheit 5, 02943 Weißwasser",
        "Dresdner Strasse 12, 04103 Leipzig",
    }


@pytest.mark.parametrize(("path", "q"), [("/organisations", "Beratung"), ("/contacts", "info")])
def test_relevance_pages_on_lists(small: TestClient, path: str, q: str) -> None:
    key = "value" if path == "/contacts" else "slug"
    whole = slugs(small, path, q, sort="relevance")
    assert len(whole) > 2
    assert slugs(small, path, q) == whole  # relevance is the default with q
    paged = walk(small, path, {"q": q, "sort": "relevance", "limit": 2})
    assert [item[key] for item in paged] == whole
    assert len(set(whole)) == len(whole)


def test_lists_sort_search_results_by_name_too(small: TestClient) -> None:
    names = slugs(small, "/organisations", "Beratung", sort="-name")
    assert set(names) == set(slugs(small, "/organisations", "Beratung"))
    paged = walk(small, "/organisations", {"q": "Beratung", "sort": "-name", "limit": 4})
    assert [o["slug"] for o in paged] == names
    assert names[0] == "sprachcafe-12"


@pytest.mark.parametrize("path", ["/organisations", "/networks", "/contacts"])
def test_relevance_needs_q(small: TestClient, path: str) -> None:
    response = small.get(path, params={"sort": "relevance"})
    assert response.status_code == 422
    assert [p["name"] for p in response.json()["invalid_params"]] == ["sort"]
    assert small.get(path, params={"sort": "relevance", "q": "Görlitz"}).status_code == 200


def test_q_on_every_list(small: TestClient) -> None:
    assert slugs(small, "/organisations", "Goerlitz") == ["netzwerk-integration-goerlitz"]
    assert slugs(small, "/networks", "goerlitz") == ["netzwerk-integration-goerlitz"]
    assert slugs(small, "/networks", "Opferberatung") == []
    assert slugs(small, "/contacts", "raa chemnitz") == ["opferberatung.chemnitz@raa-sachsen.de"]
    assert set(slugs(small, "/contacts", "Weiss")) == {
        "Jörg Weiß",
        "Straße der Einheit 5, 02943 Weißwasser",
    }
    assert slugs(small, "/regions", "GOERLITZ") == ["goerlitz", "landkreis-goerlitz"]
    assert slugs(small, "/regions", "Landkreis G") == ["landkreis-goerlitz"]


def test_q_combines_with_filters_and_facets_count_the_result(small: TestClient) -> None:
    response = small.get(
        "/organisations", params={"q": "Beratung", "kind": "project", "facets": "kind,region"}
    )
    body = response.json()
    assert body["total"] == SPRACHCAFES + 1  # the Sprachcafés, and Kulturbrücke's "Beratungen"
    assert body["facets"]["kind"] == [{"value": "project", "label": None, "count": body["total"]}]
    everything = small.get("/organisations", params={"q": "Beratung", "facets": "kind"}).json()
    counts = {f["value"]: f["count"] for f in everything["facets"]["kind"]}
    assert sum(counts.values()) == everything["total"]
    for kind, count in counts.items():
        assert (
            small.get("/organisations", params={"q": "Beratung", "kind": kind}).json()["total"]
            == count
        )
    saxony = small.get("/organisations", params={"q": "Beratung", "region": "sachsen"}).json()
    assert [o["slug"] for o in saxony["items"]] == ["opferberatung-raa-sachsen"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_any_text_on_a_list_is_answered_never_with_a_500(
    small: TestClient, path: str, query: str
) -> None:
    response = small.get(path, params={"q": query})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert_invalid_q(response)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", WORDLESS)
def test_a_list_query_without_words_is_a_422_naming_q(
    small: TestClient, path: str, query: str
) -> None:
    assert_invalid_q(small.get(path, params={"q": query}))


@pytest.mark.parametrize("path", LISTS)
def test_overlong_list_queries_are_refused(small: TestClient, path: str) -> None:
    assert_limits(small, path)


# --- The seed -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Opferber", "organisation:opferberatung-raa-sachsen"),
        ("Goerlitz Netzwerk", "network:netzwerk-integration-stadt-goerlitz"),
        ("Weisswasser Netzwerk", "network:netzwerk-integration-nord-weisswasser-bad-muskau"),
        # A record named by the query word alone comes before texts that mention it.
        ("Leipzig", "region:leipzig"),
        ("Sachsen", "region:sachsen"),
        ("Görlitz", "region:goerlitz"),
        ("Dresden", "region:dresden"),
        ("Chemnitz", "region:chemnitz"),
        ("Beratung", "organisation:ibas"),
    ],
)
def test_seed_searches(client: TestClient, query: str, first: str) -> None:
    assert found(client, query)[0] == first


def test_seed_weisswasser(client: TestClient) -> None:
    assert set(found(client, "Weißwasser")[:2]) == {
        "region:weisswasser",
        "network:netzwerk-integration-nord-weisswasser-bad-muskau",
    }


@pytest.mark.parametrize("query", ["Härtefälle", "haertefaelle", "HÄRTEFÄLLE"])
def test_seed_topics_are_found_in_any_spelling_and_shown_as_spelled(
    client: TestClient, query: str
) -> None:
    """`härtefälle` is only a topic of these two: the index and the snippet both use it."""
    hits = {h["slug"]: h for h in search(client, query)["items"]}
    assert set(hits) == {"haertefallkommission", "saechsischer-auslaenderbeauftragter"}
    assert "<mark>härtefälle</mark>" in hits["haertefallkommission"]["snippet"]


def test_seed_goerlitz(client: TestClient) -> None:
    hits = found(client, "Goerlitz")
    assert {"region:goerlitz", "region:landkreis-goerlitz"} <= set(hits)
    assert "network:netzwerk-integration-stadt-goerlitz" in hits
    assert found(client, "Görlitz") == hits
    assert found(client, "GÖRLITZ") == hits


@pytest.mark.parametrize(
    "query", ["Opferber", "Goerl", "Weißw", "Netzwerk Integr", "raa sachs", "Chemn", "Flüchtl"]
)
def test_seed_results_are_the_same_on_both_engines(client: TestClient, query: str) -> None:
    """Words and prefixes (which the German stems do not widen) find the same on both."""
    hits = found(client, query)
    assert hits
    assert set(hits) == brute_force(client, query)


def search_slugs(client: TestClient, q: str, limit: int = 200) -> list[str]:
    return [f"{hit['type']}:{hit['slug']}" for hit in walk_list(client, "/search", {"q": q}, limit)]


@pytest.mark.parametrize(
    ("dropped", "spelled_out"),
    [
        ("gorlitz", "goerlitz"),
        ("Gorlitz", "Görlitz"),
        ("Dobeln", "Döbeln"),
        ("Sachsischer Fluchtlingsrat", "Sächsischer Flüchtlingsrat"),
        ("fluchtlingsr", "flüchtlingsr"),
    ],
)
def test_dropped_umlauts_find_what_the_umlauts_find(
    client: TestClient, dropped: str, spelled_out: str
) -> None:
    expected = search_slugs(client, spelled_out)
    assert expected, spelled_out
    assert search_slugs(client, dropped) == expected
    # Paged a few hits at a time, every page follows the same corrected form.
    assert search_slugs(client, dropped, limit=3) == expected


def test_the_refugee_council_is_found_without_umlauts(client: TestClient) -> None:
    first = client.get("/search", params={"q": "Sachsischer Fluchtlingsrat"}).json()["items"][0]
    assert first["slug"] == "saechsischer-fluechtlingsrat"


def test_a_query_that_finds_something_as_typed_is_not_widened(
    seeded_database: str, client_for: Callable[[str], TestClient]
) -> None:
    """`schon` and `schön` are different words: a search for `schon` that finds the
    first does not take in the second, as the dropped-umlaut retry would."""
    client = client_for(seeded_database)
    admin = auth_headers(seeded_database).admin
    for name in ("Schon da e.V.", "Schön hier e.V."):
        created = client.post(
            "/organisations", json={"name": name, "kind": "association"}, headers=admin
        )
        assert created.status_code == 201, created.text
    assert search_slugs(client, "schon") == ["organisation:schon-da-e-v"]
    assert search_slugs(client, "schoen") == ["organisation:schoen-hier-e-v"]


def test_a_word_found_nowhere_stays_found_nowhere(client: TestClient) -> None:
    body = client.get("/search", params={"q": "gorlitzzz quxabou"}).json()
    assert body["total"] == 0 and body["items"] == []


@pytest.mark.parametrize(
    ("typed", "meant", "first"),
    [
        ("opferberatng", "opferberatung", "organisation:opferberatung-raa-sachsen"),
        ("Opferbreatung", "opferberatung", "organisation:opferberatung-raa-sachsen"),
        ("Bautzn", "bautzen", "region:landkreis-bautzen"),
        ("Refugee Law Clnic", "refugee law clinic", "organisation:refugee-law-clinic-leipzig"),
        ("gorlitz", "goerlitz", "region:goerlitz"),
        ("Fluchtlingsrat", "fluechtlingsrat", "organisation:saechsischer-fluechtlingsrat"),
    ],
)
def test_a_query_without_hits_says_which_corrected_form_it_used(
    client: TestClient, typed: str, meant: str, first: str
) -> None:
    body = client.get("/search", params={"q": typed, "limit": 200}).json()
    assert body["did_you_mean"] == meant
    assert f"{body['items'][0]['type']}:{body['items'][0]['slug']}" == first
    # The corrected form answers exactly as if it had been typed.
    assert search_slugs(client, typed) == search_slugs(client, meant)
    assert client.get("/search", params={"q": meant}).json()["did_you_mean"] is None
    # Lists with `q` forgive the same way and say so.
    listed = client.get("/organisations", params={"q": typed, "limit": 200}).json()
    assert listed["did_you_mean"] == meant
    exact = client.get("/organisations", params={"q": meant, "limit": 200}).json()
    assert [o["slug"] for o in listed["items"]] == [o["slug"] for o in exact["items"]]


@pytest.mark.parametrize("typed", ["Drsdn", "Lepzg", "opfer12", "zzzzzz", "Riesa"])
def test_short_words_and_words_far_from_any_are_not_corrected(
    client: TestClient, typed: str
) -> None:
    body = client.get("/search", params={"q": typed}).json()
    assert (body["total"], body["did_you_mean"]) == (0, None)


def test_a_word_the_index_holds_is_not_corrected(client: TestClient) -> None:
    """`Dresden Opferberatng`: only the mistyped word changes."""
    body = client.get("/search", params={"q": "Dresden Opferberatng"}).json()
    assert body["did_you_mean"] == "dresden opferberatung"
    assert client.get("/search", params={"q": "Opferberatung"}).json()["did_you_mean"] is None


@pytest.mark.parametrize(
    ("inflected", "finds"),
    [
        ("Initiativen", "organisation:initiativkreis-menschen-wuerdig"),
        ("Netzwerke Görlitz", "network:netzwerk-integration-stadt-goerlitz"),
        ("Kampagnen", "organisation:kampagne-menschenwuerdiges-leben-und-wohnen"),
    ],
)
def test_inflected_words_find_their_other_forms_on_both_engines(
    client: TestClient, inflected: str, finds: str
) -> None:
    assert finds in search_slugs(client, inflected)


def test_contacts_forgive_as_the_other_lists_do(client: TestClient) -> None:
    body = client.get("/contacts", params={"q": "opferberatng chemnitz"}).json()
    assert body["did_you_mean"] == "opferberatung chemnitz"
    assert [c["value"] for c in body["items"]] == ["opferberatung.chemnitz@raa-sachsen.de"]


def test_a_correction_that_finds_nothing_here_gives_way_to_one_that_does(
    client: TestClient,
) -> None:
    """`musbau`: the first word one edit away that the index holds need not be a region's."""
    body = client.get("/search", params={"q": "musbau", "type": "region"}).json()
    assert body["did_you_mean"] == "muskau"
    assert [h["slug"] for h in body["items"]] == ["bad-muskau"]


def test_a_mirror_asking_for_deleted_records_too_gets_its_words_as_they_are(
    client: TestClient,
) -> None:
    body = client.get(
        "/organisations", params={"q": "opferberatng", "include_deleted": "true"}
    ).json()
    assert (body["total"], body["did_you_mean"]) == (0, None)


def test_stems_are_the_same_from_many_threads_at_once() -> None:
    words = ["beratungen", "fluechtlinge", "netzwerke", "initiativen", "kampagnen"] * 40
    expected = [stem_prefix(w) for w in words]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            found = list(pool.map(stem_prefix, words))
    finally:
        sys.setswitchinterval(interval)
    assert found == expected
