"""Which region a place parameter names: by code, slug or name in any spelling.

A code or slug is an identifier and names its region exactly. Anything else is read
as a name, folded (case, umlauts spelled out or dropped, accents, punctuation), and
compared with each live region's name, its name without a leading "Landkreis",
"Kreis", "Stadt" or "Freistaat", and the part of it before a slash
("Weißwasser/O.L."). A name several regions carry (Görlitz the town and the
Landkreis) names none of them: the caller is told the candidates, never handed one
of them silently. A leading word of the text that names a kind of region ("Stadt
Leipzig", "Kreis Görlitz") chooses among the regions of that name.

Where postcodes would plug in: a postcode table from a source with a recorded licence
and date, mapping each postcode to regions, consulted here before names.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.db import live
from app.errors import InvalidParameter
from app.folding import fold_words
from app.memo import memoised
from app.refs import region_url
from app.regions.models import Region

_PREFIXES = ("landkreis", "kreis", "stadt", "freistaat")
# Words before a name that say which kind of region is meant, the longest first.
_KIND_HINTS = (
    ("kreisfreie stadt", {"urban_district"}),
    ("landkreis", {"rural_district", "former_district"}),
    ("kreis", {"rural_district", "former_district"}),
    ("stadt", {"urban_district", "municipality"}),
    ("gemeinde", {"municipality"}),
    ("freistaat", {"state"}),
)
_DROPPED = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_SPACES = re.compile(r"\s+")


def spellings(name: str) -> set[str]:
    """The folded forms a name is matched in: umlauts spelled out, and dropped."""
    plain = unicodedata.normalize("NFC", name).casefold().translate(_DROPPED)
    return {" ".join(fold_words(name)), " ".join(fold_words(plain))}


def name_forms(name: str) -> set[str]:
    """What a region's name is also called: without its prefix, before a slash."""
    forms = set(spellings(name))
    before_slash = name.split("/", 1)[0]
    forms |= spellings(before_slash)
    for form in list(forms):
        first, _, rest = form.partition(" ")
        if first in _PREFIXES and rest:
            forms.add(rest)
    return forms


@dataclass(frozen=True)
class Candidate:
    id: int
    code: str | None
    slug: str
    name: str
    kind: str
    parent_id: int | None

    def as_json(self) -> dict[str, Any]:
        # A relative reference, as the problem document's own `type` and `instance` are.
        return {
            "code": self.code,
            "slug": self.slug,
            "name": self.name,
            "kind": self.kind,
            "url": region_url("", self.code, self.slug),
        }


@dataclass(frozen=True)
class Places:
    """The live regions, and every form of every name, for one revision."""

    by_identifier: dict[str, Candidate]
    by_name: dict[str, list[Candidate]]
    by_id: dict[int, Candidate]

    def ancestor_ids(self, region_id: int) -> list[int]:
        """The regions above `region_id`, nearest first."""
        above: list[int] = []
        current = self.by_id.get(region_id)
        while current is not None and current.parent_id is not None:
            if current.parent_id in above:  # a cycle an operator's SQL made: stop there
                break
            above.append(current.parent_id)
            current = self.by_id.get(current.parent_id)
        return above

    @classmethod
    def read(cls, session: Session) -> "Places":
        rows = session.execute(
            select(
                col(Region.id),
                col(Region.code),
                col(Region.slug),
                col(Region.name),
                col(Region.kind),
                col(Region.parent_id),
            )
            .where(live(Region))
            .order_by(col(Region.id))
        ).all()
        by_identifier: dict[str, Candidate] = {}
        by_name: dict[str, list[Candidate]] = {}
        by_id: dict[int, Candidate] = {}
        for row in rows:
            candidate = Candidate(*row)
            by_id[candidate.id] = candidate
            by_identifier[candidate.slug] = candidate
            if candidate.code:
                by_identifier[candidate.code] = candidate
            for form in name_forms(candidate.name):
                by_name.setdefault(form, []).append(candidate)
        return cls(by_identifier, by_name, by_id)

    def named(self, text: str) -> list[Candidate]:
        """The regions `text` names: one, several (ambiguous) or none."""
        exact = self.by_identifier.get(text.strip())
        if exact is not None:
            return [exact]
        forms = spellings(_SPACES.sub(" ", text))
        found = {c.id: c for form in forms for c in self.by_name.get(form, [])}
        if not found:
            # "Stadt Leipzig", "Kreis Görlitz": a leading word that says the kind of region.
            for form in forms:
                for hint, kinds in _KIND_HINTS:
                    rest = form.removeprefix(hint + " ")
                    if rest != form:
                        found |= {c.id: c for c in self.by_name.get(rest, []) if c.kind in kinds}
                        break
        return list(found.values())


def places(session: Session) -> Places:
    return memoised(session, ("places",), lambda: Places.read(session), lambda _: 50)


def resolve(session: Session, text: str, param: str) -> Candidate:
    """The one region `text` names; an InvalidParameter naming `param` if none or several."""
    found = places(session).named(text)
    if len(found) == 1:
        return found[0]
    if not found:
        raise InvalidParameter(param, f"no region with code, slug or name {text!r}")
    raise ambiguous(param, text, found)


def ambiguous(param: str, text: str, found: Iterable[Candidate]) -> InvalidParameter:
    candidates = sorted(found, key=lambda c: (c.parent_id is not None, c.name, c.id))
    names = "; ".join(f"{c.name} ({c.code or c.slug})" for c in candidates)
    error = InvalidParameter(
        param, f"{text!r} names several regions, choose one by its code or slug: {names}"
    )
    error.extra = {"candidates": [c.as_json() for c in candidates]}
    return error
