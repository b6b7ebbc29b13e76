"""The HSDS 3.1 API: organizations, services, taxonomies and their terms, paged by number
in the HSDS envelope (`total_items`, `total_pages`, `page_number` from 1, `size`,
`first_page`, `last_page`, `empty`, `contents`)."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from fastapi import APIRouter, Path, Query, Response
from sqlmodel import Session
from starlette.responses import StreamingResponse

from app.deps import PLAIN_DIGITS, BaseUrlDep, UTCMoment
from app.errors import PROBLEM_RESPONSES, NotFound
from app.folding import fold_words
from app.hsds import mapping, profiles
from app.hsds import service as hsds_service
from app.hsds.service import HsdsFilters, HsdsPage
from app.reading import JsonResponse, ReaderDep, json_bytes
from app.vocabularies.catalogue import FIELD_OF_SCHEME

router = APIRouter(prefix="/hsds", tags=["hsds"])

MAX_PER_PAGE = 200
PUBLISHER = "Wegweiser Sachsen"
ORGANIZATION = frozenset({"organization"})

MAX_PAGE = 1_000_000_000
PageNumber = Annotated[
    Annotated[int, Ge(1), Le(MAX_PAGE)], PLAIN_DIGITS, Query(description="From 1.", examples=[1])
]
PerPage = Annotated[
    Annotated[int, Ge(1), Le(MAX_PER_PAGE)],
    PLAIN_DIGITS,
    Query(description=f"Items per page, at most {MAX_PER_PAGE}.", examples=[50]),
]
Search = Annotated[
    str | None,
    Query(
        min_length=1, max_length=500, description="Full-text search.", examples=["Rechtsberatung"]
    ),
]
# Ids of the seed, for the examples: the Refugee Law Clinic Leipzig, its legal advice, the
# offers and the term „Rechtsberatung“ (app.hsds.mapping derives them).
CLINIC = "e5f10403-cd3e-55e6-874a-93eb8dec5e27"
CLINIC_LEGAL_ADVICE = "6291a827-74cc-579d-9770-6895dffe2fd2"
OFFERS = "d1df1ebb-42dc-58da-9374-ff0a0b1042e4"
LEGAL_ADVICE_DE = "f3e3ef45-f022-51ae-bc28-3a7293f2561d"

TermId = Annotated[
    str | None,
    Query(
        description="Only what is tagged with this taxonomy term (any of its languages).",
        examples=[LEGAL_ADVICE_DE],
    ),
]
TaxonomyId = Annotated[
    str | None,
    Query(description="Only what is tagged with a term of this taxonomy.", examples=[OFFERS]),
]
Format = Annotated[
    Literal["json", "ndjson"] | None,
    Query(
        description="`ndjson`: every matching item, one per line, without the envelope.",
        examples=["ndjson"],
    ),
]
Flag = Annotated[bool, Query(examples=[True])]


OrganizationId = Annotated[str, Path(max_length=60, examples=[CLINIC])]
ServiceId = Annotated[str, Path(max_length=60, examples=[CLINIC_LEGAL_ADVICE])]
TaxonomyPathId = Annotated[str, Path(max_length=60, examples=[OFFERS])]
TermPathId = Annotated[str, Path(max_length=60, examples=[LEGAL_ADVICE_DE])]
# The directory knows no locations: no id names one (the example is what one would be).
LocationId = Annotated[str, Path(max_length=60, examples=[CLINIC])]


def _example(example: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": example}}}}


PAGE_EXAMPLE = {
    "total_items": 74,
    "total_pages": 2,
    "page_number": 1,
    "size": 50,
    "first_page": True,
    "last_page": False,
    "empty": False,
    "contents": [{"id": CLINIC, "name": "Refugee Law Clinic Leipzig e.V."}],
}


ReadPage = Callable[[int, int], Awaitable[HsdsPage]]


async def _answer(read_page: ReadPage, page: int, per_page: int, fmt: str | None) -> Response:
    """Page `page` in the HSDS envelope; as NDJSON, every item of every page, streamed."""
    if fmt != "ndjson":
        return JsonResponse((await read_page(page, per_page)).envelope())
    first = await read_page(1, MAX_PER_PAGE)

    async def lines() -> AsyncIterator[bytes]:
        found, number = first, 1
        while True:
            yield b"".join(json_bytes(item) + b"\n" for item in found.contents)
            if found.envelope()["last_page"]:
                return
            number += 1
            found = await read_page(number, MAX_PER_PAGE)

    return StreamingResponse(lines(), media_type="application/x-ndjson")


def _listed(items: list[dict[str, Any]]) -> ReadPage:
    async def read_page(page: int, per_page: int) -> HsdsPage:
        return hsds_service.page_of(items, page, per_page)

    return read_page


@router.get(
    "/",
    summary="About this HSDS API",
    response_model=dict[str, Any],
    responses=_example(
        {
            "version": "3.1",
            "profile": "http://127.0.0.1:8000/hsds/profile",
            "openapi_url": "http://127.0.0.1:8000/openapi.json",
            "publisher": "Wegweiser Sachsen",
        }
    ),
)
async def about(base: BaseUrlDep) -> JsonResponse:
    return JsonResponse(
        {
            "version": mapping.VERSION,
            "profile": f"{base}/hsds/profile",
            "openapi_url": f"{base}/openapi.json",
            "publisher": PUBLISHER,
        }
    )


@router.get(
    "/profile",
    summary="The Wegweiser Sachsen profile of HSDS 3.1",
    description="What this API adds to HSDS, as HSDS profiles are made: RFC 7386 merge "
    "patches over the core schema files and the core OpenAPI description, and the "
    "documents they give.",
    response_model=dict[str, Any],
    responses=_example({"name": "Wegweiser Sachsen", "extends": "HSDS 3.1"}),
)
async def profile(base: BaseUrlDep) -> JsonResponse:
    here = f"{base}/hsds/profile"
    return JsonResponse(
        {
            "name": "Wegweiser Sachsen",
            "extends": f"HSDS {mapping.VERSION}",
            "description": "Who does what, where, in asylum and refugee support in Saxony. "
            "The profile adds an organization's networks and typed relations and a service "
            "area's official region code. Networks with all their members, the region "
            "hierarchy (Land, Kreise, towns) and the vocabularies are in the directory's own "
            "API, linked from each record's `uri`.",
            "openapi_url": f"{here}/openapi.json",
            "patches": {name: f"{here}/patches/{name}" for name in profiles.patch_names()},
            "schemas": {name: f"{here}/schema/{name}" for name in profiles.schema_names()},
            "networks": f"{base}/networks",
            "relations": f"{base}/relations",
            "regions": f"{base}/regions",
            "taxonomies": f"{base}/vocabularies",
        }
    )


PatchName = Annotated[str, Path(max_length=60, examples=["organization.json"])]
SchemaName = Annotated[str, Path(max_length=60, examples=["service.json"])]


@router.get(
    "/profile/openapi.json",
    summary="The profile's OpenAPI description",
    description="The core HSDS OpenAPI description with the profile's patch applied: every "
    "operation tagged `required` or `optional`, its 4xx answers documented as problem "
    "documents; the schemas of `/hsds/profile/schema/` it refers to are bundled into its "
    "`components`, so it stands alone.",
    response_model=dict[str, Any],
    responses=_example({"openapi": "3.1.0", "servers": [{"url": "/hsds"}]}),
)
async def profile_openapi() -> JsonResponse:
    return JsonResponse(profiles.bundled_openapi())


@router.get(
    "/profile/patches/{name}",
    summary="One of the profile's merge patches",
    response_model=dict[str, Any],
    responses={**PROBLEM_RESPONSES, **_example({"properties": {"networks": {"type": "array"}}})},
)
async def profile_patch(name: PatchName) -> JsonResponse:
    found = profiles.patch(name)
    if found is None:
        raise NotFound("profile patch", "name", name)
    return JsonResponse(found)


@router.get(
    "/profile/schema/{name}",
    summary="A schema of HSDS as the profile has it",
    description="The core schema file with the profile's patch applied, if it has one; its "
    "references to other schema files resolve beside it.",
    response_model=dict[str, Any],
    responses={**PROBLEM_RESPONSES, **_example({"name": "service", "type": "object"})},
)
async def profile_schema(name: SchemaName) -> JsonResponse:
    found = profiles.profiled(name) if name != "openapi.json" else None
    if found is None:
        raise NotFound("schema", "name", name)
    return JsonResponse(found)


@router.get(
    "/organizations",
    summary="List organizations",
    response_model=dict[str, Any],
    responses=_example(PAGE_EXAMPLE),
)
async def list_organizations(
    reader: ReaderDep,
    base: BaseUrlDep,
    search: Search = None,
    taxonomy_term_id: TermId = None,
    taxonomy_id: TaxonomyId = None,
    full_service: Annotated[Flag, Query(description="With their services nested.")] = False,
    full: Annotated[Flag, Query(description="With contacts, phones and metadata.")] = False,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    format: Format = None,
) -> Response:
    filters = HsdsFilters(search, taxonomy_term_id, taxonomy_id)

    def read(session: Session, page: int, per_page: int) -> HsdsPage:
        total, details = hsds_service.organisations_page(session, filters, page, per_page, base)
        contents = [_organization(detail, full, full_service) for detail in details]
        return HsdsPage(total, page, per_page, contents)

    async def read_page(number: int, size: int) -> HsdsPage:
        return await reader.run(read, number, size)

    return await _answer(read_page, page, per_page, format)


@router.get(
    "/organizations/{id}",
    summary="Get one organization",
    response_model=dict[str, Any],
    responses={
        **PROBLEM_RESPONSES,
        **_example({"id": CLINIC, "name": "Refugee Law Clinic Leipzig e.V."}),
    },
)
async def get_organization(
    id: OrganizationId,
    reader: ReaderDep,
    base: BaseUrlDep,
    full_service: Annotated[Flag, Query(description="With its services nested.")] = True,
) -> JsonResponse:
    def read(session: Session) -> dict[str, Any]:
        detail = hsds_service.organization_by_id(session, id.lower(), base)
        return _organization(detail, True, full_service)

    return JsonResponse(await reader.run(read))


def _organization(detail: Any, full: bool, full_service: bool) -> dict[str, Any]:
    if not full_service:
        node = mapping.organization(detail)
        return node if full else _minimal(node)
    services = [_minimal(s, keep=ORGANIZATION) for s in mapping.services(detail)]
    return mapping.organization(detail, services)


@router.get(
    "/services",
    summary="List services",
    response_model=dict[str, Any],
    responses=_example(PAGE_EXAMPLE),
)
async def list_services(
    reader: ReaderDep,
    base: BaseUrlDep,
    search: Search = None,
    taxonomy_term_id: TermId = None,
    taxonomy_id: TaxonomyId = None,
    organization_id: Annotated[
        str | None, Query(description="Of this organization.", examples=[CLINIC])
    ] = None,
    modified_after: Annotated[
        UTCMoment | None,
        Query(
            description="Changed after this time; services of organisations deleted since "
            "are `defunct`.",
            examples=["2015-01-01T00:00:00Z"],
        ),
    ] = None,
    minimal: Annotated[Flag, Query(description="Only the service's own fields.")] = False,
    full: Annotated[Flag, Query(description="Fully nested.")] = False,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    format: Format = None,
) -> Response:
    filters = HsdsFilters(
        search,
        taxonomy_term_id,
        taxonomy_id,
        organization_id.lower() if organization_id else None,
        modified_after,
    )

    def read(session: Session, page: int, per_page: int) -> HsdsPage:
        total, services = hsds_service.services_page(session, filters, page, per_page, base)
        if minimal:
            services = [_minimal(s) for s in services]
        elif not full:
            services = [_minimal(s, keep=ORGANIZATION) for s in services]
        return HsdsPage(total, page, per_page, services)

    async def read_page(number: int, size: int) -> HsdsPage:
        return await reader.run(read, number, size)

    return await _answer(read_page, page, per_page, format)


@router.get(
    "/services/{id}",
    summary="Get one service, fully nested",
    response_model=dict[str, Any],
    responses={
        **PROBLEM_RESPONSES,
        **_example(
            {"id": CLINIC_LEGAL_ADVICE, "name": "Rechtsberatung – Refugee Law Clinic Leipzig e.V."}
        ),
    },
)
async def get_service(id: ServiceId, reader: ReaderDep, base: BaseUrlDep) -> JsonResponse:
    return JsonResponse(await reader.run(hsds_service.service_by_id, id.lower(), base))


@router.get(
    "/service_at_locations",
    summary="List services at locations",
    responses=_example({**PAGE_EXAMPLE, "total_items": 0, "size": 0, "contents": []}),
    description="The directory knows no locations (addresses with opening hours) yet: "
    "always empty.",
    response_model=dict[str, Any],
)
async def list_service_at_locations(
    page: PageNumber = 1, per_page: PerPage = 50, format: Format = None
) -> Response:
    return await _answer(_listed([]), page, per_page, format)


@router.get(
    "/service_at_locations/{id}",
    summary="Get one service at a location",
    response_model=dict[str, Any],
    responses={**PROBLEM_RESPONSES, **_example({"id": CLINIC})},
)
async def get_service_at_location(id: LocationId) -> JsonResponse:
    raise NotFound("service_at_location", "id", id)


@router.get(
    "/taxonomies",
    summary="List taxonomies",
    response_model=dict[str, Any],
    responses=_example(PAGE_EXAMPLE),
)
async def list_taxonomies(
    base: BaseUrlDep,
    search: Search = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    format: Format = None,
) -> Response:
    found = [mapping.taxonomy(scheme, base) for scheme in FIELD_OF_SCHEME]
    return await _answer(_listed(_searched(found, search)), page, per_page, format)


@router.get(
    "/taxonomies/{id}",
    summary="Get one taxonomy",
    response_model=dict[str, Any],
    responses={**PROBLEM_RESPONSES, **_example({"id": OFFERS, "name": "Offers"})},
)
async def get_taxonomy(id: TaxonomyPathId, base: BaseUrlDep) -> JsonResponse:
    return JsonResponse(_one([mapping.taxonomy(s, base) for s in FIELD_OF_SCHEME], id, "taxonomy"))


@router.get(
    "/taxonomy_terms",
    summary="List taxonomy terms",
    response_model=dict[str, Any],
    responses=_example(PAGE_EXAMPLE),
)
async def list_taxonomy_terms(
    base: BaseUrlDep,
    search: Search = None,
    taxonomy_id: Annotated[
        str | None, Query(description="Terms of this taxonomy.", examples=[OFFERS])
    ] = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    format: Format = None,
) -> Response:
    terms = mapping.all_terms(base)
    if taxonomy_id is not None:
        terms = [t for t in terms if t["taxonomy_id"] == taxonomy_id.lower()]
    return await _answer(_listed(_searched(terms, search)), page, per_page, format)


@router.get(
    "/taxonomy_terms/{id}",
    summary="Get one taxonomy term",
    response_model=dict[str, Any],
    responses={**PROBLEM_RESPONSES, **_example({"id": LEGAL_ADVICE_DE, "name": "Rechtsberatung"})},
)
async def get_taxonomy_term(id: TermPathId, base: BaseUrlDep) -> JsonResponse:
    return JsonResponse(_one(mapping.all_terms(base), id, "taxonomy term"))


def _one(items: list[dict[str, Any]], id_: str, what: str) -> dict[str, Any]:
    found = next((item for item in items if item["id"] == id_.lower()), None)
    if found is None:
        raise NotFound(what, "id", id_)
    return found


def _searched(items: list[dict[str, Any]], search: str | None) -> list[dict[str, Any]]:
    """The items whose name and description hold every word of `search` (the last may be the
    start of a word), in any case and umlaut spelling, as full-text search takes them."""
    if not search:
        return items
    *whole, last = fold_words(search) or [""]

    def found(item: dict[str, Any]) -> bool:
        words = set(fold_words(f"{item['name']} {item.get('description', '')}"))
        return (
            bool(last) and all(w in words for w in whole) and any(w.startswith(last) for w in words)
        )

    return [item for item in items if found(item)]


def _minimal(node: dict[str, Any], keep: frozenset[str] = frozenset()) -> dict[str, Any]:
    """`node` with its own fields only: no nested lists or objects, but those in `keep`
    (made minimal in turn)."""
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(value, dict):
            if key in keep:
                kept[key] = _minimal(value)
        elif not isinstance(value, list):
            kept[key] = value
    return kept
