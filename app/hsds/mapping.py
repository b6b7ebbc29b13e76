"""Our read models as Open Referral HSDS 3.1 objects: a view, as every format is.

- organisation → `organization`, with its e-mail, website (the others as `url`s), legal
  form, its record here as `uri`, the organisation it is part of, its named people as
  `contacts`, its phones, and its provenance and corrections as `metadata`;
- what it offers → `service`: one per offer of the shared vocabulary, else one for the
  organisation, each with the regions it serves as `service_areas` (with the official
  code), its languages, and every concept it is tagged with as an `attribute` (its
  taxonomy term);
- the vocabularies → `taxonomy`, each concept → a `taxonomy_term` per label language.

Ids are UUIDv5 of each record's stable key (app.uuids), the same on every host and
after every reseed, export and import. Empty optional fields are left out, never null.
"""

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from app.contacts.schemas import ContactSummary
from app.db import utc_text
from app.languages import LANGUAGES, Language
from app.organisations.models import NETWORK_KINDS
from app.organisations.schemas import ConceptTag, OrganisationDetail
from app.uuids import contact_key, record_uuid
from app.vocabularies.catalogue import FIELD_OF_SCHEME, SCHEME_OF_FIELD, Concept, catalogue
from app.vocabularies.service import concept_url, scheme_url

VERSION = "3.1"
OFFERS = "offers"


def organization_id(slug: str) -> str:
    return str(record_uuid("organisation", slug))


def service_key(slug: str, offer: str | None) -> str:
    return f"{slug}/{offer or ''}"


def service_id(key: str) -> str:
    return str(record_uuid("service", key))


def taxonomy_id(scheme: str) -> str:
    return str(record_uuid("taxonomy", scheme))


def term_id(scheme: str, concept: str, lang: Language = "de") -> str:
    return str(record_uuid("taxonomy_term", f"{scheme}/{concept}/{lang}"))


