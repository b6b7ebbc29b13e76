"""The languages vocabulary labels are offered in, and choosing one per request.

`lang=` wins; else the best of `Accept-Language` (RFC 9110 §12.5.4: quality values, a
range matching by its primary subtag, `*` for any); else German, the language of the
data. Responses say which in `Content-Language` and vary by `Accept-Language`.
"""

import re
from typing import Annotated, Literal, get_args

from fastapi import Depends, Header, Query

from app.errors import InvalidParameter

Language = Literal["de", "en", "ar", "fa", "uk", "ru"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT: Language = "de"
RIGHT_TO_LEFT = frozenset({"ar", "fa"})

# One element of the header, stripped: a range and its quality value, if any.
_RANGE = re.compile(
    r"(?P<range>\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)"
    r"(?:[ \t]*;[ \t]*[qQ][ \t]*=[ \t]*(?P<q>0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?))?"
)
# More of a header than anyone sends: the rest is not read.
MAX_HEADER = 1000
MAX_ELEMENTS = 32


def direction(lang: str) -> Literal["ltr", "rtl"]:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def offered(tag: str) -> Language | None:
    """The offered language a language tag names by its primary subtag (`en-GB`, `AR`)."""
    primary = tag.split("-", 1)[0].lower()
    return next((lang for lang in LANGUAGES if lang == primary), None)


def negotiate(accept_language: str | None) -> Language:
    """The offered language `Accept-Language` prefers; German if it prefers none of them.

    `*` stands for any language the header does not name, German first. A malformed
    element is skipped, as a header that cannot be read must not fail a read.
    """
    ranges: list[tuple[str, float]] = []
    for element in (accept_language or "")[:MAX_HEADER].split(",")[:MAX_ELEMENTS]:
        match = _RANGE.fullmatch(element.strip())
        if match is not None:
            ranges.append((match["range"], float(match["q"]) if match["q"] else 1.0))
    named = {offered(r) for r, _ in ranges if r != "*"}
    best: tuple[float, int] | None = None
    chosen: Language = DEFAULT
    for position, (tag, quality) in enumerate(ranges):
        if quality <= 0:
            continue
        if tag == "*":
            candidate = next((lang for lang in LANGUAGES if lang not in named), None)
        else:
            candidate = offered(tag)
        if candidate is None:
            continue
        rank = (quality, -position)
        if best is None or rank > best:
            best, chosen = rank, candidate
    return chosen


async def chosen_language(
    lang: Annotated[
        str | None,
        Query(
            max_length=35,
            description="Language of vocabulary labels, overriding `Accept-Language`: "
            f"{', '.join(LANGUAGES)} (any case; `en-GB` is `en`). The data itself stays "
            "in German, as the source wrote it.",
            examples=["en"],
        ),
    ] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Language:
    if lang is None:
        return negotiate(accept_language)
    chosen = offered(lang)
    if chosen is None:
        raise InvalidParameter("lang", f"one of {', '.join(LANGUAGES)}, got {lang!r}")
    return chosen


LanguageDep = Annotated[Language, Depends(chosen_language)]


def language_headers(lang: Language) -> dict[str, str]:
    return {"Content-Language": lang, "Vary": "Accept-Language"}
