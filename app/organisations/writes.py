"""Writes of organisations (networks included): fields, topics and regions.

Every function runs inside a `Write` (app.writes) and derives the computed fields
(`name_key`, `search_text`, folded topic keys) here and nowhere else.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session, col

from app.changes.models import Resource
from app.contacts.models import Contact
from app.db import live, stored_id, utc_now
from app.errors import Conflict, InvalidBody
from app.folding import fold, slugify
from app.organisations import concepts, service
from app.organisations.indexing import organisation_search_text
from app.organisations.models import (
    INVERSE_RELATION,
    NETWORK_KINDS,
    Organisation,
    OrganisationRegion,
    OrganisationTopic,
    Relation,
)
from app.organisations.schemas import OrganisationCreate, OrganisationUpdate
from app.refs import organisation_url
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


def derived_fields(
    name: str,
    short_name: str | None,
    names_in_source: Iterable[str],
    description: str | None,
    tasks: Iterable[str],
    topics: Iterable[str],
    target_groups: Iterable[str],
    concept_labels: Iterable[str] = (),
) -> dict[str, str]:
    """The columns computed from an organisation's text: its sort key and search text."""
    return {
        "name_key": fold(name),
        "search_text": organisation_search_text(
            name,
            short_name,
            names_in_source,
            description,
            tasks,
            topics,
            target_groups,
            concept_labels,
        ),
    }


def topic_rows(labels: Iterable[str]) -> dict[str, str]:
    """Folded topic key → label as first spelt, for `organisation_topic`."""
    wanted: dict[str, str] = {}
    for label in labels:
        wanted.setdefault(fold(label)[:80], label)
    return wanted


# --- Snapshots: a record's representation, as the read API shows it --------------------------


def organisation_snapshot(session: Session, organisation: Organisation) -> Snapshot:
    if organisation.kind in NETWORK_KINDS:
        detail: Any = service.network_detail(session, organisation, "")
    else:
        detail = service.organisation_detail(session, organisation, "")
    return representation(detail, organisation)


def watch_organisation(write: Write, organisation: Organisation, dependants: bool = True) -> None:
    """Watch an organisation and, with `dependants`, every record that shows its name:
    the organisations it relates to and its contacts."""
    session = write.session
    write.watch(
        Resource.organisation,
        organisation,
        lambda: organisation.slug,
        lambda: organisation_snapshot(session, organisation),
    )
    if not dependants:
        return
    from app.contacts.writes import watch_contact
    from app.relations import writes as relation_writes

    organisation_id = stored_id(organisation)
    related = session.execute(
        select(Relation).where(
            or_(
                col(Relation.subject_id) == organisation_id,
                col(Relation.object_id) == organisation_id,
            ),
            live(Relation),
        )
    ).scalars()
    for relation in list(related):
        relation_writes.watch_relation(write, relation)
    contacts = session.execute(
        select(Contact).where(col(Contact.organisation_id) == organisation_id, live(Contact))
    ).scalars()
    for contact in list(contacts):
        watch_contact(write, contact, dependants=False)
    _watch_regions(write, _linked_region_ids(session, organisation_id))


def _linked_region_ids(session: Session, organisation_id: int) -> list[int]:
    return list(
        session.execute(
            select(col(OrganisationRegion.region_id)).where(
                col(OrganisationRegion.organisation_id) == organisation_id
            )
        ).scalars()
    )


def _watch_regions(write: Write, region_ids: Iterable[int]) -> None:
    """Regions list their organisations and count those below them: watch them and above."""
    from app.regions.writes import watch_region

    for region_id in region_ids:
        region = write.session.get(Region, region_id)
        if region is not None:
            watch_region(write, region, dependants=False)


# --- Organisations ------------------------------------------------------------------------


