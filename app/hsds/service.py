"""Reads of the HSDS API: which organisations and services a request selects, a page of
them by number, and the read models they are written from (app.hsds.mapping).

Services are derived, one per offer of an organisation (else one for it), so a page of
services is cut from the list of service keys of the selected organisations: one
statement for the organisations, one for their offers, then the details of those on the
page alone.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, select
from sqlmodel import Session, col

from app.db import as_utc, live
from app.errors import InvalidParameter, NotFound
from app.hsds import mapping
from app.memo import memoised
from app.organisations import concepts
from app.organisations import service as organisation_service
from app.organisations.models import Organisation, OrganisationConcept
from app.organisations.schemas import OrganisationDetail
from app.search.index import Doc, restrict
from app.search.query import parse_query
from app.vocabularies.catalogue import FIELD_OF_SCHEME, catalogue


@dataclass(frozen=True)
class HsdsFilters:
    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: datetime | None = None


@dataclass(frozen=True)
class HsdsPage:
    total_items: int
    page_number: int
    per_page: int
    contents: list[Any]

    def envelope(self) -> dict[str, Any]:
        total_pages = max(1, math.ceil(self.total_items / self.per_page))
        return {
            "total_items": self.total_items,
            "total_pages": total_pages,
            "page_number": self.page_number,
            "size": len(self.contents),
            "first_page": self.page_number == 1,
            "last_page": self.page_number >= total_pages,
            "empty": not self.contents,
            "contents": self.contents,
        }


@dataclass(frozen=True)
class _Selected:
    id: int
    slug: str
    deleted: bool


def organisations_page(
    session: Session, filters: HsdsFilters, page: int, per_page: int, base: str
) -> tuple[int, list[OrganisationDetail]]:
    """The live organisations `filters` select (by id), and the details of page `page`."""
    selected = [s for s in _organisations(session, filters) if not s.deleted]
    shown = selected[(page - 1) * per_page : page * per_page]
    return len(selected), _details(session, [s.id for s in shown], base)


def services_page(
    session: Session, filters: HsdsFilters, page: int, per_page: int, base: str
) -> tuple[int, list[dict[str, Any]]]:
    """The services of the selected organisations (with `modified_after`, also those of
    organisations deleted since, as `defunct`), and page `page` of them, fully nested."""
    selected = _organisations(session, filters)
    offers = _offers(session, [s.id for s in selected])
    term = _term(filters.taxonomy_term_id)
    keys: list[tuple[_Selected, str | None]] = []
    for organisation in selected:
        for offer in _or_none(offers.get(organisation.id)):
            if term is not None and term[0] == mapping.OFFERS and offer != term[1]:
                continue
            if filters.taxonomy_id == mapping.taxonomy_id(mapping.OFFERS) and offer is None:
                continue
            keys.append((organisation, offer))
    shown = keys[(page - 1) * per_page : page * per_page]
    details = {d.id: d for d in _details(session, sorted({s.id for s, _ in shown}), base)}
    contents = []
    for organisation, offer in shown:
        detail = details[organisation.id]
        contents += [
            service
            for service in mapping.services(detail, organisation.deleted)
            if service["id"] == mapping.service_id(mapping.service_key(detail.slug, offer))
        ]
    return len(keys), contents


def service_by_id(session: Session, service_id: str, base: str) -> dict[str, Any]:
    for slug, offer in _service_keys(session):
        if mapping.service_id(mapping.service_key(slug, offer)) == service_id:
            detail = organisation_service.read_detail(session, slug, base)
            return next(s for s in mapping.services(detail) if s["id"] == service_id)
    raise NotFound("service", "id", service_id)


def organization_by_id(session: Session, organization_id: str, base: str) -> OrganisationDetail:
    slug = _slugs_by_uuid(session).get(organization_id)
    if slug is None:
        raise NotFound("organization", "id", organization_id)
    return organisation_service.read_detail(session, slug, base)


def _organisations(session: Session, filters: HsdsFilters) -> list[_Selected]:
    query = cast(
        Select[Any],
        select(col(Organisation.id), col(Organisation.slug), col(Organisation.deleted_at)),
    )
    if filters.modified_after is not None:
        # A mirror's question: what changed, deletions included.
        query = query.where(col(Organisation.updated_at) > as_utc(filters.modified_after))
    else:
        query = query.where(live(Organisation))
    if filters.search:
        query, _ = restrict(session, query, parse_query(filters.search, "search"), Doc.organisation)
    if filters.organization_id is not None:
        slug = _slugs_by_uuid(session).get(filters.organization_id)
        query = query.where(col(Organisation.slug) == (slug or ""))
    term = _term(filters.taxonomy_term_id)
    if term is not None and term[0] != mapping.OFFERS:
        query = query.where(col(Organisation.id).in_(concepts.tagged_with(term[0], [term[1]])))
    scheme = _scheme(filters.taxonomy_id)
    if scheme is not None:
        every = list(catalogue().schemes[scheme].concepts)
        query = query.where(col(Organisation.id).in_(concepts.tagged_with(scheme, every)))
    rows = session.execute(query.order_by(col(Organisation.id))).all()
    return [_Selected(id_, slug, deleted is not None) for id_, slug, deleted in rows]


def _offers(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """Each organisation's offers, in the vocabulary's order."""
    order = catalogue().order
    rows = session.execute(
        select(col(OrganisationConcept.organisation_id), col(OrganisationConcept.concept)).where(
            col(OrganisationConcept.scheme) == mapping.OFFERS,
            col(OrganisationConcept.organisation_id).in_(list(ids)),
        )
    ).all()
    offers: dict[int, list[str]] = {}
    for organisation_id, concept in sorted(
        rows, key=lambda r: order.get((mapping.OFFERS, r[1]), len(order))
    ):
        offers.setdefault(organisation_id, []).append(concept)
    return offers


def _details(session: Session, ids: Sequence[int], base: str) -> list[OrganisationDetail]:
    if not ids:
        return []
    records = session.execute(
        select(Organisation)
        .where(col(Organisation.id).in_(list(ids)))
        .order_by(col(Organisation.id))
    ).scalars()
    return [organisation_service.organisation_detail(session, r, base) for r in records]


def _service_keys(session: Session) -> list[tuple[str, str | None]]:
    selected = [s for s in _organisations(session, HsdsFilters()) if not s.deleted]
    offers = _offers(session, [s.id for s in selected])
    return [(s.slug, offer) for s in selected for offer in _or_none(offers.get(s.id))]


def _or_none(offers: list[str] | None) -> list[str | None]:
    """An organisation's offers, or one service of none for an organisation without."""
    return [*offers] if offers else [None]


