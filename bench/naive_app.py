"""The naive reference for ``POST /session`` (issue 16): FastAPI + pydantic + aiosqlite + limits.aio.

Issue 16 asks for ``POST /session`` at 2.5 times "a naive build": the endpoint as a careful
developer would first write it with the usual libraries, with none of TutorGPT's tuning
(no group commit, no msgspec, no pure-ASGI layers). This is that build, run by the suite on the
same uvicorn settings and core as the other servers, so the ratio is taken in the same rounds.

It keeps the contract (``chatkit-session-contract.md``): the same fields and validation (400
with the contract's error body, not FastAPI's 422), 10 requests a minute per client address
(``limits.aio`` moving window in memory, the address from ``X-Forwarded-For`` when the peer is
the trusted local proxy, as the suite's TutorGPT servers are configured), and a 201 with
``client_secret``, ``session_id`` and ``expires_at``. Each request finds or creates its student,
stores the session (only the secret's SHA-256) and the first visit, in one transaction with one
commit. One aiosqlite connection serves every request; an ``asyncio.Lock`` keeps one request's
statements out of another's transaction (aiosqlite runs them on one thread, in any order).
``pydantic.EmailStr`` needs the ``email-validator`` package, which the test extras lack, so the
e-mail check is a pattern.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Literal

import aiosqlite
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from pydantic import BaseModel, Field

DATABASE = os.environ.get("TUTORGPT_BENCH_NAIVE_DATABASE", "naive.db")
#: ``async+memory://`` as the naive build would have it; ``async+redis://...`` to see the build
#: without limits.aio's memory sweep (a thread hop per tracked address after each hit).
LIMITS_STORAGE = os.environ.get("TUTORGPT_BENCH_NAIVE_LIMITS", "async+memory://")
TRUSTED_PROXIES = {"127.0.0.1"}
SESSION_TTL = timedelta(minutes=30)
SCHEMA = """
CREATE TABLE IF NOT EXISTS students (
    id TEXT PRIMARY KEY, email TEXT UNIQUE, name TEXT, learning_level TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, student_id TEXT NOT NULL REFERENCES students(id), secret_hash BLOB NOT NULL UNIQUE,
    page_path TEXT, page_title TEXT, current_chapter TEXT, current_lesson TEXT, highlighted_text TEXT,
    created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS visits (
    student_id TEXT NOT NULL REFERENCES students(id), page_path TEXT NOT NULL, page_title TEXT,
    visits INTEGER NOT NULL DEFAULT 1, first_visit_at TEXT NOT NULL, last_visit_at TEXT NOT NULL,
    PRIMARY KEY (student_id, page_path));
"""


class SessionRequest(BaseModel):
    """The contract's body: every field optional, each validated."""

    page_path: str | None = Field(default=None, pattern=r"^/")
    page_title: str | None = None
    current_chapter: str | None = None
    current_lesson: str | None = None
    highlighted_text: str | None = Field(default=None, max_length=1000)
    student_email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    student_name: str | None = None
    learning_level: Literal["beginner", "intermediate", "advanced"] | None = None


class SessionCreated(BaseModel):
    client_secret: str
    session_id: str
    expires_at: datetime


class State:
    """The connection, its lock and the limiter, opened by the lifespan."""

    db: aiosqlite.Connection
    lock: asyncio.Lock
    limiter: MovingWindowRateLimiter
    limit = parse("10/minute")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    State.db = await aiosqlite.connect(DATABASE)
    State.lock = asyncio.Lock()
    State.limiter = MovingWindowRateLimiter(storage_from_string(LIMITS_STORAGE))
    await State.db.execute("PRAGMA journal_mode=WAL")
    await State.db.execute("PRAGMA synchronous=NORMAL")
    await State.db.executescript(SCHEMA)
    await State.db.commit()
    yield
    await State.db.close()


app = FastAPI(lifespan=lifespan)


def _error(status: int, error: str, details: list[dict[str, str]], **extra: object) -> JSONResponse:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return JSONResponse({"error": error, "details": details, "timestamp": now, **extra}, status_code=status)


@app.exception_handler(RequestValidationError)
async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    """The contract's 400 instead of FastAPI's 422."""
    details = [{"code": "INVALID_" + str(problem["loc"][-1]).upper(), "message": problem["msg"],
                "field": str(problem["loc"][-1])} for problem in error.errors()]
    return _error(400, "Invalid request", details)


def _client_ip(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if peer in TRUSTED_PROXIES and forwarded:
        return forwarded.split(",")[-1].strip()
    return peer


async def _store(body: SessionRequest, secret: str, session_id: str, now: datetime, expires: datetime) -> None:
    db, stamp = State.db, now.isoformat()
    student_id = None
    if body.student_email:
        email = body.student_email.strip().lower()
        async with db.execute("SELECT id FROM students WHERE email = ?", (email,)) as cursor:
            row = await cursor.fetchone()
        if row:
            student_id = row[0]
            await db.execute("UPDATE students SET name = COALESCE(?, name), learning_level = COALESCE(?, "
                             "learning_level), updated_at = ? WHERE id = ?",
                             (body.student_name, body.learning_level, stamp, student_id))
    else:
        email = None
    if student_id is None:
        student_id = str(uuid.uuid4())
        await db.execute("INSERT INTO students VALUES (?, ?, ?, ?, ?, ?)",
                         (student_id, email, body.student_name, body.learning_level or "beginner", stamp, stamp))
    await db.execute(
        "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (session_id, student_id, hashlib.sha256(secret.encode()).digest(), body.page_path, body.page_title,
         body.current_chapter, body.current_lesson, body.highlighted_text, stamp, expires.isoformat()))
    if body.page_path:
        await db.execute(
            "INSERT INTO visits VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (student_id, page_path) "
            "DO UPDATE SET visits = visits + 1, last_visit_at = excluded.last_visit_at",
            (student_id, body.page_path, body.page_title, stamp, stamp))


@app.post("/session", status_code=201, response_model=SessionCreated)
async def create_session(body: SessionRequest, request: Request) -> SessionCreated | JSONResponse:
    if not await State.limiter.hit(State.limit, _client_ip(request)):
        return _error(429, "Rate limit exceeded", [{
            "code": "RATE_LIMIT_EXCEEDED",
            "message": "Too many session creation attempts. Try again in 60 seconds."}], retry_after=60)
    secret = "sk_chatkit_" + secrets.token_urlsafe(32)
    session_id = "sess_" + uuid.uuid4().hex
    now = datetime.now(UTC)
    expires = now + SESSION_TTL
    async with State.lock:
        try:
            await _store(body, secret, session_id, now, expires)
            await State.db.commit()
        except Exception:
            await State.db.rollback()
            return _error(500, "Failed to create session", [{
                "code": "SESSION_CREATION_FAILED",
                "message": "Could not create ChatKit session. Please try again."}])
    return SessionCreated(client_secret=secret, session_id=session_id, expires_at=expires)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


def create_app() -> FastAPI:
    """The app, as a factory like the others (``uvicorn bench.naive_app:create_app --factory``)."""
    return app
