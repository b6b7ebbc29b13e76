"""Queries over contacts."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Executable, Row, Select, bindparam, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.contacts.models import Contact
from app.contacts.schemas import ContactPublic, ContactSummary
from app.db import as_utc, connection_of, live, not_verified_since, stored_id
from app.errors import Gone, InvalidParameter, NotFound
from app.memo import filter_key, memoised
from app.organisations import graph
from app.organisations.models import Organisation, OrganisationRegion
from app.pagination import (
    FacetedWindow,
    FacetValue,
    PageRequest,
    SortKey,
    fetch_window,
    remembered_page,
)
from app.refs import OrganisationRef, RegionRef, contact_url, organisation_url, region_url
from app.regions import service as region_service
from app.regions.models import Region
from app.search.forgiving import forgiving, text_matches
from app.search.index import Doc, relevance_order, restrict
from app.search.query import SearchQuery, parse_query
from app.sources import service as source_service


class ContactSort(StrEnum):
    id = "id"
    value = "value"
    value_desc = "-value"
    updated_at = "updated_at"
    updated_at_desc = "-updated_at"
    relevance = "relevance"


CONTACT_FACETS = ("kind",)


@dataclass(frozen=True)
class ContactFilters:
    """List filters: different filters combine with AND, repeated values of one with OR."""

    q: str | None = None
    kinds: Sequence[str] = ()
    organisations: Sequence[str] = ()
    regions: Sequence[str] = ()
    networks: Sequence[str] = ()
    related_to: Sequence[str] = ()
    updated_since: datetime | None = None
    verified_before: datetime | None = None
    include_deleted: bool = False


@dataclass(frozen=True)
class Selection:
    """The contacts a filter selects, and with `q` the relevance of each."""

    query: Select[Any]
    search: SearchQuery | None = None
    score: ColumnElement[float] | None = None
    did_you_mean: str | None = None


def select_contacts(session: Session, filters: ContactFilters) -> Selection:
    query = select(Contact)
    if not filters.include_deleted:
        query = query.where(live(Contact))
    search = score = did_you_mean = None
    if filters.q:
        search = parse_query(filters.q)
        if not filters.include_deleted:  # a mirror's question is answered as it is asked
            forgiven = forgiving(session, search, text_matches(session, Doc.contact))
            search, did_you_mean = forgiven.query, forgiven.did_you_mean
        query, score = restrict(session, query, search, Doc.contact)
    if filters.kinds:
        query = query.where(col(Contact.kind).in_(filters.kinds))
    if filters.organisations:
        query = query.where(
            col(Contact.organisation_id).in_(
                [graph.organisation_id(session, s, "organisation") for s in filters.organisations]
            )
        )
    if filters.regions:
        ids = {i for key in filters.regions for i in region_service.region_filter_ids(session, key)}
        organisations_there = select(col(OrganisationRegion.organisation_id)).where(
            col(OrganisationRegion.region_id).in_(ids)
        )
        # A contact's own city counts; without one, its organisation's regions do.
        query = query.where(
            col(Contact.region_id).in_(ids)
            | (
                col(Contact.region_id).is_(None)
                & col(Contact.organisation_id).in_(organisations_there)
            )
        )
    if filters.networks:
        network_ids = [
            graph.organisation_id(session, slug, "network", network=True)
            for slug in filters.networks
        ]
        query = query.where(col(Contact.organisation_id).in_(graph.member_ids(network_ids)))
    if filters.related_to:
        other_ids = [
            graph.organisation_id(session, slug, "related_to") for slug in filters.related_to
        ]
        query = query.where(col(Contact.organisation_id).in_(graph.related_ids(other_ids)))
    if filters.updated_since:
        query = query.where(col(Contact.updated_at) >= as_utc(filters.updated_since))
    if filters.verified_before:
        query = query.where(not_verified_since(Contact, filters.verified_before))
    return Selection(query, search, score, did_you_mean)


def sort_key(sort: ContactSort, selection: Selection | None = None) -> SortKey:
    if sort is ContactSort.relevance:
        if selection is None or selection.search is None or selection.score is None:
            raise InvalidParameter("sort", "sort=relevance needs a search text in q")
        return relevance_order(selection.search, selection.score, (col(Contact.id),), (int,))
    if sort is ContactSort.id:
        return SortKey(sort.value, (col(Contact.id),), (False,), (int,))
    column = col(Contact.updated_at) if sort.lstrip("-") == "updated_at" else col(Contact.value_key)
    kind = datetime if column is col(Contact.updated_at) else str
    desc = sort.startswith("-")
    return SortKey(sort.value, (column, col(Contact.id)), (desc, desc), (kind, int))


def list_contacts(
    session: Session,
    filters: ContactFilters,
    sort: ContactSort | None,
    page: PageRequest,
    base: str,
    facets: Sequence[str] = (),
) -> FacetedWindow[ContactPublic]:
    def compute() -> FacetedWindow[ContactPublic]:
        return _contacts_page(session, filters, sort, page, base, facets)

    return remembered_page(
        session, "contacts page", filters, page, compute, sort, base, tuple(facets)
    )


def _contacts_page(
    session: Session,
    filters: ContactFilters,
    sort: ContactSort | None,
    page: PageRequest,
    base: str,
    facets: Sequence[str],
) -> FacetedWindow[ContactPublic]:
    selection = select_contacts(session, filters)
    query = selection.query
    default = ContactSort.relevance if selection.search else ContactSort.id
    window = fetch_window(
        session,
        query,
        sort_key(sort or default, selection),
        page,
        count_key=filter_key("contacts", filters),
        records=True,
    )
    contacts = [row[0] for row in window.rows]
    return FacetedWindow(
        public_contacts(session, contacts, base),
        window.total,
        window.next_cursor,
        memoised(
            session, filter_key("contact facets", filters), lambda: _kind_counts(session, query)
        )
        if "kind" in facets
        else None,
        selection.did_you_mean,
    )


def _kind_counts(session: Session, query: Select[tuple[Contact]]) -> dict[str, list[FacetValue]]:
    matched = query.with_only_columns(col(Contact.kind)).order_by(None).subquery()
    rows = session.execute(select(matched.c.kind, func.count()).group_by(matched.c.kind))
    values = [FacetValue(value=kind, count=count) for kind, count in rows]
    return {"kind": sorted(values, key=lambda v: (-v.count, str(v.value)))}


def get_contact(session: Session, contact_id: int) -> Contact:
    """The live contact `contact_id`: NotFound if none, Gone if deleted."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("contact", "id", contact_id)
    if contact.deleted_at is not None:
        raise Gone("contact", "id", contact_id, contact.deleted_at)
    return contact


