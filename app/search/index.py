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

Ranking every match costs a score per match: at 100 000 organisations a word in
half the directory takes tens of milliseconds on SQLite and hundreds on
PostgreSQL. `ranked_window` ranks only the entries that can be on the page, and
proves it with the numbers migration d92171fda9ef keeps. An entry scores high
mostly by holding a query word in its name, so the entries with a name hit are
ranked first. One without can score at most a bound set by its length and its
`peak`: the most tokens (on PostgreSQL, positions) in it that share their first
four characters, so at least as many as any query word, or any prefix of four
or more, can match in it. The entries whose bound reaches the last score the
page needs are ranked as well, and usually there are none. The page is the
same as when ranking everything, scores included, so cursors work across both
ways. Where the bound does not hold (a prefix shorter than four characters; on
SQLite a word that is not plain ASCII letters and digits) or is not worth it,
everything is ranked as before: for fewer than `RANK_ALL_BELOW` matches, for
contacts alone (they have no names), and for several words, which together
match fewer records, while each word adds to what the bound must allow (on
PostgreSQL how close the words stand decides as well, which it leaves out).
"""

import math
import re
import struct
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from functools import partial, reduce
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Double,
    Float,
    Integer,
    Row,
    Select,
    Subquery,
    Text,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
    union_all,
)
from sqlmodel import Session, col

from app.contacts.models import Contact
from app.db import connection_of, dialect_of
from app.memo import memoised
from app.organisations.models import Organisation
from app.pagination import PageRequest, SortColumn, SortKey, Window, decode_cursor, encode_cursor
from app.regions.models import Region
from app.search.query import SearchQuery
from app.search.stems import MIN_STEM_LENGTH, stem, stem_prefix

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
# The tokens (or positions) counted in a `peak` share this many leading characters.
PEAK_PREFIX = 4
# Fewer matches than this are ranked all at once: the detour would cost more.
RANK_ALL_BELOW = 10_000
# More entries than this that the bound cannot rule out, and everything is ranked.
MAX_UNRULED = 2_000
# Index words read for one query word's inflected forms (SQLite), and forms kept.
MAX_FORM_CANDIDATES = 2_000
MAX_FORMS = 32
# Bounds are lowered by this much relative to the score they are compared with: far
# more than either engine's rounding (PostgreSQL's ranks are float4).
_SLACK = 1e-6

_fts = table(FTS_TABLE, column("rowid", Integer))
_fts_self: ColumnElement[Any] = literal_column(FTS_TABLE)


@dataclass(frozen=True)
class Within:
    """Index entries a ranking statement is narrowed to: with `names`, those whose name
    holds a query word (on PostgreSQL every region, whose vector is all name); else
    the entries `keys` names."""

    names: bool = False
    keys: frozenset[tuple[Doc, int]] = frozenset()


NAME_HITS = Within(names=True)

# A statement of ranked rows for a narrowing (None: every match), with its relevance order.
Build = Callable[[Within | None], tuple[Select[Any], SortKey]]


def restrict(
    session: Session,
    statement: Select[T],
    query: SearchQuery,
    doc: Doc,
    within: Within | None = None,
) -> tuple[Select[T], ColumnElement[float]]:
    """`statement`, which selects from the table of `doc`, narrowed to the records matching
    `query` (and `within`); and their score (higher is better) as a column to order by."""
    model, vector = _SOURCES[doc]
    if _dialect(session) == "sqlite":
        query = conflated(session, query)
        rowid = _fts.c.rowid
        hits = (
            select(
                rowid.op(">>", return_type=Integer)(DOC_BITS).label("id"), _bm25().label("score")
            )
            .where(
                _fts_self.op("MATCH")(query.fts5()),
                rowid.op("&")(DOC_MASK) == int(doc),
                *_fts5_within(query, within),
            )
            .subquery(f"{doc.name}_hits")
        )
        return statement.join(hits, hits.c.id == model.id), hits.c.score
    tsquery = _tsquery(query)
    return (
        statement.where(*_postgres_match(query, doc, within)),
        _cover_density(vector, tsquery),
    )


def all_matches(
    session: Session, query: SearchQuery, docs: Collection[Doc], within: Within | None = None
) -> Subquery:
    """Records of the kinds `docs` that match (and are `within`): columns `doc`, `id` and
    `score`."""
    if _dialect(session) == "sqlite":
        query = conflated(session, query)
        rowid = _fts.c.rowid
        found = select(
            rowid.op("&", return_type=Integer)(DOC_MASK).label("doc"),
            rowid.op(">>", return_type=Integer)(DOC_BITS).label("id"),
            _bm25().label("score"),
        ).where(_fts_self.op("MATCH")(query.fts5()), *_fts5_within(query, within))
        if set(docs) != set(Doc):
            found = found.where(rowid.op("&")(DOC_MASK).in_([int(d) for d in docs]))
        return found.subquery("hits")
    tsquery = _tsquery(query)
    parts = []
    for doc in sorted(docs):
        if not _postgres_within_has(doc, within):
            continue
        model, vector = _SOURCES[doc]
        parts.append(
            select(
                literal(int(doc), Integer).label("doc"),
                model.id.label("id"),
                _cover_density(vector, tsquery).label("score"),
            ).where(*_postgres_match(query, doc, within), model.deleted_at.is_(None))
        )
    if not parts:  # nothing of these kinds is within: an empty result of the same shape
        model, vector = _SOURCES[Doc.organisation]
        parts.append(
            select(
                literal(int(Doc.organisation), Integer).label("doc"),
                model.id.label("id"),
                _cover_density(vector, tsquery).label("score"),
            ).where(literal(False))
        )
    return union_all(*parts).subquery("hits")


def conflated(session: Session, query: SearchQuery) -> SearchQuery:
    """`query` with each word's inflected forms that SQLite's index holds, which the word
    then matches too (`beratungen` finds Beratung, Berater): what PostgreSQL's `german`
    stems give it there. Forms share the word's German stem (app.search.stems); words
    with a short stem (`die`, `ihr`) have none. Remembered per revision of the
    directory, whose words they are."""
    if _dialect(session) != "sqlite" or query.forms:
        return query

    def forms_of(word: str, prefix: bool) -> tuple[str, ...]:
        return memoised(
            session,
            ("inflected forms", word, prefix),
            lambda: _inflected_forms(session, word, prefix),
            lambda found: 1 + len(found),
        )

    forms = tuple(forms_of(word, prefix) for word, prefix in query.terms)
    return replace(query, forms=forms) if any(forms) else query


def _inflected_forms(session: Session, word: str, prefix: bool) -> tuple[str, ...]:
    """The words of SQLite's index other than `word` (and, for a prefix, other than those
    it starts) that share its German stem, at most MAX_FORMS."""
    start = stem_prefix(word)
    if len(start) < MIN_STEM_LENGTH:
        return ()
    terms = table("search_terms", column("term", Text))
    candidates = session.execute(
        select(terms.c.term)
        .where(terms.c.term >= start, terms.c.term < start + "\uffff")
        .limit(MAX_FORM_CANDIDATES)
    ).scalars()
    root = stem(word)
    forms = [
        t
        for t in candidates
        if t != word and not (prefix and t.startswith(word)) and stem(t) == root
    ]
    return tuple(forms[:MAX_FORMS])


def known_terms(session: Session, words: Sequence[str], prefix: bool) -> set[str]:
    """Which of `words` (folded, letters only) the index holds as a word of a live record;
    with `prefix`, which start one. One statement: SQLite reads the FTS5 vocabulary
    (`search_terms`, migration 6a1e5c3b9d27), PostgreSQL probes the GIN indexes with
    each word's `simple` lexeme."""
    if not words:
        return set()
    if _dialect(session) == "sqlite":
        terms = table("search_terms", column("term", Text))
        if prefix:
            (word,) = words
            found = (
                select(terms.c.term)
                .where(terms.c.term >= word, terms.c.term < word + "\uffff")
                .limit(1)
            )
            return {word} if session.execute(found).first() else set()
        found = select(terms.c.term).where(terms.c.term.in_(list(words)))
        return set(session.execute(found).scalars())
    candidates = (
        func.unnest(cast(bindparam("words", list(words)), ARRAY(Text)))
        .table_valued("word")
        .render_derived(name="candidates")
    )
    quoted = func.quote_literal(candidates.c.word)
    lexeme = func.to_tsquery(_config("simple"), quoted + ":*" if prefix else quoted)
    # The vectors hold `german` stems too (`bautz` for Bautzen): the folded text itself
    # must hold the word, as FTS5's vocabulary does on SQLite, where only letters and
    # digits make words (not `_`, as in PostgreSQL's `\m`).
    edge = "([^[:alnum:]]|$)"
    pattern = func.concat("(^|[^[:alnum:]])", candidates.c.word, "" if prefix else edge)
    probes = [
        select(literal(1))
        .where(vector.op("@@")(lexeme), text_column.op("~")(pattern), model.deleted_at.is_(None))
        .exists()
        for (model, vector), text_column in zip(
            _SOURCES.values(),
            (col(Organisation.search_text), col(Region.name_key), col(Contact.value_key)),
            strict=True,
        )
    ]
    found = select(candidates.c.word).where(or_(*probes))
    # Its cost estimate is high enough for PostgreSQL to compile it first, which takes
    # far longer than running it (about a second against milliseconds).
    session.execute(text("SET LOCAL jit = off"))
    return set(session.execute(found).scalars())


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


