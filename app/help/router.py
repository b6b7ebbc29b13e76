from typing import Annotated

from annotated_types import Ge, Le
from fastapi import APIRouter, Query

from app.deps import PLAIN_DIGITS, REPEATABLE, BaseUrlDep, FilterValues
from app.errors import PROBLEM_RESPONSES
from app.help import service
from app.help.schemas import HelpAnswer
from app.languages import LanguageDep, language_headers
from app.reading import JsonResponse, ReaderDep

router = APIRouter(prefix="/help", tags=["help"])


@router.get(
    "",
    summary="Who helps with what, here",
    description="The organisations that serve a place, grouped near to far: the place "
    "itself and what lies in it, then its Kreis, then the whole Land (whatever works for "
    "the Land serves every place in it). With `offer`, `target_group`, `access` or "
    "`language`, only "
    "those tagged with one of the concepts asked for (the schemes combine with AND), each "
    "with the evidence or the reason it is inferred, why it serves the place, and its "
    "contacts for the place first. A name several regions carry is a 422 listing them to "
    "choose from.",
    response_model=HelpAnswer,
    responses=PROBLEM_RESPONSES,
)
async def get_help(
    reader: ReaderDep,
    base: BaseUrlDep,
    lang: LanguageDep,
    place: Annotated[
        str,
        Query(
            min_length=1,
            max_length=120,
            description="Region code, slug or name in any spelling (`Görlitz`, `goerlitz`, "
            "`gorlitz`, `Kreis Görlitz`, `14626`).",
            examples=["freital"],
        ),
    ],
    offer: Annotated[
        FilterValues,
        Query(
            description=f"Id of a concept of `/vocabularies/offers`. {REPEATABLE}",
            examples=["legal-advice"],
        ),
    ] = [],  # noqa: B006 - FastAPI copies defaults
    target_group: Annotated[
        FilterValues,
        Query(
            description=f"Id of a concept of `/vocabularies/target-groups`. {REPEATABLE}",
            examples=["asylum-seekers"],
        ),
    ] = [],  # noqa: B006
    access: Annotated[
        FilterValues,
        Query(
            description=f"Id of a concept of `/vocabularies/access`. {REPEATABLE}",
            examples=["outreach"],
        ),
    ] = [],  # noqa: B006
    language: Annotated[
        FilterValues,
        Query(
            description="Id of a concept of `/vocabularies/languages`: ISO 639-1 (`ar`), else "
            f"ISO 639-3 (`prs`); an ISO 639-3 code of an ISO 639-1 language is taken too. "
            f"Only organisations the data says counsel in it. {REPEATABLE}",
            examples=["ar"],
        ),
    ] = [],  # noqa: B006
    per_group: Annotated[
        Annotated[int, Ge(1), Le(service.MAX_PER_GROUP)],
        PLAIN_DIGITS,
        Query(description="Organisations shown per group.", examples=[20]),
    ] = 20,
) -> JsonResponse:
    question = service.Question(place, offer, target_group, access, language)
    found = await reader.run(service.answer_json, question, per_group, base, lang)
    return JsonResponse(found, headers=language_headers(lang))
