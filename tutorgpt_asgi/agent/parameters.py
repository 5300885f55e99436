"""Request parameters a model endpoint refuses, learnt from its errors and remembered per model.

Today's OpenAI models take ``max_completion_tokens`` and refuse ``max_tokens``; the reasoning
models (o-series, gpt-5 family) also refuse any ``temperature`` but the default. Older
OpenAI-compatible servers know only ``max_tokens``, and some refuse ``stream_options``. No list
of model names can keep up with that, so requests are sent the modern way and, when the endpoint
answers OpenAI's 400 ``unsupported_parameter`` / ``unsupported_value`` (or a 400 naming one of
these parameters), the call is retried once without the parameter, or with its replacement, and
the model keeps that setting for the life of the process.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

import openai

logger = logging.getLogger(__name__)

#: Parameters a request can do without (or swap for their replacement); nothing else is dropped.
ADAPTABLE: Final = ("max_completion_tokens", "max_tokens", "temperature", "stream_options")
REPLACEMENTS: Final = {"max_completion_tokens": "max_tokens", "max_tokens": "max_completion_tokens"}
REFUSAL_CODES: Final = frozenset({"unsupported_parameter", "unsupported_value"})
_NAMED: Final = re.compile(r"\b(" + "|".join(ADAPTABLE) + r")\b")


def refused_parameter(error: openai.APIStatusError, request: dict[str, Any]) -> str | None:
    """The adaptable parameter of ``request`` that ``error`` refuses, if it is such a refusal."""
    if error.status_code not in (400, 422):
        return None
    code = getattr(error, "code", None)
    param = getattr(error, "param", None)
    if code in REFUSAL_CODES and isinstance(param, str):
        name = param.split(".", 1)[0].split("[", 1)[0]
    else:  # servers without OpenAI's error codes, e.g. "Unrecognized request argument: max_..."
        found = _NAMED.search(str(getattr(error, "message", "")))
        name = found.group(1) if found else ""
    return name if name in ADAPTABLE and name in request else None


class ParameterMemory:
    """Per model: the parameters its endpoint refused. One instance per model client."""

    def __init__(self) -> None:
        self._refused: dict[str, set[str]] = {}

    def adapt(self, request: dict[str, Any]) -> dict[str, Any]:
        """``request`` without what its model refused (replacements put in where they exist)."""
        refused = self._refused.get(request["model"], set())
        adapted = dict(request)
        for name in refused & adapted.keys():
            value = adapted.pop(name)
            replacement = REPLACEMENTS.get(name)
            if replacement is not None and replacement not in refused:
                adapted.setdefault(replacement, value)
        return adapted

    def learn(self, error: openai.APIStatusError, request: dict[str, Any]) -> bool:
        """Remember what ``error`` refused in ``request``; ``True`` if a retry can do without it."""
        name = refused_parameter(error, request)
        refused = self._refused.setdefault(request["model"], set())
        if name is None or name in refused:
            return False
        refused.add(name)
        replacement = REPLACEMENTS.get(name)
        instead = f"sending {replacement} instead" if replacement and replacement not in refused else "leaving it out"
        logger.warning("model %s refused the parameter %s; %s from now on", request["model"], name, instead)
        return True
