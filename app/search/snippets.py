"""Short HTML snippets of a hit's own text with the query's words in `<mark>`.

Snippets are cut from the original text, not from the folded text the engines
index, so they read `Görlitz`, not `goerlitz`; a word is marked when its folded
form matches a query word the way the engines match it. Everything else is
HTML-escaped, so a snippet is safe to insert into a page as it is.
"""

import html
import re
from collections.abc import Sequence

from app.folding import fold
from app.search.query import SearchQuery
from app.search.stems import MIN_STEM_LENGTH, stem

SNIPPET_WORDS = 24  # words shown at most
LEAD_WORDS = 6  # words kept before the first match
_WORD = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")


def snippet(fields: Sequence[str | None], query: SearchQuery) -> str:
    """A snippet of the field matching most of the query's words (the earliest on a tie).

    Without any match (a stem match this module does not recognise), the start
    of the first non-empty field, unmarked.
    """
    best: tuple[int, str, list[re.Match[str]], set[int]] | None = None
    for text in fields:
        if not text:
            continue
        words = list(_WORD.finditer(text))
        marked: set[int] = set()
        terms: set[int] = set()
        for i, word in enumerate(words):
            term = matching_term(fold(word.group()), query)
            if term is not None:
                marked.add(i)
                terms.add(term)
        if best is None or len(terms) > best[0]:
            best = (len(terms), text, words, marked)
            if len(terms) == len(query.terms):
                break  # no later field can match more
    if best is None:
        return ""
    _, text, words, marked = best
    return _render(text, words, marked)


def matching_term(word: str, query: SearchQuery) -> int | None:
    """The index of the first query term the folded `word` matches, if any."""
    for i, (term, prefix) in enumerate(query.terms):
        if word == term or (prefix and word.startswith(term)) or _inflected(word, term):
            return i
    return None


def _inflected(word: str, term: str) -> bool:
    """Whether two words are forms of one (`beratungen`, `berater`) as both engines
    conflate them: the same German stem, long enough to conflate (app.search.stems)."""
    # A stem is the start of its word (bar a letter at the end), so forms share their
    # first letters: most words are told apart without stemming them.
    if word[:MIN_STEM_LENGTH] != term[:MIN_STEM_LENGTH]:
        return False
    root = stem(term)
    return len(root) >= MIN_STEM_LENGTH and stem(word) == root


def _render(text: str, words: list[re.Match[str]], marked: set[int]) -> str:
    if not words:
        return html.escape(_SPACE.sub(" ", text).strip())
    first = min(marked) if marked else 0
    start = max(0, first - LEAD_WORDS)
    end = min(len(words), start + SNIPPET_WORDS)
    parts = ["… " if start > 0 else ""]
    position = words[start].start() if start > 0 else 0
    for i in range(start, end):
        word = words[i]
        parts.append(_escaped(text[position : word.start()]))
        escaped = html.escape(word.group())
        parts.append(f"<mark>{escaped}</mark>" if i in marked else escaped)
        position = word.end()
    if end < len(words):
        parts.append(" …")
    else:
        parts.append(_escaped(text[position:]))
    return "".join(parts).strip()


def _escaped(gap: str) -> str:
    return html.escape(_SPACE.sub(" ", gap))