def read_detail(session: Session, contact_id: int, base: str) -> ContactPublic:
    """The live contact `contact_id` as its detail shows it."""
    (public,) = public_contacts(session, [get_contact(session, contact_id)], base)
    return public


contact_region = aliased(Region, name="contact_region")
_REGION_COLUMNS: tuple[Any, ...] = (
    col(contact_region.code).label("region_code"),
    col(contact_region.slug).label("region_slug"),
    col(contact_region.name).label("region_name"),
    col(contact_region.kind).label("region_kind"),
)
# Built once, as the other statements of a detail (app.organisations.service).
_OF_ORGANISATION: Executable = (
    select(
        col(Contact.id),
        col(Contact.kind),
        col(Contact.value),
        col(Contact.label),
        col(Contact.role),
        *_REGION_COLUMNS,
    )
    .outerjoin(contact_region, col(contact_region.id) == col(Contact.region_id))
    .where(col(Contact.organisation_id) == bindparam("id"), live(Contact))
    .order_by(col(Contact.id))
)


_OF_ORGANISATIONS: Executable = (
    select(
        col(Contact.organisation_id),
        col(Contact.id),
        col(Contact.kind),
        col(Contact.value),
        col(Contact.label),
        col(Contact.role),
        col(Contact.region_id),
        *_REGION_COLUMNS,
    )
    .outerjoin(contact_region, col(contact_region.id) == col(Contact.region_id))
    .where(col(Contact.organisation_id).in_(bindparam("ids", expanding=True)), live(Contact))
    .order_by(col(Contact.id))
)


