"""Full-text search over materials, in Russian and English with stemming, on either database.

PostgreSQL: a stored generated column of the material's table holds the lexemes of both text
search configurations (``russian``, ``english``; title weight A, authors and description weight
B), with a GIN index; a material matches when either configuration's reading of the query
matches. The database keeps the column, so a bulk loader needs do nothing for it.

SQLite: an FTS5 table whose rowid is the material's id, kept by the library's services
(:func:`search_index` wherever the shown metadata changes, :func:`search_forget` when a material
goes). FTS5 has no Russian stemmer, so words are stemmed here with the Snowball stemmers, the
same ones PostgreSQL's configurations use, both in what is indexed and in what is asked.

Either way a query is its words, each a prefix, all required: "лин уравн" finds "Линейные
уравнения". Anything else in the query (quotes, operators, brackets) is not syntax but a word
separator, so no input can make the search fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import snowballstemmer
from django.db import connection
from django.db.models import BooleanField, Expression, F, Field, FloatField, Func, Q, Value
from django.db.models.expressions import RawSQL

from parta.core.sql import Column

# A query's first words only: more narrows nothing a person types, and each costs the database.
MAX_WORDS = 8
MAX_WORD = 40
CONFIGS = ("russian", "english")
FTS_TABLE = "library_material_fts"
TABLE = "library_material"
# Title hits weigh more than hits in the authors or the description (FTS5's bm25 weights).
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 2.0

_WORD = re.compile(r"[^\W_]+")
_ASCII = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The words of ``text``, lowercased, «ё» read as «е» (as people type it)."""
    return _WORD.findall(text.lower().replace("ё", "е"))


@cache
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(language)


def stem(word: str) -> str:
    """English stemming for Latin words, Russian for the rest (PostgreSQL's ``russian`` does so)."""
    language = "english" if _ASCII.fullmatch(word) else "russian"
    return str(_stemmer(language).stemWord(word))


def stemmed(text: str) -> str:
    return " ".join(stem(word) for word in words(text))


def query_words(q: str) -> list[str]:
    """The words a query searches for (none: the query searches for nothing, it does not filter)."""
    return [word[:MAX_WORD] for word in words(q[: MAX_WORDS * (MAX_WORD + 1) * 4])[:MAX_WORDS]]


# --- PostgreSQL ------------------------------------------------------------------------------

# A stored column the database keeps itself (a generated column), with one GIN index: the
# lexemes of both configurations side by side, title weight A, authors and description weight B.
# A bulk loader (COPY) needs do nothing for it, and a query neither computes a vector per row to
# check the index's lossy matches nor to rank them.
PG_COLUMN = "search"
PG_INDEX = "material_search"
# The same index over what every signed-in reader shares (``access.shared_audiences``): searching
# it reads the matches alone, where the whole index's would be intersected with the hundred
# thousand rows of that audience first.
PG_SHARED_INDEX = "material_search_shared"


def _pg_vector(config: str, column: str, weight: str) -> str:
    return f"setweight(to_tsvector('{config}'::regconfig, {column}), '{weight}')"


def pg_create_sql() -> list[str]:
    body = '"authors" || \' \' || "description"'
    vector = " || ".join(
        [_pg_vector(config, '"title"', "A") for config in CONFIGS]
        + [_pg_vector(config, body, "B") for config in CONFIGS]
    )
    from parta.library.models import Visibility

    shared = ", ".join(f"'{value}'" for value in (Visibility.PUBLIC, Visibility.CITY))
    return [
        f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({vector}) STORED",
        f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {TABLE} USING gin ({PG_COLUMN})",
        f"CREATE INDEX IF NOT EXISTS {PG_SHARED_INDEX} ON {TABLE} USING gin ({PG_COLUMN}) "
        f'WHERE "published_id" IS NOT NULL AND "visibility" IN ({shared})',
    ]


def pg_drop_sql() -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {PG_SHARED_INDEX}",
        f"DROP INDEX IF EXISTS {PG_INDEX}",
        f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {PG_COLUMN}",
    ]


