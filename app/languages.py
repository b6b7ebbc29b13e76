"""The languages vocabulary labels are offered in, and choosing one per request.

`lang=` wins; else the best of `Accept-Language` (RFC 9110 §12.5.4: quality values, a
range matching by its primary subtag, `*` for any); else German, the language of the
data. Responses say which in `Content-Language` and vary by `Accept-Language`.
"""

import re
from typing import Annotated, Literal, get_args

from fastapi import Depends, Header, Query

Language = Literal["de", "en", "ar", "fa", "uk", "ru"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT: Language = "de"
RIGHT_TO_LEFT = frozenset({"ar", "fa"})

_RANGE = re.compile(
    r"\s*(?P<range>\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)\s*"
    r"(?:;\s*q\s*=\s*(?P<q>0(?:\.\d{0,3})?|1(?:\.0{0,3})?))?\s*"
)


def direction(lang: str) -> Literal["ltr", "rtl"]:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def negotiate(accept_language: str | None) -> Language:
    """The offered language `Accept-Language` prefers; German if it prefers none of them.

    A malformed element is skipped, as a header that cannot be read must not fail a read.
    """
    best: tuple[float, int] | None = None
    chosen: Language = DEFAULT
    for position, element in enumerate((accept_language or "").split(",")):
        match = _RANGE.fullmatch(element)
        if match is None:
            continue
        quality = float(match["q"]) if match["q"] else 1.0
        if quality <= 0:
            continue
        primary = match["range"].split("-")[0].lower()
        candidate: Language | None = (
            DEFAULT if primary == "*" else next((c for c in LANGUAGES if c == primary), None)
        )
        if candidate is None:
            continue
        rank = (quality, -position)
        if best is None or rank > best:
            best, chosen = rank, candidate
    return chosen


async def chosen_language(
    lang: Annotated[
        Language | None,
        Query(
            description="Language of vocabulary labels; overrides `Accept-Language`. "
            "The data itself stays in German, as the source wrote it.",
            examples=["en"],
        ),
    ] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Language:
    return lang or negotiate(accept_language)


LanguageDep = Annotated[Language, Depends(chosen_language)]


def language_headers(lang: Language) -> dict[str, str]:
    return {"Content-Language": lang, "Vary": "Accept-Language"}
