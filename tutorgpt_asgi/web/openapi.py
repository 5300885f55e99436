"""``GET /openapi.json``: an OpenAPI 3.1 document generated from the msgspec structs.

The schemas come from the same structs the endpoints encode, so the document cannot drift
from the wire format; only the paths and status codes are written here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from tutorgpt_asgi import __version__
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


def _errors(*codes: int | str) -> dict[str, Any]:
    described = {
        400: "Invalid request: every invalid field is listed in details",
        401: "Missing, unknown, expired or ended client secret",
        "401-identity": "INVALID_IDENTITY_TOKEN, INVALID_STUDENT_KEY, INVALID_LOGIN_CODE or IDENTITY_REQUIRED",
        405: "Method not allowed",
        413: "Body larger than 64 KiB",
        415: "Content type is not application/json",
        429: "Too many session creations from this IP",
        500: "The session could not be created",
        503: "The identity token's signing keys cannot be fetched (IDENTITY_KEYS_UNAVAILABLE)",
    }
    return {
        str(code).split("-")[0]: {
            "description": described[code], **_json("RateLimitedBody" if code == 429 else "ErrorBody")
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


@cache
def build_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (built once)."""
    _, components = msgspec.json.schema_components(
        [SessionBody, PageContext, SessionCreated, ErrorBody, RateLimitedBody, SessionHistory, SignInProviders],
        ref_template="#/components/schemas/{name}",
    )
    return {
        "openapi": "3.1.0",
        "info": {"title": "TutorGPT", "version": __version__},
        "components": {
            "schemas": components,
            "securitySchemes": {"clientSecret": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
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
                    "responses": {"204": {"description": "Session ended"}, **_errors(401)},
                },
            },
            "/session/refresh": {
                "post": {
                    "summary": "Swap a valid or just-expired secret for a new one",
                    "security": BEARER,
                    "responses": {
                        "200": {"description": "New credentials", **_json("SessionCreated")},
                        **_errors(401),
                    },
                }
            },
            "/sessions": {
                "get": {
                    "summary": "The bearer's student's sessions",
                    "security": BEARER,
                    "responses": {
                        "200": {"description": "Sessions, newest first", **_json("SessionHistory")},
                        **_errors(401),
                    },
                }
            },
            "/student": {
                "delete": {
                    "summary": "Erase the bearer's student: sessions, keys, threads, feedback, progress",
                    "security": BEARER,
                    "responses": {"204": {"description": "Student erased"}, **_errors(401)},
                }
            },
            **SIGNIN_PATHS,
            "/health": {
                "get": {
                    "summary": "Database health",
                    "responses": {"200": {"description": "Healthy"}, "503": {"description": "Unhealthy"}},
                }
            },
        },
    }


async def openapi_schema(request: Request) -> Response:
    """Serve the document."""
    return JSONResponse(build_document())
