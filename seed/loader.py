"""Load `seed/wegweiser.yaml` into the database: validated first, written in one transaction.

A thin reader: every record goes through the write path of its resource
(app/<resource>/writes.py), which derives the computed fields, versions what
changed and logs it in the change feed, as for an edit over the API. Records
are matched by their stable keys (slugs; a contact by organisation, kind and
value in any case; a relation by its two ends and type), so a second run
changes nothing and a changed file updates records in place, keeping their ids.
A contact or relation the file no longer has is deleted (a tombstone in the feed).
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlmodel import Session, col

from app.changes.models import Action
from app.contacts import writes as contact_writes
from app.contacts.models import Contact
from app.contacts.schemas import ContactCreate
from app.db import live, stored_id
from app.organisations import service as organisation_service
from app.organisations import writes as organisation_writes
from app.organisations.models import Organisation, Relation
from app.organisations.schemas import OrganisationCreate
from app.organisations.writes import Origin
from app.regions import service as region_service
from app.regions import writes as region_writes
from app.regions.schemas import RegionCreate
from app.relations import writes as relation_writes
from app.relations.schemas import RelationInput
from app.sources.models import SourceDocument
from app.writes import Author, Write, write_transaction
from seed.schema import OrganisationEntry, SeedFile
from seed.source_document import SOURCE_DIR

SEED_ACTOR = "seed"

DATA_FILE = Path(__file__).parent / "wegweiser.yaml"


class SeedError(Exception):
    """The seed file is unreadable or invalid; nothing was written."""


@dataclass
class Report:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    not_in_file: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def summary(self) -> str:
        kinds = sorted(
            set(self.created) | set(self.updated) | set(self.deleted) | set(self.unchanged)
        )
        lines = [
            f"{kind:>14}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.deleted[kind]} deleted, {self.unchanged[kind]} unchanged"
            for kind in kinds
        ]
        if self.not_in_file:
            lines.append(
                "organisations in the database but not in the file (kept): "
                + ", ".join(self.not_in_file)
            )
        return "\n".join(lines)


def read_seed_file(path: Path = DATA_FILE) -> SeedFile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"cannot read {path.name}: {exc}") from exc
    try:
        seed = SeedFile.model_validate(raw)
    except ValidationError as exc:
        raise SeedError(f"{path.name} is invalid:\n{exc}") from exc
    if not (SOURCE_DIR / seed.source.file_name).is_file():
        raise SeedError(f"source document {seed.source.file_name} is missing from seed/source/")
    return seed


def database_is_empty(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(Organisation)).scalar_one() == 0


def load(session: Session, seed: SeedFile, only_if_empty: bool = False) -> Report | None:
    """Write `seed` into the database in one transaction; the caller's session must be fresh.

    With `only_if_empty`, a database that holds organisations is left alone (None).
    Loaders take turns (app.locks), so replicas seeding one database at start-up
    load it once.
    """
    author = Author(SEED_ACTOR, f"Seed: {seed.source.title} ({seed.source.published_on})")
    report = Report()
    with write_transaction(session, author, seed_lock=True) as write:
        if only_if_empty and not database_is_empty(session):
            return None
        source = _upsert_source(session, seed, report)
        _load_regions(write, seed)
        organisations = _load_organisations(write, seed, source)
        _load_relations(write, seed, source, organisations)
        report.not_in_file = sorted(
            set(session.execute(select(col(Organisation.slug)).where(live(Organisation))).scalars())
            - {o.slug for o in seed.organisations}
        )
    for change in write.changes:
        counter = {
            Action.created: report.created,
            Action.updated: report.updated,
            Action.deleted: report.deleted,
        }[Action(change.action)]
        counter[change.resource] += 1
    in_file = {
        "region": len(seed.regions),
        "organisation": len(seed.organisations),
        "contact": sum(len(o.contacts) for o in seed.organisations),
        "relation": len(seed.relations),
    }
    for kind, count in in_file.items():
        report.unchanged[kind] = count - report.created[kind] - report.updated[kind]
    return report


def _upsert_source(session: Session, seed: SeedFile, report: Report) -> SourceDocument:
    """The source document itself: a fixed fact of the seed, not an edited record."""
    entry = seed.source.model_dump()
    source = session.execute(
        select(SourceDocument).where(col(SourceDocument.slug) == seed.source.slug)
    ).scalar_one_or_none()
    if source is None:
        source = SourceDocument(**entry)
        session.add(source)
        session.flush()
        report.created["source"] += 1
    elif any(getattr(source, k) != v for k, v in entry.items()):
        for k, v in entry.items():
            setattr(source, k, v)
        source.version += 1
        report.updated["source"] += 1
    else:
        report.unchanged["source"] += 1
    return source


def _load_regions(write: Write, seed: SeedFile) -> None:
    # Parents first, so every parent exists when its children are written.
    done: set[str] = set()
    pending = list(seed.regions)
    while pending:
        ready = [r for r in pending if r.parent is None or r.parent in done]
        for entry in ready:
            data = RegionCreate(
                slug=entry.slug,
                name=entry.name,
                kind=entry.kind,
                code=entry.code,
                parent=entry.parent,
                note=entry.note,
                valid_as_of=seed.source.published_on,
            )
            region = region_service.find_region(write.session, entry.slug, include_deleted=True)
            if region is None:
                region_writes.create_region(write, data)
            else:
                region_writes.update_region(write, region, data)
            done.add(entry.slug)
        pending = [r for r in pending if r not in ready]


def _origin(source: SourceDocument, entry: OrganisationEntry | object) -> Origin:
    return Origin(
        stored_id(source),
        getattr(entry, "slide", None),
        getattr(entry, "section", None),
        [c.model_dump() for c in getattr(entry, "corrections", [])],
    )


def _load_organisations(
    write: Write, seed: SeedFile, source: SourceDocument
) -> dict[str, Organisation]:
    by_slug: dict[str, Organisation] = {}
    for entry in seed.organisations:
        data = OrganisationCreate(
            slug=entry.slug,
            name=entry.name,
            short_name=entry.short_name,
            kind=entry.kind,
            legal_form=entry.legal_form,
            level=entry.level,
            description=entry.description,
            tasks=list(entry.tasks),
            target_groups=list(entry.target_groups),
            names_in_source=list(entry.names_in_source),
            topics=list(entry.topics),
            regions=[{"region": r.region, "role": r.role} for r in entry.regions],  # type: ignore[misc]
            valid_as_of=seed.source.published_on,
        )
        origin = _origin(source, entry)
        organisation = organisation_service.find_organisation(write.session, entry.slug)
        if organisation is None:
            organisation = organisation_writes.create_organisation(write, data, origin)
        else:
            organisation_writes.update_organisation(write, organisation, data, origin)
        _load_contacts(write, seed, entry, organisation, source)
        by_slug[entry.slug] = organisation
    return by_slug


def _load_contacts(
    write: Write,
    seed: SeedFile,
    entry: OrganisationEntry,
    organisation: Organisation,
    source: SourceDocument,
) -> None:
    session = write.session
    existing = {
        (c.kind, c.value.lower()): c
        for c in session.execute(
            select(Contact).where(col(Contact.organisation_id) == organisation.id, live(Contact))
        ).scalars()
    }
    for contact in entry.contacts:
        data = ContactCreate(
            organisation=organisation.slug,
            kind=contact.kind,
            value=contact.value,
            label=contact.label,
            role=contact.role,
            region=contact.region,
            valid_as_of=seed.source.published_on,
        )
        current = existing.pop((contact.kind.value, contact.value.lower()), None)
        origin = _origin(source, contact)
        if current is None:
            contact_writes.create_contact(write, data, origin)
        else:
            contact_writes.update_contact(write, current, data, origin)
    for stale in existing.values():
        if stale.source_id == source.id:
            contact_writes.delete_contact(write, stale)


def _load_relations(
    write: Write, seed: SeedFile, source: SourceDocument, organisations: dict[str, Organisation]
) -> None:
    session = write.session
    existing = {
        (r.subject_id, r.type, r.object_id): r
        for r in session.execute(
            select(Relation).where(col(Relation.source_id) == source.id)
        ).scalars()
    }
    for entry in seed.relations:
        subject, obj = organisations[entry.subject], organisations[entry.object]
        data = RelationInput(
            subject=entry.subject,
            type=entry.type,
            object=entry.object,
            role=entry.role,
            note=entry.note,
            valid_as_of=seed.source.published_on,
        )
        current = existing.pop((subject.id, entry.type.value, obj.id), None)
        if current is None or current.deleted_at is not None:
            relation_writes.create_relation(write, data, _origin(source, entry))
        else:
            relation_writes.update_relation(write, current, data, _origin(source, entry))
    for stale in existing.values():
        if stale.deleted_at is None:
            relation_writes.delete_relation(write, stale)
