"""The full-text index of each engine, as the queries see it.

The migration `2f0c1a7d9e3b` builds the index; this module asks it. Both
engines index the folded text the application writes (`organisation.name_key`
and `.search_text`, `region.name_key`, `contact.value_key`), so the umlaut and
case equivalences of app.folding hold on both, and both split it into words
the same way: at every character that is not a letter or a digit.

SQLite: one contentless FTS5 table, `search_fts`, with two columns, `name`
(an organisation's name and short name, a region's name) and `body` (an
organisation's whole search text, a contact's text). Triggers on the three
tables keep it current. A row's rowid encodes what it indexes: `id * 4 + Doc`.
Relevance is bm25, a name hit weighing ten times a body hit. Deleted records
are left out of the index (migration d81f3a6c2b47). The unicode61
tokenizer does not stem: a query word matches the same word only, and the last
word any word it starts.

PostgreSQL: a stored, generated `search_vector` column on each table with a
GIN index (a bare expression index would make ranking recompute the vector of
every match). The text is indexed twice: with the `simple` configuration,
whose lexemes are the folded words themselves (whole-word and prefix matches,
the same as SQLite's), and with `german`, whose Snowball stemmer conflates
inflected forms (`Beratungen` finds Beratung). The stemmer sees folded text
(`fluechtlinge`), as do the query words, so both sides stem alike. `german`
alone would stem the prefix of the last word too and drop stop words (`und`,
`die`), so each query word is `simple`-word-or-prefix OR `german`-stem.
Before parsing, every run of characters that are not letters or digits becomes
a space, or PostgreSQL's parser would keep e-mail addresses, hosts and paths
whole (`info@raa-sachsen.de` as one lexeme) where FTS5 sees words. That class
follows the database's LC_CTYPE: under a UTF-8 locale (initdb's default) it
covers every script; under the C locale, letters beyond ASCII that survive
folding (ł, ø, ı) would split words. Relevance is `ts_rank_cd`, cover density
with names weighing A and the rest B (ten to one, as on SQLite), divided by the
logarithm of the text's length, cast to float8 so cursors carry it exactly.
(Plain `ts_rank` scores an AND query by the distance between its words, German
variants included, whose lexemes sit apart from the simple ones: a short e-mail
address then outranked the organisation it named.)
"""

from collections.abc import Collection, Sequence
from enum import IntEnum
from functools import reduce
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Double,
    Float,
    Integer,
    Select,
    Subquery,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    union_all,
)
from sqlmodel import Session

from app.contacts.models import Contact
from app.organisations.models import Organisation
from app.pagination import SortColumn, SortKey
from app.regions.models import Region
from app.search.query import SearchQuery

T = TypeVar("T")


class Doc(IntEnum):
    """What an index entry stands for; on SQLite, the low bits of its rowid."""

    organisation = 1
    region = 2
    contact = 3


DOC_BITS = 2
DOC_MASK = (1 << DOC_BITS) - 1
FTS_TABLE = "search_fts"
# bm25 weights of the columns `name` and `body`.
NAME_WEIGHT = 10.0
BODY_WEIGHT = 1.0

_fts = table(FTS_TABLE, column("rowid", Integer))
_fts_self: ColumnElement[Any] = literal_column(FTS_TABLE)


def restrict(
    session: Session, statement: Select[T], query: SearchQuery, doc: Doc
) -> tuple[Select[T], ColumnElement[float]]:
    """`statement`, which selects from the table of `doc`, narrowed to the records matching
    `query`; and their score (higher is better) as a column to order by."""
    model, vector = _SOURCES[doc]
    if _dialect(session) == "sqlite":
        rowid = _fts.c.rowid
        hits = (
            select(
                rowid.op(">>", return_type=Integer)(DOC_BITS).label("id"), _bm25().label("score")
            )
            .where(_fts_self.op("MATCH")(query.fts5()), rowid.op("&")(DOC_MASK) == int(doc))
            .subquery(f"{doc.name}_hits")
        )
        return statement.join(hits, hits.c.id == model.id), hits.c.score
    tsquery = _tsquery(query)
    return statement.where(vector.op("@@")(tsquery)), _cover_density(vector, tsquery)


