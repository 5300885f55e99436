"""Logging for operators: ``TUTORGPT_LOG_LEVEL`` and ``TUTORGPT_LOG_FORMAT`` (text or JSON lines).

The level is set on the package logger (``tutorgpt_asgi``) in every case, so it takes effect
under ``tutorgpt serve`` and inside a host app alike. A handler is added only when nobody has
configured logging (no handler on the root or package logger): uvicorn configures only its own
loggers, so without one TutorGPT's records went nowhere. A host that configured logging keeps
full control; TutorGPT's records propagate to its handlers.

The handler TutorGPT adds only puts each record on a queue; a ``QueueListener`` thread formats it
and writes it to stderr. Formatting and the write (to a pipe that blocks when its reader is slow)
cost ~13 µs per access-log line on the event loop, in front of every request at INFO (issue 16).
The queue is drained when the app shuts down and at interpreter exit, so no line is lost.

What is never logged, at any level: secrets, student keys, bearer tokens, emails and message
text. Log calls pass ids (request, session, student, thread) and codes, never request bodies.
"""

from __future__ import annotations

import logging
import queue
import sys
import time
from logging.handlers import QueueHandler, QueueListener
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


class _TutorHandler(QueueHandler):
    """The handler TutorGPT adds itself (recognised so that it is replaced, never stacked): it
    queues records for ``target``, which a listener thread of its own writes."""

    def __init__(self, target: logging.Handler) -> None:
        super().__init__(queue.SimpleQueue())
        self._listener = QueueListener(self.queue, target)
        self._listener.start()
        self._running = True

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        """The record as it is: it never leaves the process, so the copy and the formatting
        that ``QueueHandler`` does for pickling would only be work on the caller's thread."""
        return record

    def flush(self) -> None:
        """Write every record queued so far (the listener is stopped, which drains it, then
        started again for later records)."""
        if self._running:
            self._listener.stop()
            self._listener.start()

    def close(self) -> None:
        """Drain and stop the listener (``logging.shutdown`` calls this at exit)."""
        if self._running:
            self._running = False
            self._listener.stop()
        super().close()


def configure_logging(level: str, log_format: Literal["text", "json"] = "text") -> None:
    """Apply the level, and add a stderr handler in ``log_format`` when the host has none."""
    package = logging.getLogger(PACKAGE_LOGGER)
    package.setLevel(level)
    for handler in list(package.handlers):
        if isinstance(handler, _TutorHandler):
            package.removeHandler(handler)
            handler.close()
    if package.handlers or logging.getLogger().handlers:
        return  # the host configured logging: records propagate to its handlers
    stderr = logging.StreamHandler(sys.stderr)
    formatter = JsonLinesFormatter() if log_format == "json" else logging.Formatter(_TEXT_FORMAT)
    formatter.converter = time.gmtime  # UTC, like every other time TutorGPT writes
    stderr.setFormatter(formatter)
    package.addHandler(_TutorHandler(stderr))


def flush_logs() -> None:
    """Write out every record TutorGPT's own handler still holds (called on app shutdown)."""
    for handler in logging.getLogger(PACKAGE_LOGGER).handlers:
        if isinstance(handler, _TutorHandler):
            handler.flush()

