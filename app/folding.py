"""German-aware text folding for search keys and sorting.

SQLite's `lower()` and `LIKE` only fold ASCII, and PostgreSQL's depend on the
collation, so both databases get text that is already folded in Python:
case-folded, umlauts spelled out (ä→ae, ö→oe, ü→ue, ß→ss) and other accents
dropped. Queries are folded the same way, so `Goerlitz` finds `Görlitz`.
"""

import re
import unicodedata

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold text for comparison: `"Weißwasser/ Bad Muskau"` → `"weisswasser/ bad muskau"`."""
    if text.isascii():  # nothing to normalise: most words, and every snippet is made of words
        return _SPACES.sub(" ", text.lower()).strip()
    folded = unicodedata.normalize("NFC", text).casefold().translate(_GERMAN)
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


def fold_words(text: str) -> list[str]:
    """Folded words of `text`, punctuation removed (for full-text keys)."""
    return [w for w in _NON_WORD.sub(" ", fold(text)).replace("_", " ").split() if w]


def slugify(text: str) -> str:
    return "-".join(fold_words(text))
