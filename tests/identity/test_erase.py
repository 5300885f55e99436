"""``DELETE /student``: the bearer's student and every row of theirs are gone, in every table
(read from sqlite_master, so tables added later are covered); other students keep theirs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from tests.chatkit import requests as req
from tests.chatkit.conftest import Chat
from tests.identity.conftest import AUDIENCE, HS_SECRET, ISSUER, Site, snapshot, table_names, token
from tutorgpt_asgi.sessions.context import PageContext, encode_context_header
from tutorgpt_asgi.sessions.identity import hash_student_key


def _history(chat: Chat) -> None:
    """A thread with an answer and feedback on it, and visits to two pages."""
    events = chat.stream(req.create("What is an agent loop?"))
    thread_id = events[0]["thread"]["id"]
    answer = [e["item"] for e in events if e["type"] == "thread.item.done"][-1]
    chat.json(req.feedback(thread_id, [answer["id"]], "positive"))
    header = encode_context_header(PageContext(page_path="/docs/b", current_chapter="c", current_lesson="b"))
    assert chat.post(req.list_threads(), **{"X-TutorGPT-Context": header}).status_code == 200


def _values_of(site: Site, student_id: str) -> set[Any]:
    """Every id and hash that belongs to the student."""
    values: set[Any] = {student_id}
    for sql in ("SELECT id FROM sessions WHERE student_id = ?", "SELECT secret_hash FROM sessions WHERE student_id = ?",
                "SELECT id FROM threads WHERE student_id = ?", "SELECT id FROM items WHERE student_id = ?",
                "SELECT key_hash FROM student_keys WHERE student_id = ?"):
        values |= {row[0] for row in site.rows(sql, (student_id,))}
    return values


def _rows_holding(site: Site, values: set[Any]) -> dict[str, int]:
    """How many rows of each table hold one of ``values`` in any column."""
    found: dict[str, int] = {}
    connection = sqlite3.connect(site.db_path)
    try:
        for table in table_names(site.db_path):
            rows = connection.execute(f'SELECT * FROM "{table}"').fetchall()
            hits = sum(1 for row in rows if any(value in values for value in row))
            if hits:
                found[table] = hits
    finally:
        connection.close()
    return found


def test_erasing_leaves_no_row_of_the_student_in_any_table(make_site: Callable[..., Site]) -> None:
    site = make_site(identity_jwt_secret=HS_SECRET, identity_audience=AUDIENCE, identity_issuer=ISSUER)
    keeper = site.chat({"student_email": "keeper@example.com"})
    _history(keeper)
    leaver = site.chat({"student_email": "leaver@example.com", "student_name": "Leaver"})
    _history(leaver)
    second_session = site.chat({"student_key": leaver.key})
    verified = site.chat({"identity_token": token({"sub": "leaver-2"})})
    _history(verified)
    [(leaver_id,)] = site.rows("SELECT student_id FROM sessions WHERE id = ?", (leaver.session_id,))
    [(verified_id,)] = site.rows("SELECT student_id FROM sessions WHERE id = ?", (verified.session_id,))
    leaver_values = _values_of(site, leaver_id)
    verified_values = _values_of(site, verified_id)
    assert set(_rows_holding(site, leaver_values)) >= {"students", "sessions", "threads", "items", "feedback",
                                                        "visits", "student_keys", "turn_records"}
    keeper_before = {table: len(rows) for table, rows in snapshot(site.db_path).items()}

    assert site.http.delete("/student", headers=second_session.headers()).status_code == 204
    assert site.http.delete("/student", headers=verified.headers()).status_code == 204
    assert _rows_holding(site, leaver_values | verified_values) == {}
    assert site.rows("SELECT COUNT(*) FROM student_identities")[0][0] == 0
    kept = {table: len(rows) for table, rows in snapshot(site.db_path).items()}
    assert kept["students"] == 1 and kept["threads"] == 1 and kept["feedback"] == 1
    assert all(kept[table] <= keeper_before[table] for table in kept)
    assert keeper.json(req.list_threads())["data"]  # the other student keeps everything

    # The erased student's secrets and key stop working; refusing them changes nothing.
    for chat in (leaver, second_session):
        assert chat.post(req.list_threads()).status_code == 401
    before = snapshot(site.db_path)
    refused = site.session({"student_key": leaver.key})
    assert refused.status_code == 401 and refused.json()["details"][0]["code"] == "INVALID_STUDENT_KEY"
    assert refused.json()["details"][0]["field"] == "student_key"
    assert snapshot(site.db_path) == before
    assert site.http.delete("/student", headers=leaver.headers()).status_code == 401
    assert site.http.delete("/student").status_code == 401


def test_a_student_key_is_stored_only_as_its_hash(make_site: Callable[..., Site]) -> None:
    site = make_site()
    key = site.chat({}).key
    assert key is not None
    assert site.rows("SELECT key_hash FROM student_keys")[0][0] == hash_student_key(key)
    raw = b"".join(path.read_bytes() for path in site.db_path.parent.glob(site.db_path.name + "*"))
    assert key.encode() not in raw


def test_a_wrong_key_is_refused_however_it_looks(make_site: Callable[..., Site]) -> None:
    site = make_site()
    site.chat({})
    before = site.snapshot()
    for key in ("sk_student_" + "A" * 43, "", "x" * 200):
        response = site.session({"student_key": key})
        assert response.status_code == 401 and response.json()["details"][0]["code"] == "INVALID_STUDENT_KEY"
    too_long = site.session({"student_key": "x" * 201})
    assert too_long.status_code == 400 and too_long.json()["details"][0]["code"] == "FIELD_TOO_LONG"
    not_text = site.session({"student_key": 12})
    assert not_text.status_code == 400 and not_text.json()["details"][0]["code"] == "INVALID_FIELD_TYPE"
    assert site.snapshot() == before
