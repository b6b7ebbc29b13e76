"""Reads of the HSDS API: which organisations and services a request selects, a page of
them by number, and the read models they are written from (app.hsds.mapping).

Services are derived, one per offer of an organisation (else one for it): a page of
services is a page of the rows of the selected organisations joined with their offers,
cut by the database (`LIMIT`/`OFFSET` in a fixed order), so a page costs the same
statements whatever its number or size: the count (kept per revision), the page's rows,
and the details of the organisations on it, read together (organisations.service.details).
"""

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, and_, case, false, func, literal, select
from sqlmodel import Session, col

from app.db import as_utc, connection_of, live
from app.errors import InvalidParameter, NotFound
from app.folding import fold_words
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


def organisations_page(
    session: Session, filters: HsdsFilters, page: int, per_page: int, base: str
) -> tuple[int, list[OrganisationDetail]]:
    """The live organisations `filters` select (by id): how many, and the details of page
    `page`."""
    selected = _selection(session, filters, deleted_too=False)
    ids = select(selected.c.id).order_by(selected.c.id)
    total = _count(session, ("hsds organisations", filters), ids)
    shown = session.execute(ids.limit(per_page).offset((page - 1) * per_page)).scalars()
    return total, _details(session, list(shown), base)


def services_page(
    session: Session, filters: HsdsFilters, page: int, per_page: int, base: str
) -> tuple[int, list[dict[str, Any]]]:
    """The services of the selected organisations (with `modified_after`, also those of
    organisations deleted since, as `defunct`): how many, and page `page` of them."""
    selected = _selection(session, filters, deleted_too=filters.modified_after is not None)
    offer = OrganisationConcept.__table__.alias("offer")  # type: ignore[attr-defined]
    rows = select(selected.c.id, selected.c.deleted, offer.c.concept).outerjoin(
        offer, _is_offer_of(offer, selected.c.id)
    )
    term = _term(filters.taxonomy_term_id)
    if term is not None and term[0] == mapping.OFFERS:
        rows = rows.where(offer.c.concept == term[1])
    if _scheme(filters.taxonomy_id) == mapping.OFFERS:
        rows = rows.where(offer.c.concept.is_not(None))
    order = catalogue().schemes[mapping.OFFERS].concepts
    place = case({c: i for i, c in enumerate(order)}, value=offer.c.concept, else_=len(order))
    rows = rows.order_by(selected.c.id, place)
    total = _count(session, ("hsds services", filters), rows)
    shown = session.execute(rows.limit(per_page).offset((page - 1) * per_page)).all()
    details = {d.id: d for d in _details(session, sorted({r.id for r in shown}), base)}
    deleted = {row.id: row.deleted for row in shown}
    # Each organisation's services made once, however many of them the page shows.
    made = {
        service["id"]: service
        for id_, detail in details.items()
        for service in mapping.services(detail, deleted[id_])
    }
    return total, [
        made[mapping.service_id(mapping.service_key(details[row.id].slug, row.concept))]
        for row in shown
    ]


def service_by_id(session: Session, service_id: str, base: str) -> dict[str, Any]:
    found = _services_by_uuid(session).get(service_id)
    if found is None:
        raise NotFound("service", "id", service_id)
    detail = organisation_service.read_detail(session, found, base)
    service = next((s for s in mapping.services(detail) if s["id"] == service_id), None)
    if service is None:
        raise NotFound("service", "id", service_id)
    return service


def organization_by_id(session: Session, organization_id: str, base: str) -> OrganisationDetail:
    slug = _slugs_by_uuid(session).get(organization_id)
    if slug is None:
        raise NotFound("organization", "id", organization_id)
    return organisation_service.read_detail(session, slug, base)


def page_of(items: list[Any], page: int, per_page: int) -> HsdsPage:
    return HsdsPage(len(items), page, per_page, items[(page - 1) * per_page : page * per_page])


