"""User text → a search query that is always valid for the engine.

Nothing the user types reaches FTS5's MATCH or PostgreSQL's `to_tsquery` as
syntax: the text is folded like the indexed text (app.folding), cut into words
of letters and digits, and only those words are quoted into the engine's
query. Every word is required (AND); the last one also matches as the start of
a word, so `Opferber` finds Opferberatung while it is being typed. Quotes,
brackets, operators (`AND`, `OR`, `NOT`, `NEAR`), `*`, `-`, `:` or SQL are just
more words or nothing at all.
"""

import hashlib
import itertools
import re
from dataclasses import dataclass

from app.errors import InvalidParameter
from app.folding import fold_words

# Longer text is refused with a 422: nobody types more to find an organisation,
# and it bounds the work a single request can ask of the engine.
MAX_QUERY_LENGTH = 500
MAX_WORDS = 32
# PostgreSQL refuses lexemes over 2047 bytes; folding can lengthen a word (ß → ss,
# ligatures), so words are bounded in characters after folding.
MAX_WORD_LENGTH = 100


@dataclass(frozen=True)
class SearchQuery:
    """Folded words that must all occur; `prefix`, if set, must start some word."""

    words: tuple[str, ...]
    prefix: str | None
    # Per term, as `terms` lists them: other words it matches too. On SQLite these are its
    # inflected forms the index holds (app.search.index.conflated); PostgreSQL stems itself.
    forms: tuple[tuple[str, ...], ...] = ()

    @property
    def terms(self) -> list[tuple[str, bool]]:
        """Each word with whether it matches as a prefix."""
        return [(w, False) for w in self.words] + ([(self.prefix, True)] if self.prefix else [])

    def fts5(self) -> str:
        """The FTS5 MATCH expression: quoted strings only, ANDed (FTS5 takes no implicit AND
        after a bracket)."""
        return " AND ".join(self._fts5_phrases())

    def fts5_in_name(self) -> str:
        """An FTS5 MATCH expression for entries whose `name` column holds any of the words."""
        every = [p for alternatives in self._fts5_alternatives() for p in alternatives]
        return "{name} : (" + " OR ".join(every) + ")"

    def _fts5_phrases(self) -> list[str]:
        return [
            alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
            for alternatives in self._fts5_alternatives()
        ]

    def _fts5_alternatives(self) -> list[list[str]]:
        """Per term, the phrases any of which it matches: itself and its forms."""
        forms = self.forms or tuple(() for _ in self.terms)
        return [
            [_quoted(word) + ("*" if prefix else ""), *map(_quoted, others)]
            for (word, prefix), others in zip(self.terms, forms, strict=True)
        ]

    @property
    def key(self) -> str:
        """A short digest naming this query in cursors, so a cursor cannot move to another one."""
        text = " ".join(self.words) + "|" + (self.prefix or "")
        return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def parse_query(text: str, param: str = "q") -> SearchQuery:
    """The search query for `text`; a 422 naming `param` if there is nothing usable in it."""
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidParameter(param, f"at most {MAX_QUERY_LENGTH} characters, got {len(text)}")
    words = fold_words(text)
    if not words:
        raise InvalidParameter(param, "no word to search for: give letters or digits")
    long = next((w for w in words if len(w) > MAX_WORD_LENGTH), None)
    if long is not None:
        raise InvalidParameter(param, f"words are at most {MAX_WORD_LENGTH} characters long")
    *whole, last = words
    unique = tuple(dict.fromkeys(whole))
    if len(unique) + 1 > MAX_WORDS:
        raise InvalidParameter(param, f"at most {MAX_WORDS} different words")
    # A last word that also occurs whole already demands more than its prefix would.
    return SearchQuery(unique, None if last in unique else last)


# Words of this many letters a, o or u not followed by e, at most, are tried with umlauts:
# every combination, fewest first, up to MAX_VARIANTS queries in all.
MAX_UMLAUT_PLACES = 3
MAX_VARIANTS = 16
_UMLAUT_PLACE = re.compile(r"[aou](?!e)")


def umlaut_variants(query: SearchQuery) -> list[SearchQuery]:
    """`query` with umlauts where a typist may have dropped them (`gorlitz` → goerlitz,
    `fluchtlingsrat` → fluechtlingsrat): the indexed text spells them out. Fewest
    changes first; none for a word already spelled out (`goerlitz`)."""
    options = [_word_variants(w) for w in (*query.words, *([query.prefix] if query.prefix else []))]
    combinations = sorted(
        itertools.product(*options), key=lambda chosen: sum(changes for _, changes in chosen)
    )
    variants = []
    for chosen in combinations:
        if sum(changes for _, changes in chosen) == 0:
            continue
        words = [word for word, _ in chosen]
        prefix = words.pop() if query.prefix else None
        variants.append(SearchQuery(tuple(dict.fromkeys(words)), prefix))
        if len(variants) == MAX_VARIANTS:
            break
    return variants


def _word_variants(word: str) -> list[tuple[str, int]]:
    places = [m.start() for m in _UMLAUT_PLACE.finditer(word)][:MAX_UMLAUT_PLACES]
    found = []
    for chosen in itertools.product((False, True), repeat=len(places)):
        letters = list(word)
        for place, spelled in zip(reversed(places), reversed(chosen), strict=True):
            if spelled:
                letters.insert(place + 1, "e")
        found.append(("".join(letters), sum(chosen)))
    return found


def _quoted(word: str) -> str:
    # Words hold letters and digits only; doubling quotes keeps that safe should it change.
    return '"' + word.replace('"', '""') + '"'
