"""Region lookups and the region hierarchy."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, or_, select
from sqlmodel import Session, col

from app.db import as_utc, live, not_verified_since, stored_id
from app.errors import Gone, NotFound
from app.memo import filter_key, memoised
from app.organisations.models import Organisation, OrganisationRegion
from app.pagination import PageRequest, SearchWindow, SortKey, fetch_window, remembered_page
from app.reading import extended
from app.refs import OrganisationRef, RegionRef, organisation_url, region_url
from app.regions import places
from app.regions.models import Region
from app.regions.schemas import RegionDetail, RegionSummary
from app.search.forgiving import forgiving, text_matches
from app.search.index import Doc, restrict
from app.search.query import parse_query

NAME_ORDER = SortKey("name", (col(Region.name_key), col(Region.id)), (False, False), (str, int))
DIRECT_ORGANISATIONS_SHOWN = 200


@dataclass(frozen=True)
class RegionFilters:
    q: str | None = None
    kinds: Sequence[str] = ()
    parent: str | None = None
    updated_since: datetime | None = None
    verified_before: datetime | None = None
    include_deleted: bool = False


def find_region(session: Session, key: str, include_deleted: bool = False) -> Region | None:
    """A region by official code or slug; a deleted one only with `include_deleted`."""
    query = select(Region).where(or_(col(Region.code) == key, col(Region.slug) == key))
    if not include_deleted:
        query = query.where(live(Region))
    return session.execute(query).scalars().first()


def get_region(session: Session, key: str) -> Region:
    """The live region by code or slug: NotFound if none, Gone if deleted."""
    region = find_region(session, key, include_deleted=True)
    if region is None:
        raise NotFound("region", "code or slug", key)
    if region.deleted_at is not None:
        raise Gone("region", "code or slug", key, region.deleted_at)
    return region


def region_filter_ids(session: Session, key: str, param: str = "region") -> list[int]:
    """Ids of the region named by a filter parameter and of all regions below it."""
    return memoised(
        session,
        ("region tree", key, param),
        lambda: descendant_ids(session, region_param_id(session, key, param)),
    )


def descendant_ids(session: Session, region_id: int) -> list[int]:
    tree = select(col(Region.id)).where(col(Region.id) == region_id).cte("tree", recursive=True)
    # UNION, not UNION ALL: a cycle an operator's SQL made ends the walk instead of looping.
    tree = tree.union(
        select(col(Region.id)).where(col(Region.parent_id) == tree.c.id, live(Region))
    )
    return list(session.execute(select(tree.c.id)).scalars())


def regions_by_id(session: Session, ids: set[int]) -> dict[int, Region]:
    """Regions by id; one statement even for no ids, so that what a page costs does not
    depend on what its records hold."""
    return {
        r.id: r for r in session.execute(select(Region).where(col(Region.id).in_(ids))).scalars()
    }


def children_of(session: Session, region: Region) -> list[Region]:
    return list(
        session.execute(
            select(Region)
            .where(col(Region.parent_id) == region.id, live(Region))
            .order_by(col(Region.name_key), col(Region.id))
        ).scalars()
    )


def region_ref(region: Region, base: str) -> RegionRef:
    return RegionRef(**region_ref_fields(region, base))


def region_ref_fields(region: Region | Row[Any] | places.Candidate, base: str) -> dict[str, Any]:
    """The fields of a `RegionRef`, from a record, a row with code, slug, name and kind, or
    a place."""
    return {
        "code": region.code,
        "slug": region.slug,
        "name": region.name,
        "kind": region.kind,
        "url": region_url(base, region.code, region.slug),
    }


def region_summaries(session: Session, regions: Sequence[Region], base: str) -> list[RegionSummary]:
    parents = regions_by_id(session, {r.parent_id for r in regions if r.parent_id is not None})
    return [
        RegionSummary(
            **region_ref_fields(r, base),
            id=stored_id(r),
            parent=region_ref(parents[r.parent_id], base) if r.parent_id else None,
            note=r.note,
            version=r.version,
            updated_at=r.updated_at,
            valid_as_of=r.valid_as_of,
            last_verified_at=r.last_verified_at,
            deleted_at=r.deleted_at,
        )
        for r in regions
    ]


def list_regions(
    session: Session, filters: RegionFilters, page: PageRequest, base: str
) -> SearchWindow[RegionSummary]:
    return remembered_page(
        session,
        "regions page",
        filters,
        page,
        lambda: _regions_page(session, filters, page, base),
        base,
    )


def _regions_page(
    session: Session, filters: RegionFilters, page: PageRequest, base: str
) -> SearchWindow[RegionSummary]:
    query = select(Region)
    if not filters.include_deleted:
        query = query.where(live(Region))
    did_you_mean = None
    if filters.q:
        search = parse_query(filters.q)
        if not filters.include_deleted:  # a mirror's question is answered as it is asked
            forgiven = forgiving(session, search, text_matches(session, Doc.region))
            search, did_you_mean = forgiven.query, forgiven.did_you_mean
        # Full-text like every list; regions keep their name order (the list has no `sort`).
        query, _ = restrict(session, query, search, Doc.region)
    if filters.kinds:
        query = query.where(col(Region.kind).in_(filters.kinds))
    if filters.parent:
        query = query.where(
            col(Region.parent_id) == region_param_id(session, filters.parent, "parent")
        )
    if filters.updated_since:
        query = query.where(col(Region.updated_at) >= as_utc(filters.updated_since))
    if filters.verified_before:
        query = query.where(not_verified_since(Region, filters.verified_before))
    window = fetch_window(
        session, query, NAME_ORDER, page, count_key=filter_key("regions", filters), records=True
    )
    regions = [row[0] for row in window.rows]
    return SearchWindow(
        region_summaries(session, regions, base), window.total, window.next_cursor, did_you_mean
    )


def region_param_id(session: Session, key: str, param: str) -> int:
    """The id of the live region a filter parameter names by code, slug or name
    (app.regions.places): an InvalidParameter if none, or if the name is several regions'."""
    return places.resolve(session, key, param).id


