"""Full-text search over materials, in Russian and English with stemming, on either database.

PostgreSQL: no table of its own. Two expression GIN indexes over the material's own columns
(title weight A, authors and description weight B), one per text search configuration
(``russian``, ``english``), queried with the very same expressions so that the planner uses them;
a material matches when either configuration matches. A bulk loader needs do nothing for it.

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
from typing import Any, cast

import snowballstemmer
from django.db import connection
from django.db.models import BooleanField, Expression, F, FloatField, Func, Q, Value
from django.db.models.expressions import RawSQL

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


def pg_vector(config: str) -> str:
    """The indexed expression; queries use the same one (``_pg_vector_expression``)."""
    return (
        f"(setweight(to_tsvector('{config}'::regconfig, \"title\"), 'A') || "
        f"setweight(to_tsvector('{config}'::regconfig, \"authors\" || ' ' || \"description\"), 'B'))"
    )


def _pg_vector_expression(config: str) -> Func:
    """``pg_vector`` as an ORM expression: the columns are then named as each query aliases them
    (a subquery's table is not "library_material"), and no parameter enters it (a bound parameter
    would not be the index's literal)."""
    body = Func(F("authors"), F("description"), template="%(expressions)s", arg_joiner=" || ' ' || ")
    return Func(
        F("title"),
        body,
        template=f"(setweight(to_tsvector('{config}'::regconfig, %(expressions)s), 'B'))",
        arg_joiner=f"), 'A') || setweight(to_tsvector('{config}'::regconfig, ",
    )


def _pg_query_expression(config: str, tsquery: str) -> Func:
    return Func(Value(tsquery), template=f"to_tsquery('{config}'::regconfig, %(expressions)s)")


def pg_create_sql() -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS material_search_{config[:2]} ON {TABLE} USING gin ({pg_vector(config)})"
        for config in CONFIGS
    ]


def pg_drop_sql() -> list[str]:
    return [f"DROP INDEX IF EXISTS material_search_{config[:2]}" for config in CONFIGS]


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
        # Each word quoted and a prefix: to_tsquery then reads no operator from it.
        tsquery = " & ".join(f"'{term}':*" for term in terms)
        match, rank = Q(), cast(Expression | None, None)
        for config in CONFIGS:
            vector, query = _pg_vector_expression(config), _pg_query_expression(config, tsquery)
            match |= Q(
                Func(
                    vector, query, template="%(expressions)s", arg_joiner=" @@ ", output_field=BooleanField()
                )
            )
            score = Func(vector, query, function="ts_rank", output_field=FloatField())
            rank = score if rank is None else rank + score
        assert rank is not None
        return match, rank
    # FTS5: each stemmed word a quoted string (inside it nothing is syntax) and a prefix.
    fts_query = " AND ".join(f'"{stem(term)}"*' for term in terms)
    found = RawSQL(_FTS_FOUND, [fts_query])  # noqa: S611
    rank = Func(
        Value(fts_query), F("pk"), template=_FTS_RANK, arg_joiner=" AND rowid = ", output_field=FloatField()
    )
    return Q(pk__in=found), rank
