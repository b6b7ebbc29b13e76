"""The vocabularies as the API shows them: schemes, concepts, labels and mappings (SKOS)."""

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from app.languages import Language


@dataclass(kw_only=True, slots=True)
class LabelPublic:
    lang: Annotated[Language, Field(examples=["ar"], description="ISO 639-1 code.")]
    text: Annotated[str, Field(examples=["استشارات قانونية"])]
    dir: Annotated[Literal["ltr", "rtl"], Field(examples=["rtl"], description="Text direction.")]
    reviewed: Annotated[
        bool, Field(description="Whether a native speaker has reviewed the label yet.")
    ]


@dataclass(kw_only=True, slots=True)
class MappingPublic:
    """A SKOS mapping to a term of another scheme (`skos:exactMatch`, `closeMatch`, …)."""

    scheme: Annotated[str, Field(examples=["open-eligibility"])]
    id: Annotated[str, Field(examples=["1375"])]
    title: Annotated[str, Field(examples=["Advocacy & Legal Aid"])]
    path: Annotated[list[str], Field(examples=[["Legal", "Advocacy & Legal Aid"]])]
    match: Annotated[
        Literal["exact", "close", "broad", "narrow", "related"],
        Field(
            examples=["close"],
            description="`broad`: the other term is broader; `narrow`: it is narrower.",
        ),
    ]


@dataclass(kw_only=True, slots=True)
class ConceptRef:
    id: Annotated[str, Field(examples=["legal-advice"])]
    scheme: Annotated[str, Field(examples=["offers"])]
    label: Annotated[
        str, Field(examples=["Legal advice"], description="In the language of the response.")
    ]
    uri: Annotated[str, Field(examples=["http://127.0.0.1:8000/vocabularies/offers/legal-advice"])]


@dataclass(kw_only=True, slots=True)
class ConceptPublic(ConceptRef):
    definition: Annotated[
        str,
        Field(description="In the language of the response if there is one in it, else German."),
    ]
    definition_lang: Annotated[Literal["de", "en"], Field(examples=["en"])]
    labels: list[LabelPublic]
    mappings: list[MappingPublic]


@dataclass(kw_only=True, slots=True)
class SchemeSummary:
    id: Annotated[str, Field(examples=["offers"])]
    title: Annotated[str, Field(examples=["Offers"])]
    definition: str
    concept_count: int
    uri: Annotated[str, Field(examples=["http://127.0.0.1:8000/vocabularies/offers"])]
    source: Annotated[
        str | None,
        Field(
            examples=[None],
            description="Where concepts and labels come from when the team did not write "
            "them, with that source's licence (which then applies to them).",
        ),
    ] = None


@dataclass(kw_only=True, slots=True)
class SchemePublic(SchemeSummary):
    lang: Annotated[Language, Field(description="The language of labels and titles here.")]
    licence: Annotated[str, Field(examples=["CC BY 4.0"])]
    licence_url: str
    concepts: list[ConceptPublic]


@dataclass(kw_only=True, slots=True)
class MappedScheme:
    """A scheme the concepts map to, with where its terms are quoted from."""

    id: Annotated[str, Field(examples=["open-eligibility"])]
    title: str
    version: str
    url: str
    licence: str
    licence_url: str
    attribution: str


@dataclass(kw_only=True, slots=True)
class VocabularyIndex:
    lang: Language
    languages: Annotated[
        list[Language], Field(description="Every language the labels are offered in.")
    ]
    licence: Annotated[str, Field(examples=["CC BY 4.0"])]
    licence_url: str
    schemes: list[SchemeSummary]
    mapped_schemes: list[MappedScheme]
