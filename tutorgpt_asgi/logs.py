"""Logging for operators: ``TUTORGPT_LOG_LEVEL`` and ``TUTORGPT_LOG_FORMAT`` (text or JSON lines).

The level is set on the package logger (``tutorgpt_asgi``) in every case, so it takes effect
under ``tutorgpt serve`` and inside a host app alike. A handler is added only when nobody has
configured logging (no handler on the root or package logger): uvicorn configures only its own
loggers, so without one TutorGPT's records went nowhere. A host that configured logging keeps
full control; TutorGPT's records propagate to its handlers.

What is never logged, at any level: secrets, student keys, bearer tokens, emails and message
text. Log calls pass ids (request, session, student, thread) and codes, never request bodies.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Final, Literal

import msgspec

PACKAGE_LOGGER: Final = "tutorgpt_asgi"
#: Attributes every ``LogRecord`` has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES: Final = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLinesFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the ``extra`` fields, the error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (key, value) for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return msgspec.json.encode(entry, enc_hook=str).decode()


class _TutorHandler(logging.StreamHandler):
    """The handler TutorGPT adds itself (recognised so that it is replaced, never stacked)."""


def configure_logging(level: str, log_format: Literal["text", "json"] = "text") -> None:
    """Apply the level, and add a stderr handler in ``log_format`` when the host has none."""
    package = logging.getLogger(PACKAGE_LOGGER)
    package.setLevel(level)
    for handler in list(package.handlers):
        if isinstance(handler, _TutorHandler):
            package.removeHandler(handler)
    if package.handlers or logging.getLogger().handlers:
        return  # the host configured logging: records propagate to its handlers
    handler = _TutorHandler(sys.stderr)
    formatter = JsonLinesFormatter() if log_format == "json" else logging.Formatter(_TEXT_FORMAT)
    formatter.converter = time.gmtime  # UTC, like every other time TutorGPT writes
    handler.setFormatter(formatter)
    package.addHandler(handler)

