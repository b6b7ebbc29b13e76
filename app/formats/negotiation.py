"""Choosing a representation: `format=` (for links people paste) wins, else `Accept`.

Accept is read as RFC 9110 §12.5.1 says: media ranges with quality values, the
most specific range that matches a type deciding its quality (`text/*;q=0.5,
text/csv` prefers CSV). Among the types a resource offers, the highest quality
wins, and on a tie the one the resource lists first (JSON). No `Accept` takes
the first. A header that admits none of them is a 406 listing what there is;
every response of such a resource says `Vary: Accept`.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Query, Request, Response

from app.errors import InvalidParameter, NotAcceptable, Problem
from app.headers import add_vary


class Format(StrEnum):
    json = "json"
    csv = "csv"
    ndjson = "ndjson"
    jsonld = "jsonld"
    vcard = "vcard"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES = {
    Format.json: "application/json",
    Format.csv: "text/csv",
    Format.ndjson: "application/x-ndjson",
    Format.jsonld: "application/ld+json",
    Format.vcard: "text/vcard",
}
LIST_FORMATS = (Format.json, Format.csv, Format.ndjson)
RECORD_FORMATS = (Format.json, Format.jsonld)

# One media range of the header and its quality value, if any (parameters other than q
# are read past: no type here is told apart by one).
_RANGE = re.compile(
    r"\s*(?P<type>[!#$%&'*+.^_`|~0-9A-Za-z-]+)/(?P<subtype>[!#$%&'*+.^_`|~0-9A-Za-z-]+)"
    r"(?P<params>(?:\s*;\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+"
    r'|"[^"]*"))*)\s*'
)
_Q = re.compile(r";\s*[qQ]=(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)\s*(?:;|$)")
# More of a header than anyone sends: the rest is not read.
MAX_HEADER = 2000
MAX_RANGES = 32


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int | None:
        """How closely this range names `media_type` (2 exactly, 1 by type, 0 `*/*`), or
        None if it does not cover it."""
        kind, sub = media_type.split("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type != kind:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else None


def choose(accept: str | None, format_param: str | None, offered: Sequence[Format]) -> Format:
    """The representation to answer with, of those `offered` (the default first)."""
    if format_param is not None:
        wanted = format_param.strip().lower()
        for candidate in offered:
            if candidate.value == wanted:
                return candidate
        names = ", ".join(f.value for f in offered)
        raise InvalidParameter("format", f"{format_param!r} is not served here; one of: {names}")
    if accept is None or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    best: tuple[float, int] | None = None
    chosen: Format | None = None
    for position, candidate in enumerate(offered):
        quality = _quality(ranges, candidate.media_type)
        if quality <= 0:
            continue
        rank = (quality, -position)
        if best is None or rank > best:
            best, chosen = rank, candidate
    if chosen is None:
        raise NotAcceptable(accept[:200], [f.media_type for f in offered])
    return chosen


def _ranges(accept: str) -> list[_Range]:
    ranges = []
    for element in accept[:MAX_HEADER].split(",")[:MAX_RANGES]:
        match = _RANGE.fullmatch(element)
        if match is None:
            continue  # a malformed range is skipped, as in Accept-Language
        q = _Q.search(match["params"] + ";")
        ranges.append(
            _Range(match["type"].lower(), match["subtype"].lower(), float(q[1]) if q else 1.0)
        )
    return ranges


def _quality(ranges: Sequence[_Range], media_type: str) -> float:
    """The quality the most specific range covering `media_type` gives it (0: none)."""
    found: tuple[int, float] | None = None
    for accepted in ranges:
        specificity = accepted.specificity(media_type)
        if specificity is not None and (found is None or specificity > found[0]):
            found = (specificity, accepted.quality)
    return 0.0 if found is None else found[1]


async def list_format(
    request: Request,
    format: Annotated[
        Literal["json", "csv", "ndjson"] | None,
        Query(
            description="The representation, instead of `Accept`: `csv` or `ndjson` give every "
            "matching record at once (no paging), for spreadsheets and bulk reads.",
            examples=["csv"],
        ),
    ] = None,
) -> Format:
    return choose(_accept(request), format, LIST_FORMATS)


ListFormatDep = Annotated[Format, Depends(list_format)]

# The 200 of a list in its other representations, for the OpenAPI description.
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "id,slug,name\r\n42,bon-courage,Bon Courage e.V.\r\n",
            },
            "application/x-ndjson": {
                "schema": {"type": "string"},
                "example": '{"id":42,"slug":"bon-courage"}\n',
            },
        }
    },
    406: {"model": Problem, "description": "No representation fits `Accept`."},
}


def _accept(request: Request) -> str | None:
    """The request's `Accept`; repeated field lines are one list (RFC 9110 §5.3)."""
    lines = request.headers.getlist("accept")
    return ", ".join(lines) if lines else None


R = TypeVar("R", bound=Response)


def vary_accept(response: R) -> R:
    """Name `Accept` in the response's `Vary`: its representation was chosen by it."""
    add_vary(response.raw_headers, b"Accept")
    return response


async def record_format(
    request: Request,
    format: Annotated[
        Literal["json", "jsonld"] | None,
        Query(
            description="The representation, instead of `Accept`: `jsonld` for schema.org JSON-LD.",
            examples=["jsonld"],
        ),
    ] = None,
) -> Format:
    return choose(_accept(request), format, RECORD_FORMATS)


RecordFormatDep = Annotated[Format, Depends(record_format)]

RECORD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/ld+json": {
                "schema": {"type": "object"},
                "example": {
                    "@context": {"@vocab": "https://schema.org/"},
                    "@id": "http://127.0.0.1:8000/organisations/refugee-law-clinic-leipzig",
                    "@type": "NGO",
                    "name": "Refugee Law Clinic Leipzig e.V.",
                },
            }
        }
    },
    406: {"model": Problem, "description": "No representation fits `Accept`."},
}
