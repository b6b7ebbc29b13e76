"""Queries over organisations, their relations, regions and topics."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Executable, Row, Select, bindparam, select
from sqlalchemy.orm import Mapped, aliased
from sqlmodel import Session, col

from app.contacts import service as contact_service
from app.contacts.models import Contact
from app.contacts.schemas import ContactSummary
from app.db import as_utc, connection_of, live, not_verified_since, stored_id
from app.errors import Gone, InvalidParameter, NotFound
from app.folding import fold
from app.languages import DEFAULT, Language
from app.memo import filter_key, memoised, remembered, remembered_with_json
from app.organisations import concepts, graph
from app.organisations import facets as facet_service
from app.organisations.models import (
    INVERSE_RELATION,
    NETWORK_KINDS,
    Organisation,
    OrganisationRegion,
    OrganisationTopic,
    Relation,
    RelationType,
)
from app.organisations.schemas import (
    MemberPublic,
    NetworkDetail,
    NetworkSummary,
    OrganisationDetail,
    OrganisationSummary,
    RegionLinkPublic,
    RelationPublic,
)
from app.pagination import FacetedWindow, PageRequest, SortKey, fetch_window, remembered_page
from app.reading import extended, json_fragment
from app.refs import OrganisationRef, organisation_url, region_url, relation_url
from app.regions import service as region_service
from app.regions.models import Region
from app.search.forgiving import forgiving, text_matches
from app.search.index import Doc, relevance_order, restrict
from app.search.query import SearchQuery, parse_query
from app.sources import service as source_service
from app.sources.schemas import SourcePublic


@dataclass(frozen=True, slots=True)
class _Identity:
    """Which record a slug names, in which version, and whether it is deleted."""

    id: int
    version: int
    kind: str
    deleted_at: datetime | None


R = TypeVar("R", Organisation, Row[Any], _Identity)

# What a list shows of an organisation: a page loads these columns, not whole records.
SUMMARY_COLUMNS: tuple[Mapped[Any], ...] = (
    col(Organisation.id),
    col(Organisation.slug),
    col(Organisation.name),
    col(Organisation.short_name),
    col(Organisation.kind),
    col(Organisation.legal_form),
    col(Organisation.level),
    col(Organisation.version),
    col(Organisation.updated_at),
    col(Organisation.valid_as_of),
    col(Organisation.last_verified_at),
    col(Organisation.deleted_at),
)

# The other side of a relation. Built once: building an alias costs more than the
# queries that use it.
other = aliased(Organisation, name="other")
member = aliased(Organisation, name="member")


class OrganisationSort(StrEnum):
    name = "name"
    name_desc = "-name"
    updated_at = "updated_at"
    updated_at_desc = "-updated_at"
    relevance = "relevance"


@dataclass(frozen=True)
class OrganisationFilters:
    """List filters: different filters combine with AND, repeated values of one with OR."""

    q: str | None = None
    kinds: Sequence[str] = ()
    levels: Sequence[str] = ()
    regions: Sequence[str] = ()
    serves: Sequence[str] = ()
    topics: Sequence[str] = ()
    offers: Sequence[str] = ()
    target_groups: Sequence[str] = ()
    access: Sequence[str] = ()
    languages: Sequence[str] = ()
    networks: Sequence[str] = ()
    related_to: Sequence[str] = ()
    has_contact: Sequence[str] = ()
    updated_since: datetime | None = None
    verified_before: datetime | None = None
    include_deleted: bool = False
    networks_only: bool = False


@dataclass(frozen=True)
class Selection:
    """The organisations a filter selects, and with `q` the relevance of each."""

    query: Select[Any]
    search: SearchQuery | None = None
    score: ColumnElement[float] | None = None
    did_you_mean: str | None = None


def select_organisations(session: Session, filters: OrganisationFilters) -> Selection:
    query = select(Organisation)
    if not filters.include_deleted:
        query = query.where(live(Organisation))
    search = score = did_you_mean = None
    if filters.q:
        search = parse_query(filters.q)
        if not filters.include_deleted:  # a mirror's question is answered as it is asked
            # Text that finds no organisation as typed is tried as people mistype it.
            forgiven = forgiving(session, search, text_matches(session, Doc.organisation))
            search, did_you_mean = forgiven.query, forgiven.did_you_mean
        query, score = restrict(session, query, search, Doc.organisation)
    if filters.networks_only:
        query = query.where(col(Organisation.kind).in_(NETWORK_KINDS))
    if filters.kinds:
        query = query.where(col(Organisation.kind).in_(filters.kinds))
    if filters.levels:
        query = query.where(col(Organisation.level).in_(filters.levels))
    if filters.regions:
        within = {
            i for key in filters.regions for i in region_service.region_filter_ids(session, key)
        }
        query = query.where(col(Organisation.id).in_(_linked_to(within)))
    if filters.serves:
        serving = {i for key in filters.serves for i in region_service.serving_ids(session, key)}
        query = query.where(col(Organisation.id).in_(_linked_to(serving)))
    if filters.topics:
        with_topic = select(col(OrganisationTopic.organisation_id)).where(
            col(OrganisationTopic.topic).in_([fold(t) for t in filters.topics])
        )
        query = query.where(col(Organisation.id).in_(with_topic))
    for scheme, values, param in (
        ("offers", filters.offers, "offer"),
        ("target-groups", filters.target_groups, "target_group"),
        ("access", filters.access, "access"),
        ("languages", filters.languages, "language"),
    ):
        if values:
            wanted = concepts.concept_ids(scheme, values, param)
            query = query.where(col(Organisation.id).in_(concepts.tagged_with(scheme, wanted)))
    if filters.networks:
        network_ids = [
            graph.organisation_id(session, slug, "network", network=True)
            for slug in filters.networks
        ]
        query = query.where(col(Organisation.id).in_(graph.member_ids(network_ids)))
    if filters.related_to:
        other_ids = [
            graph.organisation_id(session, slug, "related_to") for slug in filters.related_to
        ]
        query = query.where(col(Organisation.id).in_(graph.related_ids(other_ids)))
    if filters.has_contact:
        with_contact = select(col(Contact.organisation_id)).where(
            col(Contact.kind).in_(filters.has_contact), live(Contact)
        )
        query = query.where(col(Organisation.id).in_(with_contact))
    if filters.updated_since:
        query = query.where(col(Organisation.updated_at) >= as_utc(filters.updated_since))
    if filters.verified_before:
        query = query.where(not_verified_since(Organisation, filters.verified_before))
    return Selection(query, search, score, did_you_mean)


def _linked_to(region_ids: set[int]) -> Select[Any]:
    """Ids of the organisations linked to any of the regions."""
    return select(col(OrganisationRegion.organisation_id)).where(
        col(OrganisationRegion.region_id).in_(region_ids)
    )


def sort_key(
    sort: OrganisationSort, filters: OrganisationFilters, selection: Selection | None = None
) -> SortKey:
    if sort is OrganisationSort.relevance:
        if selection is None or selection.search is None or selection.score is None:
            raise InvalidParameter("sort", "sort=relevance needs a search text in q")
        return relevance_order(selection.search, selection.score, (col(Organisation.id),), (int,))
    column, kind = (
        (col(Organisation.updated_at), datetime)
        if sort.lstrip("-") == "updated_at"
        else (col(Organisation.name_key), str)
    )
    desc = sort.startswith("-")
    return SortKey(sort.value, (column, col(Organisation.id)), (desc, desc), (kind, int))


def list_organisations(
    session: Session,
    filters: OrganisationFilters,
    sort: OrganisationSort | None,
    page: PageRequest,
    base: str,
    facets: Sequence[str] = (),
    as_json: bool = False,
    lang: Language = DEFAULT,
) -> FacetedWindow[Any]:
    """A page of summaries (with `as_json`, their JSON: app.memo.remembered), their concepts
    labelled in `lang`."""
    key = filter_key("organisations", filters)
    # Kept per revision: it holds what the filter's slugs and codes named then.
    selection = memoised(
        session, ("selection", key), lambda: select_organisations(session, filters)
    )
    query = selection.query
    default = OrganisationSort.relevance if selection.search else OrganisationSort.name
    order = sort_key(sort or default, filters, selection)
    # The facets' statement counts the matches too, so the window need not count them again.
    counted = (
        memoised(
            session,
            filter_key("organisation facets", filters, tuple(facets), lang),
            lambda: facet_service.facet_counts(session, query, facets, lang),
        )
        if facets
        else None
    )
    window = fetch_window(
        session,
        memoised(session, ("page rows", key), lambda: _page_rows(query)),
        order,
        page,
        counted.total if counted else None,
        key,
    )
    return FacetedWindow(
        page_summaries(session, window.rows, base, as_json, lang),
        window.total,
        window.next_cursor,
        counted.facets if counted else None,
        selection.did_you_mean,
    )


def list_networks(
    session: Session,
    filters: OrganisationFilters,
    sort: OrganisationSort | None,
    page: PageRequest,
    base: str,
    facets: Sequence[str] = (),
    lang: Language = DEFAULT,
) -> FacetedWindow[NetworkSummary]:
    def compute() -> FacetedWindow[NetworkSummary]:
        return _networks_page(session, filters, sort, page, base, facets, lang)

    more = (sort, base, tuple(facets), lang)
    return remembered_page(session, "networks page", filters, page, compute, *more)


def _networks_page(
    session: Session,
    filters: OrganisationFilters,
    sort: OrganisationSort | None,
    page: PageRequest,
    base: str,
    facets: Sequence[str],
    lang: Language,
) -> FacetedWindow[NetworkSummary]:
    window = list_organisations(session, filters, sort, page, base, facets, lang=lang)
    members = members_of(session, [s.id for s in window.rows], base)
    items = [extended(NetworkSummary, s, members=members[s.id]) for s in window.rows]
    return FacetedWindow(
        items, window.total, window.next_cursor, window.facets, window.did_you_mean
    )


def find_organisation(session: Session, slug: str) -> Organisation | None:
    """The organisation with `slug`, deleted or not."""
    return session.execute(
        select(Organisation).where(col(Organisation.slug) == slug)
    ).scalar_one_or_none()


def get_organisation(session: Session, slug: str) -> Organisation:
    """The live organisation with `slug`: NotFound if none, Gone if deleted."""
    return _live(find_organisation(session, slug), slug)


def _live(organisation: R | None, slug: str) -> R:
    if organisation is None:
        raise NotFound("organisation", "slug", slug)
    if organisation.deleted_at is not None:
        raise Gone("organisation", "slug", slug, organisation.deleted_at)
    return organisation


# What a detail shows of the organisation itself, read with its source in one statement.
DETAIL_COLUMNS: tuple[Any, ...] = (
    *SUMMARY_COLUMNS,
    col(Organisation.description),
    col(Organisation.tasks),
    col(Organisation.target_groups),
    col(Organisation.names_in_source),
    col(Organisation.source_slide),
    col(Organisation.source_section),
    col(Organisation.corrections),
    col(Organisation.inferences),
    col(Organisation.created_at),
    *source_service.SOURCE_COLUMNS,
)


def read_detail(
    session: Session, slug: str, base: str, lang: Language = DEFAULT
) -> OrganisationDetail:
    """The live organisation `slug` as its detail shows it: NotFound if none, Gone if deleted."""
    return read_detail_with_json(session, slug, base, lang)[0]


def read_detail_with_json(
    session: Session, slug: str, base: str, lang: Language = DEFAULT
) -> tuple[OrganisationDetail, Any]:
    """`read_detail`, and its JSON (an `orjson.Fragment`) made once per version."""
    found = _Found(session, slug)

    def build(_: list[int]) -> dict[int, OrganisationDetail]:
        row = found.row()
        return {row.id: _detail(session, row, source_service.joined_source(row), base, lang)}

    key = ("organisation", lang)
    ((detail, json),) = remembered_with_json(session, key, base, [found.key], build, json_fragment)
    return detail, json


def read_network_detail(
    session: Session, slug: str, base: str, lang: Language = DEFAULT
) -> NetworkDetail:
    found = _Found(session, slug)
    if found.identity.kind not in NETWORK_KINDS:
        raise NotFound("network", "slug", slug)

    def build(_: list[int]) -> dict[int, NetworkDetail]:
        row = found.row()
        detail = _detail(session, row, source_service.joined_source(row), base, lang)
        members = members_of(session, [row.id], base)[row.id]
        return {row.id: extended(NetworkDetail, detail, members=members)}

    (detail,) = remembered(session, ("network", lang), base, [found.key], build)
    return detail


_DETAIL: Executable = (
    select(*DETAIL_COLUMNS)
    .outerjoin(source_service.source, col(source_service.source.id) == col(Organisation.source_id))
    .where(col(Organisation.slug) == bindparam("slug"))
)


class _Found:
    """The live organisation a slug names (NotFound if none, Gone if deleted): which record
    in which version is kept for the revision, so that a detail seen before costs no
    statement; its detail row only when the detail is built, read once."""

    def __init__(self, session: Session, slug: str) -> None:
        self.session, self.slug = session, slug
        self._row: Row[Any] | None = None
        self.identity = _live(memoised(session, ("organisation at", slug), self._lookup), slug)
        self.key = (self.identity.id, self.identity.version)

    def _lookup(self) -> _Identity | None:
        self._row = _detail_row(self.session, self.slug)
        row = self._row
        return None if row is None else _Identity(row.id, row.version, row.kind, row.deleted_at)

    def row(self) -> Row[Any]:
        if self._row is None:
            self._row = _live(_detail_row(self.session, self.slug), self.slug)
        return self._row


def _detail_row(session: Session, slug: str) -> Row[Any] | None:
    return connection_of(session).execute(_DETAIL, {"slug": slug}).first()


# A page reads which organisations it shows, and the rest only of those not remembered.
_PAGE_COLUMNS = (col(Organisation.id), col(Organisation.version))
_SUMMARY_ROWS: Executable = select(*SUMMARY_COLUMNS).where(
    col(Organisation.id).in_(bindparam("ids", expanding=True))
)


def _page_rows(query: Select[Any]) -> Any:
    return query.with_only_columns(*_PAGE_COLUMNS)


def page_summaries(
    session: Session,
    rows: Sequence[Row[Any]],
    base: str,
    as_json: bool = False,
    lang: Language = DEFAULT,
) -> list[Any]:
    """Summaries of a page's rows, which hold `id` and `version` (`_PAGE_COLUMNS`)."""

    def build(ids: list[int]) -> dict[int, OrganisationSummary]:
        found = connection_of(session).execute(_SUMMARY_ROWS, {"ids": ids}).all()
        return _built_summaries(session, {row.id: row for row in found}, base, lang)

    versions = [(row.id, row.version) for row in rows]
    made = json_fragment if as_json else None
    kind = ("organisation summary", lang)
    return remembered(session, kind, base, versions, build, made)


