"""Datasette plugin loaded by `make browse`: the items search box finds any words inside longer Chinese phrases.

Datasette turns what is typed in a table's search box into an FTS query with the SQL function
`escape_fts`; the history's index holds pairs of characters (pipeline/publish/search.py), so the
words must become phrases of pairs. Registered last, this replaces Datasette's own function.
"""
from datasette import hookimpl

from pipeline.publish.search import search_query


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, search_query, deterministic=True)
