"""``?`` parameters to PostgreSQL's ``$1, $2, ...``, once per distinct statement.

Written here rather than taken from a library: the rule is small (count ``?`` outside quotes
and comments), and the drivers that do it (psycopg's "format" style, SQLAlchemy's compiler)
would bring a second driver or a query layer for one regular expression.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Quoted strings, quoted identifiers and comments are kept whole; a bare ? is a parameter.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?", re.DOTALL)


@lru_cache(maxsize=1024)
def numbered(sql: str) -> str:
    """``sql`` with each ``?`` parameter replaced by ``$n`` in order."""
    counter = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal counter
        if match.group(0) != "?":
            return match.group(0)
        counter += 1
        return f"${counter}"

    return _TOKENS.sub(replace, sql)
