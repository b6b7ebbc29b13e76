"""Who helps with what, here: the organisations that serve a place, nearest first.

An organisation serves a place when it is linked to the place or to a region in it
(distance 0), or to a region above it: its Kreis (1), the Land (2). Each one is
counted once, at its nearest link; whatever works for the whole Land serves every
place in it. With concepts asked for, only organisations tagged with one of them (per
scheme; the schemes combine with AND), each tag saying whether the source states it or
it is inferred, and from what: what the data does not hold is unknown, and not offered
as a match.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, bindparam, select
from sqlmodel import Session, col

from app.contacts import service as contact_service
from app.contacts.schemas import ContactSummary
from app.db import connection_of, live
from app.help.schemas import (
    Asked,
    HelpAnswer,
    HelpContact,
    HelpEntry,
    HelpGroup,
    MatchedConcept,
)
from app.languages import Language
from app.memo import memoised
from app.organisations import concepts
from app.organisations.models import Organisation, OrganisationRegion, RegionRole
from app.organisations.schemas import RegionLinkPublic
from app.reading import extended, json_fragment
from app.refs import RegionRef, organisation_url
from app.regions import places
from app.regions.places import Candidate
from app.regions.service import descendant_ids, region_ref_fields
from app.vocabularies.catalogue import FIELD_OF_SCHEME

MAX_PER_GROUP = 100


@dataclass(frozen=True)
class Question:
    place: str
    offers: Sequence[str] = ()
    target_groups: Sequence[str] = ()
    access: Sequence[str] = ()
    languages: Sequence[str] = ()

    def wanted(self) -> dict[str, list[str]]:
        """Scheme → the concept ids asked for, checked against the vocabulary."""
        asked = {
            "offers": concepts.concept_ids("offers", self.offers, "offer"),
            "target-groups": concepts.concept_ids(
                "target-groups", self.target_groups, "target_group"
            ),
            "access": concepts.concept_ids("access", self.access, "access"),
            "languages": concepts.concept_ids("languages", self.languages, "language"),
        }
        return {scheme: sorted(set(ids)) for scheme, ids in asked.items() if ids}


@dataclass(frozen=True)
class _Served:
    organisation_id: int
    region_id: int
    role: str


def answer_json(
    session: Session, question: Question, per_group: int, base: str, lang: Language
) -> Any:
    """The answer to `question` as JSON (an `orjson.Fragment`), kept for the revision: the
    same question asked again costs no statement, only the revision's."""
    place = places.resolve(session, question.place, "place")
    wanted = question.wanted()
    key = ("help answer", place.id, _wanted_key(wanted), per_group, base, lang)
    return memoised(
        session,
        key,
        lambda: json_fragment(_answer(session, place, wanted, per_group, base, lang)),
        lambda _: 1 + per_group,
    )


