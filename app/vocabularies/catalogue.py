"""The concept schemes of what organisations offer, for whom and how: reviewed data in
`data/`, loaded and checked once.

Each file is one scheme; `open-eligibility.yaml` quotes the terms of the Open
Eligibility taxonomy that concepts map to. A concept's id is stable: organisations
are tagged with it, and its URI is built from it.
"""

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.languages import LANGUAGES, Language
from app.vocabularies import iso639
from app.yamlio import load_yaml

DATA = Path(__file__).parent / "data"
SCHEMES = ("offers", "target-groups", "access")
# Generated from ISO 639 (app.vocabularies.iso639), beside the schemes written by hand.
LANGUAGES_SCHEME = "languages"
# The member of an organisation's `concepts` that holds each scheme's tags, and back.
SCHEME_OF_FIELD = {
    "offers": "offers",
    "target_groups": "target-groups",
    "access": "access",
    "languages": LANGUAGES_SCHEME,
}
FIELD_OF_SCHEME = {scheme: field for field, scheme in SCHEME_OF_FIELD.items()}
MAPPED = "open-eligibility"

ConceptId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Match = Literal["exact", "close", "broad", "narrow", "related"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReviewedLabel(_Strict):
    """A label a native speaker has reviewed (a plain string in the files is not yet)."""

    text: Text
    reviewed: bool


class MappingEntry(_Strict):
    id: str
    match: Match


class ConceptEntry(_Strict):
    id: ConceptId
    labels: dict[Language, Text | ReviewedLabel]
    definition: dict[Literal["de", "en"], Text]
    # Further words people use for it (SKOS altLabel): searched, never shown as the label.
    alt_labels: dict[Language, list[Text]] = {}
    open_eligibility: list[MappingEntry] = []

    @model_validator(mode="after")
    def every_language(self) -> "ConceptEntry":
        missing = [lang for lang in LANGUAGES if lang not in self.labels]
        if missing:
            raise ValueError(f"{self.id}: no label in {', '.join(missing)}")
        if set(self.definition) != {"de", "en"}:
            raise ValueError(f"{self.id}: a definition in German and English is needed")
        return self


class SchemeEntry(_Strict):
    id: str
    title: dict[Language, Text]
    definition: dict[Literal["de", "en"], Text]
    concepts: list[ConceptEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def every_language(self) -> "SchemeEntry":
        missing = [lang for lang in LANGUAGES if lang not in self.title]
        if missing:
            raise ValueError(f"{self.id}: no title in {', '.join(missing)}")
        return self


class TermEntry(_Strict):
    id: str
    kind: Literal["service", "situation"]
    title: Text
    path: list[Text] = Field(min_length=1)


class TaxonomyEntry(_Strict):
    id: str
    title: Text
    version: str
    url: str
    licence: str
    licence_url: str
    attribution: Text
    terms: list[TermEntry]


@dataclass(frozen=True)
class Label:
    lang: Language
    text: str
    reviewed: bool


@dataclass(frozen=True)
class Mapping:
    term: TermEntry
    match: Match


@dataclass(frozen=True)
class Concept:
    id: str
    scheme: str
    labels: dict[Language, Label]
    definition: dict[Literal["de", "en"], str]
    mappings: tuple[Mapping, ...]
    alt_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scheme:
    id: str
    title: dict[Language, str]
    definition: dict[Literal["de", "en"], str]
    concepts: dict[str, Concept]
    # Other ids filters take for a concept: a language's ISO 639-3 code (`ara` for `ar`).
    aliases: dict[str, str] = field(default_factory=dict)
    # Where concepts and labels come from, if the team did not write them.
    source: str | None = None


@dataclass(frozen=True)
class Catalogue:
    schemes: dict[str, Scheme]
    taxonomy: TaxonomyEntry

    def concept(self, scheme: str, concept: str) -> Concept | None:
        found = self.schemes.get(scheme)
        return None if found is None else found.concepts.get(concept)

    @cached_property
    def order(self) -> dict[tuple[str, str], int]:
        """Each (scheme, concept)'s place in the files: the order tags are shown in."""
        return {
            (s.id, c): place
            for place, (s, c) in enumerate(
                (s, c) for s in self.schemes.values() for c in s.concepts
            )
        }


def _read(name: str) -> object:
    return load_yaml((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


@cache
def catalogue() -> Catalogue:
    """The schemes of `data/`, checked: every label language, unique ids, mappings to
    terms the quoted taxonomy holds."""
    taxonomy = TaxonomyEntry.model_validate(_read(MAPPED))
    terms = {term.id: term for term in taxonomy.terms}
    schemes: dict[str, Scheme] = {}
    for name in SCHEMES:
        entry = SchemeEntry.model_validate(_read(name))
        if entry.id != name:
            raise ValueError(f"{name}.yaml: id {entry.id!r} is not its file's name")
        concepts: dict[str, Concept] = {}
        for c in entry.concepts:
            if c.id in concepts:
                raise ValueError(f"{name}.yaml: concept {c.id!r} twice")
            unknown = [m.id for m in c.open_eligibility if m.id not in terms]
            if unknown:
                raise ValueError(f"{name}.yaml: {c.id} maps to unknown terms {unknown}")
            concepts[c.id] = Concept(
                id=c.id,
                scheme=name,
                labels={
                    lang: Label(lang, label, False)
                    if isinstance(label, str)
                    else Label(lang, label.text, label.reviewed)
                    for lang, label in sorted(
                        c.labels.items(), key=lambda item: LANGUAGES.index(item[0])
                    )
                },
                definition=dict(c.definition),
                mappings=tuple(Mapping(terms[m.id], m.match) for m in c.open_eligibility),
                alt_labels=tuple(text for texts in c.alt_labels.values() for text in texts),
            )
        schemes[name] = Scheme(name, dict(entry.title), dict(entry.definition), concepts)
    schemes[LANGUAGES_SCHEME] = _language_scheme()
    return Catalogue(schemes, taxonomy)


class LanguageSchemeEntry(_Strict):
    id: Literal["languages"]
    title: dict[Language, Text]
    definition: dict[Literal["de", "en"], Text]
    source: Text
    also_iso_639_3: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{3}$")]]


def _language_scheme() -> Scheme:
    """The languages organisations counsel in: ISO 639 (app.vocabularies.iso639), each
    concept named in every label language, its definition giving its ISO 639-3 code."""
    entry = LanguageSchemeEntry.model_validate(_read(LANGUAGES_SCHEME))
    languages = iso639.languages(entry.also_iso_639_3)
    concepts = {
        found.id: Concept(
            id=found.id,
            scheme=LANGUAGES_SCHEME,
            labels={lang: Label(name.lang, name.text, False) for lang, name in found.names.items()},
            definition={
                "de": f"Die Sprache {found.names['de'].text} (ISO 639-3: {found.alpha_3}).",
                "en": f"The language {found.names['en'].text} (ISO 639-3: {found.alpha_3}).",
            },
            mappings=(),
        )
        for found in languages
    }
    aliases = {found.alpha_3: found.id for found in languages if found.alpha_3 != found.id}
    return Scheme(
        LANGUAGES_SCHEME,
        dict(entry.title),
        dict(entry.definition),
        concepts,
        aliases,
        entry.source,
    )
