"""The vocabularies' read models, in the language a request chose."""

from typing import Literal

from app.errors import NotFound
from app.languages import LANGUAGES, Language, direction
from app.vocabularies.catalogue import Concept, Scheme, catalogue
from app.vocabularies.schemas import (
    ConceptPublic,
    LabelPublic,
    MappedScheme,
    MappingPublic,
    SchemePublic,
    SchemeSummary,
    VocabularyIndex,
)

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def scheme_url(base: str, scheme: str) -> str:
    return f"{base}/vocabularies/{scheme}"


def concept_url(base: str, scheme: str, concept: str) -> str:
    return f"{base}/vocabularies/{scheme}/{concept}"


def index(base: str, lang: Language) -> VocabularyIndex:
    taxonomy = catalogue().taxonomy
    return VocabularyIndex(
        lang=lang,
        languages=list(LANGUAGES),
        licence=LICENCE,
        licence_url=LICENCE_URL,
        schemes=[_summary(s, base, lang) for s in catalogue().schemes.values()],
        mapped_schemes=[
            MappedScheme(
                id=taxonomy.id,
                title=taxonomy.title,
                version=taxonomy.version,
                url=taxonomy.url,
                licence=taxonomy.licence,
                licence_url=taxonomy.licence_url,
                attribution=taxonomy.attribution,
            )
        ],
    )


def scheme(name: str, base: str, lang: Language) -> SchemePublic:
    found = catalogue().schemes.get(name)
    if found is None:
        raise NotFound("vocabulary", "id", name)
    summary = _summary(found, base, lang)
    return SchemePublic(
        id=summary.id,
        title=summary.title,
        definition=summary.definition,
        concept_count=summary.concept_count,
        uri=summary.uri,
        source=summary.source,
        lang=lang,
        licence=LICENCE,
        licence_url=LICENCE_URL,
        concepts=[concept_public(c, base, lang) for c in found.concepts.values()],
    )


def concept(scheme_name: str, concept_id: str, base: str, lang: Language) -> ConceptPublic:
    if scheme_name not in catalogue().schemes:
        raise NotFound("vocabulary", "id", scheme_name)
    found = catalogue().concept(scheme_name, concept_id)
    if found is None:
        raise NotFound(f"concept of {scheme_name}", "id", concept_id)
    return concept_public(found, base, lang)


def concept_public(found: Concept, base: str, lang: Language) -> ConceptPublic:
    definition_lang: Literal["de", "en"] = "de" if lang == "de" else "en"
    return ConceptPublic(
        id=found.id,
        scheme=found.scheme,
        label=found.labels[lang].text,
        uri=concept_url(base, found.scheme, found.id),
        definition=found.definition[definition_lang],
        definition_lang=definition_lang,
        labels=[
            LabelPublic(
                lang=label.lang, text=label.text, dir=direction(label.lang), reviewed=label.reviewed
            )
            # A name given in English for want of a translation is listed once, as English.
            for label in dict.fromkeys(found.labels.values())
        ],
        mappings=[
            MappingPublic(
                scheme=catalogue().taxonomy.id,
                id=m.term.id,
                title=m.term.title,
                path=list(m.term.path),
                match=m.match,
            )
            for m in found.mappings
        ],
    )


def _summary(found: Scheme, base: str, lang: Language) -> SchemeSummary:
    return SchemeSummary(
        id=found.id,
        title=found.title[lang],
        definition=found.definition["de" if lang == "de" else "en"],
        concept_count=len(found.concepts),
        uri=scheme_url(base, found.id),
        source=found.source,
    )
