"""A query that finds nothing as typed, tried again the way people mistype.

In order, the first that finds something answers (and the answer says which form
it used, `did_you_mean`):

1. umlauts where they may have been dropped (`gorlitz` → goerlitz), fewest first;
2. inflected words by their German stem (`Beratungen` → berat…), as PostgreSQL's
   `german` configuration already conflates them and SQLite's tokenizer does not;
   the stem is Snowball's, the algorithm PostgreSQL uses;
3. one typo in a word of five letters or more that the index does not hold
   (`opferberatng` → opferberatung, `Bautzn` → bautzen): a letter left out, added,
   changed or two swapped, where the corrected word is in the index.

Only a query without a single hit is retried, so a correct query is never
diluted, and a corrected one ranks nothing above exact hits: there are none.
"""

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from string import ascii_lowercase

from sqlalchemy import select
from sqlmodel import Session

from app.memo import memoised
from app.search.index import Doc, all_matches, known_terms
from app.search.query import SearchQuery, umlaut_variants
from app.search.stems import stem_prefix

MIN_TYPO_LENGTH = 5
# Longer words are not corrected: the candidates grow with the word, its worth does not.
MAX_TYPO_LENGTH = 24
CANDIDATES_PER_WORD = 4
MAX_CORRECTIONS = 16
_LETTERS = ascii_lowercase


@dataclass(frozen=True)
class Forgiven:
    query: SearchQuery
    total: int
    corrected: bool

    @property
    def did_you_mean(self) -> str | None:
        if not self.corrected:
            return None
        return " ".join((*self.query.words, *([self.query.prefix] if self.query.prefix else [])))


def forgiving(
    session: Session, query: SearchQuery, total_of: Callable[[SearchQuery], int]
) -> Forgiven:
    """`query` if it finds anything, else the first alternative that does."""
    total = total_of(query)
    if total:
        return Forgiven(query, total, False)
    for alternative in alternatives(session, query):
        counted = total_of(alternative)
        if counted:
            return Forgiven(alternative, counted, True)
    return Forgiven(query, 0, False)


def text_matches(session: Session, doc: Doc) -> Callable[[SearchQuery], int]:
    """1 if a text finds a live record of one kind on its own, whatever other filters a list
    has, else 0: what decides whether `q` on that list is retried (no count needed)."""

    def any_match(search: SearchQuery) -> int:
        def probe() -> int:
            found = all_matches(session, search, {doc})
            return 1 if session.execute(select(found.c.id).limit(1)).first() else 0

        return memoised(session, ("text matches", doc, search.words, search.prefix), probe)

    return any_match


def alternatives(session: Session, query: SearchQuery) -> Iterator[SearchQuery]:
    yield from umlaut_variants(query)
    stemmed = stem_variant(session, query)
    if stemmed is not None:
        yield stemmed
    yield from typo_corrections(session, query)


def stem_variant(session: Session, query: SearchQuery) -> SearchQuery | None:
    """`query` with inflected words cut to their stems; None if none has a stem.

    A stem the index holds as a word (`netzwerke` → netzwerk) replaces its word; the
    last word, which matches the start of a word anyway, is cut to its stem (`beratungen`
    → berat…). A word before it keeps its place as a whole word, so `Opferber RAA` stays
    what it is: not an inflection, and no word of the index.
    """
    words = [*query.words, *_prefix(query)]
    stemmed: list[str] = []
    for place, word in enumerate(words):
        stem = stem_prefix(word)
        last = place == len(words) - 1 and query.prefix is not None
        if stem != word and len(stem) >= 3 and (last or _known(session, (stem,), prefix=False)):
            stemmed.append(stem)
        else:
            stemmed.append(word)
    if stemmed == words:
        return None
    if query.prefix is None:
        return SearchQuery(tuple(dict.fromkeys(stemmed)), None)
    *whole, last_word = stemmed
    return SearchQuery(tuple(dict.fromkeys(whole)), last_word)


def typo_corrections(session: Session, query: SearchQuery) -> Iterator[SearchQuery]:
    """`query` with each word the index lacks replaced by words one edit away that it
    holds, likeliest first: every combination of the first few for each word, at most
    `MAX_CORRECTIONS` in all. The caller keeps the first that finds something, so a
    correction that is a word of the index but finds nothing here is passed over."""
    words = [*query.words, *_prefix(query)]
    prefix_at = len(words) - 1 if query.prefix else None
    unknown = [
        w
        for i, w in enumerate(words)
        if MIN_TYPO_LENGTH <= len(w) <= MAX_TYPO_LENGTH and w.isascii() and w.isalpha()
        if not _known(session, (w,), prefix=i == prefix_at)
    ]
    if not unknown:
        return
    options: list[list[str]] = []
    for word in unknown:
        candidates = one_edit_away(word)
        present = _known(session, tuple(candidates), prefix=False)
        found = [c for c in candidates if c in present][:CANDIDATES_PER_WORD]
        if not found:
            return
        options.append(found)
    for chosen in itertools.islice(itertools.product(*options), MAX_CORRECTIONS):
        fixed = dict(zip(unknown, chosen, strict=True))
        corrected = [fixed.get(w, w) for w in words]
        if query.prefix:
            *whole, last = corrected
            yield SearchQuery(tuple(dict.fromkeys(whole)), last)
        else:
            yield SearchQuery(tuple(dict.fromkeys(corrected)), None)


def one_edit_away(word: str) -> list[str]:
    """Every word one edit from `word`, likeliest first: two letters swapped, one changed,
    one left out, one added."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swapped = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1 and b[0] != b[1]]
    changed = [a + c + b[1:] for a, b in splits if b for c in _LETTERS if c != b[0]]
    dropped = [a + b[1:] for a, b in splits if b]
    added = [a + c + b for a, b in splits for c in _LETTERS]
    return list(dict.fromkeys(w for w in swapped + changed + dropped + added if w != word))


def _known(session: Session, words: tuple[str, ...], prefix: bool) -> set[str]:
    return memoised(
        session,
        ("known terms", words, prefix),
        lambda: known_terms(session, words, prefix),
        lambda _: 1 + len(words),  # the key holds every word asked about
    )


def _prefix(query: SearchQuery) -> list[str]:
    return [query.prefix] if query.prefix else []
