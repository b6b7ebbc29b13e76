"""Queries over contacts."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlmodel import Session

from app.contacts.models import Contact
from app.contacts.schemas import ContactPublic, ContactSummary
from app.errors import NotFound
from app.folding import fold
from app.organisations.models import Organisation
from app.pagination import PageRequest, SortKey, Window, fetch_window
from app.refs import OrganisationRef, contact_url, organisation_url
from app.regions import service as region_service
from app.sources import service as source_service

ID_ORDER = SortKey("id", (Contact.id,), (False,))


@dataclass(frozen=True)
class ContactFilters:
    q: str | None = None
    kinds: Sequence[str] = ()
    organisation: str | None = None
    region: str | None = None


def filtered_query(session: Session, filters: ContactFilters) -> Select[tuple[Contact]]:
    query = select(Contact)
    if filters.kinds:
        query = query.where(Contact.kind.in_(filters.kinds))
    if filters.q:
        query = query.where(Contact.value_key.contains(fold(filters.q), autoescape=True))
    if filters.organisation:
        query = query.join(Organisation, Organisation.id == Contact.organisation_id).where(
            Organisation.slug == filters.organisation
        )
    if filters.region:
        ids = region_service.region_filter_ids(session, filters.region)
        query = query.where(Contact.region_id.in_(ids))
    return query


def list_contacts(
    session: Session, filters: ContactFilters, page: PageRequest, base: str
) -> Window[ContactPublic]:
    window = fetch_window(session, filtered_query(session, filters), ID_ORDER, page)
    contacts = [row[0] for row in window.rows]
    return Window(public_contacts(session, contacts, base), window.total, window.next_cursor)


def get_contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("contact", "id", contact_id)
    return contact


def contacts_of_organisation(
    session: Session, organisation_id: int | None, base: str
) -> list[ContactSummary]:
    contacts = session.execute(
        select(Contact).where(Contact.organisation_id == organisation_id).order_by(Contact.id)
    ).scalars()
    return _summaries(session, list(contacts), base)


def public_contacts(
    session: Session, contacts: Sequence[Contact], base: str
) -> list[ContactPublic]:
    organisations = {
        o.id: o
        for o in session.execute(
            select(Organisation).where(Organisation.id.in_({c.organisation_id for c in contacts}))
        ).scalars()
    }
    return [
        ContactPublic(
            **summary.model_dump(),
            organisation=OrganisationRef(
                slug=(org := organisations[contact.organisation_id]).slug,
                name=org.name,
                kind=org.kind,
                url=organisation_url(base, org.slug),
            ),
            provenance=source_service.provenance(
                session,
                contact.source_id,
                contact.source_slide,
                contact.source_section,
                contact.corrections,
            ),
            version=contact.version,
            created_at=contact.created_at,
            updated_at=contact.updated_at,
        )
        for contact, summary in zip(contacts, _summaries(session, contacts, base), strict=True)
    ]


def _summaries(session: Session, contacts: Sequence[Contact], base: str) -> list[ContactSummary]:
    regions = region_service.regions_by_id(
        session, {c.region_id for c in contacts if c.region_id is not None}
    )
    return [
        ContactSummary(
            id=c.id,
            kind=c.kind,
            value=c.value,
            label=c.label,
            role=c.role,
            region=region_service.region_ref(regions[c.region_id], base) if c.region_id else None,
            url=contact_url(base, c.id),
        )
        for c in contacts
    ]
