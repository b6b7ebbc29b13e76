"""Read a `DirectoryFile` into the database: the whole file checked first, then one transaction.

Every record goes through its resource's write path (app/<resource>/writes.py), as an
edit over the API does, so versions, history and the change feed record the import.
Records are matched by their stable keys: a record of the file that the database
holds (deleted or not) is made what the file says, keeping its id; one it lacks is
created. The file wins over what editors changed since. What the database holds
beyond the file stays (`merge`, the default) or is deleted (`replace`, which makes
the directory the file's). An organisation's contacts in the file are all of its
contacts either way: one the file does not list is deleted.

A file that does not fit, or names what exists neither in the file nor in the
database, is refused before anything is written, with every problem named by its
place in the file and its record; a write the database refuses later rolls the
whole import back, named the same way.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError
from sqlmodel import Session, col

from app.contacts import writes as contact_writes
from app.contacts.models import Contact
from app.contacts.schemas import ContactCreate
from app.db import live
from app.errors import DomainError, InvalidBody, InvalidParam, quoted
from app.exchange.schemas import (
    ContactEntry,
    DirectoryFile,
    OrganisationEntry,
    RegionEntry,
    RelationEntry,
    RelationProvenanceEntry,
)
from app.inputs import validated
from app.organisations import concepts
from app.organisations import service as organisation_service
from app.organisations import writes as organisation_writes
from app.organisations.models import Organisation, Relation
from app.organisations.schemas import OrganisationCreate
from app.regions import writes as region_writes
from app.regions.models import Region
from app.regions.schemas import RegionCreate
from app.relations import writes as relation_writes
from app.relations.schemas import RelationInput
from app.sources.models import SourceDocument
from app.sources.writes import upsert_source
from app.writes import Author, ChangeCounts, Origin, Write, write_transaction


class Mode(Enum):
    """What becomes of the records the database holds beyond the file."""

    merge = "merge"
    replace = "replace"


@dataclass
class ImportReport(ChangeCounts):
    """What an import did, per resource (`organisation`, `contact`, `region`, `relation`)."""

    revision: int | None = None  # the directory revision it committed; None: nothing changed

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": dict(sorted(self.created.items())),
            "updated": dict(sorted(self.updated.items())),
            "deleted": dict(sorted(self.deleted.items())),
            "unchanged": dict(sorted(self.unchanged.items())),
            "revision": self.revision,
        }

    def summary(self) -> str:
        return "\n".join(self.lines())


class InvalidFile(InvalidBody):
    """The file does not fit the format or the database: nothing was written."""

    def __init__(self, params: list[InvalidParam]) -> None:
        first = params[0]
        more = f" (and {len(params) - 1} more)" if len(params) > 1 else ""
        super().__init__(
            f"The file cannot be imported: {first.name}: {first.reason}{more}.", params
        )


def import_directory(
    session: Session, author: Author, data: Any, mode: Mode = Mode.merge
) -> ImportReport:
    """Write `data` (a parsed `DirectoryFile`) into the database; InvalidFile if it cannot be."""
    document = _parse(data)
    report = ImportReport()
    try:
        with write_transaction(session, author) as write:
            # Checked against the database in the transaction that writes: as it will be.
            problems = _check(session, document, mode)
            if problems:
                raise InvalidFile(problems)
            _Importer(write, document, mode).run()
    except (DataError, OverflowError) as error:  # a value the checks let through, refused
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        refused = f"the database refused a value: {reason}"
        raise InvalidFile([InvalidParam(name="body", location="body", reason=refused)]) from None
    report.count(write.changes)
    in_file = {
        "region": len(document.regions),
        "organisation": len(document.organisations),
        "contact": sum(len(o.contacts) for o in document.organisations),
        "relation": len(document.relations),
    }
    report.settle(in_file)
    report.revision = write.revision if write.changes else None
    return report


# --- Checking the whole file ------------------------------------------------------------------


def _parse(data: Any) -> DirectoryFile:
    if not isinstance(data, dict):
        raise InvalidBody("The file must be a JSON object (a Wegweiser Sachsen directory).")
    try:
        return validated(DirectoryFile, data)
    except InvalidBody as error:
        raise InvalidFile(
            [
                InvalidParam(
                    name=p.name, location="body", reason=_in_record(data, p.name, p.reason)
                )
                for p in error.params
            ]
        ) from None


def _in_record(data: dict[str, Any], path: str, reason: str) -> str:
    """`reason`, saying first which record of the file the field at `path` belongs to."""
    parts = path.split(".")
    try:
        entry = data[parts[0]][int(parts[1])]
        if parts[0] == "relations":
            record = f"relation {entry['subject']} {entry['type']} {entry['object']}"
        else:
            record = f"{parts[0][:-1]} {quoted(entry['slug'])}"
        if parts[0] == "organisations" and len(parts) > 3 and parts[2] == "contacts":
            contact = entry["contacts"][int(parts[3])]
            record += f", contact {quoted(contact['value'])}"
    except (KeyError, IndexError, ValueError, TypeError):
        return reason
    return f"{record}: {reason}"


def _check(session: Session, document: DirectoryFile, mode: Mode) -> list[InvalidParam]:
    """Every problem of `document` that the models cannot see: duplicate keys, and references
    to what exists neither in the file nor (merging) in the database."""
    problems: list[InvalidParam] = []

    def problem(path: str, record: str, reason: str) -> None:
        problems.append(InvalidParam(name=path, location="body", reason=f"{record}: {reason}"))

    merging = mode is Mode.merge
    sources = {s.slug for s in document.sources}
    known_sources = sources | (
        set(session.execute(select(col(SourceDocument.slug))).scalars()) if merging else set()
    )
    region_keys = {r.slug for r in document.regions} | {r.code for r in document.regions if r.code}
    if merging:
        for slug, code in session.execute(
            select(col(Region.slug), col(Region.code)).where(live(Region))
        ):
            region_keys |= {slug, code} if code else {slug}
    organisation_slugs = {o.slug for o in document.organisations}
    if merging:
        organisation_slugs |= set(
            session.execute(select(col(Organisation.slug)).where(live(Organisation))).scalars()
        )

    _duplicates(problems, "sources", [s.slug for s in document.sources], "slug")
    _duplicates(problems, "regions", [r.slug for r in document.regions], "slug")
    _duplicates(problems, "regions", [r.code for r in document.regions], "code")
    _duplicates(problems, "organisations", [o.slug for o in document.organisations], "slug")
    _duplicates(
        problems, "relations", [(r.subject, r.type, r.object) for r in document.relations], ""
    )

    for i, region in enumerate(document.regions):
        record = f"region {quoted(region.slug)}"
        if region.parent is not None and region.parent not in region_keys:
            problem(f"regions.{i}.parent", record, f"no region {quoted(region.parent)}")
    for i in parents_first(document.regions)[1]:
        record = f"region {quoted(document.regions[i].slug)}"
        problem(f"regions.{i}.parent", record, "its parents lead back to itself")

    for i, organisation in enumerate(document.organisations):
        at = f"organisations.{i}"
        record = f"organisation {quoted(organisation.slug)}"
        for j, link in enumerate(organisation.regions):
            if link.region not in region_keys:
                problem(f"{at}.regions.{j}.region", record, f"no region {quoted(link.region)}")
        try:
            concepts.wanted_rows(organisation.concepts)
        except InvalidBody as error:
            for p in error.params:
                problem(f"{at}.{p.name}", record, p.reason)
        _provenance(problem, f"{at}.provenance", record, organisation.provenance, known_sources)
        seen: set[tuple[str, str]] = set()
        for j, contact in enumerate(organisation.contacts):
            contact_at = f"{at}.contacts.{j}"
            contact_record = f"{record}, contact {quoted(contact.value)}"
            try:
                value = contact_writes.normalised_value(contact.kind, contact.value)
            except InvalidBody as error:
                problem(f"{contact_at}.value", contact_record, error.params[0].reason)
                continue
            if (contact.kind.value, value.lower()) in seen:
                problem(f"{contact_at}.value", contact_record, "listed twice")
            seen.add((contact.kind.value, value.lower()))
            if contact.region is not None and contact.region not in region_keys:
                problem(
                    f"{contact_at}.region", contact_record, f"no region {quoted(contact.region)}"
                )
            _provenance(
                problem,
                f"{contact_at}.provenance",
                contact_record,
                contact.provenance,
                known_sources,
            )

    for i, relation in enumerate(document.relations):
        at = f"relations.{i}"
        record = f"relation {relation.subject} {relation.type.value} {relation.object}"
        for end in ("subject", "object"):
            slug = getattr(relation, end)
            if slug not in organisation_slugs:
                problem(f"{at}.{end}", record, f"no organisation {quoted(slug)}")
        if relation.subject == relation.object:
            problem(f"{at}.object", record, "a relation links two different organisations")
        _provenance(problem, f"{at}.provenance", record, relation.provenance, known_sources)
    return problems


def _duplicates(problems: list[InvalidParam], table: str, keys: list[Any], name: str) -> None:
    seen: dict[Any, int] = {}
    for i, key in enumerate(keys):
        if key is None:
            continue
        if key in seen:
            path = f"{table}.{i}.{name}" if name else f"{table}.{i}"
            what = " ".join(str(k) for k in key) if isinstance(key, tuple) else quoted(key)
            problems.append(
                InvalidParam(
                    name=path, location="body", reason=f"{what} is also {table}.{seen[key]}"
                )
            )
        else:
            seen[key] = i


def parents_first(regions: list[RegionEntry]) -> tuple[list[int], list[int]]:
    """The indexes of `regions` with each region's parent in the file before it, and those
    of the regions on or below a cycle of parents, which no order can write."""
    index = {r.slug: i for i, r in enumerate(regions)} | {
        r.code: i for i, r in enumerate(regions) if r.code
    }
    children: dict[int, list[int]] = {i: [] for i in range(len(regions))}
    roots = []
    for i, region in enumerate(regions):
        parent = index.get(region.parent) if region.parent is not None else None
        if parent is None:  # none, or one the database holds
            roots.append(i)
        else:
            children[parent].append(i)
    ordered: list[int] = []
    while roots:
        ordered += roots
        roots = [child for i in roots for child in children[i]]
    placed = set(ordered)
    return ordered, [i for i in range(len(regions)) if i not in placed]


def _provenance(
    problem: Callable[[str, str, str], None],
    path: str,
    record: str,
    provenance: RelationProvenanceEntry | None,
    sources: set[str],
) -> None:
    source = provenance.source if provenance is not None else None
    if source is not None and source not in sources:
        problem(f"{path}.source", record, f"no source {quoted(source)}")


# --- Writing ----------------------------------------------------------------------------------


class _Importer:
    """One import: the file's records, written through the resources' writes."""

    def __init__(self, write: Write, document: DirectoryFile, mode: Mode) -> None:
        self.write = write
        self.session = write.session
        self.document = document
        self.mode = mode
        self.sources: dict[str, int] = {}

    def run(self) -> None:
        for source_entry in self.document.sources:
            self._source(source_entry.model_dump())
        self.sources = dict(
            self.session.execute(select(col(SourceDocument.slug), col(SourceDocument.id))).all()
        )
        for i in parents_first(self.document.regions)[0]:
            region_entry = self.document.regions[i]
            with _naming(f"regions.{i}", f"region {quoted(region_entry.slug)}"):
                self._region(region_entry)
        for i, entry in enumerate(self.document.organisations):
            with _naming(f"organisations.{i}", f"organisation {quoted(entry.slug)}"):
                self._organisation(entry)
        for i, relation_entry in enumerate(self.document.relations):
            record = f"relation {relation_entry.subject} {relation_entry.type.value} "
            with _naming(f"relations.{i}", record + relation_entry.object):
                self._relation(relation_entry)
        if self.mode is Mode.replace:
            self._delete_the_rest()

    def _source(self, entry: dict[str, Any]) -> None:
        """A source as the file states it. The records citing a changed one show it in their
        provenance: they are watched first, so that they get a version and a change of their
        own, as for any edit of what they show."""
        current = self.session.execute(
            select(SourceDocument).where(col(SourceDocument.slug) == entry["slug"])
        ).scalar_one_or_none()
        if current is not None and any(getattr(current, k) != v for k, v in entry.items()):
            for model, watch in (
                (Organisation, organisation_writes.watch_organisation),
                (Contact, contact_writes.watch_contact),
                (Relation, relation_writes.watch_relation),
            ):
                citing = select(model).where(model.source_id == current.id, live(model))
                for record in self.session.execute(citing).scalars():
                    watch(self.write, record)
        upsert_source(self.session, entry)

    def _origin(self, provenance: RelationProvenanceEntry | None) -> Origin:
        if provenance is None:
            return Origin()
        corrections = getattr(provenance, "corrections", [])
        return Origin(
            self.sources.get(provenance.source) if provenance.source else None,
            provenance.slide,
            provenance.section,
            [c.model_dump() for c in corrections],
            [i.model_dump() for i in provenance.inferences],
        )

    def _region(self, entry: RegionEntry) -> None:
        data = RegionCreate.model_validate(entry.model_dump(exclude={"last_verified_at"}))
        region = self.session.execute(
            select(Region).where(col(Region.slug) == entry.slug)
        ).scalar_one_or_none()
        if region is None:
            region = region_writes.create_region(self.write, data)
        else:
            if region.deleted_at is not None:
                region_writes.watch_region(self.write, region)
                region.deleted_at = None
            region_writes.update_region(self.write, region, data)
        region.last_verified_at = entry.last_verified_at

    def _organisation(self, entry: OrganisationEntry) -> None:
        data = OrganisationCreate.model_validate(
            entry.model_dump(exclude={"contacts", "last_verified_at", "provenance"})
        )
        origin = self._origin(entry.provenance)
        organisation = organisation_service.find_organisation(self.session, entry.slug)
        if organisation is None:
            organisation = organisation_writes.create_organisation(self.write, data, origin)
        else:
            if organisation.deleted_at is not None:
                organisation_writes.watch_organisation(self.write, organisation)
                organisation.deleted_at = None
            organisation_writes.update_organisation(self.write, organisation, data, origin)
        organisation.last_verified_at = entry.last_verified_at
        if "contacts" in entry.model_fields_set:  # left out: its contacts stay as they are
            self._contacts(entry, organisation)

    def _contacts(self, entry: OrganisationEntry, organisation: Organisation) -> None:
        existing = {
            (c.kind, c.value.lower()): c
            for c in self.session.execute(
                select(Contact).where(col(Contact.organisation_id) == organisation.id)
            ).scalars()
        }
        for j, contact_entry in enumerate(entry.contacts):
            record = f"organisation {quoted(entry.slug)}, contact {quoted(contact_entry.value)}"
            with _naming(f"contacts.{j}", record):
                contact = self._contact(organisation, contact_entry, existing)
            contact.last_verified_at = contact_entry.last_verified_at
        for stale in existing.values():
            if stale.deleted_at is None:
                contact_writes.delete_contact(self.write, stale)

    def _contact(
        self,
        organisation: Organisation,
        entry: ContactEntry,
        existing: dict[tuple[str, str], Contact],
    ) -> Contact:
        data = ContactCreate.model_validate(
            {
                **entry.model_dump(exclude={"last_verified_at", "provenance"}),
                "organisation": organisation.slug,
            }
        )
        origin = self._origin(entry.provenance)
        value = contact_writes.normalised_value(entry.kind, entry.value)
        current = existing.pop((entry.kind.value, value.lower()), None)
        if current is None or current.deleted_at is not None:
            return contact_writes.create_contact(self.write, data, origin)
        return contact_writes.update_contact(self.write, current, data, origin)

    def _relation(self, entry: RelationEntry) -> None:
        data = RelationInput.model_validate(
            entry.model_dump(exclude={"last_verified_at", "provenance"})
        )
        origin = self._origin(entry.provenance)
        subject = organisation_service.find_organisation(self.session, entry.subject)
        obj = organisation_service.find_organisation(self.session, entry.object)
        assert subject is not None and obj is not None  # checked before writing
        relation = self.session.execute(
            select(Relation).where(
                col(Relation.subject_id) == subject.id,
                col(Relation.object_id) == obj.id,
                col(Relation.type) == entry.type.value,
            )
        ).scalar_one_or_none()
        if relation is None:
            relation = relation_writes.create_relation(self.write, data, origin)
        else:
            if relation.deleted_at is not None:
                relation_writes.watch_relation(self.write, relation)
                relation.deleted_at = None
            relation_writes.update_relation(self.write, relation, data, origin)
        relation.last_verified_at = entry.last_verified_at

    def _delete_the_rest(self) -> None:
        """`replace`: what the file does not hold leaves the directory."""
        session = self.session
        in_file = {o.slug for o in self.document.organisations}
        for organisation in list(
            session.execute(select(Organisation).where(live(Organisation))).scalars()
        ):
            if organisation.slug not in in_file:
                organisation_writes.delete_organisation(self.write, organisation, cascade=True)
        relations = {(r.subject, r.type.value, r.object) for r in self.document.relations}
        slugs = dict(session.execute(select(col(Organisation.id), col(Organisation.slug))).all())
        for relation in list(session.execute(select(Relation).where(live(Relation))).scalars()):
            key = (slugs[relation.subject_id], relation.type, slugs[relation.object_id])
            if key not in relations:
                relation_writes.delete_relation(self.write, relation)
        regions = {r.slug for r in self.document.regions}
        doomed = [
            r
            for r in session.execute(select(Region).where(live(Region))).scalars()
            if r.slug not in regions
        ]
        while doomed:  # children before their parents
            parents = {r.parent_id for r in doomed}
            leaves = [r for r in doomed if r.id not in parents]
            for region in leaves:
                with _naming("regions", f"region {quoted(region.slug)} (not in the file)"):
                    region_writes.delete_region(self.write, region)
            doomed = [r for r in doomed if r not in leaves]


@contextmanager
def _naming(path: str, record: str) -> Iterator[None]:
    """A refusal of the write path, named by the place in the file it concerns."""
    try:
        yield
    except InvalidFile as error:  # named by an inner record (a contact): the outer path first
        raise InvalidFile(
            [
                InvalidParam(name=f"{path}.{p.name}", location="body", reason=p.reason)
                for p in error.params
            ]
        ) from None
    except InvalidBody as error:
        params = error.params or [InvalidParam(name="", location="body", reason=error.detail)]
        raise InvalidFile(
            [
                InvalidParam(
                    name=f"{path}.{p.name}".rstrip("."),
                    location="body",
                    reason=f"{record}: {p.reason}",
                )
                for p in params
            ]
        ) from None
    except DomainError as error:
        raise InvalidFile(
            [InvalidParam(name=path, location="body", reason=f"{record}: {error.detail}")]
        ) from None
