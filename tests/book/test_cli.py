"""The index and search commands: as real subprocesses, and in-process for the finer cases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tutorgpt_asgi.book.cli import PROGRESS_MIN_PAGES, main

from .conftest import DOCS, EXPORT
from .test_reindex import _write_book


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutorgpt_asgi.book.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TUTORGPT_SITE_URL": ""},
    )


def test_index_then_search_as_subprocesses(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'book.db'}"
    indexed = _run("index", str(DOCS), "--book-database-url", url)
    assert indexed.returncode == 0, indexed.stderr
    assert indexed.stdout.startswith("Indexed 8 pages, ")
    for part in ("sections", "chunks", "words", " s (docs-folder: "):
        assert part in indexed.stdout

    found = _run(
        "search", "How many rivets does a widget need?", "--book-database-url", url, "-k", "3", "--json"
    )
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert result["hits"][0]["lesson_id"] == "first-steps"
    assert result["hits"][0]["url"] == "/docs/basics/first-steps"

    missing = _run("index", str(tmp_path / "nope"), "--book-database-url", url)
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: book_path_not_found:") and "Traceback" not in missing.stderr


def test_scoped_search_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'book.db'}"
    assert main(["index", str(DOCS), "--book-database-url", url]) == 0
    capsys.readouterr()
    code = main(
        [
            "search",
            "frost",
            "--scope",
            "current_lesson",
            "--chapter",
            "widgets",
            "--lesson",
            "gadgets",
            "--book-database-url",
            url,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Scope: entire_book (asked: current_lesson)" in out
    assert "Note: No match in the current lesson; searched the entire book instead." in out
    assert "1. Edge cases › Frost  [advanced/special-cases]" in out
    assert "/docs/advanced/edge-cases#frost" in out and "**Frost**" in out


def test_settings_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TUTORGPT_BOOK_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("TUTORGPT_SITE_URL", "https://w.example")
    assert main(["index", str(EXPORT), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["source_kind"] == "export"
    assert (tmp_path / "env.db").exists()
    assert main(["search", "sprocket lamp", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["hits"][0]["url"] == "https://w.example/docs/basics/gadgets"


def test_progress_bar_for_long_books(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_book(tmp_path / "docs", "filler", PROGRESS_MIN_PAGES)
    assert (
        main(["index", str(tmp_path / "docs"), "--book-database-url", f"sqlite:///{tmp_path / 'b.db'}"]) == 0
    )
    captured = capsys.readouterr()
    assert f"{PROGRESS_MIN_PAGES}/{PROGRESS_MIN_PAGES}" in captured.err and "Reading" in captured.err
    assert f"Indexed {PROGRESS_MIN_PAGES} pages" in captured.out


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["search", "x", "--book-database-url", "mysql://nope"], "book_database_url_invalid"),
        (["index", "SCHEMA"], "book_schema_unsupported"),
        (["search", "x", "--book-database-url", "CORRUPT"], "book_database_unusable"),
    ],
)
def test_errors_are_one_line_with_a_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: str
) -> None:
    bad_export = tmp_path / "book-index.json"
    bad_export.write_text('{"schema_version": 99, "pages": []}', encoding="utf-8")
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database at all" * 100)
    argv = [
        str(bad_export) if arg == "SCHEMA" else f"sqlite:///{corrupt}" if arg == "CORRUPT" else arg
        for arg in argv
    ]
    if "--book-database-url" not in argv:
        argv += ["--book-database-url", f"sqlite:///{tmp_path / 'book.db'}"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {code}: ") and err.count("\n") == 1


def test_search_on_an_empty_index_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "rivets", "--book-database-url", f"sqlite:///{tmp_path / 'empty.db'}"]) == 0
    captured = capsys.readouterr()
    assert "is empty; run `tutorgpt index PATH` first" in captured.err
    assert "No results." in captured.out


def test_search_into_a_closed_pipe_exits_without_a_traceback(tmp_path: Path) -> None:
    """`tutorgpt search … | head` used to print a BrokenPipeError traceback."""
    url = f"sqlite:///{tmp_path / 'book.db'}"
    assert _run("index", str(DOCS), "--book-database-url", url).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "tutorgpt_asgi.cli", "search", "widget", "--book-database-url", url, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TUTORGPT_SITE_URL": ""},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the search prints (start-up takes longer)
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
