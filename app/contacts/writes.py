"""Writes of contacts: values checked and normalised by kind, search keys derived here."""

from collections.abc import Callable
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import HttpUrl, ValidationError
from sqlalchemy import func, select
from sqlmodel import Session, col

from app.changes.models import Resource
from app.contacts import service
from app.contacts.models import Contact, ContactKind
from app.contacts.schemas import ContactCreate, ContactUpdate
from app.db import stored_id, utc_now
from app.errors import Conflict, InvalidBody
from app.organisations import service as organisation_service
from app.organisations.indexing import contact_search_text
from app.organisations.models import Organisation
from app.organisations.writes import watch_organisation
from app.regions import service as region_service
from app.regions.models import Region
from app.writes import (
    Author,
    Editing,
    Origin,
    Snapshot,
    T,
    Write,
    add,
    assign,
    representation,
)

# Numbers written without a country code are German ones.
DEFAULT_PHONE_REGION = "DE"


def normalised_value(kind: ContactKind, value: str) -> str:
    """`value` as stored for `kind`, or InvalidBody naming `value`."""
    if kind is ContactKind.email:
        try:
            # No DNS lookup: the service must not depend on the network to take an edit.
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise InvalidBody.field("value", f"not an e-mail address: {exc}") from None
    if kind is ContactKind.website:
        try:
            HttpUrl(value)
        except ValidationError:
            raise InvalidBody.field("value", "not an absolute http(s) URL") from None
        if not value.startswith(("http://", "https://")):
            raise InvalidBody.field("value", "not an absolute http(s) URL")
        return value
    if kind is ContactKind.phone:
        try:
            number = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise InvalidBody.field("value", f"not a valid phone number: {value!r}")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return value


def derived_fields(value: str, label: str | None, role: str | None) -> dict[str, str]:
    """The column computed from a contact's text: its search and sort key."""
    return {"value_key": contact_search_text(value, label, role)}


def contact_snapshot(session: Session, contact: Contact) -> Snapshot:
    (public,) = service.public_contacts(session, [contact], "")
    return representation(public, contact)


def watch_contact(write: Write, contact: Contact, dependants: bool = True) -> None:
    """Watch a contact and, with `dependants`, the organisation that shows it."""
    session = write.session
    write.watch(
        Resource.contact,
        contact,
        lambda: str(contact.id),
        lambda: contact_snapshot(session, contact),
    )
    if dependants:
        organisation = session.get(Organisation, contact.organisation_id)
        if organisation is not None:
            watch_organisation(write, organisation, dependants=False)


def create_contact(write: Write, data: ContactCreate, origin: Origin | None = None) -> Contact:
    session = write.session
    organisation = organisation_service.find_organisation(session, data.organisation)
    if organisation is None or organisation.deleted_at is not None:
        state = "deleted" if organisation is not None else "unknown"
        raise InvalidBody.field("organisation", f"{state} organisation {data.organisation!r}")
    values = _columns(session, data, organisation, origin or Origin())
    existing = _same_contact(session, organisation, values["kind"], values["value"])
    if existing is not None:
        if existing.deleted_at is None:
            raise Conflict(
                f"{organisation.slug!r} has this {values['kind']} already "
                f"(/contacts/{existing.id}).",
                extra={"contact": f"/contacts/{existing.id}"},
            )
        # Added again after a deletion: the contact comes back under its own id.
        watch_contact(write, existing)
        assign(existing, values)
        existing.deleted_at = None
        return existing
    watch_organisation(write, organisation, dependants=False)
    contact = Contact(**values, created_at=write.now, updated_at=write.now)
    write.add(
        Resource.contact,
        contact,
        lambda: str(contact.id),
        lambda: contact_snapshot(session, contact),
    )
    return contact


def update_contact(
    write: Write, contact: Contact, data: ContactUpdate, origin: Origin | None = None
) -> Contact:
    """Make `contact` what `data` says (a `PUT`); it stays with its organisation."""
    session = write.session
    organisation = session.get(Organisation, contact.organisation_id)
    assert organisation is not None
    current = Origin(
        contact.source_id,
        contact.source_slide,
        contact.source_section,
        list(contact.corrections),
        list(contact.inferences),
    )
    values = _columns(session, data, organisation, origin or current)
    if data.valid_as_of is None:
        values["valid_as_of"] = contact.valid_as_of
    other = _same_contact(session, organisation, values["kind"], values["value"])
    if other is not None and other.id != contact.id:
        raise Conflict(
            f"{organisation.slug!r} has this {values['kind']} already (/contacts/{other.id}).",
            extra={"contact": f"/contacts/{other.id}"},
        )
    watch_contact(write, contact)
    assign(contact, values)
    return contact


def delete_contact(write: Write, contact: Contact) -> None:
    watch_contact(write, contact)
    contact.deleted_at = write.now


def editable_state(session: Session, contact: Contact) -> dict[str, Any]:
    """The contact as a `ContactUpdate` body: what a merge patch applies to."""
    region = session.get(Region, contact.region_id) if contact.region_id else None
    return {
        "kind": contact.kind,
        "value": contact.value,
        "label": contact.label,
        "role": contact.role,
        "region": (region.code or region.slug) if region else None,
        "valid_as_of": contact.valid_as_of.isoformat() if contact.valid_as_of else None,
    }


def _same_contact(
    session: Session, organisation: Organisation, kind: str, value: str
) -> Contact | None:
    """The organisation's contact of `kind` with `value` in any case: one address, one id."""
    return (
        session.execute(
            select(Contact).where(
                col(Contact.organisation_id) == organisation.id,
                col(Contact.kind) == kind,
                func.lower(col(Contact.value)) == value.lower(),
            )
        )
        .scalars()
        .first()
    )


def _columns(
    session: Session, data: ContactUpdate, organisation: Organisation, origin: Origin
) -> dict[str, Any]:
    if data.role is not None and data.kind is not ContactKind.person:
        raise InvalidBody.field("role", "only a person contact has a role")
    value = normalised_value(data.kind, data.value)
    region_id = None
    if data.region is not None:
        region = region_service.find_region(session, data.region)
        if region is None:
            raise InvalidBody.field("region", f"no region with code or slug {data.region!r}")
        region_id = stored_id(region)
    return {
        "organisation_id": stored_id(organisation),
        "kind": data.kind.value,
        "value": value,
        "label": data.label,
        "role": data.role,
        "region_id": region_id,
        **derived_fields(value, data.label, data.role),
        "corrections": list(origin.corrections),
        "inferences": list(origin.inferences),
        "source_id": origin.source_id,
        "source_slide": origin.slide,
        "source_section": origin.section,
        "valid_as_of": data.valid_as_of or utc_now().date(),
    }


# --- Transactions, as the API calls them ------------------------------------------------------


def create(session: Session, author: Author, data: ContactCreate, answer: Callable[[Any], T]) -> T:
    return add(session, author, lambda write: create_contact(write, data), answer)


EDITING = Editing(
    Resource.contact,
    service.get_contact,
    editable_state,
    ContactUpdate,
    update_contact,
    delete_contact,
    lambda write, contact: watch_contact(write, contact, dependants=False),
)
