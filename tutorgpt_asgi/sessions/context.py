"""The reader's page context and the session request: validated field by field with msgspec.

The same rules serve ``POST /session`` (the contract's body) and the ``X-TutorGPT-Context``
header the plugin sends with every protocol request, so a value that is refused in one place is
refused in the other. msgspec stops at the first invalid field, while the contract wants every
invalid field reported at once, so a refused body is decoded leniently (each field ``Any``) and
every field is then converted to its own type on its own, collecting one :class:`ErrorDetail`
each. That costs ~24 µs a body, so a body is first decoded straight into its struct (~6 µs, one
C call); only when that fails does the field-by-field path run, to report every problem at once.
Both paths apply the same normalisation (trimmed text, lower-cased email), and a test checks
that they agree on every body.
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import cache
from typing import Annotated, Any, Final, Literal, TypeVar, get_type_hints

import msgspec
import msgspec.inspect as mi

from tutorgpt_asgi.jsonlimits import MAX_JSON_DEPTH, too_deep

LearningLevel = Literal["beginner", "intermediate", "advanced"]
LEARNING_LEVELS: Final = ("beginner", "intermediate", "advanced")

#: The contract's cap on highlighted text, counted in Unicode code points (Python's ``len``; not
#: bytes, not UTF-16 units). The plugin cuts the same way, so an emoji is one character.
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


#: Every text field refuses NUL (``INVALID_CHARACTERS``); the pattern says so in the schema too.
NO_NUL: Final = "^[^\\x00]*$"


class PageContext(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where the reader is: the contract's page fields plus the plugin's extra context.

    The one definition of these fields: their caps validate ``POST /session`` and the
    ``X-TutorGPT-Context`` header, the OpenAPI document is generated from it, and a test checks
    the plugin's ``PageContext`` type and caps against it.
    """

    page_path: Annotated[str, msgspec.Meta(max_length=2048, pattern="^/[^\\x00]*$")] | None = None
    page_title: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=500)] | None = None
    current_chapter: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=200, examples=["04-python"])] | None = None
    current_lesson: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=200, examples=["01-intro"])] | None = None
    highlighted_text: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=HIGHLIGHT_MAX_CHARS)] | None = None
    page_url: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=2048)] | None = None
    doc_id: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=300)] | None = None
    chapter_title: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=500)] | None = None
    lesson_title: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=500)] | None = None
    highlight_context: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=2000)] | None = None
    highlight_anchor: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=300)] | None = None
    locale: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=35)] | None = None
    #: The page's docs plugin instance and version (``current`` = the unreleased ``/docs/next/``)
    #: and the part (top-level category) above its chapter: search stays in the reader's version.
    docs_instance: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=100, examples=["default"])] | None = None
    version: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=100, examples=["current"])] | None = None
    part_id: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=200)] | None = None
    part_title: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=500)] | None = None


class SessionBody(PageContext, frozen=True, kw_only=True, omit_defaults=True):
    """The body of ``POST /session``: the page context plus who the reader says they are and
    what proves it. All fields are optional; ``{}`` is a new anonymous student."""

    student_email: Annotated[str, msgspec.Meta(pattern=NO_NUL,
        max_length=254, extra_json_schema={"format": "email"},
        description="A profile hint; never selects an existing student on its own.")] | None = None
    student_name: Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=200)] | None = None
    learning_level: LearningLevel | None = None
    identity_token: Annotated[str, msgspec.Meta(pattern=NO_NUL,
        max_length=8192, description="A JWT from the site's login (see the README's setups).")] | None = None
    student_key: Annotated[str, msgspec.Meta(pattern=NO_NUL,
        max_length=200, description="The key a new student received in its first 201.")] | None = None
    login_code: Annotated[str, msgspec.Meta(pattern=NO_NUL,
        max_length=200, description="The single-use code (60 s) a sign-in popup posted from /auth/callback; "
        "with a student_key, that browser's anonymous history joins the signed-in student.")] | None = None

    def context(self) -> PageContext:
        """The page fields alone, as stored with the session."""
        return PageContext(**{name: getattr(self, name) for name in PageContext.__struct_fields__})

    def session_request(self) -> SessionRequest:
        """What the sessions service takes (the token is the web layer's to verify)."""
        return SessionRequest(
            context=self.context(), student_email=self.student_email, student_name=self.student_name,
            learning_level=self.learning_level, student_key=self.student_key,
        )


class SessionRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What the sessions service needs from a ``POST /session``: the page, the profile hints
    and the student key (the identity token is verified by the web layer before this)."""

    context: PageContext
    student_email: str | None = None
    student_name: str | None = None
    learning_level: LearningLevel | None = None
    student_key: str | None = None


#: Fields whose failures have their own codes (the contract's), instead of the generic ones.
_TOO_LONG_CODES: Final = {"highlighted_text": "HIGHLIGHTED_TEXT_TOO_LONG"}
_PATTERN_ERRORS: Final = {"page_path": ("INVALID_PAGE_PATH", "page_path must start with '/'")}
#: Free text that is trimmed, and stored as missing when only spaces are left.
_TRIMMED: Final = frozenset({"student_name", "page_title", "current_chapter", "current_lesson"})


@cache
def _fields(struct: type[msgspec.Struct]) -> tuple[tuple[str, Any, mi.StrType | None], ...]:
    """Each field's name, annotated type and string constraints, read from the struct itself."""
    hints = get_type_hints(struct, include_extras=True)
    info = mi.type_info(struct)
    assert isinstance(info, mi.StructType)
    fields = []
    for field in info.fields:
        options = field.type.types if isinstance(field.type, mi.UnionType) else (field.type,)
        options = tuple(option.type if isinstance(option, mi.Metadata) else option for option in options)
        text = next((option for option in options if isinstance(option, mi.StrType)), None)
        fields.append((field.name, hints[field.name], text))
    return tuple(fields)