def organization(
    detail: OrganisationDetail, services: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The organization of `detail`; with `services`, those nested (`full_service`)."""
    org_id = organization_id(detail.slug)
    emails = _values(detail.contacts, "email")
    websites = [c for c in detail.contacts if c.kind == "website"]
    parent = next((r.organisation for r in detail.relations if r.type == "part_of"), None)
    node: dict[str, Any] = {
        "id": org_id,
        "name": detail.name,
        "alternate_name": detail.short_name,
        "description": detail.description or detail.name,
        "email": emails[0] if emails else None,
        "website": websites[0].value if websites else None,
        "additional_websites": [_url(c, detail.slug, org_id) for c in websites[1:]],
        "legal_status": detail.legal_form,
        "uri": detail.url,
        "parent_organization_id": organization_id(parent.slug) if parent else None,
        "contacts": [
            _contact(c, detail.slug, org_id) for c in detail.contacts if c.kind == "person"
        ],
        "phones": [_phone(c, detail.slug, org_id) for c in detail.contacts if c.kind == "phone"],
        "metadata": _metadata(detail, org_id),
        # The profile's (app/hsds/profile/organization.json).
        "networks": [
            _present(
                {
                    "id": organization_id(r.organisation.slug),
                    "name": r.organisation.name,
                    "uri": r.organisation.url,
                    "role": r.role,
                }
            )
            for r in detail.relations
            if r.type == "member_of" and r.organisation.kind in NETWORK_KINDS
        ],
        "relations": [
            _present(
                {
                    "type": r.type,
                    "organization_id": organization_id(r.organisation.slug),
                    "name": r.organisation.name,
                    "uri": r.organisation.url,
                    "role": r.role,
                    "note": r.note,
                }
            )
            for r in detail.relations
        ],
    }
    if services is not None:
        node["services"] = services
    return _present(node)


def services(detail: OrganisationDetail, deleted: bool = False) -> list[dict[str, Any]]:
    """The services of `detail`: one per offer it is tagged with, else one for the whole
    organisation. `deleted`: the organisation is, so they are `defunct`."""
    offers: list[ConceptTag | None] = [*detail.concepts.offers] or [None]
    owner = organization(detail)  # the same for each of them: built once
    return [_service(detail, offer, deleted, owner) for offer in offers]


def _service(
    detail: OrganisationDetail, offer: ConceptTag | None, deleted: bool, owner: dict[str, Any]
) -> dict[str, Any]:
    key = service_key(detail.slug, offer.id if offer else None)
    id_ = service_id(key)
    label = _concept(OFFERS, offer.id).labels["de"].text if offer else None
    emails = _values(detail.contacts, "email")
    websites = _values(detail.contacts, "website")
    tags = [
        (scheme, tag)
        for field, scheme in SCHEME_OF_FIELD.items()
        for tag in getattr(detail.concepts, field)
        if scheme != OFFERS or offer is None or tag.id == offer.id
    ]
    node: dict[str, Any] = {
        "id": id_,
        "organization_id": organization_id(detail.slug),
        "name": f"{label} – {detail.name}" if label else detail.name,
        "alternate_name": detail.short_name,
        "description": detail.description or detail.name,
        "url": websites[0] if websites else None,
        "email": emails[0] if emails else None,
        "status": "defunct" if deleted else "active",
        "eligibility_description": "; ".join(detail.target_groups) or None,
        "last_modified": utc_text(detail.updated_at),
        "phones": [_phone(c, detail.slug, None, id_) for c in detail.contacts if c.kind == "phone"],
        "service_areas": [
            _present(
                {
                    "id": str(record_uuid("service_area", f"{key}/{region.slug}")),
                    "service_id": id_,
                    "name": region.name,
                    "description": f"Amtlicher Regionalschlüssel {region.code}"
                    if region.code
                    else None,
                    "uri": region.url,
                    "code": region.code,  # the profile's (app/hsds/profile/service_area.json)
                }
            )
            for region in detail.regions
            if region.role == "area"
        ],
        "languages": [
            {
                "id": str(record_uuid("language", f"{key}/{tag.id}")),
                "service_id": id_,
                "name": tag.label,
                "code": tag.id,
            }
            for tag in detail.concepts.languages
        ],
        "attributes": [
            _present(
                {
                    "id": str(record_uuid("attribute", f"{key}/{scheme}/{tag.id}")),
                    "link_id": id_,
                    "link_type": scheme,
                    "link_entity": "service",
                    "taxonomy_term_id": term_id(scheme, tag.id),
                    "taxonomy_term": taxonomy_term(scheme, _concept(scheme, tag.id), "de"),
                    "value": tag.evidence or tag.note,
                    "label": tag.basis,
                }
            )
            for scheme, tag in tags
        ],
        "contacts": [
            _contact(c, detail.slug, None, id_) for c in detail.contacts if c.kind == "person"
        ],
        "organization": owner,
    }
    return _present(node)


def taxonomy(scheme: str, base: str) -> dict[str, Any]:
    found = catalogue().schemes[scheme]
    return _present(
        {
            "id": taxonomy_id(scheme),
            "name": found.title["en"],
            "description": found.definition["en"],
            "uri": scheme_url(base, scheme),
        }
    )


def taxonomy_terms(scheme: str, base: str) -> list[dict[str, Any]]:
    """Every concept of `scheme` as a term in each language it has a label in."""
    return [
        taxonomy_term(scheme, concept, lang, base)
        for concept in catalogue().schemes[scheme].concepts.values()
        for lang in term_languages(concept)
    ]


def term_languages(concept: Concept) -> list[Language]:
    """The label languages a concept is a term in: German always, the term that holds its
    code and that attributes name (its label may be a name in another language, which
    the term then says); and each other language it has a label of its own in."""
    canonical = concept.labels["de"].lang
    return [
        "de",
        *(
            lang
            for lang in LANGUAGES
            if lang not in ("de", canonical) and concept.labels[lang].lang == lang
        ),
    ]


def taxonomy_term(
    scheme: str, concept: Concept, lang: Language, base: str | None = None
) -> dict[str, Any]:
    definition = concept.definition["de" if lang == "de" else "en"]
    return _present(
        {
            "id": term_id(scheme, concept.id, lang),
            # A code names one term: the German one, the vocabulary's own; its other
            # languages are the same concept (`term_uri`) in their own `language`.
            "code": concept.id if lang == "de" else None,
            "name": concept.labels[lang].text,
            "description": definition,
            "taxonomy": scheme,
            "taxonomy_id": taxonomy_id(scheme),
            "language": concept.labels[lang].lang,
            "term_uri": concept_url(base, scheme, concept.id) if base is not None else None,
        }
    )


@lru_cache(maxsize=8)
def all_terms(base: str) -> list[dict[str, Any]]:
    """Every term of every taxonomy (some 1 100), made once per base URL: the vocabularies
    do not change while the service runs. Callers must not change the list."""
    return [term for scheme in FIELD_OF_SCHEME for term in taxonomy_terms(scheme, base)]


def _concept(scheme: str, concept_id: str) -> Concept:
    found = catalogue().concept(scheme, concept_id)
    assert found is not None, (scheme, concept_id)  # tags name concepts of the vocabulary
    return found


def _contact(
    person: ContactSummary, owner: str, org_id: str | None, service: str | None = None
) -> dict[str, Any]:
    # Listed by its organisation and again by each service: one row each in a table.
    key = contact_key(owner, person.kind, person.value)
    key = key if service is None else f"{key}/{service}"
    return _present(
        {
            "id": str(record_uuid("contact", key)),
            "organization_id": org_id,
            "service_id": service,
            "name": person.value,
            "title": person.role,
            "department": person.label,
        }
    )


def _phone(
    phone: ContactSummary, owner: str, org_id: str | None, service: str | None = None
) -> dict[str, Any]:
    key = contact_key(owner, phone.kind, phone.value)
    return _present(
        {
            "id": str(record_uuid("phone", f"{key}/{service or ''}")),
            "organization_id": org_id,
            "service_id": service,
            "number": phone.value,
            "description": phone.label,
        }
    )


def _url(website: ContactSummary, owner: str, org_id: str) -> dict[str, Any]:
    return _present(
        {
            "id": str(record_uuid("url", contact_key(owner, website.kind, website.value))),
            "url": website.value,
            "label": website.label,
            "organization_id": org_id,
        }
    )


def _metadata(detail: OrganisationDetail, org_id: str) -> list[dict[str, Any]]:
    """Where the record comes from (its source, slide and section), and each correction
    of the source with the original, as HSDS change metadata."""
    source = detail.provenance.source
    origin = ", ".join(
        part
        for part in (
            source.title if source else None,
            f"Folie {detail.provenance.slide}" if detail.provenance.slide else None,
            detail.provenance.section,
        )
        if part
    )

    def entry(
        key: str,
        when: datetime,
        action: str,
        field: str,
        before: str,
        after: str,
        by: str = "Wegweiser Sachsen",
    ) -> dict[str, Any]:
        return {
            "id": str(record_uuid("metadata", f"organisation/{detail.slug}/{key}")),
            "resource_id": org_id,
            "resource_type": "organization",
            "last_action_date": when.date().isoformat(),
            "last_action_type": action,
            "field_name": field,
            "previous_value": before,
            "replacement_value": after,
            "updated_by": by,
        }

    created = detail.created_at
    entries = [
        entry(
            "source",
            created,
            "create",
            "provenance",
            "(new record)",
            origin or "Wegweiser Sachsen",
            source.publisher if source else "Wegweiser Sachsen",
        )
    ]
    entries += [
        entry(
            str(number),
            created,
            "correction",
            correction.field,
            correction.original,
            _current(detail, correction.field) or correction.note,
        )
        for number, correction in enumerate(detail.provenance.corrections, 1)
    ]
    if detail.updated_at != created:
        version = detail.version
        entries.append(
            entry(
                f"v{version}",
                detail.updated_at,
                "update",
                "version",
                str(version - 1),
                str(version),
            )
        )
    return entries


def _current(detail: OrganisationDetail, field: str) -> str | None:
    """What a corrected text field of `detail` holds now (None for a list or other field)."""
    value = getattr(detail, field, None)
    return value if isinstance(value, str) and value else None


def _values(contacts: Iterable[ContactSummary], kind: str) -> list[str]:
    return [c.value for c in contacts if c.kind == kind]


def _present(node: dict[str, Any]) -> dict[str, Any]:
    """`node` without its empty members: HSDS leaves out what is not known."""
    return {k: v for k, v in node.items() if v is not None and v != [] and v != ""}
