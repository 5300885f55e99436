"""The reader's page context and the session request: validated field by field with msgspec.

The same rules serve ``POST /session`` (the contract's body) and the ``X-TutorGPT-Context``
header the plugin sends with every protocol request, so a value that is refused in one place is
refused in the other. msgspec stops at the first invalid field, while the contract wants every
invalid field reported at once, so the body is decoded leniently (each field ``Any``) and every
field is then converted to its own type on its own, collecting one :class:`ErrorDetail` each.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

import msgspec

from tutorgpt_asgi.jsonlimits import MAX_JSON_DEPTH, too_deep

LearningLevel = Literal["beginner", "intermediate", "advanced"]
LEARNING_LEVELS: Final = ("beginner", "intermediate", "advanced")

#: The contract's cap on highlighted text, counted in characters (not bytes).
HIGHLIGHT_MAX_CHARS: Final = 1000

# One pragmatic pattern, precompiled: pydantic's email-validator costs ~19 µs a request.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


class ErrorDetail(msgspec.Struct, omit_defaults=True):
    """One problem with a request, in the contract's ``details`` shape."""

    code: str
    message: str
    field: str | None = None


class ValidationFailed(Exception):
    """Raised with every problem found, so the client can fix them all at once."""

    def __init__(self, details: list[ErrorDetail]) -> None:
        super().__init__("; ".join(f"{d.field}: {d.code}" for d in details))
        self.details = details


