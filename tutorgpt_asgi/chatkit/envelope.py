"""Decoding a request body into one of the protocol's request structs, or a clear 400.

msgspec decodes the tagged union in one pass. When that fails, the body is decoded again as a
bare envelope head only to tell the client *why*: not JSON, no ``type``, a ``type`` TutorGPT does
not know or does not serve, or invalid ``params`` (msgspec's message names the field).
"""

from __future__ import annotations

import logging

import msgspec

from tutorgpt_asgi.chatkit.errors import ProtocolError, invalid_request
from tutorgpt_asgi.chatkit.types import (
    SUPPORTED_REQUEST_TYPES,
    UNSUPPORTED_REQUEST_TYPES,
    ChatKitRequest,
    EnvelopeHead,
)
from tutorgpt_asgi.jsonlimits import MAX_JSON_DEPTH, too_deep

logger = logging.getLogger(__name__)

_request_decoder = msgspec.json.Decoder(ChatKitRequest)
_head_decoder = msgspec.json.Decoder(EnvelopeHead)


def decode_request(body: bytes) -> ChatKitRequest:
    """The request in ``body``; raises :class:`ProtocolError` (400) naming the problem."""
    if too_deep(body):
        raise invalid_request(
            "INVALID_JSON", f"The request body must be a JSON object nested at most {MAX_JSON_DEPTH} levels deep"
        )
    try:
        return _request_decoder.decode(body)
    except msgspec.ValidationError as error:
        raise _explain(body, error) from None
    except msgspec.DecodeError:
        raise invalid_request("INVALID_JSON", "The request body must be a JSON object") from None


def _explain(body: bytes, error: msgspec.ValidationError) -> ProtocolError:
    try:
        head = _head_decoder.decode(body)
    except msgspec.ValidationError:
        return invalid_request(
            "INVALID_ENVELOPE", "The request body must be an object with a string 'type'", "type"
        )
    if head.type is msgspec.UNSET:
        return invalid_request("MISSING_TYPE", "The request has no 'type'", "type")
    if head.type in UNSUPPORTED_REQUEST_TYPES:
        logger.warning("Refused unsupported ChatKit request type %r", head.type)
        return invalid_request(
            "UNSUPPORTED_REQUEST_TYPE", f"Request type {head.type!r} is not supported", "type"
        )
    if head.type not in SUPPORTED_REQUEST_TYPES:
        logger.warning("Refused unknown ChatKit request type %.100r", head.type)
        return invalid_request(
            "UNKNOWN_REQUEST_TYPE", f"Unknown request type {head.type[:100]!r}", "type"
        )
    message, _, path = str(error).partition(" - at `$.")
    field = path.rstrip("`") or None
    return invalid_request("INVALID_PARAMS", f"Invalid {head.type} request: {message}", field)