def _selection(session: Session, filters: HsdsFilters, deleted_too: bool) -> Any:
    """The organisations `filters` select, as a subquery: `id`, `deleted`."""
    query = cast(
        Select[Any],
        select(
            col(Organisation.id).label("id"),
            col(Organisation.deleted_at).is_not(None).label("deleted"),
        ),
    )
    if filters.modified_after is not None:
        # A mirror's question: what changed, deletions included where they count.
        query = query.where(col(Organisation.updated_at) >= as_utc(filters.modified_after))
    if not deleted_too:
        query = query.where(live(Organisation))
    if filters.search:
        if fold_words(filters.search):
            search = parse_query(filters.search, "search")
            query, _ = restrict(session, query, search, Doc.organisation)
        else:  # text with no word in it, as HSDS clients send it: nothing matches it
            query = query.where(false())
    if filters.organization_id is not None:
        slug = _slugs_by_uuid(session).get(_uuid(filters.organization_id, "organization_id"))
        query = query.where(col(Organisation.slug) == (slug or ""))
    term = _term(filters.taxonomy_term_id)
    if term is not None:
        query = query.where(col(Organisation.id).in_(concepts.tagged_with(term[0], [term[1]])))
    if filters.taxonomy_term_id is not None and term is None:
        query = query.where(false())  # a term that is none of ours tags nothing
    scheme = _scheme(filters.taxonomy_id)
    if filters.taxonomy_id is not None and scheme is None:
        query = query.where(false())
    if scheme is not None:
        every = list(catalogue().schemes[scheme].concepts)
        query = query.where(col(Organisation.id).in_(concepts.tagged_with(scheme, every)))
    return query.subquery("selected")


def _is_offer_of(offer: Any, organisation_id: Any) -> Any:
    """The join condition of an organisation's offers: those the vocabulary still has (a
    concept withdrawn from it is not shown, app.organisations.concepts)."""
    return and_(
        offer.c.organisation_id == organisation_id,
        offer.c.scheme == literal(mapping.OFFERS),
        offer.c.concept.in_(list(catalogue().schemes[mapping.OFFERS].concepts)),
    )


def _count(session: Session, key: tuple[Any, ...], rows: Select[Any]) -> int:
    counting = select(func.count()).select_from(rows.order_by(None).subquery())
    return memoised(
        session, key, lambda: int(connection_of(session).execute(counting).scalar_one())
    )


def _details(session: Session, ids: Sequence[int], base: str) -> list[OrganisationDetail]:
    """The details of the organisations `ids`, by id: the same statements however many."""
    records = session.execute(
        select(Organisation)
        .where(col(Organisation.id).in_(list(ids)))
        .order_by(col(Organisation.id))
    ).scalars()
    return organisation_service.details(session, list(records), base)


def _slugs_by_uuid(session: Session) -> dict[str, str]:
    """The slug of every organisation by its HSDS id, kept per revision."""

    def build() -> dict[str, str]:
        slugs = session.execute(select(col(Organisation.slug))).scalars()
        return {mapping.organization_id(slug): slug for slug in slugs}

    return memoised(session, ("hsds organisation ids",), build, len)


def _services_by_uuid(session: Session) -> dict[str, str]:
    """The slug of the live organisation that offers each service, by the service's HSDS id,
    kept per revision."""

    def build() -> dict[str, str]:
        offer = OrganisationConcept.__table__.alias("offer")  # type: ignore[attr-defined]
        rows = session.execute(
            select(col(Organisation.slug), offer.c.concept)
            .outerjoin(offer, _is_offer_of(offer, col(Organisation.id)))
            .where(live(Organisation))
        ).all()
        return {
            mapping.service_id(mapping.service_key(slug, concept)): slug for slug, concept in rows
        }

    return memoised(session, ("hsds service ids",), build, len)


def _uuid(value: str, param: str) -> str:
    """`value` as a UUID in its canonical form; InvalidParameter naming `param` if it is none."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidParameter(param, f"{value!r} is not a UUID") from None


def _term(term_id: str | None) -> tuple[str, str] | None:
    """The (scheme, concept) a taxonomy term id names, in any of its languages; None for
    an id that names no term here (which tags nothing)."""
    if term_id is None:
        return None
    return _terms().get(_uuid(term_id, "taxonomy_term_id"))


@cache
def _terms() -> dict[str, tuple[str, str]]:
    return {
        mapping.term_id(scheme, concept.id, lang): (scheme, concept.id)
        for scheme in FIELD_OF_SCHEME
        for concept in catalogue().schemes[scheme].concepts.values()
        for lang in mapping.term_languages(concept)
    }


def _scheme(taxonomy_id: str | None) -> str | None:
    if taxonomy_id is None:
        return None
    wanted = _uuid(taxonomy_id, "taxonomy_id")
    return next((s for s in FIELD_OF_SCHEME if mapping.taxonomy_id(s) == wanted), None)
