"""The seed data and the source document cover each other.

Every name and contact in `seed/wegweiser.yaml` can be found in the source (or
carries a correction note), and every heading, bold bullet, link and e-mail
address of the source is represented by a record.
"""

import re
from functools import cache

import pytest

from app.vocabularies.catalogue import SCHEME_OF_FIELD, catalogue
from seed import source_document
from seed.loader import read_seed_file
from seed.schema import OrganisationEntry, SeedFile

LINK = re.compile(r"\]\((?:mailto:)?([^)\s]+)\)|<(https?://[^>\s]+)>")


@cache
def seed_file() -> SeedFile:
    return read_seed_file()


@cache
def source_text() -> str:
    return source_document.read(seed_file().source.file_name)


@cache
def slides() -> list[str]:
    """Each slide's text including the footer that closes it."""
    return [
        source_document.normalise(s + source_document.FOOTER)
        for s in source_document.slides(source_text())
    ]


def organisations() -> list[OrganisationEntry]:
    return list(seed_file().organisations)


def _ids(entries: list[OrganisationEntry]) -> list[str]:
    return [e.slug for e in entries]


def test_the_source_document_has_the_expected_slides() -> None:
    assert len(slides()) == 20


@pytest.mark.parametrize("organisation", organisations(), ids=_ids(organisations()))
def test_names_in_source_are_quoted_verbatim(organisation: OrganisationEntry) -> None:
    whole = source_document.normalise(source_text())
    for name in organisation.names_in_source:
        assert source_document.normalise(name) in whole, f"{name!r} is not in the source"


@pytest.mark.parametrize("organisation", organisations(), ids=_ids(organisations()))
def test_each_record_is_named_on_the_slide_it_cites(organisation: OrganisationEntry) -> None:
    slide = slides()[organisation.slide - 1]
    assert any(source_document.normalise(n) in slide for n in organisation.names_in_source), (
        f"none of {organisation.names_in_source} is on slide {organisation.slide}"
    )


@pytest.mark.parametrize("organisation", organisations(), ids=_ids(organisations()))
def test_names_come_from_the_source_or_carry_a_note(organisation: OrganisationEntry) -> None:
    whole = source_document.normalise(source_text()).casefold()
    name_corrected = any(c.field == "name" for c in organisation.corrections)
    name_inferred = any(i.field == "name" for i in organisation.inferences)
    in_source = source_document.normalise(organisation.name).casefold() in whole
    assert in_source or name_corrected or name_inferred, (
        f"{organisation.name!r} is not in the source and has no correction or inference "
        "for its name"
    )


def test_a_correction_quotes_the_source_and_an_inference_names_what_it_is_about() -> None:
    """A correction's `original` is the source's own text; an inference about an item of a
    list names an item the record has (a region it is linked to, a task it lists)."""
    whole = source_document.normalise(source_text())
    for organisation in organisations():
        for record in (organisation, *organisation.contacts):
            for correction in record.corrections:
                original = source_document.normalise(correction.original)
                assert original in whole, f"{organisation.slug}: {correction.original!r}"
        items = {
            "regions": {link.region for link in organisation.regions},
            "tasks": set(organisation.tasks),
            "target_groups": set(organisation.target_groups),
            "names_in_source": set(organisation.names_in_source),
        }
        for inference in organisation.inferences:
            assert len(inference.reason.split()) >= 3, (organisation.slug, inference)
            if inference.field in items and inference.value is not None:
                assert inference.value in items[inference.field], (organisation.slug, inference)
    bmas = next(
        o for o in organisations() if o.slug == "bundesministerium-fuer-arbeit-und-soziales"
    )
    assert not bmas.corrections
    assert [i.field for i in bmas.inferences if i.field == "short_name"] == ["short_name"]


def test_every_heading_and_bold_bullet_is_a_record_or_declared_structure() -> None:
    named = {source_document.normalise(n) for o in organisations() for n in o.names_in_source}
    structural = {source_document.normalise(h.text) for h in seed_file().structural_headings}
    text = source_text()
    phrases = source_document.headings(text) + source_document.bold_phrases(text)
    missing = [p for p in phrases if p not in named and p not in structural]
    assert not missing, f"not represented: {missing}"