def ranked_window(
    session: Session,
    query: SearchQuery,
    docs: Collection[Doc],
    page: PageRequest,
    build: Build,
    total: int,
    matches: int | None = None,
) -> Window[Any]:
    """One page of the rows `build(None)` selects, in its relevance order, as
    app.pagination.fetch_window would give it (rows end with their sort key), from
    `total` matches of the kinds `docs`; `matches`, if known, is how many entries
    of every kind match `query`.

    `build(within)` must select the same rows narrowed to the entries `within`
    names, ordered by `relevance_order`. Enough name hits, and nothing the bound
    cannot rule out beyond them, settle the page (see the module docstring).
    """
    every = build(None)
    sort = every[1]
    after = decode_cursor(page.cursor, sort) if page.cursor else None
    wanted = page.limit + 1  # one more shows whether another page follows
    width = len(sort.columns)

    def ranked(within: Within | None) -> list[Row[Any]]:
        statement, order = every if within is None else build(within)
        paged = statement.add_columns(
            *(c.label(f"sort_key_{i}") for i, c in enumerate(order.columns))
        )
        if after is not None:
            paged = paged.where(_after(order, after))
        paged = paged.order_by(*order.order_by()).limit(wanted)
        return list(connection_of(session).execute(paged).all())

    rows = _best(session, query, docs, ranked, wanted, width, total, matches)
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    next_cursor = encode_cursor(sort, rows[-1][-width:]) if has_more and rows else None
    return Window(rows, total, next_cursor)


