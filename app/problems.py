"""Human-readable descriptions of the problem types the API answers with (RFC 9457 `type`)."""

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from app.errors import PROBLEM_RESPONSES, PROBLEM_TYPES, NotFound

router = APIRouter(prefix="/problems", tags=["meta"])


class ProblemType(BaseModel):
    type: str = Field(examples=["/problems/not-found"])
    description: str = Field(examples=[PROBLEM_TYPES["not-found"]])


@router.get(
    "/{name}",
    summary="Describe a problem type",
    response_model=ProblemType,
    responses={404: PROBLEM_RESPONSES[404]},
)
def describe_problem(name: Annotated[str, Path(examples=["not-found"])]) -> ProblemType:
    if name not in PROBLEM_TYPES:
        raise NotFound("problem type", "name", name)
    return ProblemType(type=f"/problems/{name}", description=PROBLEM_TYPES[name])