def summaries(
    session: Session,
    organisations: Sequence[Organisation | Row[Any]],
    base: str,
    lang: Language = DEFAULT,
) -> list[OrganisationSummary]:
    """Summaries of organisations: records, or rows with at least the `SUMMARY_COLUMNS`."""
    by_id = {stored_id(o): o for o in organisations}
    versions = [(id_, o.version) for id_, o in by_id.items()]

    def build(ids: list[int]) -> dict[int, OrganisationSummary]:
        return _built_summaries(session, {id_: by_id[id_] for id_ in ids}, base, lang)

    return remembered(session, ("organisation summary", lang), base, versions, build)


def _built_summaries(
    session: Session,
    by_id: Mapping[int, Organisation | Row[Any]],
    base: str,
    lang: Language = DEFAULT,
) -> dict[int, OrganisationSummary]:
    ids = list(by_id)
    topics = topics_of(session, ids)
    regions = region_links_of(session, ids, base)
    tags = concepts.concepts_of(session, ids, base, lang)
    return {
        id_: OrganisationSummary(
            id=id_,
            slug=(o := by_id[id_]).slug,
            name=o.name,
            short_name=o.short_name,
            kind=o.kind,
            legal_form=o.legal_form,
            level=o.level,
            topics=topics[id_],
            regions=regions[id_],
            concepts=tags[id_],
            url=organisation_url(base, o.slug, o.kind),
            version=o.version,
            updated_at=o.updated_at,
            valid_as_of=o.valid_as_of,
            last_verified_at=o.last_verified_at,
            deleted_at=o.deleted_at,
        )
        for id_ in ids
    }