def _best(
    session: Session,
    query: SearchQuery,
    docs: Collection[Doc],
    ranked: Callable[[Within | None], list[Row[Any]]],
    wanted: int,
    width: int,
    total: int,
    matches: int | None,
) -> list[Row[Any]]:
    """The first `wanted` rows in relevance order (score descending, then the rest of the
    sort key ascending), ranking every match only when the bound cannot settle them."""
    # Contacts have no name: alone, they have no name hits to start from.
    named = any(doc is not Doc.contact for doc in docs)
    bound = _bound(session, query, matches) if named and total >= RANK_ALL_BELOW else None
    if bound is None:
        return ranked(None)
    rows = ranked(NAME_HITS)
    if len(rows) < wanted:
        return ranked(None)
    # No entry outside the name hits outranks the last of them unless its bound reaches it.
    unruled = bound.unruled(session, docs, float(rows[-1][-width]))
    if unruled is None:
        return ranked(None)
    if not unruled:
        return rows
    # By the tie-breakers, which name the record: the first statement's row if both have it.
    both: dict[tuple[Any, ...], Row[Any]] = {}
    for row in (*rows, *ranked(Within(keys=unruled))):
        both.setdefault(tuple(row[-width + 1 :]), row)
    order = sorted(both.values(), key=lambda row: (-row[-width], *row[-width + 1 :]))
    return order[:wanted]