def create_organisation(
    write: Write, data: OrganisationCreate, origin: Origin | None = None
) -> Organisation:
    session = write.session
    slug = data.slug or slugify(data.name)[:120].strip("-")
    if not slug:
        raise InvalidBody.field("slug", "cannot be made from the name; give one")
    existing = service.find_organisation(session, slug)
    if existing is not None:
        held = " by a deleted organisation" if existing.deleted_at else ""
        raise Conflict(f"The slug {slug!r} is taken{held}.", extra={"slug": slug})
    origin = origin or Origin()
    organisation = Organisation(
        slug=slug,
        **_columns(data, origin),
        created_at=write.now,
        updated_at=write.now,
    )
    write.add(
        Resource.organisation,
        organisation,
        lambda: organisation.slug,
        lambda: organisation_snapshot(session, organisation),
    )
    _set_topics(session, organisation, data.topics)
    concepts.set_concepts(session, organisation, data.concepts)
    _set_regions(write, organisation, data)
    return organisation


def update_organisation(
    write: Write,
    organisation: Organisation,
    data: OrganisationUpdate,
    origin: Origin | None = None,
) -> Organisation:
    """Make `organisation` what `data` says (a `PUT`): fields, topics and regions."""
    session = write.session
    values = _columns(data, origin or _origin_of(organisation))
    if data.valid_as_of is None:  # unchanged unless given
        values["valid_as_of"] = organisation.valid_as_of
    # Others show only its slug (fixed), name and kind: watch them only when those change.
    # The regions it joins or leaves are watched by _set_regions.
    shown_elsewhere = (values["name"], values["kind"]) != (organisation.name, organisation.kind)
    watch_organisation(write, organisation, dependants=shown_elsewhere)
    assign(organisation, values)
    _set_topics(session, organisation, data.topics)
    concepts.set_concepts(session, organisation, data.concepts)
    _set_regions(write, organisation, data)
    return organisation


def delete_organisation(write: Write, organisation: Organisation, cascade: bool) -> None:
    """Soft-delete an organisation with its contacts; its relations only with `cascade`."""
    from app.contacts.writes import delete_contact
    from app.relations import writes as relation_writes

    session = write.session
    relations = list(
        session.execute(
            select(Relation).where(
                or_(
                    col(Relation.subject_id) == organisation.id,
                    col(Relation.object_id) == organisation.id,
                ),
                live(Relation),
            )
        ).scalars()
    )
    if relations and not cascade:
        raise Conflict(
            f"{len(relations)} relation(s) link other organisations to {organisation.slug!r}; "
            "delete them first, or ask for ?cascade=relations.",
            extra={"dependants": dependants(session, organisation, relations)},
        )
    watch_organisation(write, organisation)
    for relation in relations:
        relation_writes.delete_relation(write, relation)
    contacts = session.execute(
        select(Contact).where(col(Contact.organisation_id) == organisation.id, live(Contact))
    ).scalars()
    for contact in list(contacts):
        delete_contact(write, contact)
    organisation.deleted_at = write.now


def dependants(
    session: Session, organisation: Organisation, relations: Sequence[Relation]
) -> list[dict[str, Any]]:
    others = {
        o.id: o
        for o in session.execute(
            select(Organisation).where(
                col(Organisation.id).in_(
                    {r.object_id for r in relations} | {r.subject_id for r in relations}
                )
            )
        ).scalars()
    }
    return [
        {
            "relation": f"/relations/{r.id}",
            # Read from this organisation's side, as its `relations` show it.
            "type": r.type if r.subject_id == organisation.id else INVERSE_RELATION[r.type],
            "organisation": (
                other := others[r.object_id if r.subject_id == organisation.id else r.subject_id]
            ).slug,
            "url": organisation_url("", other.slug, other.kind),
        }
        for r in relations
    ]


def editable_state(session: Session, organisation: Organisation) -> dict[str, Any]:
    """The organisation as an `OrganisationUpdate` body: what a merge patch applies to."""
    topics = service.topics_of(session, [stored_id(organisation)])[stored_id(organisation)]
    links = session.execute(
        select(OrganisationRegion, region_service.Region)
        .join(region_service.Region, col(region_service.Region.id) == OrganisationRegion.region_id)
        .where(col(OrganisationRegion.organisation_id) == organisation.id)
    ).all()
    return {
        "name": organisation.name,
        "short_name": organisation.short_name,
        "kind": organisation.kind,
        "legal_form": organisation.legal_form,
        "level": organisation.level,
        "description": organisation.description,
        "tasks": list(organisation.tasks),
        "target_groups": list(organisation.target_groups),
        "names_in_source": list(organisation.names_in_source),
        "topics": topics,
        "concepts": concepts.editable_concepts(session, stored_id(organisation)),
        "regions": [
            {"region": region.code or region.slug, "role": link.role} for link, region in links
        ],
        "valid_as_of": organisation.valid_as_of.isoformat() if organisation.valid_as_of else None,
    }


