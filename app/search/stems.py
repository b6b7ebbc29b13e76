"""German stems, as PostgreSQL's `german` text search configuration computes them.

Snowball's German stemmer is the algorithm PostgreSQL uses, in the version it
compiles in (Snowball 2.2 up to PostgreSQL 17: the package is pinned below 3,
whose German stemmer reads `ae`, `oe`, `ue` as umlauts and strips `-erin`), so a
word and a query word conflate here as they do there: SQLite's index is asked
for every inflected form of a query word (app.search.index), snippets mark those
forms, and a query that finds nothing is retried by its stems
(app.search.forgiving). PostgreSQL also drops its stop words (`ein`, `und`),
which this module does not know: on SQLite `ein` finds `eine` too.
"""

import threading
from functools import lru_cache

import snowballstemmer

# Shorter stems conflate nothing (PostgreSQL's do: `ab`, `an`); `off` for offen, offene does.
MIN_STEM_LENGTH = 3

_stemmers = threading.local()


def _german() -> snowballstemmer.stemmer:
    # A stemmer keeps its work on itself: one per reader thread, never shared.
    stemmer = getattr(_stemmers, "german", None)
    if stemmer is None:
        stemmer = _stemmers.german = snowballstemmer.stemmer("german")
    return stemmer


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The German stem of a folded word (`beratungen` → `berat`, `haeuser` → `haeus`):
    equal stems are forms of one word, as PostgreSQL sees them. Remembered: the stemmer
    is pure Python, some 50 µs a word, and snippets ask for the same words again."""
    return _german().stemWord(word)


def stem_prefix(word: str) -> str:
    """The start of `word` that its German stem keeps, in the word's own (folded) spelling:
    `beratungen` → `berat`, `fluechtlinge` → `fluechtling` (should the stemmer write an
    umlaut it reads in `ue` as `u`, as Snowball 3 does, the index still spells it `ue`)."""
    kept, at = [], 0
    for letter in stem(word):
        while at < len(word) and word[at] != letter:
            if word[at] == "e" and at and word[at - 1] in "aou":  # ue, oe, ae for ü, ö, ä
                kept.append("e")
                at += 1
                continue
            return "".join(kept)
        if at == len(word):
            break
        kept.append(word[at])
        at += 1
    return "".join(kept)
