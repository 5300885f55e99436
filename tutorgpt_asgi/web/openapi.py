"""``GET /openapi.json``: an OpenAPI 3.1 document generated from the msgspec structs.

The schemas come from the same structs the endpoints encode, so the document cannot drift
from the wire format; only the paths and status codes are written here.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from tutorgpt_asgi import __version__
from tutorgpt_asgi.chatkit.types import SUPPORTED_REQUEST_TYPES, UNSUPPORTED_REQUEST_TYPES, ChatKitRequest
from tutorgpt_asgi.jsonlimits import MAX_JSON_DEPTH
from tutorgpt_asgi.sessions.context import ErrorDetail, PageContext, SessionBody
from tutorgpt_asgi.web.errors import JSONResponse
from tutorgpt_asgi.web.session import SessionCreated, SessionHistory
from tutorgpt_asgi.web.signin import SignInProviders


class ErrorBody(msgspec.Struct):
    """Every error response: what went wrong, each problem with a stable code, and ids."""

    error: str
    details: list[ErrorDetail]
    timestamp: str
    request_id: str


class RateLimitedBody(msgspec.Struct):
    """429: the error body plus how many seconds to wait (also in ``Retry-After``)."""

    error: str
    details: list[ErrorDetail]
    retry_after: int
    timestamp: str
    request_id: str


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_DESCRIBED: dict[int | str, str] = {
    400: "Invalid request: every invalid field is listed in details",
    401: "Missing, unknown, expired or ended client secret",
    "401-identity": "INVALID_IDENTITY_TOKEN, INVALID_STUDENT_KEY, INVALID_LOGIN_CODE or IDENTITY_REQUIRED",
    403: "The Origin is not one of TUTORGPT_ALLOWED_ORIGINS",
    404: "No such thread or item for this student",
    405: "Method not allowed (the Allow header lists the methods)",
    413: "Body larger than 64 KiB",
    415: "Content type is not application/json",
    429: "Too many session creations from this IP",
    500: "Unexpected failure; the body's request_id finds it in the logs",
    503: "The identity token's signing keys cannot be fetched (IDENTITY_KEYS_UNAVAILABLE)",
}


def _errors(*codes: int | str, **described: str) -> dict[str, Any]:
    """Error responses; ``described`` overrides a description (keys like ``e413``)."""
    return {
        str(code).split("-")[0]: {
            "description": described.get(f"e{code}", _DESCRIBED[code]),
            **_json("RateLimitedBody" if code == 429 else "ErrorBody"),
        }
        for code in codes
    }


BEARER: list[dict[str, list[str]]] = [{"clientSecret": []}]

#: The sign-in popup's routes answer a browser window with HTML; only the provider list is JSON.
_PAGE = {"content": {"text/html": {"schema": {"type": "string"}}}}
SIGNIN_PATHS: dict[str, Any] = {
    "/auth/providers": {
        "get": {
            "summary": "The OpenID Connect providers readers can sign in with (empty: sign-in is off)",
            "responses": {"200": {"description": "Provider ids", **_json("SignInProviders")}},
        }
    },
    "/auth/login": {
        "get": {
            "summary": "Start a sign-in in a popup: redirects to the provider",
            "parameters": [
                {"name": "return_origin", "in": "query", "required": True, "schema": {"type": "string"},
                 "description": "The book's origin; must be one of TUTORGPT_ALLOWED_ORIGINS"},
                {"name": "provider", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {
                "302": {"description": "To the provider's authorization endpoint (state, nonce, PKCE S256)"},
                "4XX": {"description": "A readable page with a stable code (ORIGIN_NOT_ALLOWED, ...)", **_PAGE},
                "502": {"description": "PROVIDER_UNAVAILABLE or PROVIDER_ERROR", **_PAGE},
            },
        }
    },
    "/auth/callback": {
        "get": {
            "summary": "The provider's redirect: checks it and posts a login code to the book's window",
            "responses": {
                "200": {"description": "A page posting {type: 'tutorgpt:login', login_code} to the opener", **_PAGE},
                "4XX": {"description": "INVALID_STATE, LOGIN_DENIED, INVALID_ID_TOKEN, ...", **_PAGE},
                "502": {"description": "PROVIDER_UNAVAILABLE, TOKEN_EXCHANGE_FAILED or PROVIDER_ERROR", **_PAGE},
            },
        }
    },
}


_UNSUPPORTED_KINDS: Final = {
    "threads.add_client_tool_output": "client tool output",
    "threads.add_structured_input": "structured input",
    "threads.custom_action": "custom actions",
    "threads.sync_custom_action": "custom actions",
    "attachments.create": "attachments",
    "attachments.delete": "attachments",
    "input.transcribe": "transcription",
}

#: The codes of ``POST /`` refusals, by status (the README's table says the same).
PROTOCOL_ERROR_CODES: Final = {
    400: ("INVALID_JSON", "INVALID_ENVELOPE", "MISSING_TYPE", "UNKNOWN_REQUEST_TYPE", "UNSUPPORTED_REQUEST_TYPE",
          "INVALID_PARAMS", "EMPTY_MESSAGE", "ATTACHMENTS_NOT_SUPPORTED", "INVALID_TITLE", "NOT_A_USER_MESSAGE",
          "INVALID_CURSOR", "CLIENT_DISCONNECTED"),
    401: ("INVALID_CLIENT_SECRET",),
    403: ("ORIGIN_NOT_ALLOWED",),
    404: ("THREAD_NOT_FOUND", "ITEM_NOT_FOUND"),
    413: ("PAYLOAD_TOO_LARGE", "MESSAGE_TOO_LONG", "QUOTE_TOO_LONG"),
    500: ("INTERNAL_ERROR",),
}


def _protocol_description() -> str:
    served = ", ".join(f"`{name}`" for name in sorted(map(str, SUPPORTED_REQUEST_TYPES)))
    refused = "; ".join(
        f"`{name}` ({_UNSUPPORTED_KINDS[name]})" for name in sorted(UNSUPPORTED_REQUEST_TYPES)
    )
    codes = "; ".join(f"{status}: {', '.join(names)}" for status, names in PROTOCOL_ERROR_CODES.items())
    return (
        "The ChatKit protocol (openai-chatkit 1.6.5). Served: " + served + ". Streaming requests "
        "(threads.create, threads.add_user_message, threads.retry_after_item) answer "
        "text/event-stream; once a stream runs, failures are in-band `error` events. Refused "
        "with 400 UNSUPPORTED_REQUEST_TYPE: " + refused + "; a message with attachments gets "
        "400 ATTACHMENTS_NOT_SUPPORTED. The body is read as JSON whatever its declared "
        "Content-Type (at most 1 MiB, nested at most " + str(MAX_JSON_DEPTH) + " levels). "
        "Error codes: " + codes + "."
    )


#: One server-sent event: its ``data`` is a ChatKit stream event as JSON.
_SSE_EVENT: Final = {
    "type": "object",
    "properties": {"data": {"type": "string", "contentMediaType": "application/json"}},
    "required": ["data"],
}


def _protocol_path() -> dict[str, Any]:
    return {
        "post": {
            "summary": "One ChatKit protocol request",
            "description": _protocol_description(),
            "security": BEARER,
            "parameters": [{
                "name": "X-TutorGPT-Context",
                "in": "header",
                "required": False,
                "description": "base64url JSON of the reader's page (the POST /session fields); "
                               "an invalid one is ignored",
                "schema": {"type": "string", "maxLength": 16384},
            }],
            "requestBody": {"required": True, **_json("ChatKitRequest")},
            "responses": {
                "200": {
                    "description": "A JSON object (threads, pages, {}) or an event stream",
                    "content": {
                        "application/json": {"schema": {"type": "object"}},
                        # OpenAPI 3.1: for an event stream, the schema describes one event.
                        "text/event-stream": {"schema": _SSE_EVENT},
                    },
                },
                **_errors(400, 401, 403, 404, 405, 413, 500, e413="Body larger than 1 MiB, or message/quote too long"),
            },
        }
    }


@cache
def build_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (built once)."""
    (request_schema,), components = msgspec.json.schema_components(
        [ChatKitRequest], ref_template="#/components/schemas/{name}"
    )
    _, session_components = msgspec.json.schema_components(
        [SessionBody, PageContext, SessionCreated, ErrorBody, RateLimitedBody, SessionHistory, SignInProviders],
        ref_template="#/components/schemas/{name}",
    )
    components.update(session_components)
    components["ChatKitRequest"] = request_schema
    return {
        "openapi": "3.1.0",
        "info": {"title": "TutorGPT", "version": __version__},
        "components": {
            "schemas": components,
            "securitySchemes": {"clientSecret": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/": _protocol_path(),
            "/session": {
                "post": {
                    "summary": "Create a ChatKit session for a student",
                    "requestBody": {"required": False, **_json("SessionBody")},
                    "responses": {
                        "201": {"description": "Session created", **_json("SessionCreated")},
                        **_errors(400, "401-identity", 405, 413, 415, 429, 500, 503),
                    },
                },
                "delete": {
                    "summary": "End the bearer's session",
                    "security": BEARER,
                    "responses": {"204": {"description": "Session ended"}, **_errors(401, 405)},
                },
            },
            "/session/refresh": {
                "post": {
                    "summary": "Swap a valid or just-expired secret for a new one",
                    "security": BEARER,
                    "responses": {
                        "200": {"description": "New credentials", **_json("SessionCreated")},
                        **_errors(401, 405),
                    },
                }
            },
            "/sessions": {
                "get": {
                    "summary": "The bearer's student's sessions",
                    "security": BEARER,
                    "responses": {
                        "200": {"description": "Sessions, newest first", **_json("SessionHistory")},
                        **_errors(401, 405),
                    },
                }
            },
            "/student": {
                "delete": {
                    "summary": "Erase the bearer's student: sessions, keys, threads, feedback, progress",
                    "security": BEARER,
                    "responses": {"204": {"description": "Student erased"}, **_errors(401, 405)},
                }
            },
            **SIGNIN_PATHS,
            "/health": {
                "get": {
                    "summary": "Database health",
                    "responses": {
                        "200": {"description": "Healthy"},
                        "503": {"description": "Unhealthy"},
                        **_errors(405),
                    },
                }
            },
        },
    }


async def openapi_schema(request: Request) -> Response:
    """Serve the document."""
    return JSONResponse(build_document())
