"""Load `seed/wegweiser.yaml` into the database: validated first, written in one transaction.

Records are matched by their stable keys (slugs; a contact by organisation, kind
and value; a relation by its two ends and type), so a second run changes
nothing and a changed file updates records in place, bumping their version.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel, col

from app.contacts.models import Contact
from app.db import stored_id, utc_now
from app.folding import fold
from app.locks import SEED_LOCK, wait_for_lock
from app.organisations.indexing import contact_search_text, organisation_search_text
from app.organisations.models import Organisation, OrganisationRegion, OrganisationTopic, Relation
from app.regions.models import Region
from app.sources.models import SourceDocument
from seed.schema import OrganisationEntry, SeedFile
from seed.source_document import SOURCE_DIR

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
    loader = _Loader(session, utc_now())
    with session.begin():
        wait_for_lock(session.connection(), SEED_LOCK)
        if only_if_empty and not database_is_empty(session):
            return None
        source = loader.upsert_source(seed)
        regions = loader.upsert_regions(seed)
        organisations = loader.upsert_organisations(seed, source, regions)
        loader.sync_relations(seed, source, organisations)
    return loader.report


class _Loader:
    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.report = Report()

    def _apply(
        self, kind: str, record: SQLModel | None, new: type[SQLModel], values: dict[str, Any]
    ) -> Any:
        """Create `record`, or update the fields that differ and bump its version."""
        if record is None:
            record = new(**values, created_at=self.now, updated_at=self.now)
            self.session.add(record)
            self.session.flush()
            self.report.created[kind] += 1
            return record
        changed = {k: v for k, v in values.items() if getattr(record, k) != v}
        if changed:
            for key, value in changed.items():
                setattr(record, key, value)
            self._touch(record, kind)
        else:
            self.report.unchanged[kind] += 1
        return record

    def _touch(self, record: Any, kind: str) -> None:
        record.version += 1
        record.updated_at = self.now
        self.report.updated[kind] += 1

    def upsert_source(self, seed: SeedFile) -> SourceDocument:
        entry = seed.source
        current = self.session.execute(
            select(SourceDocument).where(col(SourceDocument.slug) == entry.slug)
        ).scalar_one_or_none()
        return self._apply("source", current, SourceDocument, entry.model_dump())

    def upsert_regions(self, seed: SeedFile) -> dict[str, Region]:
        existing = {r.slug: r for r in self.session.execute(select(Region)).scalars()}
        by_slug: dict[str, Region] = {}
        # Parents first, so every parent has an id when its children are written.
        pending = list(seed.regions)
        while pending:
            ready = [r for r in pending if r.parent is None or r.parent in by_slug]
            for entry in ready:
                values = {
                    "code": entry.code,
                    "slug": entry.slug,
                    "name": entry.name,
                    "name_key": fold(entry.name),
                    "kind": entry.kind.value,
                    "parent_id": by_slug[entry.parent].id if entry.parent else None,
                    "note": entry.note,
                }
                by_slug[entry.slug] = self._apply(
                    "region", existing.get(entry.slug), Region, values
                )
            pending = [r for r in pending if r not in ready]
        return by_slug

    def upsert_organisations(
        self, seed: SeedFile, source: SourceDocument, regions: dict[str, Region]
    ) -> dict[str, Organisation]:
        existing = {o.slug: o for o in self.session.execute(select(Organisation)).scalars()}
        by_slug: dict[str, Organisation] = {}
        for entry in seed.organisations:
            values = _organisation_values(entry, source)
            record = existing.get(entry.slug)
            organisation = self._apply("organisation", record, Organisation, values)
            links_changed = self._sync_topics(organisation, entry) | self._sync_regions(
                organisation, entry, regions
            )
            if record is not None and links_changed and organisation.updated_at != self.now:
                self.report.unchanged["organisation"] -= 1
                self._touch(organisation, "organisation")
            self._sync_contacts(organisation, entry, source, regions)
            by_slug[entry.slug] = organisation
        self.report.not_in_file = sorted(set(existing) - set(by_slug))
        return by_slug

    def _sync_topics(self, organisation: Organisation, entry: OrganisationEntry) -> bool:
        """Topics by folded key, each labelled as the file spells it (the first spelling wins)."""
        current = {
            link.topic: link
            for link in self.session.execute(
                select(OrganisationTopic).where(
                    col(OrganisationTopic.organisation_id) == organisation.id
                )
            ).scalars()
        }
        wanted: dict[str, str] = {}
        for label in entry.topics:
            wanted.setdefault(fold(label), label)
        changed = False
        for key in current.keys() - wanted.keys():
            self.session.delete(current[key])
            changed = True
        for key, label in wanted.items():
            link = current.get(key)
            if link is None:
                self.session.add(
                    OrganisationTopic(
                        organisation_id=stored_id(organisation), topic=key, label=label
                    )
                )
                changed = True
            elif link.label != label:
                link.label = label
                changed = True
        return changed

    def _sync_regions(
        self, organisation: Organisation, entry: OrganisationEntry, regions: dict[str, Region]
    ) -> bool:
        current = {
            (link.region_id, link.role): link
            for link in self.session.execute(
                select(OrganisationRegion).where(
                    col(OrganisationRegion.organisation_id) == organisation.id
                )
            ).scalars()
        }
        wanted = {(stored_id(regions[link.region]), link.role.value) for link in entry.regions}
        if set(current) == wanted:
            return False
        for key in set(current) - wanted:
            self.session.delete(current[key])
        self.session.flush()
        self.session.add_all(
            OrganisationRegion(
                organisation_id=stored_id(organisation), region_id=region_id, role=role
            )
            for region_id, role in wanted - set(current)
        )
        return True

    def _sync_contacts(
        self,
        organisation: Organisation,
        entry: OrganisationEntry,
        source: SourceDocument,
        regions: dict[str, Region],
    ) -> None:
        existing = {
            (c.kind, c.value): c
            for c in self.session.execute(
                select(Contact).where(col(Contact.organisation_id) == organisation.id)
            ).scalars()
        }
        for contact in entry.contacts:
            values = {
                "organisation_id": organisation.id,
                "kind": contact.kind.value,
                "value": contact.value,
                "label": contact.label,
                "role": contact.role,
                "region_id": regions[contact.region].id if contact.region else None,
                "value_key": contact_search_text(contact.value, contact.label, contact.role),
                "corrections": [c.model_dump() for c in contact.corrections],
                "source_id": source.id,
                "source_slide": contact.slide,
                "source_section": contact.section,
            }
            self._apply(
                "contact", existing.pop((contact.kind.value, contact.value), None), Contact, values
            )
        for stale in existing.values():
            self.session.delete(stale)
            self.report.deleted["contact"] += 1

    def sync_relations(
        self, seed: SeedFile, source: SourceDocument, organisations: dict[str, Organisation]
    ) -> None:
        existing = {
            (r.subject_id, r.type, r.object_id): r
            for r in self.session.execute(
                select(Relation).where(col(Relation.source_id) == source.id)
            ).scalars()
        }
        for entry in seed.relations:
            subject, obj = organisations[entry.subject], organisations[entry.object]
            key = (subject.id, entry.type.value, obj.id)
            values = {
                "subject_id": subject.id,
                "object_id": obj.id,
                "type": entry.type.value,
                "role": entry.role,
                "note": entry.note,
                "source_id": source.id,
                "source_slide": entry.slide,
                "source_section": entry.section,
            }
            self._apply("relation", existing.pop(key, None), Relation, values)
        for stale in existing.values():
            self.session.delete(stale)
            self.report.deleted["relation"] += 1


def _organisation_values(entry: OrganisationEntry, source: SourceDocument) -> dict[str, Any]:
    return {
        "slug": entry.slug,
        "name": entry.name,
        "short_name": entry.short_name,
        "kind": entry.kind.value,
        "legal_form": entry.legal_form,
        "level": entry.level.value if entry.level else None,
        "description": entry.description,
        "tasks": list(entry.tasks),
        "target_groups": list(entry.target_groups),
        "names_in_source": list(entry.names_in_source),
        "corrections": [c.model_dump() for c in entry.corrections],
        "name_key": fold(entry.name),
        "search_text": organisation_search_text(
            entry.name,
            entry.short_name,
            entry.names_in_source,
            entry.description,
            entry.tasks,
            entry.topics,
            entry.target_groups,
        ),
        "source_id": source.id,
        "source_slide": entry.slide,
        "source_section": entry.section,
    }