def _after(order: SortKey, values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after `values` in a relevance order: a lower score, or the same and later
    tie-breakers."""
    score, *ties = order.columns
    bound = [
        bindparam(None, v, type_=getattr(c, "type", None))
        for c, v in zip(order.columns, values, strict=True)
    ]
    later = tuple_(*ties) > tuple_(*bound[1:]) if len(ties) > 1 else ties[0] > bound[1]
    return or_(score < bound[0], and_(score == bound[0], later))


class _Bound(Protocol):
    def unruled(
        self, session: Session, docs: Collection[Doc], score: float
    ) -> frozenset[tuple[Doc, int]] | None:
        """Matching entries (doc, id) of the kinds `docs` without a name hit whose bound
        reaches `score`, and perhaps some others; None if there are too many to rank."""


def _bound(session: Session, query: SearchQuery, matches: int | None) -> _Bound | None:
    """The bound for `query` on this engine; None where it does not hold or, for several
    words, does not pay."""
    if len(query.terms) != 1:
        return None
    if _dialect(session) == "sqlite":
        return _Bm25Bound.of(conflated(session, query), matches)
    return _CoverBound.of(session, query)


def _dialect(session: Session) -> str:
    return dialect_of(session)


# --- SQLite --------------------------------------------------------------------------------


def _bm25() -> ColumnElement[float]:
    # bm25() is lower for better matches; negated, both engines rank higher-is-better.
    return -func.bm25(
        _fts_self, literal_column(repr(NAME_WEIGHT)), literal_column(repr(BODY_WEIGHT)), type_=Float
    )


def _fts5_within(query: SearchQuery, within: Within | None) -> list[ColumnElement[bool]]:
    if within is None:
        return []
    # `rowid + 0`, an expression, is not offered to FTS5, which would look up every entry
    # on its own (and count every query word again for each); it filters the matches.
    entry = _fts.c.rowid + 0
    if within.names:
        in_name = _fts_self.op("MATCH")(query.fts5_in_name())
        # The same table in the subquery, which FTS5 needs by its name for MATCH.
        return [entry.in_(select(_fts.c.rowid).where(in_name).correlate(None))]
    return [entry.in_(sorted((id_ << DOC_BITS) | doc for doc, id_ in within.keys))]


# bm25's constants (SQLite's fts5_aux.c).
_K1 = 1.2
_B = 0.75
# An FTS5 word the unicode61 tokenizer keeps as it is, one token, as the bound needs.
_PLAIN_WORD = re.compile(r"[a-z0-9]+")

# Entries whose length is at most `slope` times their peak less `intercept`: one index
# range per peak that occurs, from the least that can qualify.
_UNRULED_ENTRIES = text(
    """
    WITH RECURSIVE peaks(peak) AS (
        SELECT min(peak) FROM search_bound WHERE peak >= :least
        UNION ALL
        SELECT (SELECT min(peak) FROM search_bound WHERE peak > peaks.peak)
        FROM peaks WHERE peaks.peak IS NOT NULL
    )
    SELECT bound.entry FROM peaks
    JOIN search_bound AS bound
        ON bound.peak = peaks.peak AND bound.length <= peaks.peak * :slope - :intercept
    LIMIT :limit
    """
)
_AVERAGES = text(f"SELECT block FROM {FTS_TABLE}_data WHERE id = 1")
_COUNT = text(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :phrase")


@dataclass(frozen=True)
class _Bm25Bound:
    """bm25 without a name hit: the word's frequency is at most the entry's `peak`.

    bm25 is idf * f * (k1 + 1) / (f + k1 * (1 - b + b * length / average length)),
    which grows with the frequency f: at most the peak, with no name hit (name and
    body share their text, so f counts the body alone). The idf and the average
    length are FTS5's own: from how many entries hold the word and the totals FTS5
    keeps for the whole table (its averages record).
    """

    word: str
    prefix: bool
    matches: int | None
    # Inflected forms the word matches too (SearchQuery.forms): each is a phrase of its
    # own to bm25, with its own idf, so the bound adds theirs. Where every form shares the
    # word's first PEAK_PREFIX letters (`of` checks), the peak bounds each frequency.
    forms: tuple[str, ...] = ()

    @classmethod
    def of(cls, query: SearchQuery, matches: int | None) -> "_Bm25Bound | None":
        ((word, prefix),) = query.terms
        forms = query.forms[0] if query.forms else ()
        if not all(_PLAIN_WORD.fullmatch(w) for w in (word, *forms)):
            return None
        if prefix and len(word) < PEAK_PREFIX:
            return None
        if any(f[:PEAK_PREFIX] != word[:PEAK_PREFIX] for f in forms):
            return None
        return cls(word, prefix, matches, forms)

    def _idf(self, session: Session, rows: int) -> float:
        """The sum of the idfs of the word's phrases, as bm25 computes each; how many entries
        hold each phrase is remembered for the revision."""
        connection = connection_of(session)
        alone = SearchQuery((), self.word) if self.prefix else SearchQuery((self.word,), None)
        phrases = [(alone, self.matches if not self.forms else None)]
        phrases += [(SearchQuery((form,), None), None) for form in self.forms]
        idf = 0.0

        def entries(match: str) -> int:
            return int(connection.execute(_COUNT, {"phrase": match}).scalar_one())

        for phrase, hits in phrases:
            if hits is None:
                match = phrase.fts5()
                hits = memoised(session, ("phrase entries", match), partial(entries, match))
            idf += max(math.log((rows - hits + 0.5) / (hits + 0.5)), 1e-6)
        return idf

    def unruled(
        self, session: Session, docs: Collection[Doc], score: float
    ) -> frozenset[tuple[Doc, int]] | None:
        connection = connection_of(session)
        rows, tokens = _fts5_totals(connection)
        if rows == 0 or tokens == 0:
            return frozenset()
        average = tokens / rows
        idf = self._idf(session, rows)
        floor = score * (1 - _SLACK)
        if floor <= 0:
            return None
        # idf * (k1 + 1) * peak / (peak + k1 * (1 - b) + k1 * b * length / average) >= floor
        # holds exactly when length <= peak * slope - intercept:
        gain = (_K1 + 1) * idf / floor - 1
        slope = gain * average / (_K1 * _B)
        intercept = (1 - _B) * average / _B
        if slope <= 1:  # a length is at least its peak
            return frozenset()
        least = max(1, math.floor(intercept / (slope - 1)))
        found = connection.execute(
            _UNRULED_ENTRIES,
            {"least": least, "slope": slope, "intercept": intercept, "limit": MAX_UNRULED + 1},
        ).scalars()
        entries = list(found)
        if len(entries) > MAX_UNRULED:
            return None
        kinds = {int(d) for d in docs}
        return frozenset(
            (Doc(e & DOC_MASK), e >> DOC_BITS) for e in entries if (e & DOC_MASK) in kinds
        )


def _fts5_totals(connection: Connection) -> tuple[int, int]:
    """The entries of the FTS5 table and their tokens, as bm25 reads them: the averages
    record holds varints, the number of rows and then each column's total."""
    block = connection.execute(_AVERAGES).scalar()
    if not block:
        return 0, 0
    values = _varints(bytes(block))
    return values[0], sum(values[1:])


def _varints(data: bytes) -> list[int]:
    """SQLite's varints: seven bits a byte, high bit set on all but the last; a ninth byte
    gives all eight."""
    values, i = [], 0
    while i < len(data):
        value = 0
        for n in range(9):
            byte = data[i]
            i += 1
            if n == 8:
                value = value << 8 | byte
                break
            value = value << 7 | byte & 0x7F
            if byte < 0x80:
                break
        values.append(value)
    return values


# --- PostgreSQL ----------------------------------------------------------------------------

# Each table and the generated column the migration adds to it (not a model field).
_SOURCES: dict[Doc, tuple[Any, Any]] = {
    Doc.organisation: (Organisation, literal_column("organisation.search_vector")),
    Doc.region: (Region, literal_column("region.search_vector")),
    Doc.contact: (Contact, literal_column("contact.search_vector")),
}
# The name part of an organisation's vector (weight A), and the kinds with a bound: the
# expression of their indexes (migration d92171fda9ef).
_ORGANISATION_NAMES: ColumnElement[Any] = literal_column("organisation.search_names")
_BOUNDED = (Doc.organisation, Doc.contact)


def _peak_ratio(vector: Any) -> ColumnElement[float]:
    return func.search_peak_ratio(vector, type_=Double)


def _config(name: str) -> Any:
    return literal_column(f"'{name}'::regconfig")


def _tsquery(query: SearchQuery) -> Any:
    """Every word as `simple` word (or prefix) OR `german` stem, all ANDed."""
    return reduce(lambda a, b: a.op("&&")(b), _word_queries(query))


def _any_word(query: SearchQuery) -> Any:
    """The words of `query` ORed: what a name must hold for a name hit."""
    return reduce(lambda a, b: a.op("||")(b), _word_queries(query))


def _word_queries(query: SearchQuery) -> list[Any]:
    """Each word as `simple` word (or prefix) OR `german` stem.

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
    return parts


def _postgres_within_has(doc: Doc, within: Within | None) -> bool:
    """Whether anything of `doc` can be `within`."""
    if within is None:
        return True
    if within.names:
        return doc is not Doc.contact  # a contact's vector has no name
    return any(d is doc for d, _ in within.keys)


def _postgres_match(query: SearchQuery, doc: Doc, within: Within | None) -> list[Any]:
    model, vector = _SOURCES[doc]
    tsquery = _tsquery(query)
    if within is None:
        return [vector.op("@@")(tsquery)]
    if within.names:
        if doc is Doc.region:
            return [vector.op("@@")(tsquery)]
        if doc is Doc.contact:
            return [literal(False)]
        in_name = _ORGANISATION_NAMES.op("@@")(_any_word(query))
        # One word in the name is the whole query in the vector, which holds the name.
        return [in_name] if len(query.terms) == 1 else [in_name, vector.op("@@")(tsquery)]
    ids = sorted(id_ for d, id_ in within.keys if d is doc)
    return [model.id.in_(ids), vector.op("@@")(tsquery)]


# ts_rank_cd's weights of the labels D, C, B, A: a name (A) against the rest as on SQLite.
_BODY = BODY_WEIGHT / NAME_WEIGHT
_RANK_WEIGHTS: ColumnElement[Any] = literal_column(f"'{{{_BODY}, {_BODY}, {_BODY}, 1}}'::float4[]")
# The weight as ts_rank_cd reads it from that float4 array.
_BODY_AS_FLOAT4: float = struct.unpack("f", struct.pack("f", _BODY))[0]
# Divide by 1 + the logarithm of the text's length, as bm25 weighs length: else a long
# description naming a place three times outranks the place itself.
_RANK_LOG_LENGTH = 1


def _cover_density(vector: Any, tsquery: Any) -> ColumnElement[float]:
    return cast(func.ts_rank_cd(_RANK_WEIGHTS, vector, tsquery, _RANK_LOG_LENGTH), Double)


# A lexeme of a tsquery's text, its flags (`*` for a prefix, weights), and the operators.
_TSQUERY_LEXEME = re.compile(r"'((?:[^'\\]|''|\\.)*)'(?::([*A-Da-d]+))?")
_TSQUERY_PLAIN = re.compile(r"[\s&|()]*")


@dataclass(frozen=True)
class _CoverBound:
    """ts_rank_cd without a name hit: each cover at most the body weight, at most one
    cover per matching position, and at most the entry's `peak` positions per group of
    lexemes sharing their first characters that the query can match.

    ts_rank_cd adds, per cover (a stretch of matching positions that satisfies the
    query), the harmonic mean of its positions' weights divided by one more than the
    words between; covers begin at distinct matching positions. Without a name hit
    every matching position weighs B, so the rank is at most B * groups * peak /
    log(length + 1): `search_peak_ratio` of the vector, indexed, times B and the
    query's groups. That holds for words ANDed as well; `_bound` asks it for one.
    """

    query: SearchQuery
    groups: int

    @classmethod
    def of(cls, session: Session, query: SearchQuery) -> "_CoverBound | None":
        # The lexemes as PostgreSQL parsed them: the simple word and the German stems.
        parsed = str(connection_of(session).execute(select(cast(_tsquery(query), Text))).scalar())
        if _TSQUERY_PLAIN.fullmatch(_TSQUERY_LEXEME.sub("", parsed)) is None:
            return None  # negation or phrase operators, which the bound does not cover
        groups = set()
        for quoted, flags in _TSQUERY_LEXEME.findall(parsed):
            lexeme = re.sub(r"\\(.)", r"\1", quoted.replace("''", "'"))
            if any(f in "ABCDabcd" for f in flags):
                return None
            if "*" in flags and len(lexeme) < PEAK_PREFIX:
                return None  # a short prefix matches lexemes of many groups
            groups.add(lexeme[:PEAK_PREFIX])
        return cls(query, len(groups)) if groups else None

    def unruled(
        self, session: Session, docs: Collection[Doc], score: float
    ) -> frozenset[tuple[Doc, int]] | None:
        floor = score * (1 - _SLACK) / (_BODY_AS_FLOAT4 * self.groups)
        tsquery = _tsquery(self.query)
        parts = []
        for doc in _BOUNDED:
            if doc in docs:
                model, vector = _SOURCES[doc]
                parts.append(
                    select(literal(int(doc), Integer), model.id).where(
                        _peak_ratio(vector) >= bindparam(None, floor, type_=Double),
                        vector.op("@@")(tsquery),
                        model.deleted_at.is_(None),
                    )
                )
        if not parts:
            return frozenset()
        found = connection_of(session).execute(union_all(*parts).limit(MAX_UNRULED + 1)).all()
        if len(found) > MAX_UNRULED:
            return None
        return frozenset((Doc(doc), id_) for doc, id_ in found)
