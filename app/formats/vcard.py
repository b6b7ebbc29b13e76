"""An organisation's contacts as vCard 4.0 (RFC 6350), for address books.

One card for the organisation (`KIND:org`) with its e-mail addresses, phones,
websites and addresses, and one card for each named person (`KIND:individual`)
with their role and the organisation. A contact's label (“Opferberatung
Chemnitz”) is kept with it as the `X-ABLabel` of a property group, which the
common address books show. Text is escaped and lines are folded at 75 octets
as §3.2 and §3.4 say; every card has a stable `UID`, derived from the record's
key (app.uuids), so importing the file again updates the cards rather than doubling them.
"""

import re
from collections.abc import Iterator
from datetime import datetime

from app.contacts.schemas import ContactSummary
from app.organisations.schemas import OrganisationDetail
from app.uuids import contact_key, record_uuid

MEDIA_TYPE = "text/vcard; charset=utf-8"
_LINE_OCTETS = 75
# A line break in a value, of any kind: a bare CR would end the content line.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def organisation_cards(detail: OrganisationDetail, source: str) -> str:
    """The cards of `detail` (the organisation and its named people); `source` is the URL
    the file is served at."""
    people = [c for c in detail.contacts if c.kind == "person"]
    cards = [_organisation_card(detail, source)]
    cards += [_person_card(detail, person, source) for person in people]
    return "".join(cards)


def _organisation_card(detail: OrganisationDetail, source: str) -> str:
    lines = [
        "KIND:org",
        f"UID:{record_uuid('organisation', detail.slug).urn}",
        f"FN:{_text(detail.name)}",
        f"ORG:{_text(detail.name)}",
    ]
    if detail.short_name:
        lines.append(f"NICKNAME:{_text(detail.short_name)}")
    groups = 0
    for contact in detail.contacts:
        line = _property(contact)
        if line is None:
            continue
        if contact.label:
            groups += 1
            lines += [f"item{groups}.{line}", f"item{groups}.X-ABLabel:{_text(contact.label)}"]
        else:
            lines.append(line)
    # The record itself, in this directory.
    lines += [f"item{groups + 1}.URL:{detail.url}", f"item{groups + 1}.X-ABLabel:Wegweiser Sachsen"]
    return _card(lines, detail.updated_at, source)


def _person_card(detail: OrganisationDetail, person: ContactSummary, source: str) -> str:
    lines = [
        "KIND:individual",
        f"UID:{record_uuid('contact', contact_key(detail.slug, person.kind, person.value)).urn}",
        f"FN:{_text(person.value)}",
        f"ORG:{_text(detail.name)}",
    ]
    if person.role:
        lines.append(f"ROLE:{_text(person.role)}")
    if person.label:
        lines.append(f"TITLE:{_text(person.label)}")
    return _card(lines, detail.updated_at, source)


def _property(contact: ContactSummary) -> str | None:
    value = contact.value
    if contact.kind == "email":
        return f"EMAIL;TYPE=work:{_text(value)}"
    if contact.kind == "phone":
        return f"TEL;VALUE=uri;TYPE=work,voice:tel:{value.replace(' ', '-')}"
    if contact.kind == "website":
        return f"URL;TYPE=work:{value}"
    if contact.kind == "address":
        # The data keeps an address as one text: the street component holds it whole.
        return f'ADR;TYPE=work;LABEL="{_param(value)}":;;{_text(value)};;;;'
    return None  # people get cards of their own


def _card(lines: list[str], revised: datetime, source: str) -> str:
    rev = revised.strftime("%Y%m%dT%H%M%SZ")
    every = ["BEGIN:VCARD", "VERSION:4.0", *lines, f"SOURCE:{source}", f"REV:{rev}", "END:VCARD"]
    return "".join(f"{folded}\r\n" for line in every for folded in _fold(line))


def _text(value: str) -> str:
    """A TEXT value (or component) escaped: backslash, comma, semicolon, line breaks."""
    escaped = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return _LINE_BREAK.sub("\\\\n", escaped)


def _param(value: str) -> str:
    """A quoted parameter value: no double quotes or line breaks may stand in one."""
    return _LINE_BREAK.sub(" ", value.replace('"', "'"))


def _fold(line: str) -> Iterator[str]:
    """`line` cut into lines of at most 75 octets, each after the first starting with a
    space, never inside a character's UTF-8 sequence."""
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if size + width > _LINE_OCTETS:
            yield "".join(current)
            current, size = [" "], 1
        current.append(char)
        size += width
    yield "".join(current)
