from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlmodel import Session

from app.changes.models import Resource
from app.contacts.models import ContactKind
from app.db import stored_id
from app.deps import REPEATABLE, BaseUrlDep, FilterValues, UTCMoment
from app.editing import (
    WRITE_RESPONSES,
    AuthorDep,
    IfMatch,
    needs,
    read_response,
    record_response,
)
from app.errors import PROBLEM_RESPONSES, NotFound
from app.etags import etag_of
from app.formats import csv, jsonld, vcard
from app.formats.negotiation import (
    LIST_RESPONSES,
    RECORD_RESPONSES,
    Format,
    ListFormatDep,
    RecordFormatDep,
)
from app.formats.streaming import list_stream
from app.languages import Language, LanguageDep, language_headers
from app.organisations import service, writes
from app.organisations.facets import FACETS
from app.organisations.models import NETWORK_KINDS, Level, Organisation, OrganisationKind
from app.organisations.schemas import (
    OrganisationCreate,
    OrganisationDetail,
    OrganisationSummary,
)
from app.organisations.service import OrganisationSort
from app.pagination import FacetedPage, PageDep, facets_parameter, paged, public_url
from app.reading import ReaderDep
from app.record_routes import RecordRoutes, add_record_routes
from app.search.query import MAX_QUERY_LENGTH

router = APIRouter(prefix="/organisations", tags=["organisations"])

QueryText = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description="Search text: names, descriptions, tasks, topics, target groups. Every "
        "word must occur, in any case, with umlauts or without; the last may be the start "
        "of a word. Full-text, as `/search`.",
        examples=["Rechtsberatung Leipzig"],
    ),
]
LevelFilter = Annotated[
    list[Level], Query(description="Level the source files it under.", examples=["regional"])
]
RegionFilter = Annotated[
    FilterValues,
    Query(
        description="Region code, slug or name in any spelling (a name several regions "
        "carry is a 422 listing them); includes its sub-regions: what sits there. "
        f"{REPEATABLE}",
        examples=["14626"],
    ),
]
ServesFilter = Annotated[
    FilterValues,
    Query(
        description="Region code, slug or name, as for `region`: what serves it, that is "
        "what sits in it or below it, and what works for a region above it up to the whole "
        f"Land. {REPEATABLE}",
        examples=["freital"],
    ),
]
TopicFilter = Annotated[
    FilterValues,
    Query(
        description=f"Topic, in any case, with umlauts or without. {REPEATABLE}",
        examples=["rechtsberatung"],
    ),
]
OfferFilter = Annotated[
    FilterValues,
    Query(
        description="Id of a concept of `/vocabularies/offers`: what the data states it "
        f"offers. {REPEATABLE}",
        examples=["legal-advice"],
    ),
]
TargetGroupFilter = Annotated[
    FilterValues,
    Query(
        description="Id of a concept of `/vocabularies/target-groups`: whom the data states "
        f"it is for. {REPEATABLE}",
        examples=["asylum-seekers"],
    ),
]
AccessFilter = Annotated[
    FilterValues,
    Query(
        description=f"Id of a concept of `/vocabularies/access`: how it is reached. {REPEATABLE}",
        examples=["outreach"],
    ),
]
LanguageFilter = Annotated[
    FilterValues,
    Query(
        description="Id of a concept of `/vocabularies/languages`: a language it counsels or "
        f"informs in, as ISO 639-1 code (`ar`) or, without one, ISO 639-3 (`prs`, Dari); an "
        f"ISO 639-3 code of an ISO 639-1 language is taken too (`ara`). {REPEATABLE}",
        examples=["ar"],
    ),
]
NetworkFilter = Annotated[
    FilterValues,
    Query(
        description=f"Slug of a network: its members. {REPEATABLE}",
        examples=["iq-netzwerk-sachsen"],
    ),
]
RelatedFilter = Annotated[
    FilterValues,
    Query(
        description="Slug of an organisation: everything related to it, either direction. "
        f"{REPEATABLE}",
        examples=["bon-courage"],
    ),
]
ContactFilter = Annotated[
    list[ContactKind], Query(description="Has a contact of this kind.", examples=["email"])
]
UpdatedSince = Annotated[
    UTCMoment | None,
    Query(description="Changed at or after this ISO 8601 time.", examples=["2026-01-01T00:00:00Z"]),
]
VerifiedBefore = Annotated[
    UTCMoment | None,
    Query(
        description="Not confirmed by an editor since this ISO 8601 time (never confirmed "
        "included): what is due for a check.",
        examples=["2026-01-01T00:00:00Z"],
    ),
]
IncludeDeleted = Annotated[
    bool,
    Query(
        description="Deleted records too, each with its `deleted_at`: with `updated_since`, "
        "what a mirror must remove.",
        examples=[False],
    ),
]
SortParam = Annotated[
    OrganisationSort | None,
    Query(description="Order; default `relevance` with `q`, else `name`.", examples=["name"]),
]


