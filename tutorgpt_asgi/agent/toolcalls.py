"""Tool calls assembled from streamed Chat Completions deltas.

A streamed tool call arrives in pieces: the first delta for an ``index`` carries the call id and
function name, later ones carry slices of the JSON arguments, and parallel calls interleave by
index. Servers differ (some repeat the id or name in every piece, some send a call whole), so
the first non-empty id and name win and only the arguments are concatenated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openai.types.chat.chat_completion_chunk import ChoiceDeltaToolCall


@dataclass(slots=True)
class AssembledCall:
    """One complete tool call of a model round."""

    id: str
    name: str
    arguments: str

    def as_message_part(self) -> dict[str, Any]:
        """The call as it goes back to the model in the assistant message."""
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(slots=True)
class _Partial:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class ToolCallAssembler:
    """Collects the tool-call deltas of one streamed response, keyed by their index."""

    def __init__(self) -> None:
        self._calls: dict[int, _Partial] = {}

    def add(self, deltas: Iterable[ChoiceDeltaToolCall]) -> None:
        for position, delta in enumerate(deltas):
            index = delta.index if delta.index is not None else position
            partial = self._calls.setdefault(index, _Partial())
            if delta.id and not partial.id:
                partial.id = delta.id
            function = delta.function
            if function is None:
                continue
            if function.name and not partial.name:
                partial.name = function.name
            if function.arguments:
                partial.arguments.append(function.arguments)

    def calls(self) -> list[AssembledCall]:
        """The complete calls in index order; a call without an id gets a stable local one."""
        return [
            AssembledCall(
                id=partial.id or f"call_local_{index}",
                name=partial.name,
                arguments="".join(partial.arguments),
            )
            for index, partial in sorted(self._calls.items())
        ]