def organisation_detail(
    session: Session, organisation: Organisation, base: str
) -> OrganisationDetail:
    """The detail of a record at hand (as a write answers with it)."""
    source = source_service.source_by_id(session, organisation.source_id)
    return _detail(session, organisation, source, base)


def _detail(
    session: Session,
    organisation: Organisation | Row[Any],
    source: SourcePublic | None,
    base: str,
    lang: Language = DEFAULT,
) -> OrganisationDetail:
    (summary,) = summaries(session, [organisation], base, lang)
    contacts = contact_service.contacts_of_organisation(session, summary.id, base)
    relations = relations_of(session, summary.id, base)
    return _assembled(organisation, summary, contacts, relations, source)


def _assembled(
    organisation: Organisation | Row[Any],
    summary: OrganisationSummary,
    contacts: list[ContactSummary],
    relations: list[RelationPublic],
    source: SourcePublic | None,
) -> OrganisationDetail:
    """An organisation's detail from its summary and what it adds, however they were read."""
    return extended(
        OrganisationDetail,
        summary,
        description=organisation.description,
        tasks=organisation.tasks,
        target_groups=organisation.target_groups,
        names_in_source=organisation.names_in_source,
        contacts=contacts,
        relations=relations,
        provenance=source_service.record_provenance(organisation, source),
        created_at=organisation.created_at,
    )