def all_matches(session: Session, query: SearchQuery, docs: Collection[Doc]) -> Subquery:
    """Records of the kinds `docs` that match: columns `doc`, `id` and `score`."""
    if _dialect(session) == "sqlite":
        rowid = _fts.c.rowid
        found = select(
            rowid.op("&", return_type=Integer)(DOC_MASK).label("doc"),
            rowid.op(">>", return_type=Integer)(DOC_BITS).label("id"),
            _bm25().label("score"),
        ).where(_fts_self.op("MATCH")(query.fts5()))
        if set(docs) != set(Doc):
            found = found.where(rowid.op("&")(DOC_MASK).in_([int(d) for d in docs]))
        return found.subquery("hits")
    tsquery = _tsquery(query)
    parts = []
    for doc in sorted(docs):
        model, vector = _SOURCES[doc]
        parts.append(
            select(
                literal(int(doc), Integer).label("doc"),
                model.id.label("id"),
                _cover_density(vector, tsquery).label("score"),
            ).where(vector.op("@@")(tsquery), model.deleted_at.is_(None))
        )
    return union_all(*parts).subquery("hits")


def relevance_order(
    query: SearchQuery,
    score: ColumnElement[float],
    tie_breakers: Sequence[SortColumn],
    types: Sequence[type],
) -> SortKey:
    """Best match first, ties broken by `tie_breakers` ascending: a keyset order like any other.

    The cursor carries the last row's score itself, so no page needs an offset,
    and names the query, so it cannot be replayed against another one. A score
    depends only on the record and the query on PostgreSQL (ts_rank_cd). SQLite's
    bm25 also weighs how many records hold each word, so a write between two
    pages can shift scores and move a record across the page boundary; the
    directory is read-mostly, and an offset would go wrong on the same writes.
    """
    return SortKey(
        f"relevance:{query.key}",
        (score, *tie_breakers),
        (True, *(False for _ in tie_breakers)),
        (float, *types),
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _bm25() -> ColumnElement[float]:
    # bm25() is lower for better matches; negated, both engines rank higher-is-better.
    return -func.bm25(
        _fts_self, literal_column(repr(NAME_WEIGHT)), literal_column(repr(BODY_WEIGHT)), type_=Float
    )


# --- PostgreSQL ----------------------------------------------------------------------------

# Each table and the generated column the migration adds to it (not a model field).
_SOURCES: dict[Doc, tuple[Any, Any]] = {
    Doc.organisation: (Organisation, literal_column("organisation.search_vector")),
    Doc.region: (Region, literal_column("region.search_vector")),
    Doc.contact: (Contact, literal_column("contact.search_vector")),
}


def _config(name: str) -> Any:
    return literal_column(f"'{name}'::regconfig")


def _tsquery(query: SearchQuery) -> Any:
    """Every word as `simple` word (or prefix) OR `german` stem, all ANDed.

    Only bound words reach the database: `to_tsquery` gets a quoted lexeme built
    from letters and digits, `plainto_tsquery` takes plain text and no syntax.
    A stop word yields an empty `german` part, which `||` simply drops.
    """
    parts = []
    for word, prefix in query.terms:
        quoted = word.replace("\\", "\\\\").replace("'", "''")
        lexeme = f"'{quoted}'" + (":*" if prefix else "")
        simple = func.to_tsquery(_config("simple"), literal(lexeme))
        german = func.plainto_tsquery(_config("german"), literal(word))
        parts.append(simple.op("||")(german))
    return reduce(lambda a, b: a.op("&&")(b), parts)


# ts_rank_cd's weights of the labels D, C, B, A: a name (A) against the rest as on SQLite.
_BODY = BODY_WEIGHT / NAME_WEIGHT
_RANK_WEIGHTS: ColumnElement[Any] = literal_column(f"'{{{_BODY}, {_BODY}, {_BODY}, 1}}'::float4[]")
# Divide by 1 + the logarithm of the text's length, as bm25 weighs length: else a long
# description naming a place three times outranks the place itself.
_RANK_LOG_LENGTH = 1


def _cover_density(vector: Any, tsquery: Any) -> ColumnElement[float]:
    return cast(func.ts_rank_cd(_RANK_WEIGHTS, vector, tsquery, _RANK_LOG_LENGTH), Double)
