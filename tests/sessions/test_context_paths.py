"""The typed fast path of the session body and context header gives exactly what the
field-by-field path gives: the same struct for a valid body, the same details for a refused one.

Bodies come from the endpoint tests' valid and invalid cases, and from hypothesis: objects over
every field name (duplicated keys included) with values of every JSON kind, near the caps, with
NUL, spaces and odd emails.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorgpt_asgi.sessions.context import (
    PageContext,
    SessionBody,
    ValidationFailed,
    _decode_valid,
    _parse,
    _parse_by_field,
    parse_context_header,
    parse_session_body,
)

FULL_BODY = {
    "page_path": "/docs/chapter-04/lesson-01-intro", "page_title": "Introduction to Python",
    "current_chapter": "04-python", "current_lesson": "01-intro", "highlighted_text": "async def main():",
    "student_email": "jane@example.com", "student_name": "Jane Doe", "learning_level": "intermediate",
}
#: The endpoint tests' bodies (tests/web/test_session_endpoint.py and friends), valid and not.
CASES: list[bytes] = [
    json.dumps(body).encode()
    for body in [
        FULL_BODY, {}, {"student_email": None, "surprise": {"nested": True}},
        {"student_email": "Jane@Example.com", "student_name": "Jane"},
        {"student_email": "  jane@example.COM ", "student_name": "Mallory"},
        {"student_name": "   ", "page_title": "  Intro  ", "current_chapter": " 04 ", "current_lesson": "\t"},
        {"highlighted_text": "é" * 1000}, {"highlighted_text": "é" * 1001},
        {"learning_level": "expert"}, {"learning_level": "?"}, {"learning_level": 3},
        *({"student_email": email} for email in ["not-an-email", "a@b", "jane@@example.com",
                                                 "jane example@x.com", "", "   "]),
        {"page_path": "docs/no-slash", "student_email": "nope", "learning_level": 3, "student_name": ["x"],
         "highlighted_text": "x" * 1001, "page_title": "t" * 501, "unknown_field": "ignored"},
        {"page_path": "/a\x00b"}, {"student_key": "k" * 201}, {"identity_token": 12},
    ]
] + [b"[1, 2]", b"{not json", b'"text"', b"null", b"\xff\xfe", b"  ", b'{"a":' * 100 + b"1" + b"}" * 100,
     b'{"student_name": "a", "student_name": 3}', b'{"student_name": 3, "student_name": "b"}',
     b'{"student_name": "\\ud800"}', b'{"page_title": "x", "page_title": "  y  "}']

_FIELDS = list(SessionBody.__struct_fields__) + ["unknown"]
_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "beginner", "advanced", "Jane@Example.COM ", "a@b", "x\x00y", "/ok", "no-slash"]),
    st.integers(min_value=30, max_value=2100).map(lambda n: "/" + "x" * n),  # around every cap
)
_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _TEXT),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)


def _outcome(parse: Any, body: bytes, struct: type) -> Any:
    try:
        return parse(body, struct)
    except ValidationFailed as failure:
        return failure.details


def _same_on_both_paths(body: bytes) -> None:
    for struct in (SessionBody, PageContext):
        assert _outcome(_parse, body, struct) == _outcome(_parse_by_field, body, struct), body


@pytest.mark.parametrize("body", CASES)
def test_the_endpoint_cases_give_the_same_result_on_both_paths(body: bytes) -> None:
    _same_on_both_paths(body)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_FIELDS), _VALUES), max_size=8))
def test_any_object_gives_the_same_result_on_both_paths(pairs: list[tuple[str, Any]]) -> None:
    # Written by hand rather than json.dumps(dict) so that duplicated keys reach the parsers.
    body = ("{" + ",".join(f"{json.dumps(key)}:{json.dumps(value)}" for key, value in pairs) + "}").encode()
    _same_on_both_paths(body)


def test_a_valid_body_takes_the_fast_path_normalised() -> None:
    body = dict(FULL_BODY, student_email="  Jane@Example.COM ", student_name=" Jane ", page_title="   ")
    fast = _decode_valid(json.dumps(body).encode(), SessionBody)
    assert fast is not None and fast == parse_session_body(json.dumps(body).encode())
    assert (fast.student_email, fast.student_name, fast.page_title) == ("jane@example.com", "Jane", None)


def test_the_header_takes_the_same_paths() -> None:
    header = base64.urlsafe_b64encode(msgspec.json.encode({"page_path": "/p", "page_title": " T "})).decode()
    assert parse_context_header(header) == PageContext(page_path="/p", page_title="T")
    with pytest.raises(ValidationFailed) as refused:
        parse_context_header(base64.urlsafe_b64encode(b'{"page_path": "p", "locale": 1}').decode())
    assert [detail.code for detail in refused.value.details] == ["INVALID_PAGE_PATH", "INVALID_FIELD_TYPE"]
    with pytest.raises(ValidationFailed):
        parse_context_header("")