def _pg_query(terms: list[str]) -> Func:
    """Either configuration's reading of the words (each quoted and a prefix: to_tsquery then reads
    no operator from them); the query is a bound parameter, the configurations constants."""
    tsquery = " & ".join(f"'{term}':*" for term in terms)
    return Func(
        Value(tsquery),
        Value(tsquery),
        template=f"(to_tsquery('{CONFIGS[0]}'::regconfig, %(expressions)s))",
        arg_joiner=f") || to_tsquery('{CONFIGS[1]}'::regconfig, ",
    )


# --- SQLite ----------------------------------------------------------------------------------


def sqlite_create_sql() -> list[str]:
    # unicode61 lowercases and folds diacritics the same way for the text and the query.
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 2')"
    ]


def sqlite_drop_sql() -> list[str]:
    return [f"DROP TABLE IF EXISTS {FTS_TABLE}"]


# Only constants go into these statements (S608); what varies is a parameter.
_FTS_DELETE = f"DELETE FROM {FTS_TABLE} WHERE rowid = %s"  # noqa: S608
_FTS_INSERT = f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)"  # noqa: S608
_FTS_CLEAR = f"DELETE FROM {FTS_TABLE}"  # noqa: S608
_FTS_FOUND = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
# A template: the query and the material's id are its two expressions.
_FTS_RANK = (
    f"(SELECT -bm25({FTS_TABLE}, {TITLE_WEIGHT}, {BODY_WEIGHT}) FROM {FTS_TABLE} "  # noqa: S608
    f"WHERE {FTS_TABLE} MATCH %(expressions)s)"
)


def _fts_row(pk: int, title: str, authors: str, description: str) -> tuple[int, str, str]:
    return pk, stemmed(title), stemmed(f"{authors} {description}")


def fts_insert(cursor: Any, rows: Iterable[tuple[int, str, str, str]]) -> None:
    """Index (id, title, authors, description) rows, replacing what was indexed for those ids."""
    prepared = [_fts_row(*row) for row in rows]
    cursor.executemany(_FTS_DELETE, [(row[0],) for row in prepared])
    cursor.executemany(_FTS_INSERT, prepared)


def search_index(material: Any) -> None:
    """The material's shown metadata changed: index it again (PostgreSQL's indexes follow alone)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        fts_insert(cursor, [(material.pk, material.title, material.authors, material.description)])


def search_forget(material_id: int) -> None:
    """The material is deleted: nothing is to find it any more."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(_FTS_DELETE, [material_id])


def search_rebuild(batch: int = 2000) -> int:
    """Index every material again (after a bulk load that bypassed the services); how many."""
    if connection.vendor != "sqlite":
        return 0
    from parta.library.models import Material

    done = 0
    with connection.cursor() as cursor:
        cursor.execute(_FTS_CLEAR)
        rows = Material.objects.order_by("pk").values_list("pk", "title", "authors", "description")
        chunk: list[tuple[int, str, str, str]] = []
        for row in rows.iterator(chunk_size=batch):
            chunk.append(row)
            if len(chunk) == batch:
                fts_insert(cursor, chunk)
                done, chunk = done + len(chunk), []
        fts_insert(cursor, chunk)
    return done + len(chunk)


# --- the query -------------------------------------------------------------------------------


def text_match(q: str) -> tuple[Q, Expression] | None:
    """A filter over Material for the query's words, and a relevance (higher is better) to order
    by; None when the query has no words."""
    terms = query_words(q)
    if not terms:
        return None
    if connection.vendor == "postgresql":
        vector, query = Column(PG_COLUMN, Field()), _pg_query(terms)
        match = Func(
            vector, query, template="%(expressions)s", arg_joiner=" @@ ", output_field=BooleanField()
        )
        return Q(match), Func(vector, query, function="ts_rank", output_field=FloatField())
    # FTS5: each stemmed word a quoted string (inside it nothing is syntax) and a prefix.
    fts_query = " AND ".join(f'"{stem(term)}"*' for term in terms)
    found = RawSQL(_FTS_FOUND, [fts_query])  # noqa: S611
    rank = Func(
        Value(fts_query), F("pk"), template=_FTS_RANK, arg_joiner=" AND rowid = ", output_field=FloatField()
    )
    return Q(pk__in=found), rank