class PageContext(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where the reader is: the contract's page fields plus the plugin's extra context."""

    page_path: str | None = None
    page_title: str | None = None
    current_chapter: str | None = None
    current_lesson: str | None = None
    highlighted_text: str | None = None
    page_url: str | None = None
    doc_id: str | None = None
    chapter_title: str | None = None
    lesson_title: str | None = None
    highlight_context: str | None = None
    highlight_anchor: str | None = None
    locale: str | None = None


class SessionRequest(msgspec.Struct, frozen=True, kw_only=True):
    """The body of ``POST /session``: all fields optional, ``{}`` is an anonymous student."""

    context: PageContext
    student_email: str | None = None
    student_name: str | None = None
    learning_level: LearningLevel | None = None


@dataclass(frozen=True, slots=True)
class _Rule:
    max_chars: int
    too_long_code: str = "FIELD_TOO_LONG"


_CONTEXT_RULES: Final[dict[str, _Rule]] = {
    "page_path": _Rule(2048),
    "page_title": _Rule(500),
    "current_chapter": _Rule(200),
    "current_lesson": _Rule(200),
    "highlighted_text": _Rule(HIGHLIGHT_MAX_CHARS, "HIGHLIGHTED_TEXT_TOO_LONG"),
    "page_url": _Rule(2048),
    "doc_id": _Rule(300),
    "chapter_title": _Rule(500),
    "lesson_title": _Rule(500),
    "highlight_context": _Rule(2000),
    "highlight_anchor": _Rule(300),
    "locale": _Rule(35),
}
_STUDENT_RULES: Final[dict[str, _Rule]] = {
    "student_email": _Rule(254),
    "student_name": _Rule(200),
    "learning_level": _Rule(20),
}


def _check_string(name: str, value: Any, rule: _Rule) -> tuple[str | None, ErrorDetail | None]:
    """Convert one field to ``str | None`` and apply its length cap and specific rule."""
    try:
        text = msgspec.convert(value, str | None)
    except msgspec.ValidationError:
        return None, ErrorDetail("INVALID_FIELD_TYPE", f"{name} must be a string", name)
    if text is None:
        return None, None
    if len(text) > rule.max_chars:
        message = f"{name} must be at most {rule.max_chars} characters (got {len(text)})"
        return None, ErrorDetail(rule.too_long_code, message, name)
    if "\x00" in text:
        return None, ErrorDetail("INVALID_CHARACTERS", f"{name} must not contain NUL", name)
    return _specific_check(name, text)


def _specific_check(name: str, text: str) -> tuple[str | None, ErrorDetail | None]:
    if name == "page_path" and not text.startswith("/"):
        return None, ErrorDetail("INVALID_PAGE_PATH", "page_path must start with '/'", name)
    if name == "student_email":
        email = normalise_email(text)
        if not _EMAIL.match(email):
            return None, ErrorDetail("INVALID_EMAIL", "Invalid email format", name)
        return email, None
    if name == "learning_level" and text not in LEARNING_LEVELS:
        message = "learning_level must be one of: beginner, intermediate, advanced"
        return None, ErrorDetail("INVALID_LEARNING_LEVEL", message, name)
    if name in ("student_name", "page_title", "current_chapter", "current_lesson"):
        text = text.strip()
        return (text or None), None
    return text, None


def normalise_email(email: str) -> str:
    """Case and surrounding spaces never make a new student."""
    return email.strip().lower()


def _validate(raw: dict[str, Any], rules: dict[str, _Rule]) -> tuple[dict[str, Any], list[ErrorDetail]]:
    values: dict[str, Any] = {}
    errors: list[ErrorDetail] = []
    for name, rule in rules.items():
        if name not in raw:
            continue
        value, error = _check_string(name, raw[name], rule)
        if error is not None:
            errors.append(error)
        elif value is not None:
            values[name] = value
    return values, errors


def _decode_object(body: bytes) -> dict[str, Any]:
    if too_deep(body):  # checked before parsing: deep nesting would exhaust the parser's recursion
        message = f"The request body must be a JSON object nested at most {MAX_JSON_DEPTH} levels deep"
        raise ValidationFailed([ErrorDetail("INVALID_JSON", message)])
    try:
        raw = msgspec.json.decode(body)
    except msgspec.DecodeError:
        raise ValidationFailed(
            [ErrorDetail("INVALID_JSON", "The request body must be a JSON object")]
        ) from None
    if not isinstance(raw, dict):
        raise ValidationFailed(
            [ErrorDetail("INVALID_JSON", "The request body must be a JSON object")]
        )
    return raw


def parse_session_request(body: bytes) -> SessionRequest:
    """Decode and validate a ``POST /session`` body; unknown fields are ignored."""
    raw = _decode_object(body) if body else {}  # only an empty body means "{}"
    context_values, errors = _validate(raw, _CONTEXT_RULES)
    student_values, student_errors = _validate(raw, _STUDENT_RULES)
    errors.extend(student_errors)
    if errors:
        raise ValidationFailed(errors)
    return SessionRequest(context=PageContext(**context_values), **student_values)


def parse_context_header(value: str) -> PageContext:
    """Decode ``X-TutorGPT-Context`` (base64url of a JSON object) with the session rules."""
    try:
        padded = value.strip() + "=" * (-len(value.strip()) % 4)
        body = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValidationFailed(
            [ErrorDetail("INVALID_CONTEXT_HEADER", "X-TutorGPT-Context is not base64url")]
        ) from None
    raw = _decode_object(body)
    values, errors = _validate(raw, _CONTEXT_RULES)
    if errors:
        raise ValidationFailed(errors)
    return PageContext(**values)


def encode_context_header(context: PageContext) -> str:
    """The inverse of :func:`parse_context_header` (used by tests, benchmarks and the CLI)."""
    return base64.urlsafe_b64encode(msgspec.json.encode(context)).decode("ascii").rstrip("=")


#: Every text field refuses NUL (``INVALID_CHARACTERS``); the schema says so with this pattern.
NO_NUL: Final = "^[^\\x00]*$"


class SessionBody(msgspec.Struct, kw_only=True):
    """The wire shape of ``POST /session`` for the OpenAPI document (validation is above)."""

    page_path: Annotated[str, msgspec.Meta(pattern="^/[^\\x00]*$", max_length=2048)] | None = None
    page_title: Annotated[str, msgspec.Meta(max_length=500, pattern=NO_NUL)] | None = None
    current_chapter: Annotated[str, msgspec.Meta(max_length=200, pattern=NO_NUL, examples=["04-python"])] | None = None
    current_lesson: Annotated[str, msgspec.Meta(max_length=200, pattern=NO_NUL, examples=["01-intro"])] | None = None
    highlighted_text: Annotated[str, msgspec.Meta(max_length=HIGHLIGHT_MAX_CHARS, pattern=NO_NUL)] | None = None
    student_email: Annotated[
        str, msgspec.Meta(max_length=254, pattern=NO_NUL, extra_json_schema={"format": "email"})
    ] | None = None
    student_name: Annotated[str, msgspec.Meta(max_length=200, pattern=NO_NUL)] | None = None
    learning_level: LearningLevel | None = None
