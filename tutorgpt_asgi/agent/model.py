"""ModelTutor: the tutor agent on any OpenAI-compatible Chat Completions endpoint.

Chat Completions with streaming and tool calls is the one API that OpenAI, Azure OpenAI, Ollama,
vLLM, LM Studio and LiteLLM all serve, so the agent runs its own small loop on it instead of an
agent framework: stream a round, run the tool calls it asked for, feed the results back, at
most ``max_tool_rounds`` times, then one last round with tools switched off so the model must
answer. Text is passed on as it arrives; citations are derived from the text (see
``citations.py``). The SDK retries timeouts, 429s and 5xx with backoff; the whole wait for a
response is also capped, so a server asking for long pauses cannot hold the reader for minutes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, Final

import anyio
import openai
from openai import AsyncOpenAI

from tutorgpt_asgi.agent.citations import CitationScanner, SourceRegistry
from tutorgpt_asgi.agent.conversation import build_messages
from tutorgpt_asgi.agent.instructions import build_instructions
from tutorgpt_asgi.agent.parameters import ParameterMemory
from tutorgpt_asgi.agent.titles import TITLE_PROMPT, clean_title, shorten_question
from tutorgpt_asgi.agent.toolcalls import AssembledCall, ToolCallAssembler
from tutorgpt_asgi.agent.tools import TOOL_SCHEMAS, StudentProfiles, ToolRunner, progress_for
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.book.shelves import book_title
from tutorgpt_asgi.chatkit.responder import (
    Grounding,
    ResponderError,
    ResponderEvent,
    TextDelta,
    Turn,
    Usage,
)
from tutorgpt_asgi.settings import Settings

logger = logging.getLogger(__name__)

BUSY_MESSAGE: Final = "The tutor is busy, try again in a moment."
UNAVAILABLE_MESSAGE: Final = "The tutor is not available right now. Please try again later."
EMPTY_MESSAGE: Final = "The tutor did not produce an answer. Please ask again."

#: The SDK's pause before retry n (from 0) without Retry-After: 0.5 s doubling, at most 8 s.
_FIRST_RETRY_PAUSE: Final = 0.5
_LONGEST_RETRY_PAUSE: Final = 8.0
#: Statuses the SDK retries; after the retries they mean "busy", not "broken".
_TRANSIENT_STATUSES: Final = frozenset({408, 409, 429})
#: Only the question goes into the title prompt, cut to this length.
_TITLE_INPUT_CHARS: Final = 1000
#: A title is a few words. Reasoning models count their thinking in this budget and may return
#: nothing; the shortened question is the title then.
_TITLE_MAX_TOKENS: Final = 20


def _placeholder_key(settings: Settings) -> str:
    """Local servers (Ollama, vLLM) need no key, but the SDK insists on one."""
    if settings.openai_api_key:
        return settings.openai_api_key
    logger.warning("no OpenAI API key is set; calling the model server without one")
    return "not-set"


class ModelTutor:
    """Answers turns with a language model, two tools and cited sources."""

    def __init__(
        self,
        settings: Settings,
        book: BookIndex,
        profiles: StudentProfiles,
    ) -> None:
        self._settings = settings
        self._book = book
        self._profiles = profiles
        self._client = AsyncOpenAI(
            api_key=_placeholder_key(settings),
            base_url=settings.openai_base_url,
            timeout=settings.model_timeout,
            max_retries=settings.model_max_retries,
        )
        retries = settings.model_max_retries
        pauses = sum(
            min(_FIRST_RETRY_PAUSE * 2**attempt, _LONGEST_RETRY_PAUSE) for attempt in range(retries)
        )
        #: The longest the reader waits for a response to start: every try times out and the
        #: SDK pauses its usual backoff between them. A longer Retry-After asked by the server
        #: is cut short here.
        self.response_deadline = settings.model_timeout * (retries + 1) + pauses
        self._parameters = ParameterMemory()

    async def aclose(self) -> None:
        """Close the HTTP connections to the model server."""
        await self._client.close()

    async def respond(self, turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
        """Stream the answer: text as it comes, progress while tools run, then citations."""
        sources = SourceRegistry()
        tools = ToolRunner(self._book, self._profiles, turn.context, sources)
        scanner = CitationScanner(sources)
        title = self._settings.book_title or await book_title(self._book)
        instructions = build_instructions(turn.context, book_title=title)
        messages = build_messages(turn, instructions, self._settings.history_budget_chars)
        rounds = self._settings.max_tool_rounds
        cited: list[str] = []
        for round_number in range(rounds + 1):
            tools_allowed = round_number < rounds
            assembler = ToolCallAssembler()
            round_text: list[str] = []
            # aclosing: if the reader goes away mid-answer, the HTTP stream closes at once.
            async with aclosing(self._stream_round(messages, tools_allowed, assembler)) as texts:
                async for text in texts:
                    if isinstance(text, Usage):
                        yield text
                        continue
                    round_text.append(text)
                    yield TextDelta(text)
                    for citation in scanner.feed(text):
                        cited.append(citation.url)
                        yield citation
            calls = assembler.calls()
            if not calls or not tools_allowed:
                break
            messages.append(_assistant_message("".join(round_text), calls))
            for call in calls:
                progress = progress_for(call.name)
                if progress is not None:
                    yield progress
                result = await tools.run(call.name, call.arguments)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
        for citation in scanner.finish():
            cited.append(citation.url)
            yield citation
        yield _grounding(turn, tools, cited)
        if not scanner.text.strip():
            raise ResponderError(EMPTY_MESSAGE)

    async def _stream_round(
        self, messages: list[dict[str, Any]], tools_allowed: bool, assembler: ToolCallAssembler
    ) -> AsyncGenerator[str | Usage, None]:
        """One model call: yields text deltas and its token usage, collects tool calls."""
        request: dict[str, Any] = {
            "model": self._settings.model_name,
            "messages": messages,
            "temperature": self._settings.temperature,
            "max_completion_tokens": self._settings.max_tokens,
            "tools": TOOL_SCHEMAS,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if not tools_allowed:
            request["tool_choice"] = "none"
        try:
            stream = await self._create(request)
            async with stream:
                async for chunk in stream:
                    for choice in chunk.choices:
                        if choice.delta.tool_calls:
                            assembler.add(choice.delta.tool_calls)
                        if choice.delta.content:
                            yield choice.delta.content
                    if chunk.usage is not None:  # the last chunk, when include_usage was honoured
                        yield Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
        except TimeoutError:
            logger.warning("model gave no response within %.0f s", self.response_deadline)
            raise ResponderError(BUSY_MESSAGE) from None
        except openai.APIStatusError as error:
            raise _status_error(error) from None
        except openai.APIError as error:  # connection failures, timeouts, broken streams
            logger.warning("model call failed: %s", type(error).__name__)
            raise ResponderError(BUSY_MESSAGE) from None

    async def _create(self, request: dict[str, Any]) -> Any:
        """Send ``request``, adapted to what the model accepts; learn from its refusals.

        Each adaptable parameter is refused at most once per model (then remembered), so this
        makes at most one more call per parameter the endpoint turns down.
        """
        while True:  # ends: each pass either returns, raises, or learns one more of ADAPTABLE
            sent = self._parameters.adapt(request)
            try:
                with anyio.fail_after(self.response_deadline):
                    return await self._client.chat.completions.create(**sent)
            except openai.BadRequestError as error:
                if not self._parameters.learn(error, sent):
                    raise

    async def title(self, turn: Turn) -> str:
        """A few words from the model; the shortened question if the model fails."""
        request: dict[str, Any] = {
            "model": self._settings.model_name,
            "messages": [
                {"role": "system", "content": TITLE_PROMPT},
                {"role": "user", "content": turn.user_text[:_TITLE_INPUT_CHARS]},
            ],
            "temperature": 0.2,  # a title should be plain, not creative
            "max_completion_tokens": _TITLE_MAX_TOKENS,
        }
        try:
            completion = await self._create(request)
        except (TimeoutError, openai.APIError) as error:
            logger.info("title generation failed: %s", type(error).__name__)
            return shorten_question(turn.user_text)
        text = completion.choices[0].message.content if completion.choices else None
        return clean_title(text or "") or shorten_question(turn.user_text)


def _grounding(turn: Turn, tools: ToolRunner, cited: list[str]) -> Grounding:
    """Searched but cited nothing reads as "not in the book"; the anchor is the first source
    cited when the reader asked about a quote or highlight."""
    selection = turn.quoted_text or turn.context.location.highlighted_text
    return Grounding(
        scope=tools.searched_scope,
        cited=bool(cited),
        not_in_book=tools.searched_scope is not None and not cited,
        anchor=cited[0] if selection and cited else None,
    )


def _assistant_message(text: str, calls: list[AssembledCall]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": text or None,
        "tool_calls": [call.as_message_part() for call in calls],
    }


def _status_error(error: openai.APIStatusError) -> ResponderError:
    """Transient statuses read as "busy"; others (bad key, unknown model) as "unavailable"."""
    status = error.status_code
    if status in _TRANSIENT_STATUSES or status >= 500:
        logger.warning("model server still failing after retries: HTTP %d", status)
        return ResponderError(BUSY_MESSAGE)
    logger.error("model server refused the request: HTTP %d", status)
    return ResponderError(UNAVAILABLE_MESSAGE, allow_retry=False)