def contacts_of_organisation(
    session: Session, organisation_id: int, base: str
) -> list[ContactSummary]:
    rows = connection_of(session).execute(_OF_ORGANISATION, {"id": organisation_id})
    return [_summary(row, base) for row in rows]


def contacts_of_organisations(
    session: Session, ids: Sequence[int], base: str
) -> dict[int, list[tuple[int | None, ContactSummary]]]:
    """Each organisation's contacts with the id of the place each is for (None: everywhere),
    in one statement however many organisations."""
    found: dict[int, list[tuple[int | None, ContactSummary]]] = {id_: [] for id_ in ids}
    for row in connection_of(session).execute(_OF_ORGANISATIONS, {"ids": list(ids)}):
        found[row.organisation_id].append((row.region_id, _summary(row, base)))
    return found


def _summary(row: Row[Any], base: str) -> ContactSummary:
    return ContactSummary(
        id=row.id,
        kind=row.kind,
        value=row.value,
        label=row.label,
        role=row.role,
        region=_region(row, base),
        url=contact_url(base, row.id),
    )


contact_organisation = aliased(Organisation, name="contact_organisation")
# What a contact's detail shows besides the contact itself, for a page of them at once.
_SURROUNDINGS: Executable = (
    select(
        col(Contact.id),
        col(contact_organisation.slug).label("organisation_slug"),
        col(contact_organisation.name).label("organisation_name"),
        col(contact_organisation.kind).label("organisation_kind"),
        *_REGION_COLUMNS,
        *source_service.SOURCE_COLUMNS,
    )
    .join(contact_organisation, col(contact_organisation.id) == col(Contact.organisation_id))
    .outerjoin(contact_region, col(contact_region.id) == col(Contact.region_id))
    .outerjoin(source_service.source, col(source_service.source.id) == col(Contact.source_id))
    .where(col(Contact.id).in_(bindparam("ids", expanding=True)))
)


def public_contacts(
    session: Session, contacts: Sequence[Contact], base: str
) -> list[ContactPublic]:
    """The contacts as their detail shows them, with their organisations, places and
    sources read in one statement however many they are."""
    ids = [stored_id(c) for c in contacts]
    found = {
        row.id: row
        for row in (connection_of(session).execute(_SURROUNDINGS, {"ids": ids}) if ids else [])
    }
    return [
        _public(contact, found[contact_id], base)
        for contact_id, contact in zip(ids, contacts, strict=True)
    ]


def _region(row: Row[Any], base: str) -> RegionRef | None:
    """The contact's own place, from a row with the `_REGION_COLUMNS`."""
    if row.region_slug is None:
        return None
    return RegionRef(
        code=row.region_code,
        slug=row.region_slug,
        name=row.region_name,
        kind=row.region_kind,
        url=region_url(base, row.region_code, row.region_slug),
    )


def _public(contact: Contact, row: Row[Any], base: str) -> ContactPublic:
    region = _region(row, base)
    return ContactPublic(
        id=stored_id(contact),
        kind=contact.kind,
        value=contact.value,
        label=contact.label,
        role=contact.role,
        region=region,
        url=contact_url(base, stored_id(contact)),
        organisation=OrganisationRef(
            slug=row.organisation_slug,
            name=row.organisation_name,
            kind=row.organisation_kind,
            url=organisation_url(base, row.organisation_slug, row.organisation_kind),
        ),
        provenance=source_service.record_provenance(contact, source_service.joined_source(row)),
        version=contact.version,
        created_at=contact.created_at,
        updated_at=contact.updated_at,
        valid_as_of=contact.valid_as_of,
        last_verified_at=contact.last_verified_at,
        deleted_at=contact.deleted_at,
    )
