"""What the directory remembers of its changes: each record's history, and the change feed a
mirror follows from the seed load on.

Tests that write get a private copy of the seeded database (`editor`); the seed's own
history and feed are read from the session's shared `client`.
"""

import base64
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.editor import (
    PLAIN,
    Editor,
    assert_problem,
    feed_end,
    path_of,
    poll,
)
from tests.api.listing import walk
from tests.auth import ADMIN_NAME, WRITER_NAME

BON_COURAGE = "/organisations/bon-courage"
CLINIC = "/organisations/refugee-law-clinic-leipzig"
RUNDER_TISCH = "/organisations/runder-tisch-migration-landkreis-leipzig"
# "Telefonat mit dem Träger", percent-encoded as UTF-8.
PHONE_CALL = "Telefonat%20mit%20dem%20Tr%C3%A4ger"
FEED_ITEM_FIELDS = {"position", "resource", "action", "key", "version", "changed_at", "url"}
COLLECTIONS = {
    "organisation": "/organisations",
    "region": "/regions",
    "contact": "/contacts",
    "relation": "/relations",
}


@pytest.fixture
def editor(seeded_database: str, client_for: Callable[[str], TestClient]) -> Editor:
    return Editor.on(seeded_database, client_for)


def history(client: TestClient, path: str) -> list[dict[str, Any]]:
    response = client.get(f"{path}/history", params={"limit": 200}, headers=PLAIN)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["links"]["next"] is None
    items: list[dict[str, Any]] = body["items"]
    return items


