"""Walking the API's lists the way a client does, and the directory as a client sees it.

`Directory` reads every organisation, network, region and contact through the
API once, so tests can compute in Python what a filter or a facet should answer
and compare it with what the API answers.
"""

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi.testclient import TestClient

from app.folding import fold
from app.organisations.models import NETWORK_KINDS

Params = Mapping[str, str | int | Sequence[str]]
LINK = re.compile(r'<([^>]*)>;\s*rel="([^"]+)"')


def organisation_url(ref: Mapping[str, Any], base: str = "http://testserver") -> str:
    """Where a reference to an organisation must lead: networks are served with their members."""
    resource = "networks" if ref["kind"] in NETWORK_KINDS else "organisations"
    return f"{base}/{resource}/{ref['slug']}"


def get_json(client: TestClient, url: str, params: Params | None = None) -> Any:
    response = client.get(url, params=params)
    assert response.status_code == 200, f"{response.request.url}: {response.text}"
    return response.json()


def link_header(response: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(response.headers.get("link", ""))}


def assert_list_shape(response: httpx.Response, limit: int) -> dict[str, Any]:
    """The list envelope every collection answers with, and its RFC 8288 `Link` header."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"items", "total", "limit", "links"}
    assert isinstance(body["items"], list)
    assert isinstance(body["total"], int) and body["total"] >= len(body["items"])
    assert body["limit"] == limit
    assert len(body["items"]) <= limit
    links = body["links"]
    assert set(links) >= {"self", "first", "next"}
    assert links["self"] == str(response.request.url)
    assert "cursor=" not in links["first"]
    header = link_header(response)
    assert header["first"] == links["first"]
    if links["next"] is None:
        assert "next" not in header
    else:
        assert header["next"] == links["next"]
        assert "cursor=" in links["next"]
        assert len(body["items"]) == limit
    return body


def walk(
    client: TestClient, path: str, params: Params | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Every item of a list, following `links.next`; checks each page on the way."""
    url = httpx.URL(path).copy_merge_params({**(params or {}), "limit": limit})
    response = client.get(url)
    body = assert_list_shape(response, limit)
    total, items, pages = body["total"], list(body["items"]), 1
    while body["links"]["next"]:
        response = client.get(body["links"]["next"])
        body = assert_list_shape(response, limit)
        assert body["total"] == total, "total changed between pages"
        assert body["items"], "a next link led to an empty page"
        items += body["items"]
        pages += 1
        assert pages <= total + 1, "pagination does not end"
    assert len(items) == total
    return items


def facet_counts(body: dict[str, Any], name: str) -> dict[str | None, int]:
    values = body["facets"][name]
    counts = {v["value"]: v["count"] for v in values}
    assert len(counts) == len(values), f"facet {name} lists a value twice"
    assert all(c > 0 for c in counts.values()), f"facet {name} lists a zero count"
    return counts


@dataclass
class Directory:
    """Everything the API serves, read once, unfiltered."""

    organisations: dict[str, dict[str, Any]]  # slug → detail
    regions: dict[str, dict[str, Any]]  # slug → summary
    contacts: list[dict[str, Any]]
    networks: dict[str, dict[str, Any]]  # slug → summary with members
    ancestors: dict[str, set[str]] = field(default_factory=dict)  # region slug → itself and above

    @classmethod
    def read(cls, client: TestClient) -> "Directory":
        summaries = walk(client, "/organisations")
        details = {s["slug"]: get_json(client, s["url"]) for s in summaries}
        regions = {r["slug"]: r for r in walk(client, "/regions")}
        directory = cls(
            organisations=details,
            regions=regions,
            contacts=walk(client, "/contacts"),
            networks={n["slug"]: n for n in walk(client, "/networks")},
        )
        for slug in regions:
            chain, current = set(), regions[slug]
            while current is not None:
                assert current["slug"] not in chain, "region parents loop"
                chain.add(current["slug"])
                parent = current["parent"]
                current = regions[parent["slug"]] if parent else None
            directory.ancestors[slug] = chain
        return directory

    def region_slug(self, key: str) -> str:
        """A region's slug from its code or slug, as the API's `region` parameter accepts."""
        for slug, region in self.regions.items():
            if key in (slug, region["code"]):
                return slug
        raise KeyError(key)

    def within(self, region_slugs: Iterable[str], key: str) -> bool:
        """Whether any of the regions lies in (or is) the region `key`."""
        target = self.region_slug(key)
        return any(target in self.ancestors[slug] for slug in region_slugs)

    def members(self, network: str) -> set[str]:
        return {m["slug"] for m in self.networks[network]["members"]}

    def related(self, slug: str) -> set[str]:
        return {r["organisation"]["slug"] for r in self.organisations[slug]["relations"]}

    def contact_kinds(self, slug: str) -> set[str]:
        return {c["kind"] for c in self.contacts if c["organisation"]["slug"] == slug}

    def matches(self, slug: str, filters: Mapping[str, Sequence[str]]) -> bool:
        """Whether an organisation passes `filters` as the README defines them.

        Different filters combine with AND, the values of one filter with OR.
        """
        organisation = self.organisations[slug]
        tests = {
            "kind": lambda v: organisation["kind"] == v,
            "level": lambda v: organisation["level"] == v,
            "topic": lambda v: fold(v) in {fold(t) for t in organisation["topics"]},
            "region": lambda v: self.within([r["slug"] for r in organisation["regions"]], v),
            "network": lambda v: slug in self.members(v),
            "related_to": lambda v: slug in self.related(v),
            "has_contact": lambda v: v in self.contact_kinds(slug),
        }
        return all(any(tests[name](v) for v in values) for name, values in filters.items())

    def select(self, filters: Mapping[str, Sequence[str]], networks_only: bool = False) -> set[str]:
        pool = self.networks if networks_only else self.organisations
        return {slug for slug in pool if self.matches(slug, filters)}

    def facets(self, slugs: Iterable[str]) -> dict[str, dict[str | None, int]]:
        """Facet counts over the organisations `slugs`, counted one by one."""
        chosen = [self.organisations[s] for s in slugs]
        region_counts: Counter[str | None] = Counter()
        for organisation in chosen:
            linked = [r["slug"] for r in organisation["regions"]]
            covered = set().union(*(self.ancestors[r] for r in linked)) if linked else set()
            for region in covered:
                region_counts[self.regions[region]["code"] or region] += 1
        return {
            "kind": dict(Counter(o["kind"] for o in chosen)),
            "level": dict(Counter(o["level"] for o in chosen)),
            "topic": dict(Counter(fold(t) for o in chosen for t in o["topics"])),
            "region": dict(region_counts),
        }
