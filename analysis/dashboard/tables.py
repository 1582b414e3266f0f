"""Row tables of the dashboard document stored by column: each key once, not once per row.

With hundreds of groups, waves and themes the page's rows repeat their keys thousands of
times; by column the same table takes about a third less room (the 5 MB goal for 200
organisations). The page (``static/app.js``, ``rowsOf``) turns them back into rows.

>>> table = columnar([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}], ("a", "b"))
>>> table
{'a': [1, 2], 'b': ['x', 'y']}
>>> rows(table)
[{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'y'}]
"""
from __future__ import annotations


def columnar(records: list[dict], keys: tuple) -> dict:
    """``{key: [value of each record]}`` for every key (empty lists for no records)."""
    return {k: [r[k] for r in records] for k in keys}


def rows(table: dict) -> list[dict]:
    """The records of a :func:`columnar` table."""
    keys = list(table)
    return [dict(zip(keys, values)) for values in zip(*(table[k] for k in keys))] if keys else []