def moment(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    assert parsed.utcoffset() == timedelta(0), text
    return parsed


def summary(items: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(path, action, version) of feed items, in feed order."""
    return [(path_of(i["url"]), i["action"], i["version"]) for i in items]


def transactions(items: list[dict[str, Any]]) -> list[set[tuple[str, str, int]]]:
    """(path, action, version) of feed items, grouped by the write that made them (each
    write's changes share its moment)."""
    groups: list[set[tuple[str, str, int]]] = []
    moments: list[str] = []
    for item in items:
        if not moments or item["changed_at"] != moments[-1]:
            groups.append(set())
            moments.append(item["changed_at"])
        groups[-1].update(summary([item]))
    assert len(set(moments)) == len(moments), "a write's changes lie together"
    return groups


def records(client: TestClient) -> dict[tuple[str, int], int]:
    """(resource, id) → version of every live record, read from the lists."""
    return {
        (resource, item["id"]): item["version"]
        for resource, path in COLLECTIONS.items()
        for item in walk(client, path)
    }


# --- History -------------------------------------------------------------------------------------


def test_the_seed_load_is_the_first_version_of_every_record(client: TestClient) -> None:
    for path in (BON_COURAGE, "/regions/borna", "/relations/1"):
        (entry,) = history(client, path)
        assert (entry["version"], entry["action"], entry["actor"]) == (1, "created", "seed")
        assert entry["source"].startswith("Seed: Praxis vor Ort")
        assert all(change["before"] is None for change in entry["changes"].values())
    (entry,) = history(client, BON_COURAGE)
    assert entry["changes"]["name"] == {"before": None, "after": "Bon Courage e.V."}


def test_history_is_newest_first_with_who_when_why_and_what(editor: Editor) -> None:
    editor.patched(BON_COURAGE, {"short_name": "BC"}, headers={"Change-Source": PHONE_CALL})
    editor.patched(
        BON_COURAGE,
        {"short_name": None, "description": "Bildung in Borna", "topics": ["bildung"]},
        headers={"Change-Source": "Brief vom Landratsamt Görlitz, 2026-11-30".encode()},
    )
    assert editor.verify(BON_COURAGE, auth=editor.auth.admin).status_code == 200
    entries = history(editor.client, BON_COURAGE)
    assert [(e["version"], e["action"]) for e in entries] == [
        (4, "updated"),
        (3, "updated"),
        (2, "updated"),
        (1, "created"),
    ]
    times = [moment(e["changed_at"]) for e in entries]
    assert times == sorted(times, reverse=True)
    assert [e["actor"] for e in entries] == [ADMIN_NAME, WRITER_NAME, WRITER_NAME, "seed"]
    assert [e["source"] for e in entries[:3]] == [
        None,
        "Brief vom Landratsamt Görlitz, 2026-11-30",
        "Telefonat mit dem Träger",
    ]
    assert entries[2]["changes"] == {"short_name": {"before": None, "after": "BC"}}
    assert entries[1]["changes"] == {
        "short_name": {"before": "BC", "after": None},
        "description": {"before": None, "after": "Bildung in Borna"},
        "topics": {"before": ["antifaschismus", "bildung", "projektarbeit"], "after": ["bildung"]},
    }
    verified = editor.json(BON_COURAGE)
    assert entries[0]["changes"] == {
        "last_verified_at": {
            "before": None,
            "after": entries[0]["changes"]["last_verified_at"]["after"],
        },
        "valid_as_of": {"before": "2015-04-16", "after": verified["valid_as_of"]},
    }
    assert moment(entries[0]["changes"]["last_verified_at"]["after"]) == moment(
        verified["last_verified_at"]
    )
    assert moment(entries[0]["changed_at"]) == moment(verified["updated_at"])


def test_a_change_shows_in_the_history_of_every_record_it_changes(editor: Editor) -> None:
    editor.patched(
        BON_COURAGE, {"name": "Bon Courage Borna e.V."}, headers={"Change-Source": "Satzung"}
    )
    for path in (RUNDER_TISCH, "/regions/borna", "/relations/37"):
        latest = history(editor.client, path)[0]
        assert (latest["version"], latest["action"], latest["source"]) == (2, "updated", "Satzung")
        assert "Bon Courage Borna e.V." in json.dumps(latest["changes"], ensure_ascii=False)
    relation = history(editor.client, "/relations/37")[0]
    assert relation["changes"]["object"]["after"]["name"] == "Bon Courage Borna e.V."


def test_the_change_source_note(editor: Editor) -> None:
    too_long = editor.patch(
        BON_COURAGE, {"short_name": "BC"}, headers={"Change-Source": "x" * 1001}
    )
    problem = assert_problem(too_long, 422, "invalid-body")
    assert problem["invalid_params"][0]["name"] == "Change-Source"
    assert problem["invalid_params"][0]["location"] == "header"
    blank = editor.patched(BON_COURAGE, {"short_name": "BC"}, headers={"Change-Source": "  "})
    assert blank["version"] == 2
    percent = editor.patched(
        BON_COURAGE, {"short_name": "B"}, headers={"Change-Source": "100% sicher"}
    )
    assert percent["version"] == 3
    assert [e["source"] for e in history(editor.client, BON_COURAGE)[:2]] == ["100% sicher", None]


def test_the_history_of_a_deleted_record_stays_readable(editor: Editor) -> None:
    clinic = editor.json(CLINIC)
    contact = path_of(clinic["contacts"][0]["url"])
    relation = path_of(clinic["relations"][0]["url"])
    editor.deleted(
        CLINIC,
        params={"cascade": "relations"},
        headers={"Change-Source": "Verein aufgelöst".encode()},
    )
    for path, version in ((CLINIC, 2), (contact, 2), (relation, 2)):
        assert_problem(editor.client.get(path), 410, "gone")
        latest, *_, first = history(editor.client, path)
        assert (latest["version"], latest["action"]) == (version, "deleted"), path
        assert (latest["actor"], latest["source"]) == (WRITER_NAME, "Verein aufgelöst")
        assert latest["changes"]["deleted_at"]["before"] is None
        assert latest["changes"]["deleted_at"]["after"]
        assert first["action"] == "created"
    created = editor.created(
        "/regions", {"name": "Heidenau", "kind": "municipality", "parent": "14628"}
    )
    editor.deleted("/regions/heidenau")
    assert [e["action"] for e in history(editor.client, "/regions/heidenau")] == [
        "deleted",
        "created",
    ]
    assert history(editor.client, "/regions/heidenau")[1]["version"] == created["version"]


def test_the_history_of_nothing_is_a_404(client: TestClient) -> None:
    for path in (
        "/organisations/gibt-es-nicht",
        "/regions/atlantis",
        "/contacts/99999",
        "/relations/99999",
    ):
        assert_problem(client.get(f"{path}/history"), 404, "not-found")


def test_history_pages_newest_first(editor: Editor) -> None:
    for short_name in ("A", "B", "C", "D"):
        editor.patched(BON_COURAGE, {"short_name": short_name})
    versions, url = [], f"{BON_COURAGE}/history?limit=2"
    while url:
        body = editor.json(url)
        versions += [e["version"] for e in body["items"]]
        url = body["links"]["next"]
    assert versions == [5, 4, 3, 2, 1]


def test_the_key_secret_is_in_no_answer(editor: Editor) -> None:
    # `wgw_<12 hex digits>_<secret>`: the part that is never stored.
    hidden = editor.secret[len("wgw_") + 12 + 1 :]
    assert len(hidden) == 43
    answers = [
        editor.create("/organisations", {"name": "Willkommen in Pirna", "kind": "association"}),
        editor.patch(BON_COURAGE, {"short_name": "BC"}),
        editor.patch(BON_COURAGE, {"short_name": 5}),
        editor.patch(BON_COURAGE, {"short_name": "x"}, if_match='"organisation-42-v1-r2"'),
        editor.verify(CLINIC),
        editor.delete(CLINIC, params={"cascade": "relations"}),
        editor.delete(BON_COURAGE),
        editor.client.get(f"{BON_COURAGE}/history"),
        editor.client.get(f"{CLINIC}/history"),
        editor.client.get("/organisations/willkommen-in-pirna/history"),
        editor.client.get("/keys", headers=editor.auth.admin),
        editor.client.get(f"/keys/{WRITER_NAME}", headers=editor.auth.admin),
    ]
    url: str | None = "/changes?limit=100"
    while url:
        answers.append(page := editor.client.get(url))
        url = page.json()["links"]["next"] if page.json()["items"] else None
    items, _ = poll(editor.client, "/changes?limit=200")
    answers += [editor.client.get(item["url"]) for item in items[-12:]]
    answers += [editor.client.get(f"{path_of(item['url'])}/history") for item in items[-12:]]
    for response in answers:
        text = response.text + "".join(f"{k}: {v}" for k, v in response.headers.items())
        assert hidden not in text, response.request.url
    entries = history(editor.client, BON_COURAGE)
    assert {e["actor"] for e in entries} == {WRITER_NAME, "seed"}


# --- The feed -----------------------------------------------------------------------------------


def test_the_seed_load_starts_the_feed(client: TestClient) -> None:
    items, _ = poll(client, "/changes?limit=200")
    assert all(set(item) == FEED_ITEM_FIELDS for item in items)
    positions = [item["position"] for item in items]
    assert positions == sorted(set(positions))
    assert {(i["action"], i["version"]) for i in items} == {("created", 1)}
    by_url = {item["url"]: item for item in items}
    assert len(by_url) == len(items), "each record is created once"
    assert {(i["resource"], client.get(i["url"]).json()["id"]) for i in items} == set(
        records(client)
    )
    for item in items:
        assert item["url"] == f"http://testserver{COLLECTIONS[item['resource']]}/{item['key']}"
    assert by_url["http://testserver/organisations/bon-courage"]["key"] == "bon-courage"
    # Regions by slug, which stays when a code is corrected: every item leads to its record.
    assert by_url["http://testserver/regions/sachsen"]["key"] == "sachsen"
    assert moment(items[0]["changed_at"]) <= moment(items[-1]["changed_at"])


def test_every_page_of_the_feed_links_to_the_next_the_last_and_an_empty_one_too(
    client: TestClient,
) -> None:
    total = client.get("/changes", params={"limit": 1}).json()["total"]
    url, seen, pages = "/changes?limit=50", 0, 0
    while True:
        response = client.get(url)
        assert response.status_code == 200
        page = response.json()
        assert page["total"] == total - seen
        assert page["limit"] == 50
        assert page["links"]["next"], url
        assert f'<{page["links"]["next"]}>; rel="next"' in response.headers["link"]
        pages += 1
        if not page["items"]:
            break
        seen += len(page["items"])
        url = page["links"]["next"]
    assert seen == total
    assert pages == total // 50 + (2 if total % 50 else 1)
    again = client.get(page["links"]["next"]).json()
    assert (again["items"], again["total"], again["links"]["next"]) == (
        [],
        0,
        page["links"]["next"],
    )


def test_a_forged_since_is_a_422(client: TestClient) -> None:
    organisations_cursor = client.get("/organisations?limit=1").json()["links"]["next"]
    forged = [
        "abc",
        httpx.URL(organisations_cursor).params["cursor"],
        base64.urlsafe_b64encode(b'{"s":"changes","k":["1"]}').decode(),
        base64.urlsafe_b64encode(b'{"s":"changes","k":[1,2]}').decode(),
        base64.urlsafe_b64encode(b'{"s":"changes","k":[1e300]}').decode(),
    ]
    for since in forged:
        problem = assert_problem(
            client.get("/changes", params={"since": since}), 422, "invalid-parameter"
        )
        assert [p["name"] for p in problem["invalid_params"]] == ["since"], since
    assert_problem(client.get("/changes", params={"limit": 0}), 422, "invalid-parameter")


def test_polling_the_next_link_returns_exactly_the_new_changes(editor: Editor) -> None:
    end = feed_end(editor.client)
    assert poll(editor.client, end) == ([], end)

    editor.patched(BON_COURAGE, {"short_name": "BC"})
    contact = editor.created(
        "/contacts", {"organisation": "bon-courage", "kind": "phone", "value": "03433 123456"}
    )
    items, end = poll(editor.client, end)
    # One write, one transaction: its changes come together, after those of the one before.
    assert transactions(items) == [
        {(BON_COURAGE, "updated", 2)},
        {(BON_COURAGE, "updated", 3), (path_of(contact["url"]), "created", 1)},
    ]
    positions = [i["position"] for i in items]
    assert positions == sorted(set(positions))
    assert poll(editor.client, end) == ([], end)

    editor.patched(BON_COURAGE, {"short_name": "BC"})  # no change, no item
    editor.deleted(path_of(contact["url"]))
    editor.verify("/regions/freital")
    items, later = poll(editor.client, end)
    assert transactions(items) == [
        {(path_of(contact["url"]), "deleted", 2), (BON_COURAGE, "updated", 4)},
        {("/regions/freital", "updated", 2)},
    ]
    assert items[0]["position"] > positions[-1]
    assert poll(editor.client, later) == ([], later)
    assert poll(editor.client, end)[0] == items  # the same link gives the same changes again


def test_a_cascade_delete_is_in_the_feed_record_by_record(editor: Editor) -> None:
    clinic = editor.json(CLINIC)
    end = feed_end(editor.client)
    editor.deleted(CLINIC, params={"cascade": "relations"})
    items, _ = poll(editor.client, end)
    deleted = {path_of(i["url"]) for i in items if i["action"] == "deleted"}
    assert deleted == {
        CLINIC,
        *(path_of(c["url"]) for c in clinic["contacts"]),
        *(path_of(r["url"]) for r in clinic["relations"]),
    }
    updated = {path_of(i["url"]) for i in items if i["action"] == "updated"}
    partners = {path_of(r["organisation"]["url"]) for r in clinic["relations"]}
    assert partners <= updated  # they showed the relations
    assert {"/regions/leipzig", "/regions/sachsen"} <= updated  # they list or count it
    for item in items:
        expected = 410 if item["action"] == "deleted" else 200
        assert editor.client.get(item["url"]).status_code == expected, item["url"]
    assert len({i["changed_at"] for i in items}) == 1  # one transaction


# --- A mirror built from the feed alone ---------------------------------------------------------


class Mirror:
    """A copy of the directory kept from the feed: each record by its feed URL."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.records: dict[str, tuple[str, dict[str, Any]]] = {}
        self.next = "/changes?limit=50"

    def sync(self) -> int:
        """Follow the feed to its end; the number of changes read."""
        items, self.next = poll(self.client, self.next)
        for item in items:
            response = self.client.get(item["url"], headers=PLAIN)
            if response.status_code == 410:
                self.records.pop(item["url"], None)
            else:
                assert response.status_code == 200, response.text
                self.records[item["url"]] = (item["resource"], response.json())
        return len(items)

    def versions(self) -> dict[tuple[str, int], int]:
        found = {(resource, r["id"]): r["version"] for resource, r in self.records.values()}
        assert len(found) == len(self.records), "one record under two URLs"
        return found

    def stale(self) -> list[str]:
        """The records whose copy is not what the directory shows now: a representation
        that changed with no change in the feed would be one."""
        return [
            url
            for url, (_, copy) in self.records.items()
            if self.client.get(url, headers=PLAIN).json() != copy
        ]


def test_a_mirror_from_the_feed_equals_the_directory(editor: Editor) -> None:
    mirror = Mirror(editor.client)
    assert mirror.sync() > 150
    assert mirror.versions() == records(editor.client)
    assert mirror.stale() == []

    # Writes of every kind, between polls.
    network = editor.created("/organisations", {"name": "Netzwerk Asyl Pirna", "kind": "network"})
    editor.created(
        "/relations", {"subject": "bon-courage", "type": "member_of", "object": network["slug"]}
    )
    editor.created(
        "/contacts", {"organisation": network["slug"], "kind": "email", "value": "info@nap.de"}
    )
    editor.patched("/regions/borna", {"name": "Große Kreisstadt Borna"})
    editor.deleted(CLINIC, params={"cascade": "relations"})
    assert mirror.sync() > 10
    assert mirror.versions() == records(editor.client)
    assert mirror.stale() == []

    editor.patched(BON_COURAGE, {"name": "Bon Courage Borna e.V."})
    editor.created("/regions", {"name": "Heidenau", "kind": "municipality", "parent": "14628"})
    # A code corrected: the region's URL changes, the mirror's record of it must not double.
    editor.patched("/regions/heidenau", {"code": "14628060"})
    editor.patched("/regions/freital", {"code": "14628110"})
    (member,) = editor.json(f"/organisations/{network['slug']}")["relations"]
    editor.patched(path_of(member["url"]), {"role": "Gründungsmitglied"})
    editor.verify("/regions/14628060")
    assert mirror.sync() > 10
    assert mirror.versions() == records(editor.client)
    assert mirror.stale() == []

    editor.deleted(f"/organisations/{network['slug']}", params={"cascade": "relations"})
    editor.put("/regions/heidenau", {"name": "Stadt Heidenau", "kind": "municipality"})
    mirror.sync()
    assert mirror.versions() == records(editor.client)
    assert mirror.stale() == []
    assert mirror.sync() == 0