class Cascade(StrEnum):
    relations = "relations"


FacetsDep = Annotated[list[str], Depends(facets_parameter(FACETS))]


@router.get(
    "",
    summary="List organisations",
    description="Every actor of the directory, networks included. Different filters combine "
    "with AND; a repeated filter matches any of its values.",
    response_model=FacetedPage[OrganisationSummary],
    responses={**PROBLEM_RESPONSES, **LIST_RESPONSES},
)
async def list_organisations(
    request: Request,
    fmt: ListFormatDep,
    reader: ReaderDep,
    base: BaseUrlDep,
    page: PageDep,
    facets: FacetsDep,
    lang: LanguageDep,
    q: QueryText = None,
    kind: Annotated[
        list[OrganisationKind], Query(description="Kind of organisation.", examples=["association"])
    ] = [],  # noqa: B006 - FastAPI copies defaults
    level: LevelFilter = [],  # noqa: B006
    region: RegionFilter = [],  # noqa: B006
    serves: ServesFilter = [],  # noqa: B006
    topic: TopicFilter = [],  # noqa: B006
    offer: OfferFilter = [],  # noqa: B006
    target_group: TargetGroupFilter = [],  # noqa: B006
    access: AccessFilter = [],  # noqa: B006
    language: LanguageFilter = [],  # noqa: B006
    network: NetworkFilter = [],  # noqa: B006
    related_to: RelatedFilter = [],  # noqa: B006
    has_contact: ContactFilter = [],  # noqa: B006
    updated_since: UpdatedSince = None,
    verified_before: VerifiedBefore = None,
    include_deleted: IncludeDeleted = False,
    sort: SortParam = None,
) -> Response:
    filters = service.OrganisationFilters(
        q=q,
        kinds=kind,
        levels=level,
        regions=region,
        serves=serves,
        topics=topic,
        offers=offer,
        target_groups=target_group,
        access=access,
        languages=language,
        networks=network,
        related_to=related_to,
        has_contact=has_contact,
        updated_since=updated_since,
        verified_before=verified_before,
        include_deleted=include_deleted,
    )
    if fmt is not Format.json:
        return await list_stream(
            fmt,
            lambda every: reader.run(
                service.list_organisations, filters, sort, every, base, lang=lang
            ),
            csv.ORGANISATION_COLUMNS,
            negotiated_headers(lang),
        )
    window = await reader.run(
        service.list_organisations, filters, sort, page, base, facets, as_json=True, lang=lang
    )
    response = paged(request, window, page)
    response.headers.update(negotiated_headers(lang))
    return response


def negotiated_headers(lang: Language) -> dict[str, str]:
    """The headers of a list chosen by language and representation."""
    return {**language_headers(lang), "Vary": "Accept-Language, Accept"}


SlugPath = Annotated[
    str, Path(alias="slug", max_length=120, examples=["refugee-law-clinic-leipzig"])
]


