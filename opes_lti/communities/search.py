"""Searching the practice library by its words, in Italian, on either database.

On PostgreSQL, its own text search with the ``italian`` configuration (Snowball's
stemmer, Italian stop words) over an expression index; the query is read by
``websearch_to_tsquery``, so quotes and ``-word`` work and no input is a syntax error.
On SQLite, the embedded default, the same Snowball stemmer runs in Python: each
practice keeps its stems, and every stem of the query must be among them, but for words
after a minus (excluded) and common words (left out, as PostgreSQL's list does). Both
sides fold accents first (:func:`~opes_lti.communities.practice.fold`).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session

from opes_lti.communities.models import Practice
from opes_lti.communities.practice import fold

#: The longest query read, in characters (a search box, not a document).
MOST_CHARACTERS = 200
_WORD = re.compile(r"\w+")
#: A query's words, each perhaps with the minus that excludes it (as websearch reads it).
_TERM = re.compile(r"(?:^|(?<=\s))(-?)(\w+)|(\w+)")
#: Words too common to search by, as PostgreSQL's Italian list has them (the most used).
_STOP = """a ad al alla alle allo agli ai all anche che chi ci coi col come con contro cui da
    dal dalla dalle dallo dagli dai de degli dei del della delle dello di e ed gli ha
    hanno ho i il in io la le lei li lo loro lui ma mi mio ne negli nei nel nella nelle
    nello noi non nostro o per perche piu quale quando quanto quella quelle quelli
    quello questa queste questi questo se sei si sia sono su sua sue sugli sui sul sulla
    sulle sullo suo tra tu tua tuo un una uno vi voi or"""
STOP_WORDS = frozenset(_STOP.split())


@cache
def _stemmer() -> Any:
    return snowballstemmer.stemmer("italian")


def _words(folded: str) -> list[str]:
    return _WORD.findall(folded)


def stems_of(folded: str) -> str:
    """The distinct stems of folded text, spaced with one at each end, for ``LIKE``."""
    stems = sorted(set(_stemmer().stemWords(_words(folded))))
    return " " + " ".join(stems) + " " if stems else " "


def vector_of(folded: str) -> Any:
    """What ``search_vector`` is set to: PostgreSQL computes it as the row is written.

    A SQL expression, evaluated in the INSERT or UPDATE; SQLite has no such function,
    and gets NULL (its search reads ``stems``).
    """
    return _PostgresOnly(folded)


class _PostgresOnly(sa.sql.expression.FunctionElement[Any]):
    inherit_cache = True
    name = "opes_tsvector"


@compiles(_PostgresOnly, "postgresql")
def _tsvector(element: Any, compiler: Any, **kw: Any) -> str:
    return compiler.process(
        sa.func.to_tsvector(sa.literal_column("'italian'"), *element.clauses), **kw
    )


@compiles(_PostgresOnly)
def _nothing(element: Any, compiler: Any, **kw: Any) -> str:
    return "NULL"


def matches(db: Session, text: str) -> Any:
    """The condition a practice meets when it matches the words of ``text``."""
    folded = fold(text[:MOST_CHARACTERS])
    if db.get_bind().dialect.name == "postgresql":
        italian: Any = sa.literal_column("'italian'")
        query = sa.func.websearch_to_tsquery(italian, folded)
        # Only common words or punctuation make an empty query, which matches nothing:
        # like SQLite's, it then asks nothing. Asked apart, so the search itself stays a
        # plain match the GIN index answers.
        if not db.scalar(sa.select(sa.func.numnode(query))):
            return sa.true()
        return Practice.search_vector.op("@@")(query)
    wanted: list[Any] = []
    for minus, word in _terms(folded):
        stem = f" {_stemmer().stemWord(word)} "
        has = Practice.stems.contains(stem, autoescape=True)
        wanted.append(sa.not_(has) if minus else has)
    return sa.and_(sa.true(), *wanted)


def _terms(folded: str) -> list[tuple[str, str]]:
    found = []
    for minus, word, plain in _TERM.findall(folded):
        term = word or plain
        if term not in STOP_WORDS and (not term.isdigit() or len(term) > 1):
            found.append((minus, term))
    return found
