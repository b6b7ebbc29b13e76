from typing import Annotated

from fastapi import APIRouter, Path

from app.deps import BaseUrlDep
from app.errors import PROBLEM_RESPONSES
from app.languages import LanguageDep, language_headers
from app.reading import JsonResponse
from app.vocabularies import service
from app.vocabularies.schemas import ConceptPublic, SchemePublic, VocabularyIndex

router = APIRouter(prefix="/vocabularies", tags=["vocabularies"])

SchemePath = Annotated[str, Path(max_length=60, examples=["offers"])]
ConceptPath = Annotated[str, Path(max_length=60, examples=["legal-advice"])]


@router.get(
    "",
    summary="List the vocabularies",
    description="The concept schemes organisations are tagged with: what they offer, for "
    "whom, and how. Labels in German, English, Arabic, Persian, Ukrainian and Russian.",
    response_model=VocabularyIndex,
    responses=PROBLEM_RESPONSES,
)
async def list_vocabularies(base: BaseUrlDep, lang: LanguageDep) -> JsonResponse:
    return JsonResponse(service.index(base, lang), headers=language_headers(lang))


@router.get(
    "/{scheme}",
    summary="Get one vocabulary",
    description="A concept scheme with every concept, its labels in every language, its "
    "definition and its mappings to Open Eligibility.",
    response_model=SchemePublic,
    responses=PROBLEM_RESPONSES,
)
async def get_vocabulary(scheme: SchemePath, base: BaseUrlDep, lang: LanguageDep) -> JsonResponse:
    return JsonResponse(service.scheme(scheme, base, lang), headers=language_headers(lang))


@router.get(
    "/{scheme}/{concept}",
    summary="Get one concept",
    response_model=ConceptPublic,
    responses=PROBLEM_RESPONSES,
)
async def get_concept(
    scheme: SchemePath, concept: ConceptPath, base: BaseUrlDep, lang: LanguageDep
) -> JsonResponse:
    return JsonResponse(
        service.concept(scheme, concept, base, lang), headers=language_headers(lang)
    )