def _wanted_key(wanted: dict[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((scheme, tuple(ids)) for scheme, ids in wanted.items())


def _answer(
    session: Session,
    place: Candidate,
    wanted: dict[str, list[str]],
    per_group: int,
    base: str,
    lang: Language,
) -> HelpAnswer:
    """Who serves `place` with what is `wanted`, near to far, `per_group` shown per group."""
    key = ("help", place.id, _wanted_key(wanted))
    # Kept for the revision: the first of each group, as many as any answer shows, and
    # how many there are. A Land-wide group can hold thousands; keeping them all would
    # weigh more than the memo holds, and every answer would group them again.
    groups, totals = memoised(
        session,
        key,
        lambda: _grouped(session, place, wanted),
        lambda found: 1 + sum(len(g) for g in found[0]),
    )
    shown = [group[:per_group] for group in groups]
    ids = [served.organisation_id for group in shown for served in group]
    entries = _entries(session, ids, base, lang)
    path = [place.id, *places.places(session).ancestor_ids(place.id)]
    here = {*path, *_below(session, place)}
    regions = places.places(session).by_id
    return HelpAnswer(
        place=_ref(place, base),
        asked=Asked(
            offers=wanted.get("offers", []),
            target_groups=wanted.get("target-groups", []),
            access=wanted.get("access", []),
            languages=wanted.get("languages", []),
        ),
        lang=lang,
        data_lang="de",
        total=sum(totals),
        groups=[
            HelpGroup(
                distance=distance,
                region=_ref(regions[path[distance]], base),
                total=totals[distance],
                organisations=[
                    _entry(entries[s.organisation_id], s, regions[s.region_id], wanted, here, base)
                    for s in shown[distance]
                    # A region or organisation written while this was read (after the
                    # revision it is kept under) is left out rather than half shown.
                    if s.organisation_id in entries and s.region_id in regions
                ],
            )
            for distance in range(len(groups))
        ],
    )


def _grouped(
    session: Session, place: Candidate, wanted: dict[str, list[str]]
) -> tuple[list[list[_Served]], list[int]]:
    """One list per distance from the place, each in name order and cut at
    `MAX_PER_GROUP`, and how many each holds in all: every live organisation linked to a
    region that serves the place, at its nearest link."""
    above = places.places(session).ancestor_ids(place.id)
    distance = {region_id: 0 for region_id in _below(session, place)}
    for steps, region_id in enumerate(above, start=1):
        distance.setdefault(region_id, steps)
    query = (
        select(
            col(OrganisationRegion.organisation_id),
            col(OrganisationRegion.region_id),
            col(OrganisationRegion.role),
            col(Organisation.name_key),
        )
        .join(Organisation, col(Organisation.id) == col(OrganisationRegion.organisation_id))
        .where(col(OrganisationRegion.region_id).in_(list(distance)), live(Organisation))
    )
    for scheme, ids in wanted.items():
        query = query.where(col(Organisation.id).in_(concepts.tagged_with(scheme, ids)))
    nearest: dict[int, tuple[tuple[int, bool, int], _Served, str]] = {}
    for organisation_id, region_id, role, name_key in session.execute(query):
        # Nearest first; at one distance an area it serves before a seat, then the region.
        rank = (distance[region_id], role != RegionRole.area, region_id)
        held = nearest.get(organisation_id)
        if held is None or rank < held[0]:
            nearest[organisation_id] = (rank, _Served(organisation_id, region_id, role), name_key)
    groups: list[list[_Served]] = [[] for _ in range(1 + len(above))]
    for rank, served, _name_key in sorted(
        nearest.values(), key=lambda held: (held[0][0], held[2], held[1].organisation_id)
    ):
        groups[rank[0]].append(served)
    return [group[:MAX_PER_GROUP] for group in groups], [len(group) for group in groups]


def _below(session: Session, place: Candidate) -> list[int]:
    """The place and every region in it."""
    return memoised(session, ("region below", place.id), lambda: descendant_ids(session, place.id))


_SHOWN: Executable = select(
    col(Organisation.id),
    col(Organisation.slug),
    col(Organisation.name),
    col(Organisation.short_name),
    col(Organisation.kind),
).where(col(Organisation.id).in_(bindparam("ids", expanding=True)))


@dataclass(frozen=True)
class _Shown:
    row: Any
    tags: Any
    contacts: list[tuple[int | None, Any]]


def _entries(session: Session, ids: list[int], base: str, lang: Language) -> dict[int, _Shown]:
    """What each shown organisation needs, in three statements whatever their number."""
    rows = {row.id: row for row in connection_of(session).execute(_SHOWN, {"ids": ids})}
    tags = concepts.concepts_of(session, ids, base, lang)
    contacts = contact_service.contacts_of_organisations(session, ids, base)
    return {id_: _Shown(rows[id_], tags[id_], contacts[id_]) for id_ in ids if id_ in rows}


def _entry(
    shown: _Shown,
    served: _Served,
    region: Candidate,
    wanted: dict[str, list[str]],
    here: set[int],
    base: str,
) -> HelpEntry:
    row = shown.row
    matched = [
        extended(MatchedConcept, tag, scheme=scheme)
        for scheme, ids in wanted.items()
        for tag in getattr(shown.tags, FIELD_OF_SCHEME[scheme])
        if tag.id in ids
    ]
    return HelpEntry(
        slug=row.slug,
        name=row.name,
        short_name=row.short_name,
        kind=row.kind,
        url=organisation_url(base, row.slug, row.kind),
        served_through=RegionLinkPublic(**region_ref_fields(region, base), role=served.role),
        matched=matched,
        concepts=shown.tags,
        contacts=_contacts_here(shown.contacts, here),
    )


def _contacts_here(
    contacts: list[tuple[int | None, ContactSummary]], here: set[int]
) -> list[HelpContact]:
    """The contacts for this place first, then those for everywhere; the offices of other
    places only when none is for this one (the data does not say which office covers it)."""
    local = [c for region_id, c in contacts if region_id is not None and region_id in here]
    general = [c for region_id, c in contacts if region_id is None]
    elsewhere = [c for region_id, c in contacts if region_id is not None and region_id not in here]
    return [_contact(c, True) for c in local] + [
        _contact(c, False) for c in general + ([] if local else elsewhere)
    ]


def _contact(contact: ContactSummary, here: bool) -> HelpContact:
    return extended(HelpContact, contact, here=here)


def _ref(region: Candidate, base: str) -> RegionRef:
    return RegionRef(**region_ref_fields(region, base))