def test_declared_structure_is_really_in_the_source() -> None:
    text = source_text()
    phrases = set(source_document.headings(text) + source_document.bold_phrases(text))
    stray = [h.text for h in seed_file().structural_headings if h.text not in phrases]
    assert not stray, f"structural headings that are no heading or bold phrase: {stray}"


def test_every_link_and_address_in_the_source_is_a_contact() -> None:
    contacts = {c.value.rstrip("/").casefold() for o in organisations() for c in o.contacts}
    links = {
        (a or b).replace("\\_", "_").rstrip("/").casefold() for a, b in LINK.findall(source_text())
    }
    assert links, "the source's links were not found"
    assert not links - contacts, f"links of the source without a contact: {links - contacts}"


def test_every_contact_address_comes_from_the_source() -> None:
    whole = source_document.normalise(source_text()).casefold()
    for organisation in organisations():
        for contact in organisation.contacts:
            if contact.kind in ("email", "website"):
                bare = re.sub(r"^https?://", "", contact.value).rstrip("/").casefold()
                corrected = any(c.field == "value" for c in contact.corrections)
                assert bare in whole or corrected, f"{contact.value} is not in the source"


def test_the_repeated_footer_is_one_record_per_actor() -> None:
    footer_names = [
        "Bundesministerium für Arbeit und Soziales",
        "Europäischen Sozialfonds",
        "EXIS Europa e.V.",
        "Bundesagentur für Arbeit",
    ]
    for name in footer_names:
        holders = [o.slug for o in organisations() if name in o.names_in_source]
        assert len(holders) == 1, f"{name!r} should be exactly one record, got {holders}"
    assert not any("Zusammen." in n for o in organisations() for n in o.names_in_source)


def test_slides_cited_exist() -> None:
    count = len(slides())
    cited = [o.slide for o in organisations()] + [r.slide for r in seed_file().relations]
    cited += [c.slide for o in organisations() for c in o.contacts]
    assert all(1 <= s <= count for s in cited)


TAGGED = [o for o in organisations() if any(getattr(o.concepts, f) for f in SCHEME_OF_FIELD)]


@pytest.mark.parametrize("organisation", TAGGED, ids=_ids(TAGGED))
def test_every_concept_quotes_the_source_on_the_slide_it_cites(
    organisation: OrganisationEntry,
) -> None:
    slide = slides()[organisation.slide - 1]
    for field, scheme in SCHEME_OF_FIELD.items():
        for tag in getattr(organisation.concepts, field):
            assert catalogue().concept(scheme, tag.concept), f"{tag.concept} not in {scheme}"
            assert tag.evidence is not None
            evidence = source_document.normalise(tag.evidence)
            assert evidence in slide, (
                f"{organisation.slug}: {tag.evidence!r} is not on slide {organisation.slide}"
            )


def test_what_the_source_says_is_tagged_and_nothing_more() -> None:
    """Hand-checked against the slides: who offers legal advice, victim support and the
    recognition of qualifications, and that a body the source says little of has no tags."""
    tagged = {
        (o.slug, field, tag.concept): tag.basis.value
        for o in organisations()
        for field in SCHEME_OF_FIELD
        for tag in getattr(o.concepts, field)
    }
    legal = {slug for slug, field, concept in tagged if concept == "legal-advice"}
    assert legal == {"refugee-law-clinic-leipzig", "komenco"}
    assert {slug for slug, _, concept in tagged if concept == "victim-support"} == {
        "opferberatung-raa-sachsen"
    }
    assert tagged["ibas", "offers", "recognition-of-qualifications"] == "inferred"
    assert tagged["iq-netzwerk-sachsen", "offers", "recognition-of-qualifications"] == "stated"
    assert not any(slug == "haertefallkommission" for slug, _, _ in tagged)
