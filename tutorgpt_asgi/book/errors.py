"""The one exception the book package raises for bad input, with a stable code.

The CLI prints ``code: message`` and the server logs it; neither ever shows a traceback for a
missing path, a broken ``book-index.json`` or an unknown schema version.
"""

from __future__ import annotations


class BookError(Exception):
    """Bad book input or configuration; ``code`` is stable, ``message`` is for humans."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
