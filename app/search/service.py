"""Search across organisations, networks, regions and contacts, best match first."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from app.contacts.models import Contact
from app.db import connection_of
from app.memo import memoised, remembered
from app.organisations import service as organisation_service
from app.organisations.concepts import labels_by_organisation
from app.organisations.models import NETWORK_KINDS, Organisation
from app.pagination import PageRequest, SearchWindow, SortKey, Window
from app.reading import json_fragment
from app.refs import contact_url, organisation_url, region_url
from app.regions.models import Region
from app.search.forgiving import forgiving
from app.search.index import (
    DOC_BITS,
    DOC_MASK,
    Doc,
    Within,
    all_matches,
    ranked_window,
    relevance_order,
)
from app.search.query import SearchQuery, parse_query
from app.search.schemas import HitType, SearchHit
from app.search.snippets import snippet

__all__ = ["parse_query", "search"]

DOC_OF_TYPE = {
    HitType.organisation: Doc.organisation,
    HitType.network: Doc.organisation,
    HitType.region: Doc.region,
    HitType.contact: Doc.contact,
}


def search(
    session: Session,
    query: SearchQuery,
    types: Sequence[HitType],
    page: PageRequest,
    base: str,
) -> SearchWindow[Any]:
    """One page of hits of the given types (all if none), best first.

    Ties go by type (organisations and networks, regions, contacts), then id. The
    order needs only the index, so ranking costs no join; records are read for the
    page's hits alone. A broad query ranks its name hits and what the bound cannot
    rule out (app.search.index.ranked_window), the same page as ranking all.

    A query that finds nothing is tried again the way people mistype (dropped umlauts,
    inflections, one typo: app.search.forgiving): the first form that finds something
    answers, the same one for every page of it, and `did_you_mean` says which.
    """
    wanted = set(types) or set(HitType)
    found = _Search(session, wanted)
    forgiven = forgiving(session, query, found.total)
    window = found.page(forgiven.query, forgiven.total, page, base)
    return SearchWindow(window.rows, window.total, window.next_cursor, forgiven.did_you_mean)


class _Search:
    """The hits of queries over the entries of the wanted types."""

    def __init__(self, session: Session, wanted: set[HitType]) -> None:
        self.session, self.wanted = session, wanted
        self.docs = {DOC_OF_TYPE[t] for t in wanted}
        self.types = tuple(sorted(t.value for t in wanted))

    def hits(self, query: SearchQuery, within: Within | None) -> tuple[Select[Any], SortKey]:
        found = all_matches(self.session, query, self.docs, within)
        statement = select(found.c.doc, found.c.id)
        organisations = {HitType.organisation, HitType.network} & self.wanted
        if len(organisations) == 1:
            networks = select(col(Organisation.id)).where(col(Organisation.kind).in_(NETWORK_KINDS))
            is_network = found.c.id.in_(networks)
            statement = statement.where(
                (found.c.doc != int(Doc.organisation))
                | (is_network if HitType.network in self.wanted else ~is_network)
            )
        return statement, relevance_order(
            query, found.c.score, (found.c.doc, found.c.id), (int, int)
        )

    def key(self, query: SearchQuery) -> tuple[Any, ...]:
        return ("search", query.words, query.prefix, self.types)

    def total(self, query: SearchQuery) -> int:
        def count() -> int:
            counting = select(func.count()).select_from(self.hits(query, None)[0].subquery())
            return int(connection_of(self.session).execute(counting).scalar_one())

        return memoised(self.session, self.key(query), count)

    def page(self, query: SearchQuery, total: int, page: PageRequest, base: str) -> Window[Any]:
        # Without a type filter, the total is every entry matching the query.
        matches = total if self.wanted == set(HitType) else None

        def hits(within: Within | None) -> tuple[Select[Any], SortKey]:
            return self.hits(query, within)

        # Ranking a broad word costs milliseconds, and the page is the same until the next
        # write: it is kept for the revision, as the totals are.
        window = memoised(
            self.session,
            (*self.key(query), "page", page.cursor, page.limit),
            lambda: ranked_window(self.session, query, self.docs, page, hits, total, matches),
            lambda found: 1 + len(found.rows),
        )
        keys = [(Doc(row[0]), row[1]) for row in window.rows]
        records = hit_records(self.session, keys, query, base)
        return Window(records, window.total, window.next_cursor)


def hit_records(
    session: Session, keys: Sequence[tuple[Doc, int]], query: SearchQuery, base: str
) -> list[Any]:
    """The hits for `(doc, id)` pairs, in their order; those of this query and revision
    from earlier reads (app.memo), since marking the words in each costs more than
    finding them. A record deleted since the page was read is left out."""

    def build(entries: list[int]) -> dict[int, SearchHit]:
        ids: dict[Doc, list[int]] = {doc: [] for doc in Doc}
        for entry in entries:
            ids[Doc(entry & DOC_MASK)].append(entry >> DOC_BITS)
        hits: dict[int, SearchHit] = {}
        for doc, records in (
            (Doc.organisation, _organisation_hits(session, ids[Doc.organisation], query, base)),
            (Doc.region, _region_hits(session, ids[Doc.region], query, base)),
            (Doc.contact, _contact_hits(session, ids[Doc.contact], query, base)),
        ):
            for id_, hit in records:
                hits[id_ << DOC_BITS | doc] = hit
        return hits

    entries = [(id_ << DOC_BITS | doc, 0) for doc, id_ in keys]  # as the SQLite index numbers them
    kind = ("search hit", query.words, query.prefix)
    return remembered(session, kind, base, entries, build, json_fragment)


def _organisation_hits(
    session: Session, ids: list[int], query: SearchQuery, base: str
) -> list[tuple[int, SearchHit]]:
    organisations = _by_id(session, Organisation, ids)
    topics = organisation_service.topics_of(session, ids)
    labels = labels_by_organisation(session, ids)
    return [
        (
            o.id,
            SearchHit(
                type=HitType.network if o.kind in NETWORK_KINDS else HitType.organisation,
                slug=o.slug,
                name=o.name,
                kind=o.kind,
                # The description gives context, so it wins a tie with the name shown anyway.
                snippet=snippet(
                    [
                        o.description,
                        "; ".join(o.tasks),
                        "; ".join(o.target_groups),
                        o.name,
                        o.short_name,
                        "; ".join(o.names_in_source),
                        ", ".join(topics[o.id]),
                        *labels[o.id],
                    ],
                    query,
                ),
                url=organisation_url(base, o.slug, o.kind),
            ),
        )
        for o in organisations
    ]


def _region_hits(
    session: Session, ids: list[int], query: SearchQuery, base: str
) -> list[tuple[int, SearchHit]]:
    return [
        (
            r.id,
            SearchHit(
                type=HitType.region,
                slug=r.slug,
                name=r.name,
                kind=r.kind,
                snippet=snippet([r.name], query),
                url=region_url(base, r.code, r.slug),
            ),
        )
        for r in _by_id(session, Region, ids)
    ]


def _contact_hits(
    session: Session, ids: list[int], query: SearchQuery, base: str
) -> list[tuple[int, SearchHit]]:
    return [
        (
            c.id,
            SearchHit(
                type=HitType.contact,
                slug=str(c.id),
                name=c.value,
                kind=c.kind,
                snippet=snippet([c.label, c.role, c.value], query),
                url=contact_url(base, c.id),
            ),
        )
        for c in _by_id(session, Contact, ids)
    ]


def _by_id(session: Session, model: Any, ids: list[int]) -> list[Any]:
    # Also for no ids, so that a page costs the same statements whatever its hits are.
    return list(session.execute(select(model).where(model.id.in_(ids))).scalars())
