"""One URL parser for the main store and the book index."""

from __future__ import annotations

import pytest

from tutorgpt_asgi.store.placeholders import numbered
from tutorgpt_asgi.store.urls import parse_database_url


def test_sqlite_and_postgresql_urls() -> None:
    assert parse_database_url("sqlite:///./t.db").target == "./t.db"
    assert parse_database_url("sqlite:////abs/t.db").target == "/abs/t.db"
    assert parse_database_url("sqlite:///:memory:").target == ":memory:"
    pg = parse_database_url("postgresql://tutor:s3cret@db.internal:5432/tutorgpt")
    assert (pg.engine, pg.target) == ("postgresql", "postgresql://tutor:s3cret@db.internal:5432/tutorgpt")
    assert "s3cret" not in pg.display and "db.internal" in pg.display
    assert parse_database_url("postgres://u@h/d").engine == "postgresql"


@pytest.mark.parametrize("url", ["mysql://u@h/d", "sqlite://relative.db", "postgresql:///nohost", ""])
def test_other_urls_are_refused_with_the_forms_that_work(url: str) -> None:
    with pytest.raises(ValueError, match="sqlite:///|postgresql://"):
        parse_database_url(url)


def test_question_marks_become_numbered_parameters_outside_quotes_and_comments() -> None:
    assert numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?)") == "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
    assert numbered("SELECT '?', \"q?\" -- why?\n, ? /* ? */") == "SELECT '?', \"q?\" -- why?\n, $1 /* ? */"
    assert numbered("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1"
