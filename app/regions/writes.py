"""Writes of regions: the tree stays a tree, and names are folded here for sorting and search."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session, col

from app.changes.models import Resource
from app.contacts.models import Contact
from app.db import live, stored_id, utc_now
from app.errors import Conflict, InvalidBody
from app.folding import fold, slugify
from app.organisations.models import Organisation, OrganisationRegion
from app.organisations.writes import watch_organisation
from app.regions import service
from app.regions.models import Region
from app.regions.schemas import RegionCreate, RegionUpdate
from app.writes import Author, Editing, Snapshot, T, Write, add, assign, representation


def region_key(region: Region) -> str:
    """How URLs name a region: its official code, else its slug."""
    return region.code or region.slug


def logged_key(region: Region) -> str:
    """How the change log (and so the feed) names a region: by its slug, which never changes.
    A code can be corrected, and the old one would then lead nowhere."""
    return region.slug


def derived_fields(name: str) -> dict[str, str]:
    """The column computed from a region's name: its sort and search key."""
    return {"name_key": fold(name)}


def region_snapshot(session: Session, region: Region) -> Snapshot:
    """What `/regions/{code}` shows: the region with its parent, children and organisations."""
    detail = service.region_detail(session, region, "")
    return representation(detail, region)


def watch_region(write: Write, region: Region, dependants: bool = True) -> None:
    """Watch a region and the regions above it (their children and counts show it) and, with
    `dependants`, every record that shows its name: organisations and contacts in it, and
    the regions below it."""
    from app.contacts.writes import watch_contact

    session = write.session
    node: Region | None = region
    while node is not None:
        write.watch(
            Resource.region,
            node,
            lambda node=node: logged_key(node),  # type: ignore[misc]
            lambda node=node: region_snapshot(session, node),  # type: ignore[misc]
        )
        node = session.get(Region, node.parent_id) if node.parent_id else None
    if not dependants:
        return
    organisations = session.execute(
        select(Organisation)
        .join(OrganisationRegion, col(OrganisationRegion.organisation_id) == col(Organisation.id))
        .where(col(OrganisationRegion.region_id) == region.id, live(Organisation))
    ).scalars()
    for organisation in list(organisations):
        watch_organisation(write, organisation, dependants=False)
    contacts = select(Contact).where(col(Contact.region_id) == region.id, live(Contact))
    for contact in list(session.execute(contacts).scalars()):
        watch_contact(write, contact)  # and its organisation, which shows the contact's region
    children = select(Region).where(col(Region.parent_id) == region.id, live(Region))
    for child in list(session.execute(children).scalars()):
        watch_region(write, child, dependants=False)


def create_region(write: Write, data: RegionCreate) -> Region:
    session = write.session
    slug = data.slug or slugify(data.name)[:120].strip("-")
    if not slug:
        raise InvalidBody.field("slug", "cannot be made from the name; give one")
    _check_unique(session, slug, data.code, None)
    values = _columns(session, data, None)
    if values["parent_id"] is not None:
        parent = session.get(Region, values["parent_id"])
        assert parent is not None
        watch_region(write, parent, dependants=False)
    region = Region(slug=slug, **values, created_at=write.now, updated_at=write.now)
    write.add(
        Resource.region,
        region,
        lambda: logged_key(region),
        lambda: region_snapshot(session, region),
    )
    return region


def update_region(write: Write, region: Region, data: RegionUpdate) -> Region:
    session = write.session
    _check_unique(session, region.slug, data.code, region)
    values = _columns(session, data, region)
    if data.valid_as_of is None:
        values["valid_as_of"] = region.valid_as_of
    watch_region(write, region)
    if values["parent_id"] is not None:
        parent = session.get(Region, values["parent_id"])
        assert parent is not None
        watch_region(write, parent, dependants=False)
    assign(region, values)
    return region


def delete_region(write: Write, region: Region) -> None:
    """Soft-delete a region nothing refers to any more."""
    session = write.session
    region_id = stored_id(region)
    users: list[dict[str, str]] = []
    for organisation in session.execute(
        select(Organisation)
        .join(OrganisationRegion, col(OrganisationRegion.organisation_id) == col(Organisation.id))
        .where(col(OrganisationRegion.region_id) == region_id, live(Organisation))
    ).scalars():
        users.append({"organisation": organisation.slug})
    for contact in session.execute(
        select(Contact).where(col(Contact.region_id) == region_id, live(Contact))
    ).scalars():
        users.append({"contact": f"/contacts/{contact.id}"})
    for child in session.execute(
        select(Region).where(col(Region.parent_id) == region_id, live(Region))
    ).scalars():
        users.append({"region": region_key(child)})
    if users:
        raise Conflict(
            f"{len(users)} record(s) refer to region {region_key(region)!r}; "
            "move or delete them first.",
            extra={"dependants": users},
        )
    watch_region(write, region)
    region.deleted_at = write.now


def editable_state(session: Session, region: Region) -> dict[str, Any]:
    """The region as a `RegionUpdate` body: what a merge patch applies to."""
    parent = session.get(Region, region.parent_id) if region.parent_id else None
    return {
        "name": region.name,
        "kind": region.kind,
        "code": region.code,
        "parent": region_key(parent) if parent else None,
        "note": region.note,
        "valid_as_of": region.valid_as_of.isoformat() if region.valid_as_of else None,
    }


def _check_unique(session: Session, slug: str, code: str | None, region: Region | None) -> None:
    taken = session.execute(
        select(Region).where(
            or_(col(Region.slug) == slug, col(Region.code) == code)
            if code
            else col(Region.slug) == slug
        )
    ).scalars()
    for other in taken:
        if region is not None and other.id == region.id:
            continue
        what = f"code {code!r}" if code and other.code == code else f"slug {slug!r}"
        held = " by a deleted region" if other.deleted_at else ""
        raise Conflict(f"The {what} is taken{held}.")


def _columns(session: Session, data: RegionUpdate, region: Region | None) -> dict[str, Any]:
    parent_id = None
    if data.parent is not None:
        parent = service.find_region(session, data.parent)
        if parent is None:
            raise InvalidBody.field("parent", f"no region with code or slug {data.parent!r}")
        if region is not None:
            _refuse_cycle(session, region, parent)
        parent_id = stored_id(parent)
    return {
        "code": data.code,
        "name": data.name,
        **derived_fields(data.name),
        "kind": data.kind.value,
        "parent_id": parent_id,
        "note": data.note,
        "valid_as_of": data.valid_as_of or utc_now().date(),
    }


def _refuse_cycle(session: Session, region: Region, parent: Region) -> None:
    """A region cannot lie below itself."""
    node: Region | None = parent
    seen: set[int] = set()
    while node is not None and stored_id(node) not in seen:
        if node.id == region.id:
            raise InvalidBody.field(
                "parent", f"{region_key(parent)!r} lies below {region_key(region)!r}: a cycle"
            )
        seen.add(stored_id(node))
        node = session.get(Region, node.parent_id) if node.parent_id else None


# --- Transactions, as the API calls them ------------------------------------------------------


def create(session: Session, author: Author, data: RegionCreate, answer: Callable[[Any], T]) -> T:
    return add(session, author, lambda write: create_region(write, data), answer)


EDITING = Editing(
    Resource.region,
    service.get_region,
    editable_state,
    RegionUpdate,
    update_region,
    delete_region,
    lambda write, region: watch_region(write, region, dependants=False),
)
