"""Concept tags of organisations: what they offer, for whom and how, in the shared
vocabularies (app.vocabularies), read and written.

A tag is known from the evidence it quotes (`stated`) or `inferred`, with a note
saying from what. A concept the data does not state is absent: unknown, not "no".
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Executable, Select, bindparam, select
from sqlmodel import Session, col

from app.db import connection_of, stored_id
from app.errors import InvalidBody, InvalidParameter
from app.languages import DEFAULT, Language
from app.organisations.models import Organisation, OrganisationConcept
from app.organisations.schemas import ConceptTag, ConceptTags, ConceptTagsInput
from app.vocabularies.catalogue import FIELD_OF_SCHEME, SCHEME_OF_FIELD, catalogue
from app.vocabularies.service import concept_url

_CONCEPTS: Executable = select(
    col(OrganisationConcept.organisation_id),
    col(OrganisationConcept.scheme),
    col(OrganisationConcept.concept),
    col(OrganisationConcept.basis),
    col(OrganisationConcept.evidence),
    col(OrganisationConcept.note),
).where(
    col(OrganisationConcept.organisation_id).in_(bindparam("ids", expanding=True))
)  # in the vocabulary's order, not the ids': sorted in Python


def concepts_of(
    session: Session, ids: Sequence[int], base: str, lang: Language = DEFAULT
) -> dict[int, ConceptTags]:
    """Each organisation's tags, grouped by scheme, in the vocabulary's order, labelled in
    `lang`. One statement, also for no ids (a page costs the same whatever it holds)."""
    rows: dict[int, list[Any]] = defaultdict(list)
    for row in connection_of(session).execute(_CONCEPTS, {"ids": list(ids)}):
        rows[row.organisation_id].append(row)
    return {id_: _tags(rows[id_], base, lang) for id_ in ids}


def labels_by_organisation(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """Each organisation's concepts, each as its labels in every language joined by `; `:
    the text search finds them by (`concept_labels`). One statement, also for no ids."""
    labels: dict[int, list[str]] = {id_: [] for id_ in ids}
    for row in connection_of(session).execute(_CONCEPTS, {"ids": list(ids)}):
        labels[row.organisation_id].append("; ".join(labels_of([(row.scheme, row.concept)])))
    return labels


def _tags(rows: Iterable[Any], base: str, lang: Language) -> ConceptTags:
    grouped: dict[str, list[ConceptTag]] = {field: [] for field in SCHEME_OF_FIELD}
    order = catalogue().order
    for row in sorted(rows, key=lambda r: order.get((r.scheme, r.concept), len(order))):
        concept = catalogue().concept(row.scheme, row.concept)
        if concept is None:  # a concept withdrawn from the vocabulary is not shown
            continue
        grouped[FIELD_OF_SCHEME[row.scheme]].append(
            ConceptTag(
                id=row.concept,
                label=concept.labels[lang].text,
                url=concept_url(base, row.scheme, row.concept),
                basis=row.basis,
                evidence=row.evidence,
                note=row.note,
            )
        )
    return ConceptTags(**grouped)


def editable_concepts(session: Session, organisation_id: int) -> dict[str, list[dict[str, Any]]]:
    """The tags as the `concepts` member of an `OrganisationUpdate` body."""
    return editable_concepts_of(session, [organisation_id])[organisation_id]


def editable_concepts_of(
    session: Session, ids: Sequence[int]
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """`editable_concepts` of each organisation, in one statement."""
    return {
        id_: {
            field: [
                {
                    "concept": tag.id,
                    "basis": tag.basis,
                    **({"evidence": tag.evidence} if tag.evidence is not None else {}),
                    **({"note": tag.note} if tag.note is not None else {}),
                }
                for tag in getattr(tags, field)
            ]
            for field in SCHEME_OF_FIELD
        }
        for id_, tags in concepts_of(session, ids, "").items()
    }


def wanted_rows(tags: ConceptTagsInput) -> dict[tuple[str, str], dict[str, Any]]:
    """(scheme, concept) → the columns of its row; InvalidBody naming the field of a concept
    the vocabulary lacks or one given twice."""
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for field, scheme in SCHEME_OF_FIELD.items():
        for index, tag in enumerate(getattr(tags, field)):
            where = f"concepts.{field}.{index}.concept"
            if catalogue().concept(scheme, tag.concept) is None:
                raise InvalidBody.field(
                    where, f"{tag.concept!r} is not a concept of /vocabularies/{scheme}"
                )
            if (scheme, tag.concept) in wanted:
                raise InvalidBody.field(where, f"{tag.concept!r} is listed twice")
            wanted[scheme, tag.concept] = {
                "basis": tag.basis.value,
                "evidence": tag.evidence,
                "note": tag.note,
            }
    return wanted


def set_concepts(session: Session, organisation: Organisation, tags: ConceptTagsInput) -> None:
    """Make the organisation's tags those of `tags`: rows added, changed or removed."""
    wanted = wanted_rows(tags)
    current = {
        (row.scheme, row.concept): row
        for row in session.execute(
            select(OrganisationConcept).where(
                col(OrganisationConcept.organisation_id) == organisation.id
            )
        ).scalars()
    }
    for key in current.keys() - wanted.keys():
        session.delete(current[key])
    for (scheme, concept), values in wanted.items():
        row = current.get((scheme, concept))
        if row is None:
            session.add(
                OrganisationConcept(
                    organisation_id=stored_id(organisation),
                    scheme=scheme,
                    concept=concept,
                    **values,
                )
            )
        else:
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)


def concept_labels(tags: ConceptTagsInput) -> list[str]:
    """Every label, in every language, of the concepts `tags` names: what search finds
    them by (`legal advice`, `asylum`, `юридична консультація`)."""
    return labels_of(
        (scheme, tag.concept)
        for field, scheme in SCHEME_OF_FIELD.items()
        for tag in getattr(tags, field)
    )


def labels_of(concepts: Iterable[tuple[str, str]]) -> list[str]:
    """The labels in every language, and the other words for them, of (scheme, concept)s."""
    labels: list[str] = []
    for scheme, concept_id in concepts:
        concept = catalogue().concept(scheme, concept_id)
        if concept is not None:
            labels.extend(label.text for label in concept.labels.values())
            labels.extend(concept.alt_labels)
    return labels


def concept_ids(scheme: str, values: Iterable[str], param: str) -> list[str]:
    """The concept ids of a filter, in any case; InvalidParameter naming `param` for one the
    scheme lacks, with the ids it has."""
    found = catalogue().schemes[scheme]
    known = found.concepts
    ids = []
    for value in values:
        concept = value.strip().lower()
        concept = found.aliases.get(concept, concept)
        if concept not in known:
            raise InvalidParameter(
                param,
                f"{value!r} is not a concept of /vocabularies/{scheme}; one of: "
                + ", ".join(known),
            )
        ids.append(concept)
    return ids


def tagged_with(scheme: str, concepts: Sequence[str]) -> Select[Any]:
    """Ids of the organisations tagged with any of the concepts of `scheme`."""
    return select(col(OrganisationConcept.organisation_id)).where(
        col(OrganisationConcept.scheme) == scheme,
        col(OrganisationConcept.concept).in_(list(concepts)),
    )
