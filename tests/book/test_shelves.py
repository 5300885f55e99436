"""The page-path forms a reader's browser may send, resolved against permalinks."""

from __future__ import annotations

import pytest

from tutorgpt_asgi.book.shelves import path_candidates


@pytest.mark.parametrize(
    ("page_path", "base_url", "expected"),
    [
        ("/docs/x/", "/", "/docs/x"),
        ("/docs/x/index.html", "/", "/docs/x"),
        ("/fr/docs/x", "/", "/docs/x"),
        ("/pt-BR/docs/x/", "/", "/docs/x"),
        ("/book/docs/x/", "/book/", "/book/docs/x"),
        ("/docs/x", "/book/", "/book/docs/x"),  # a client that left the baseUrl out
        ("/book/fr/docs/x", "/book/", "/book/docs/x"),
    ],
)
def test_path_forms_include_the_permalink(page_path: str, base_url: str, expected: str) -> None:
    assert expected in path_candidates(page_path, base_url)


def test_the_literal_path_is_tried_first() -> None:
    assert path_candidates("/fr/docs/x", "/")[0] == "/fr/docs/x"