def serving_ids(session: Session, key: str, param: str = "serves") -> list[int]:
    """Ids of the regions whose organisations serve the region `key` names: the region,
    every region below it, and every region above it up to the Land."""

    def serving() -> list[int]:
        region_id = region_param_id(session, key, param)
        above = places.places(session).ancestor_ids(region_id)
        return sorted({*descendant_ids(session, region_id), *above})

    return memoised(session, ("serving regions", key, param), serving)


def read_detail(session: Session, key: str, base: str) -> RegionDetail:
    """The live region by code or slug as its detail shows it."""
    return region_detail(session, get_region(session, key), base)


def _count_in_tree(session: Session, region: Region) -> int:
    in_tree = select(col(OrganisationRegion.organisation_id)).where(
        col(OrganisationRegion.region_id).in_(descendant_ids(session, stored_id(region)))
    )
    return session.execute(
        select(func.count())
        .select_from(Organisation)
        .where(col(Organisation.id).in_(in_tree), live(Organisation))
    ).scalar_one()


def region_detail(session: Session, region: Region, base: str) -> RegionDetail:
    (summary,) = region_summaries(session, [region], base)
    count = memoised(
        session, ("region organisations", region.id), lambda: _count_in_tree(session, region)
    )
    direct = session.execute(
        select(Organisation)
        .join(OrganisationRegion, col(OrganisationRegion.organisation_id) == col(Organisation.id))
        .where(col(OrganisationRegion.region_id) == region.id, live(Organisation))
        .order_by(col(Organisation.name_key), col(Organisation.id))
        .limit(DIRECT_ORGANISATIONS_SHOWN)
    ).scalars()
    key = region.code or region.slug
    return extended(
        RegionDetail,
        summary,
        children=[region_ref(c, base) for c in children_of(session, region)],
        organisations=[
            OrganisationRef(
                slug=o.slug, name=o.name, kind=o.kind, url=organisation_url(base, o.slug, o.kind)
            )
            for o in direct
        ],
        organisation_count=count,
        links={
            "organisations": f"{base}/organisations?region={key}",
            "contacts": f"{base}/contacts?region={key}",
        },
        created_at=region.created_at,
    )
