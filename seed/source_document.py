"""Reading the source document: its slides, headings and bold bullets.

The deck is a Markdown conversion of slides; every slide ends with the same
footer line, which is how the slides are told apart.
"""

import re
from pathlib import Path

SOURCE_DIR = Path(__file__).parent / "source"
FOOTER = "Das IQ Netzwerk Sachsen wird durch den EXIS Europa e.V. koordiniert."

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def read(file_name: str) -> str:
    return (SOURCE_DIR / file_name).read_text(encoding="utf-8")


def slides(text: str) -> list[str]:
    """The document's slides, numbered from 1 (index 0 is slide 1)."""
    parts = text.split(FOOTER)
    return [p for p in parts[:-1]] + ([parts[-1]] if parts[-1].strip() else [])


def normalise(text: str) -> str:
    """Source text as a reader sees it: Markdown escapes and line breaks undone."""
    text = text.replace("\\\\", "\\").replace("\\_", "_").replace("\\*", "*")
    return re.sub(r"\s+", " ", text).strip()


def headings(text: str) -> list[str]:
    return [normalise(h) for h in _HEADING.findall(text)]


def bold_phrases(text: str) -> list[str]:
    return [normalise(b) for b in _BOLD.findall(text)]