def detail_response(
    session: Session, organisation: Organisation, base: str, status: int = 200
) -> Response:
    """An organisation's representation with its ETag, as every read and write answers."""
    detail: OrganisationDetail
    if status == 201 and organisation.kind in NETWORK_KINDS:
        # A new network's `Location` is /networks/{slug}: answer with what is there.
        detail = service.network_detail(session, organisation, base)
    else:
        detail = service.organisation_detail(session, organisation, base)
    etag = etag_of(Resource.organisation, organisation)
    return record_response(detail, etag, status, detail.url if status == 201 else None)


@router.get(
    "/{slug}",
    summary="Get one organisation",
    description="With its regions, contacts, relations in both directions and provenance. "
    "A deleted organisation is a 410.",
    response_model=OrganisationDetail,
    responses={**PROBLEM_RESPONSES, **RECORD_RESPONSES, 410: WRITE_RESPONSES[410]},
)
async def get_organisation(
    slug: SlugPath, fmt: RecordFormatDep, reader: ReaderDep, base: BaseUrlDep, lang: LanguageDep
) -> Response:
    detail, json = await reader.run(service.read_detail_with_json, slug, base, lang)
    node = jsonld.organisation(detail, lang) if fmt is Format.jsonld else None
    return read_response(Resource.organisation, detail, lang, node, negotiated=True, body=json)


@router.get(
    "/{slug}/contacts.vcf",
    summary="Get an organisation's contacts as vCard",
    description="vCard 4.0 (RFC 6350): a card for the organisation with its e-mail "
    "addresses, phones, websites and addresses, and one for each named person, for "
    "address books. Each card's `UID` stays the same, so importing the file again updates "
    "the cards. A deleted organisation is a 410.",
    response_class=Response,
    responses={
        200: {
            "content": {
                vcard.MEDIA_TYPE: {
                    "schema": {"type": "string"},
                    "example": "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:org\r\n"
                    "FN:Refugee Law Clinic Leipzig e.V.\r\n…\r\nEND:VCARD\r\n",
                }
            },
            "description": "The cards.",
        },
        **PROBLEM_RESPONSES,
        410: WRITE_RESPONSES[410],
    },
)
async def get_organisation_vcards(
    request: Request, slug: SlugPath, reader: ReaderDep, base: BaseUrlDep
) -> Response:
    detail = await reader.run(service.read_detail, slug, base)
    source = str(public_url(request))
    return Response(
        vcard.organisation_cards(detail, source),
        media_type=vcard.MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{detail.slug}.vcf"'},
    )


def _record_id(session: Session, slug: str) -> int:
    organisation = service.find_organisation(session, slug)
    if organisation is None:
        raise NotFound("organisation", "slug", slug)
    return stored_id(organisation)


add_record_routes(
    router,
    RecordRoutes(
        resource=Resource.organisation,
        a_noun="an organisation",
        key=SlugPath,
        path="/{slug}",
        response_model=OrganisationDetail,
        create_model=OrganisationCreate,
        editing=writes.EDITING,
        create=writes.create,
        answer=detail_response,
        record_id=_record_id,
        create_summary="Create an organisation",
        create_description="Networks too: the `kind` says what it is.",
        delete_description="",
        delete=False,  # below, with its cascade
    ),
)


@router.delete(
    "/{slug}",
    summary="Delete an organisation",
    description=needs(
        "Its contacts go with it. If other organisations relate to it, the answer is 409 "
        "listing them, unless `cascade=relations` deletes those relations too. Deleted "
        "records answer 410 and stay in the change feed."
    ),
    status_code=204,
    response_class=Response,
    responses=WRITE_RESPONSES,
)
async def delete_organisation(
    author: AuthorDep,
    if_match: IfMatch,
    slug: SlugPath,
    reader: ReaderDep,
    cascade: Annotated[
        Cascade | None,
        Query(description="`relations`: delete its relations as well.", examples=["relations"]),
    ] = None,
) -> Response:
    remove = writes.delete_with_relations if cascade is Cascade.relations else None
    await reader.run_apart(writes.EDITING.delete, author, slug, if_match, remove)
    return Response(status_code=204)