def _slugs_by_uuid(session: Session) -> dict[str, str]:
    def build() -> dict[str, str]:
        slugs = session.execute(select(col(Organisation.slug))).scalars()
        return {mapping.organization_id(slug): slug for slug in slugs}

    return memoised(session, ("hsds organisation uuids",), build, len)


def _term(term_id: str | None) -> tuple[str, str] | None:
    """The (scheme, concept) a taxonomy term id names, in any of its languages."""
    if term_id is None:
        return None
    found = _terms().get(term_id.lower())
    if found is None:
        raise InvalidParameter("taxonomy_term_id", f"{term_id!r} is no taxonomy term here")
    return found


@cache
def _terms() -> dict[str, tuple[str, str]]:
    return {
        mapping.term_id(scheme, concept.id, lang): (scheme, concept.id)
        for scheme in FIELD_OF_SCHEME
        for concept in catalogue().schemes[scheme].concepts.values()
        for lang in concept.labels
    }


def _scheme(taxonomy_id: str | None) -> str | None:
    if taxonomy_id is None:
        return None
    for scheme in FIELD_OF_SCHEME:
        if mapping.taxonomy_id(scheme) == taxonomy_id.lower():
            return scheme
    raise InvalidParameter("taxonomy_id", f"{taxonomy_id!r} is no taxonomy here")


def page_of(items: list[Any], page: int, per_page: int) -> HsdsPage:
    return HsdsPage(len(items), page, per_page, items[(page - 1) * per_page : page * per_page])