def _origin_of(organisation: Organisation) -> Origin:
    return Origin(
        organisation.source_id,
        organisation.source_slide,
        organisation.source_section,
        list(organisation.corrections),
        list(organisation.inferences),
    )


def _columns(data: OrganisationUpdate, origin: Origin) -> dict[str, Any]:
    names_in_source = data.names_in_source or ([data.name] if origin.source_id is None else [])
    return {
        "name": data.name,
        "short_name": data.short_name,
        "kind": data.kind.value,
        "legal_form": data.legal_form,
        "level": data.level.value if data.level else None,
        "description": data.description,
        "tasks": list(data.tasks),
        "target_groups": list(data.target_groups),
        "names_in_source": list(names_in_source),
        "corrections": list(origin.corrections),
        "inferences": list(origin.inferences),
        "source_id": origin.source_id,
        "source_slide": origin.slide,
        "source_section": origin.section,
        "valid_as_of": data.valid_as_of or utc_now().date(),
        **derived_fields(
            data.name,
            data.short_name,
            names_in_source,
            data.description,
            data.tasks,
            data.topics,
            data.target_groups,
            concepts.concept_labels(data.concepts),
        ),
    }


def _set_topics(session: Session, organisation: Organisation, labels: Sequence[str]) -> None:
    current = {
        link.topic: link
        for link in session.execute(
            select(OrganisationTopic).where(
                col(OrganisationTopic.organisation_id) == organisation.id
            )
        ).scalars()
    }
    wanted = topic_rows(labels)
    for key in current.keys() - wanted.keys():
        session.delete(current[key])
    for key, label in wanted.items():
        link = current.get(key)
        if link is None:
            session.add(
                OrganisationTopic(organisation_id=stored_id(organisation), topic=key, label=label)
            )
        elif link.label != label:
            link.label = label


def _set_regions(write: Write, organisation: Organisation, data: OrganisationUpdate) -> None:
    session = write.session
    wanted: dict[int, str] = {}
    for index, link in enumerate(data.regions):
        region = region_service.find_region(session, link.region)
        if region is None:
            raise InvalidBody.field(
                f"regions.{index}.region", f"no region with code or slug {link.region!r}"
            )
        if stored_id(region) in wanted:
            raise InvalidBody.field(f"regions.{index}.region", f"{link.region!r} is listed twice")
        wanted[stored_id(region)] = link.role.value
    current = {
        link.region_id: link
        for link in session.execute(
            select(OrganisationRegion).where(
                col(OrganisationRegion.organisation_id) == organisation.id
            )
        ).scalars()
    }
    _watch_regions(write, wanted.keys() ^ current.keys())  # joined or left
    for region_id, link in current.items():
        if region_id not in wanted:
            session.delete(link)
        elif link.role != wanted[region_id]:
            link.role = wanted[region_id]
    session.flush()
    session.add_all(
        OrganisationRegion(organisation_id=stored_id(organisation), region_id=rid, role=role)
        for rid, role in wanted.items()
        if rid not in current
    )


# --- Transactions, as the API calls them ------------------------------------------------------


def create(
    session: Session, author: Author, data: OrganisationCreate, answer: Callable[[Any], T]
) -> T:
    return add(session, author, lambda write: create_organisation(write, data), answer)


EDITING = Editing(
    Resource.organisation,
    service.get_organisation,
    editable_state,
    OrganisationUpdate,
    update_organisation,
    lambda write, organisation: delete_organisation(write, organisation, cascade=False),
    lambda write, organisation: watch_organisation(write, organisation, dependants=False),
)


def delete_with_relations(write: Write, organisation: Organisation) -> None:
    delete_organisation(write, organisation, cascade=True)
