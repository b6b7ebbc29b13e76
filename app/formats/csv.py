"""Lists as CSV: one row per record, the columns a spreadsheet needs, every value text.

UTF-8 with a byte order mark (spreadsheet software reads the file as UTF-8 only
then), a header row, RFC 4180 quoting and CRLF line ends. A list inside a cell is
joined by `; `. A value a spreadsheet would take for a formula (it begins with
`=`, `+`, `-`, `@`, a tab or a carriage return) is written with a leading `'`,
as OWASP advises against CSV injection: the cell then shows the text as it is.
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.db import utc_text
from app.refs import RegionRef

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    value: Callable[[Any], Any]


def _names(refs: Iterable[Any]) -> str:
    return "; ".join(ref.name for ref in refs)


def _labels(tags: Iterable[Any]) -> str:
    return "; ".join(tag.label for tag in tags)


def _name(ref: RegionRef | None) -> str | None:
    return None if ref is None else ref.name


_RECORD_END = [
    Column("url", lambda r: r.url),
    Column("version", lambda r: r.version),
    Column("updated_at", lambda r: r.updated_at),
    Column("valid_as_of", lambda r: r.valid_as_of),
    Column("last_verified_at", lambda r: r.last_verified_at),
    Column("deleted_at", lambda r: r.deleted_at),
]

ORGANISATION_COLUMNS: list[Column] = [
    Column("id", lambda o: o.id),
    Column("slug", lambda o: o.slug),
    Column("name", lambda o: o.name),
    Column("short_name", lambda o: o.short_name),
    Column("kind", lambda o: o.kind),
    Column("legal_form", lambda o: o.legal_form),
    Column("level", lambda o: o.level),
    Column("topics", lambda o: "; ".join(o.topics)),
    Column("regions", lambda o: _names(o.regions)),
    Column("offers", lambda o: _labels(o.concepts.offers)),
    Column("target_groups", lambda o: _labels(o.concepts.target_groups)),
    Column("access", lambda o: _labels(o.concepts.access)),
    Column("languages", lambda o: _labels(o.concepts.languages)),
    *_RECORD_END,
]
NETWORK_COLUMNS: list[Column] = [
    *ORGANISATION_COLUMNS[: -len(_RECORD_END)],
    Column("members", lambda n: _names(n.members)),
    *_RECORD_END,
]
REGION_COLUMNS: list[Column] = [
    Column("id", lambda r: r.id),
    Column("code", lambda r: r.code),
    Column("slug", lambda r: r.slug),
    Column("name", lambda r: r.name),
    Column("kind", lambda r: r.kind),
    Column("parent", lambda r: _name(r.parent)),
    Column("note", lambda r: r.note),
    *_RECORD_END,
]
CONTACT_COLUMNS: list[Column] = [
    Column("id", lambda c: c.id),
    Column("organisation", lambda c: c.organisation.name),
    Column("organisation_slug", lambda c: c.organisation.slug),
    Column("kind", lambda c: c.kind),
    Column("value", lambda c: c.value),
    Column("label", lambda c: c.label),
    Column("role", lambda c: c.role),
    Column("region", lambda c: _name(c.region)),
    *_RECORD_END,
]


def header(columns: Sequence[Column]) -> bytes:
    return (BOM + _lines([[c.name for c in columns]])).encode()


def rows(columns: Sequence[Column], records: Iterable[Any]) -> bytes:
    return _lines([[_cell(c.value(record)) for c in columns] for record in records]).encode()


def _lines(table: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(table)
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