def _refusal(name: str, value: Any, text: mi.StrType | None) -> ErrorDetail:
    """Why msgspec refused ``value`` for field ``name``, as the contract's code and message."""
    if not isinstance(value, str):
        return ErrorDetail("INVALID_FIELD_TYPE", f"{name} must be a string", name)
    if "\x00" in value:
        return ErrorDetail("INVALID_CHARACTERS", f"{name} must not contain NUL", name)
    if name == "learning_level":
        message = "learning_level must be one of: beginner, intermediate, advanced"
        return ErrorDetail("INVALID_LEARNING_LEVEL", message, name)
    if text is not None and text.max_length is not None and len(value) > text.max_length:
        message = f"{name} must be at most {text.max_length} characters (got {len(value)})"
        return ErrorDetail(_TOO_LONG_CODES.get(name, "FIELD_TOO_LONG"), message, name)
    code, message = _PATTERN_ERRORS.get(name, ("INVALID_FIELD", f"{name} is not valid"))
    return ErrorDetail(code, message, name)


def _check_field(name: str, value: Any, hint: Any, text: mi.StrType | None) -> tuple[Any, ErrorDetail | None]:
    """Convert one field with its declared type and caps, then apply the rules types cannot say."""
    try:
        converted = msgspec.convert(value, hint)
    except msgspec.ValidationError:
        return None, _refusal(name, value, text)
    if not isinstance(converted, str):
        return converted, None
    if name == "student_email":
        email = normalise_email(converted)
        if not _EMAIL.match(email):
            return None, ErrorDetail("INVALID_EMAIL", "Invalid email format", name)
        return email, None
    if name in _TRIMMED:
        return converted.strip() or None, None
    return converted, None


def normalise_email(email: str) -> str:
    """Case and surrounding spaces never make a different email."""
    return email.strip().lower()


def _validate(raw: dict[str, Any], struct: type[msgspec.Struct]) -> dict[str, Any]:
    """Every field of ``struct`` present in ``raw``, converted; all problems raised at once."""
    values: dict[str, Any] = {}
    errors: list[ErrorDetail] = []
    for name, hint, text in _fields(struct):
        if name not in raw:
            continue
        value, error = _check_field(name, raw[name], hint, text)
        if error is not None:
            errors.append(error)
        elif value is not None:
            values[name] = value
    if errors:
        raise ValidationFailed(errors)
    return values


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


_Parsed = TypeVar("_Parsed", bound=PageContext)

#: One typed decoder per struct, built once (a decoder's type is compiled when it is made).
_DECODERS: Final[dict[type, msgspec.json.Decoder[Any]]] = {
    struct: msgspec.json.Decoder(struct) for struct in (SessionBody, PageContext)
}


def _decode_valid(body: bytes, struct: type[_Parsed]) -> _Parsed | None:
    """``body`` decoded straight into ``struct`` and normalised, or ``None`` when anything is
    wrong with it (then :func:`_parse_by_field` finds and reports every problem)."""
    if too_deep(body):  # the typed decoder must not recurse through a hostile body either
        return None
    try:
        decoded = _DECODERS[struct].decode(body)
    except msgspec.MsgspecError:  # DecodeError, and ValidationError (its subclass)
        return None
    changes: dict[str, str | None] = {}
    for name in _TRIMMED:
        value = getattr(decoded, name, None)
        if value is not None and value != (trimmed := value.strip() or None):
            changes[name] = trimmed
    email = getattr(decoded, "student_email", None)
    if email is not None:
        changes["student_email"] = normalised = normalise_email(email)
        if not _EMAIL.match(normalised):
            return None
    if not changes:
        return decoded
    return msgspec.structs.replace(decoded, **changes)


def _parse_by_field(body: bytes, struct: type[_Parsed]) -> _Parsed:
    """Decode leniently and check each field on its own: every problem raised at once."""
    return struct(**_validate(_decode_object(body), struct))


def _parse(body: bytes, struct: type[_Parsed]) -> _Parsed:
    """The typed fast path for a valid body, else the field-by-field one for its errors."""
    decoded = _decode_valid(body, struct)
    return decoded if decoded is not None else _parse_by_field(body, struct)


def parse_session_body(body: bytes) -> SessionBody:
    """Decode and validate a ``POST /session`` body; unknown fields are ignored."""
    return _parse(body, SessionBody) if body else SessionBody()  # only an empty body means "{}"


def parse_context_header(value: str) -> PageContext:
    """Decode ``X-TutorGPT-Context`` (base64url of a JSON object) with the session rules."""
    try:
        padded = value.strip() + "=" * (-len(value.strip()) % 4)
        body = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValidationFailed(
            [ErrorDetail("INVALID_CONTEXT_HEADER", "X-TutorGPT-Context is not base64url")]
        ) from None
    return _parse(body, PageContext)


def encode_context_header(context: PageContext) -> str:
    """The inverse of :func:`parse_context_header` (used by tests, benchmarks and the CLI)."""
    return base64.urlsafe_b64encode(msgspec.json.encode(context)).decode("ascii").rstrip("=")
