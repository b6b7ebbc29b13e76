"""Load `seed/wegweiser.yaml` into the database: validated first, written in one transaction.

A thin reader: every record goes through the write path of its resource
(app/<resource>/writes.py), which derives the computed fields, versions what
changed and logs it in the change feed, as for an edit over the API. Records
are matched by their stable keys (slugs; a contact by organisation, kind and
value in any case; a relation by its two ends and type), so a second run
changes nothing and a changed file updates records in place, keeping their ids.
A contact or relation the file no longer has is deleted (a tombstone in the feed).

Editors' work wins over the file: a record changed or deleted over the API since
the seed wrote it is left as it is (and listed in the report), so running the
loader again after an upgrade never undoes an edit.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlmodel import Session, col

from app.changes.models import Change, Resource
from app.contacts import writes as contact_writes
from app.contacts.models import Contact
from app.contacts.schemas import ContactCreate
from app.db import live, stored_id
from app.organisations import service as organisation_service
from app.organisations import writes as organisation_writes
from app.organisations.models import Organisation, Relation
from app.organisations.schemas import ConceptTagsInput, OrganisationCreate, RegionLinkInput
from app.regions import service as region_service
from app.regions import writes as region_writes
from app.regions.schemas import RegionCreate
from app.relations import writes as relation_writes
from app.relations.schemas import RelationInput
from app.sources.models import SourceDocument
from app.sources.writes import Outcome, upsert_source
from app.writes import Author, ChangeCounts, Origin, Write, write_transaction
from app.yamlio import load_yaml
from seed.schema import OrganisationEntry, SeedFile
from seed.source_document import SOURCE_DIR

SEED_ACTOR = "seed"

DATA_FILE = Path(__file__).parent / "wegweiser.yaml"


class SeedError(Exception):
    """The seed file is unreadable or invalid; nothing was written."""


@dataclass
class Report(ChangeCounts):
    not_in_file: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)  # kept as editors left them

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def summary(self) -> str:
        lines = self.lines()
        if self.edited:
            lines.append(
                "changed or deleted by editors since the seed, kept as they are: "
                + ", ".join(self.edited)
            )
        if self.not_in_file:
            lines.append(
                "organisations in the database but not in the file (kept): "
                + ", ".join(self.not_in_file)
            )
        return "\n".join(lines)


def read_seed_file(path: Path = DATA_FILE) -> SeedFile:
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
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
        loader = _Loader(write, seed, source, _edited(session), report)
        loader.regions()
        organisations = loader.organisations()
        loader.relations(organisations)
        report.not_in_file = sorted(
            set(session.execute(select(col(Organisation.slug)).where(live(Organisation))).scalars())
            - {o.slug for o in seed.organisations}
        )
    report.count(write.changes)
    in_file = {
        "region": len(seed.regions),
        "organisation": len(seed.organisations),
        "contact": sum(len(o.contacts) for o in seed.organisations),
        "relation": len(seed.relations),
    }
    report.settle(in_file, kept=Counter(entry.split(" ", 1)[0] for entry in report.edited))
    return report


# Who writes what the file says; changes by anyone else are editors' work.
_FROM_THE_FILE = (SEED_ACTOR, "migration")


def _edited(session: Session) -> set[tuple[str, int]]:
    """The records editors have changed or deleted: (resource, id)."""
    rows = session.execute(
        select(col(Change.resource), col(Change.record_id))
        .where(col(Change.actor).not_in(_FROM_THE_FILE))
        .distinct()
    )
    return {(resource, record_id) for resource, record_id in rows}


def _upsert_source(session: Session, seed: SeedFile, report: Report) -> SourceDocument:
    """The source document itself: a fixed fact of the seed, not an edited record."""
    source, outcome = upsert_source(session, seed.source.model_dump())
    {
        Outcome.created: report.created,
        Outcome.updated: report.updated,
        Outcome.unchanged: report.unchanged,
    }[outcome]["source"] += 1
    return source


def _origin(source: SourceDocument, entry: OrganisationEntry | object) -> Origin:
    return Origin(
        stored_id(source),
        getattr(entry, "slide", None),
        getattr(entry, "section", None),
        [c.model_dump() for c in getattr(entry, "corrections", [])],
        [i.model_dump() for i in getattr(entry, "inferences", [])],
    )


class _Loader:
    """One load: the file's records, written through the resources' writes."""

    def __init__(
        self,
        write: Write,
        seed: SeedFile,
        source: SourceDocument,
        edited: set[tuple[str, int]],
        report: Report,
    ) -> None:
        self.write = write
        self.session = write.session
        self.seed = seed
        self.source = source
        self.edited_records = edited
        self.report = report

    def _kept(self, resource: Resource, record: Any, name: str) -> bool:
        """Whether editors changed or deleted `record`: then the file leaves it alone."""
        if (resource.value, stored_id(record)) not in self.edited_records:
            return False
        self.report.edited.append(f"{resource.value} {name}")
        return True

    def regions(self) -> None:
        # Parents first, so every parent exists when its children are written.
        done: set[str] = set()
        pending = list(self.seed.regions)
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
                    valid_as_of=self.seed.source.published_on,
                )
                region = region_service.find_region(self.session, entry.slug, include_deleted=True)
                if region is None:
                    region_writes.create_region(self.write, data)
                elif not self._kept(Resource.region, region, entry.slug):
                    region_writes.update_region(self.write, region, data)
                done.add(entry.slug)
            pending = [r for r in pending if r not in ready]

    def organisations(self) -> dict[str, Organisation]:
        by_slug: dict[str, Organisation] = {}
        for entry in self.seed.organisations:
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
                regions=[RegionLinkInput(region=r.region, role=r.role) for r in entry.regions],
                concepts=ConceptTagsInput.model_validate(entry.concepts.model_dump()),
                valid_as_of=self.seed.source.published_on,
            )
            origin = _origin(self.source, entry)
            organisation = organisation_service.find_organisation(self.session, entry.slug)
            if organisation is None:
                organisation = organisation_writes.create_organisation(self.write, data, origin)
            elif self._kept(Resource.organisation, organisation, entry.slug):
                if organisation.deleted_at is None:
                    by_slug[entry.slug] = organisation  # its relations are still the file's
                continue
            else:
                organisation_writes.update_organisation(self.write, organisation, data, origin)
            self._contacts(entry, organisation)
            by_slug[entry.slug] = organisation
        return by_slug

    def _contacts(self, entry: OrganisationEntry, organisation: Organisation) -> None:
        existing = {
            (c.kind, c.value.lower()): c
            for c in self.session.execute(
                select(Contact).where(col(Contact.organisation_id) == organisation.id)
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
                valid_as_of=self.seed.source.published_on,
            )
            # Matched as stored: a phone number in E.164, an address in any case.
            value = contact_writes.normalised_value(contact.kind, contact.value)
            current = existing.pop((contact.kind.value, value.lower()), None)
            origin = _origin(self.source, contact)
            name = f"{organisation.slug}/{value}"
            if current is not None and self._kept(Resource.contact, current, name):
                continue
            if current is None or current.deleted_at is not None:  # new, or back in the file
                contact_writes.create_contact(self.write, data, origin)
            else:
                contact_writes.update_contact(self.write, current, data, origin)
        for stale in existing.values():
            name = f"{organisation.slug}/{stale.value}"
            from_file = stale.deleted_at is None and stale.source_id == self.source.id
            if from_file and not self._kept(Resource.contact, stale, name):
                contact_writes.delete_contact(self.write, stale)

    def relations(self, organisations: dict[str, Organisation]) -> None:
        existing = {
            (r.subject_id, r.type, r.object_id): r
            for r in self.session.execute(
                select(Relation).where(col(Relation.source_id) == self.source.id)
            ).scalars()
        }
        for entry in self.seed.relations:
            subject, obj = organisations.get(entry.subject), organisations.get(entry.object)
            if subject is None or obj is None:  # an end editors deleted
                self.report.edited.append(
                    f"relation {entry.subject} {entry.type.value} {entry.object}"
                )
                continue
            data = RelationInput(
                subject=entry.subject,
                type=entry.type,
                object=entry.object,
                role=entry.role,
                note=entry.note,
                valid_as_of=self.seed.source.published_on,
            )
            current = existing.pop((subject.id, entry.type.value, obj.id), None)
            name = f"{entry.subject} {entry.type.value} {entry.object}"
            if current is not None and self._kept(Resource.relation, current, name):
                continue
            if current is None or current.deleted_at is not None:  # new, or back in the file
                relation_writes.create_relation(self.write, data, _origin(self.source, entry))
            else:
                relation_writes.update_relation(
                    self.write, current, data, _origin(self.source, entry)
                )
        for stale in existing.values():
            if stale.deleted_at is None and (Resource.relation.value, stored_id(stale)) not in (
                self.edited_records
            ):
                relation_writes.delete_relation(self.write, stale)
