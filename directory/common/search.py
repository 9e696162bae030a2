"""Search that forgives: the folded text a list searches, the words of a query, and the
index that finds them without reading every row.

A row's `search_text` holds its texts (every language) folded by `search_fold`: case,
accents and other marks dropped, so "sprakcafe" finds "Språkcafé", "språkcafé" finds
"Sprakcafe" and "Gardsten" finds "Gårdsten"; each word after one space
(common.text.search_blob). A query is folded the same way and split into words, and
every word must occur in the text: a word of three letters or more anywhere (the start
of a word or of a compound finds it too: "sprak" finds "Språkcafé", "hjälp" finds
"Läxhjälp"), a word of one or two letters at the start of a word ("sv" finds "svenska",
not "husvagn"; "it" finds "IT-kurs", not "kitchen"): its needle is a space and the word.

The index beside each searched table:
- SQLite: an FTS5 table with the trigram tokenizer over `search_text` (external
  content: it stores only the index), kept in step by triggers, so every write path (the
  models, a bulk insert, a migration's UPDATE) keeps it. A needle of three characters or
  more (a two-letter word with its space) is a MATCH; a one-letter word is checked on
  the rows found (or, alone, on every row).
- PostgreSQL: a pg_trgm GIN index on `search_text`, which serves `LIKE '%needle%'` (a
  word's start too: pg_trgm reads the space before it as a word's beginning). Where the
  extension cannot be created the same LIKE conditions work without it.
"""

import re

import sqlalchemy as sa
from sqlalchemy import DDL, column, event, select, table

from .i18n import translated_texts
from .text import search_blob, search_fold

SEARCHED_TABLES = ("activity", "organisation")
MAX_WORDS = 12
_WORD = re.compile(r"\w+")
_TRIGRAM = 3
# The texts of a searched table's `search_text`, as the models fold them
# (refresh_search_text): its own columns, then every translated text.
SEARCHED_TEXTS = {"activity": ("title", "description", "city"),
                  "organisation": ("name", "description", "city")}
_REFOLD_CHUNK = 1000


def search_words(q):
    """The folded words of a query, at most MAX_WORDS, each once; punctuation and search
    syntax (quotes, *, -, parentheses) are not words."""
    words = []
    for word in _WORD.findall(search_fold(q)):
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def word_needle(word):
    """What a (folded) query word must be found as in a `search_text`: a word of three
    letters or more as it is, anywhere; a shorter one after a space, at a word's start
    (a letter or two inside words would find nearly every row, and no index could
    serve it)."""
    return word if len(word) >= _TRIGRAM else " " + word


def search_needles(q):
    """The needles of a query (word_needle of each of its words); a query without words
    looks for its folded self."""
    words = search_words(q)
    return [word_needle(w) for w in words] if words else [search_fold(q).strip()]


def text_matches(search_text, q):
    """In Python, the rule the SQL condition applies: every needle of `q` is in the
    (folded) `search_text`."""
    return all(needle in search_text for needle in search_needles(q))


def index_name(table_name):
    """The SQLite FTS5 table (and the PostgreSQL index's stem) beside `table_name`."""
    return f"{table_name}_search"


def is_search_index(name):
    """Whether a table or index is a search index (made by DDL, not by the models): the
    FTS5 table, its shadow tables, the trigram index. Alembic leaves these alone."""
    return any(name == f"ix_{index_name(t)}" or name == index_name(t)
               or name.startswith(index_name(t) + "_") for t in SEARCHED_TABLES)


def include_name(name, type_, parent_names):
    """Alembic's include_name hook: compare everything but the search indexes."""
    return not (type_ in ("table", "index") and name and is_search_index(name))


def fts_ids(table_name, words):
    """SQLite: a select of the rowids whose text holds every needle (each ≥ 3
    characters: is_indexed)."""
    fts = table(index_name(table_name), column("rowid"), column(index_name(table_name)))
    expression = " AND ".join('"{}"'.format(w.replace('"', '""')) for w in words)
    return select(fts.c.rowid).where(fts.c[index_name(table_name)].op("MATCH")(expression))


def sqlite_statements(table_name):
    """The FTS5 table and the triggers that keep it in step with `table_name`."""
    fts = index_name(table_name)
    delete = (f"INSERT INTO {fts}({fts}, rowid, search_text) "
              f"VALUES ('delete', old.id, old.search_text);")
    insert = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(search_text, "
        f"content='{table_name}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table_name} "
        f"BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table_name} "
        f"BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF search_text ON "
        f"{table_name} BEGIN {delete} {insert} END",
    ]


def postgres_trigram_index(connection, table_name):
    """PostgreSQL: the trigram GIN index on `search_text`, with pg_trgm created if it
    can be (in a savepoint: where it cannot, searching works without the index).
    Returns whether the index is there."""
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 (no rights, or no contrib package: no index)
        return False
    connection.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS ix_{index_name(table_name)} ON {table_name} "
        f"USING gin (search_text gin_trgm_ops)")
    return True


def keep_search_index(model_table):
    """Create the search index with the table (`create_all`) and drop it first with it
    (`drop_all`); the migrations make the same."""
    name = model_table.name
    for statement in sqlite_statements(name):
        event.listen(model_table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    event.listen(model_table, "before_drop",
                 DDL(f"DROP TABLE IF EXISTS {index_name(name)}").execute_if(dialect="sqlite"))

    @event.listens_for(model_table, "after_create")
    def _trigram(target, connection, **kw):
        if connection.dialect.name == "postgresql":
            postgres_trigram_index(connection, name)


def is_indexed(needle):
    """Whether the trigram index can find a needle (else it is checked by LIKE)."""
    return len(needle) >= _TRIGRAM


def refold(connection, table_name):
    """Write every row's `search_text` again as the models would (a migration, when how
    texts are folded changes); the index follows (triggers, or PostgreSQL's own)."""
    columns = SEARCHED_TEXTS[table_name]
    rows_table = sa.table(table_name, sa.column("id", sa.Integer),
                          sa.column("translations", sa.JSON),
                          sa.column("search_text", sa.Text),
                          *[sa.column(c) for c in columns])
    update = (rows_table.update().where(rows_table.c.id == sa.bindparam("row_id"))
              .values(search_text=sa.bindparam("text")))
    last = 0
    while True:
        rows = connection.execute(select(rows_table).where(rows_table.c.id > last)
                                  .order_by(rows_table.c.id).limit(_REFOLD_CHUNK)).all()
        if not rows:
            return
        connection.execute(update, [
            {"row_id": r.id, "text": search_blob(*[getattr(r, c) for c in columns],
                                                 *translated_texts(r.translations))}
            for r in rows])
        last = rows[-1].id