def network_detail(session: Session, network: Organisation, base: str) -> NetworkDetail:
    detail = organisation_detail(session, network, base)
    members = members_of(session, [stored_id(network)], base)[stored_id(network)]
    return extended(NetworkDetail, detail, members=members)


# The statements of a summary and a detail are built once: building one per request
# costs several times what running it does. Executed on the session's connection,
# past the ORM, since they read columns rather than records.
_TOPICS: Executable = (
    select(col(OrganisationTopic.organisation_id), col(OrganisationTopic.label))
    .where(col(OrganisationTopic.organisation_id).in_(bindparam("ids", expanding=True)))
    .order_by(col(OrganisationTopic.topic))
)
_REGION_LINKS: Executable = (
    select(
        col(OrganisationRegion.organisation_id),
        col(OrganisationRegion.role),
        col(Region.code),
        col(Region.slug),
        col(Region.name),
        col(Region.kind),
    )
    .join(Region, col(Region.id) == col(OrganisationRegion.region_id))
    .where(col(OrganisationRegion.organisation_id).in_(bindparam("ids", expanding=True)))
    .where(live(Region))
    .order_by(col(OrganisationRegion.role), col(Region.name_key))
)


def topics_of(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """Each organisation's topics as the data spells them, in the order of their folded keys."""
    result: dict[int, list[str]] = defaultdict(list)
    # Also for no ids, so that what a page costs does not depend on what it holds.
    for organisation_id, label in connection_of(session).execute(_TOPICS, {"ids": list(ids)}):
        result[organisation_id].append(label)
    return result


def region_links_of(
    session: Session, ids: Sequence[int], base: str
) -> dict[int, list[RegionLinkPublic]]:
    result: dict[int, list[RegionLinkPublic]] = defaultdict(list)
    if ids:
        for row in connection_of(session).execute(_REGION_LINKS, {"ids": list(ids)}):
            result[row.organisation_id].append(
                RegionLinkPublic(
                    code=row.code,
                    slug=row.slug,
                    name=row.name,
                    kind=row.kind,
                    url=region_url(base, row.code, row.slug),
                    role=row.role,
                )
            )
    return result


# What a relation shows of the organisation at its other end.
_RELATION_COLUMNS = (
    col(Relation.id),
    col(Relation.type),
    col(Relation.role),
    col(Relation.note),
    col(other.slug),
    col(other.name),
    col(other.kind),
)
_OUTGOING: Executable = (
    select(*_RELATION_COLUMNS)
    .join(other, col(other.id) == col(Relation.object_id))
    .where(col(Relation.subject_id) == bindparam("id"), live(Relation), live(other))
    .order_by(col(Relation.type), col(other.name_key))
)
_INCOMING: Executable = (
    select(*_RELATION_COLUMNS)
    .join(other, col(other.id) == col(Relation.subject_id))
    .where(col(Relation.object_id) == bindparam("id"), live(Relation), live(other))
    .order_by(col(Relation.type), col(other.name_key))
)


_OF_MANY: Any = bindparam("ids", expanding=True)
_OUTGOING_OF_MANY: Executable = (
    select(col(Relation.subject_id).label("owner"), *_RELATION_COLUMNS)
    .join(other, col(other.id) == col(Relation.object_id))
    .where(col(Relation.subject_id).in_(_OF_MANY), live(Relation), live(other))
    .order_by(col(Relation.type), col(other.name_key))
)
_INCOMING_OF_MANY: Executable = (
    select(col(Relation.object_id).label("owner"), *_RELATION_COLUMNS)
    .join(other, col(other.id) == col(Relation.subject_id))
    .where(col(Relation.object_id).in_(_OF_MANY), live(Relation), live(other))
    .order_by(col(Relation.type), col(other.name_key))
)


def details(
    session: Session, organisations: Sequence[Organisation], base: str
) -> list[OrganisationDetail]:
    """The details of `organisations` (as `organisation_detail` gives each), in a fixed
    number of statements however many: for views that show many at once (app.hsds)."""
    ids = [stored_id(o) for o in organisations]
    shown = summaries(session, organisations, base)
    contacts = contact_service.contacts_of_organisations(session, ids, base)
    relations: dict[int, list[RelationPublic]] = {id_: [] for id_ in ids}
    connection = connection_of(session)
    for row in connection.execute(_OUTGOING_OF_MANY, {"ids": ids}):
        relations[row.owner].append(_relation(row, "outgoing", row.type, base))
    for row in connection.execute(_INCOMING_OF_MANY, {"ids": ids}):
        relations[row.owner].append(_relation(row, "incoming", INVERSE_RELATION[row.type], base))
    sources = source_service.sources_by_id(
        session, {o.source_id for o in organisations if o.source_id is not None}
    )
    return [
        _assembled(
            organisation,
            summary,
            [contact for _, contact in contacts[summary.id]],
            relations[summary.id],
            sources.get(organisation.source_id) if organisation.source_id else None,
        )
        for organisation, summary in zip(organisations, shown, strict=True)
    ]


def relations_of(session: Session, organisation_id: int, base: str) -> list[RelationPublic]:
    connection = connection_of(session)
    outgoing = connection.execute(_OUTGOING, {"id": organisation_id}).all()
    incoming = connection.execute(_INCOMING, {"id": organisation_id}).all()
    return [_relation(row, "outgoing", row.type, base) for row in outgoing] + [
        _relation(row, "incoming", INVERSE_RELATION[row.type], base) for row in incoming
    ]


def _relation(row: Row[Any], direction: str, type_: str, base: str) -> RelationPublic:
    return RelationPublic(
        id=row.id,
        type=type_,
        direction=direction,
        role=row.role,
        note=row.note,
        organisation=_ref(row, base),
        url=relation_url(base, row.id),
    )


_IN_NETWORKS: Any = bindparam("networks", expanding=True)
_MEMBERS: Executable = (
    select(
        col(Relation.type),
        col(Relation.role),
        col(Relation.subject_id),
        col(Relation.object_id),
        col(member.slug),
        col(member.name),
        col(member.kind),
    )
    .join(
        member,
        (
            (col(Relation.type) == RelationType.member_of)
            & col(Relation.object_id).in_(_IN_NETWORKS)
            & (col(member.id) == col(Relation.subject_id))
        )
        | (
            col(Relation.type).in_(graph.LEADERSHIP_RELATIONS)
            & col(Relation.subject_id).in_(_IN_NETWORKS)
            & (col(member.id) == col(Relation.object_id))
        ),
    )
    .where(live(Relation), live(member))
    .order_by(col(member.name_key), col(Relation.type))
)


def members_of(
    session: Session, network_ids: Sequence[int], base: str
) -> dict[int, list[MemberPublic]]:
    """Members of each network: `member_of` relations, plus whoever coordinates or convenes it."""
    result: dict[int, list[MemberPublic]] = defaultdict(list)
    if not network_ids:
        return result
    for row in connection_of(session).execute(_MEMBERS, {"networks": list(network_ids)}):
        network_id = row.object_id if row.type == RelationType.member_of else row.subject_id
        role = row.role or graph.LEADERSHIP_RELATIONS.get(row.type, "member")
        result[network_id].append(
            MemberPublic(
                slug=row.slug,
                name=row.name,
                kind=row.kind,
                url=organisation_url(base, row.slug, row.kind),
                role=role,
                relation=row.type,
            )
        )
    return result


def refs(organisations: Sequence[Organisation], base: str) -> list[OrganisationRef]:
    return [_ref(o, base) for o in organisations]


def _ref(organisation: Organisation | Row[Any], base: str) -> OrganisationRef:
    """The reference to an organisation: a record, or a row with its slug, name and kind."""
    return OrganisationRef(
        slug=organisation.slug,
        name=organisation.name,
        kind=organisation.kind,
        url=organisation_url(base, organisation.slug, organisation.kind),
    )
