"""Records as schema.org JSON-LD: organisations and networks as `Organization` (or
`GovernmentOrganization`, `NGO`, …), regions as `AdministrativeArea`.

Each node's `@id` is the record's URL here; links to other records are nodes with
their `@id`, so a consumer follows them as it follows our JSON's `url`s. The
context is inline (no document to fetch) and marks the directory's text as German.
Relations map to schema.org where it has a property for them (`memberOf`/`member`,
`parentOrganization`/`subOrganization`, `funder`, `sponsor`); the others stay in our
JSON. What offers and for whom are `knowsAbout` the vocabulary concepts.
"""

from collections.abc import Sequence
from typing import Any

from app.contacts.schemas import ContactSummary
from app.db import utc_text
from app.organisations.schemas import ConceptTag, OrganisationDetail
from app.refs import OrganisationRef, RegionRef
from app.regions.schemas import RegionDetail

MEDIA_TYPE = "application/ld+json"
CONTEXT: dict[str, Any] = {
    "@vocab": "https://schema.org/",
    "url": {"@type": "@id"},
    "sameAs": {"@type": "@id"},
    "name": {"@language": "de"},
    "alternateName": {"@language": "de"},
    "description": {"@language": "de"},
    "keywords": {"@language": "de"},
    "jobTitle": {"@language": "de"},
    "dateModified": {"@type": "https://schema.org/DateTime"},
}
_TYPES = {
    "authority": "GovernmentOrganization",
    "parliament": "GovernmentOrganization",
    "department": "GovernmentOrganization",
    "office": "GovernmentOrganization",
    "association": "NGO",
    "initiative": "NGO",
    "university": "CollegeOrUniversity",
    "company": "Corporation",
}
# Our relation types (as read from the record's side) and the schema.org property for each.
_RELATIONS = {
    "member_of": "memberOf",
    "has_member": "member",
    "part_of": "parentOrganization",
    "has_part": "subOrganization",
    "funded_by": "funder",
    "sponsored_by": "sponsor",
}


def organisation(
    detail: OrganisationDetail, lang: str, members: Sequence[OrganisationRef] = ()
) -> dict[str, Any]:
    """An organisation or network (with its `members`) as a schema.org node, its concepts
    labelled in `lang`."""
    node: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": detail.url,
        "@type": _type(detail.kind, detail.legal_form),
        "identifier": detail.slug,
        "name": detail.name,
    }
    _put(node, "alternateName", detail.short_name)
    _put(node, "description", detail.description)
    _put(node, "keywords", detail.topics)
    by_kind = _contacts_by_kind(detail.contacts)
    _put(node, "url", [c.value for c in by_kind["website"]])
    _put(node, "email", [c.value for c in by_kind["email"]])
    _put(node, "telephone", [c.value for c in by_kind["phone"]])
    _put(node, "address", [c.value for c in by_kind["address"]])
    _put(node, "contactPoint", [_contact_point(c) for c in detail.contacts if c.label])
    _put(node, "employee", [_person(c) for c in by_kind["person"]])
    _put(node, "areaServed", [_place(r) for r in detail.regions if r.role == "area"])
    _put(node, "location", [_place(r) for r in detail.regions if r.role == "seat"])
    concepts = [*detail.concepts.offers, *detail.concepts.target_groups]
    _put(node, "knowsAbout", [_concept(tag, lang) for tag in concepts])
    _put(node, "knowsLanguage", [tag.id for tag in detail.concepts.languages])
    for relation in detail.relations:
        prop = _RELATIONS.get(relation.type)
        if prop is not None:
            node.setdefault(prop, []).append(_organisation_ref(relation.organisation))
    if members:
        node["member"] = [*node.get("member", []), *map(_organisation_ref, members)]
        node["member"] = list({m["@id"]: m for m in node["member"]}.values())
    node["dateModified"] = utc_text(detail.updated_at)
    return node


def region(detail: RegionDetail) -> dict[str, Any]:
    """A region as a schema.org `AdministrativeArea`, within its parent."""
    node: dict[str, Any] = {"@context": CONTEXT, **_place(detail)}
    _put(node, "containedInPlace", _place(detail.parent) if detail.parent else None)
    _put(node, "containsPlace", [_place(child) for child in detail.children])
    node["dateModified"] = utc_text(detail.updated_at)
    return node


def _type(kind: str, legal_form: str | None = None) -> str:
    """The schema.org type of an organisation by its kind, else an association's legal form
    (e.V., the registered association) says NGO."""
    if kind in _TYPES:
        return _TYPES[kind]
    registered = legal_form is not None and "e.V." in legal_form.replace(" ", "")
    return "NGO" if registered else "Organization"


def _place(ref: RegionRef) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": ref.url, "@type": "AdministrativeArea", "name": ref.name}
    _put(node, "identifier", ref.code)
    return node


def _organisation_ref(ref: OrganisationRef) -> dict[str, Any]:
    return {"@id": ref.url, "@type": _type(ref.kind), "name": ref.name}


def _concept(tag: ConceptTag, lang: str) -> dict[str, Any]:
    # Labels come in the language asked for, unlike the directory's own German text.
    label = {"@value": tag.label, "@language": lang}
    return {"@id": tag.url, "@type": "DefinedTerm", "termCode": tag.id, "name": label}


def _contact_point(contact: ContactSummary) -> dict[str, Any]:
    point: dict[str, Any] = {"@type": "ContactPoint", "name": contact.label}
    key = {"email": "email", "phone": "telephone", "website": "url"}.get(contact.kind)
    if key is not None:
        point[key] = contact.value
    if contact.region is not None:
        point["areaServed"] = _place(contact.region)
    return point


def _person(contact: ContactSummary) -> dict[str, Any]:
    person: dict[str, Any] = {"@type": "Person", "name": contact.value}
    _put(person, "jobTitle", contact.role)
    return person


def _contacts_by_kind(contacts: list[ContactSummary]) -> dict[str, list[ContactSummary]]:
    grouped: dict[str, list[ContactSummary]] = {
        k: [] for k in ("email", "phone", "website", "address", "person")
    }
    for contact in contacts:
        grouped.setdefault(contact.kind, []).append(contact)
    return grouped


def _put(node: dict[str, Any], key: str, value: Any) -> None:
    """Set `key` unless `value` is empty: schema.org leaves out what is not known."""
    if value:
        node[key] = value
